"""Barcode symbols as modules, and their drawing on a printer's dot grid.

Encoders give the module pattern of a symbol (a string of "1" bars and "0" spaces, or a square
matrix for QR). `draw_linear` and `draw_matrix` put those modules on a ReportLab canvas with the
module width and the origin on whole printer dots, so a 203 or 300 dpi thermal printer burns
every bar at exactly its width.

Code 128 is encoded here (the fewest characters over subsets B and C, FNC1) from python-barcode's
pattern table, because
python-barcode 0.16.1 drops a leading "99" and ReportLab's Code128 can drop a digit after an
inner FNC1. EAN-13 comes from python-barcode after our own check-digit check; QR from
ReportLab's encoder, with a GS1 QR (FNC1 in first position) for element strings.
"""

from __future__ import annotations

from dataclasses import dataclass

import barcode
from barcode.charsets import code128 as code128_table
from reportlab.graphics.barcode import qrencoder
from reportlab.pdfgen.canvas import Canvas

from labels import gs1
from labels.errors import InvalidLabelData
from labels.gs1 import GS, ElementString
from labels.media import DotGrid

_START_B, _START_C = 104, 105
_CODE_B, _CODE_C = 100, 99  # "switch to subset" values
_FNC1 = 102
_STOP = code128_table.STOP + "11"  # the stop pattern ends with a two-module termination bar
QUIET_ZONE_MODULES = 10


@dataclass(frozen=True)
class LinearSymbol:
    """A one-dimensional symbol: its modules, its human-readable text and its AIM identifier."""

    modules: str
    text: str
    symbology: str  # AIM identifier a scanner reports: "]C0", "]C1", "]E0"

    @property
    def width_modules(self) -> int:
        return len(self.modules)


@dataclass(frozen=True)
class MatrixSymbol:
    """A QR symbol: rows of dark (True) and light modules, and its AIM identifier."""

    rows: tuple[tuple[bool, ...], ...]
    symbology: str  # "]Q1" (text) or "]Q3" (GS1)

    @property
    def size_modules(self) -> int:
        return len(self.rows)


def _step(subset: str, tokens: str, index: int) -> int:
    """How many tokens the next symbol character takes in a subset (0: it cannot)."""
    if tokens[index] == GS or subset == "B":
        return 1
    pair = tokens[index : index + 2]
    return 2 if len(pair) == 2 and pair.isdigit() else 0


def code128_characters(tokens: str) -> list[tuple[str, str]]:
    """The fewest Code 128 symbol characters for tokens: (subset "B" or "C", text) each.

    Tokens are printable ASCII, and GS for FNC1 (valid in both subsets). Subset C carries two
    digits per character; a change of subset between two characters costs one more.
    """
    never = 10**9
    size = len(tokens)
    fewest = {"B": [0] * (size + 1), "C": [0] * (size + 1)}
    for index in range(size - 1, -1, -1):
        stay = {}
        for subset in ("B", "C"):
            step = _step(subset, tokens, index)
            stay[subset] = 1 + fewest[subset][index + step] if step else never
        fewest["B"][index] = min(stay["B"], 1 + stay["C"])
        fewest["C"][index] = min(stay["C"], 1 + stay["B"])
    subset = "C" if fewest["C"][0] <= fewest["B"][0] else "B"
    characters: list[tuple[str, str]] = []
    index = 0
    while index < size:
        step = _step(subset, tokens, index)
        if step and 1 + fewest[subset][index + step] == fewest[subset][index]:
            characters.append((subset, tokens[index : index + step]))
            index += step
        else:
            subset = "B" if subset == "C" else "C"
    return characters


def _code128_values(tokens: str) -> list[int]:
    """Symbol character values, start character first, for the fewest-character encoding."""
    for char in tokens:
        if char != GS and not 32 <= ord(char) <= 126:
            raise InvalidLabelData(f"Code 128 here carries printable ASCII, not {char!r}.", "data")
    values: list[int] = []
    current = ""
    for subset, text in code128_characters(tokens):
        if subset != current:
            start, switch = (_START_C, _CODE_C) if subset == "C" else (_START_B, _CODE_B)
            values.append(switch if current else start)
            current = subset
        if text == GS:
            values.append(_FNC1)
        else:
            values.append(int(text) if subset == "C" else ord(text) - 32)
    return values


def _code128_modules(values: list[int]) -> str:
    checksum = values[0] + sum(
        position * value for position, value in enumerate(values) if position
    )
    all_values = [*values, checksum % 103]
    return "".join(code128_table.CODES[value] for value in all_values) + _STOP


def code128(text: str) -> LinearSymbol:
    """Plain Code 128 of printable ASCII text (a tracking number, bin or SKU code)."""
    if not text or len(text) > 80:
        raise InvalidLabelData("Code 128 text must have 1 to 80 characters.", "data")
    if GS in text:
        raise InvalidLabelData("A group separator belongs only in GS1 data.", "data")
    return LinearSymbol(_code128_modules(_code128_values(text)), text, "]C0")


def gs1_128(element_string: ElementString) -> LinearSymbol:
    """GS1-128 of a checked element string: FNC1 first, FNC1 after variable-length fields."""
    if len(element_string) > 48:
        raise InvalidLabelData(
            f"{element_string.hri} has {len(element_string)} data characters; "
            "a GS1-128 symbol carries at most 48.",
            "data",
        )
    modules = _code128_modules(_code128_values(GS + element_string.data))
    return LinearSymbol(modules, element_string.hri, "]C1")


def ean13(digits: str) -> LinearSymbol:
    """EAN-13 of a GTIN-13 whose check digit has been verified (a wrong one is refused)."""
    checked = gs1.gtin13(digits)
    symbol = barcode.get("ean13", checked[:12])
    if symbol.get_fullcode() != checked:
        raise InvalidLabelData(f"EAN-13 encoder produced {symbol.get_fullcode()}.", "gtin")
    return LinearSymbol("".join(symbol.build()), checked, "]E0")


def _qr(segments: list[qrencoder.QR], symbology: str, level: str) -> MatrixSymbol:
    code = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    for segment in segments:
        code.addData(segment)
    code.make()
    count = code.getModuleCount()
    rows = tuple(tuple(bool(code.isDark(r, c)) for c in range(count)) for r in range(count))
    return MatrixSymbol(rows, symbology)


def qr(text: str, level: str = "M") -> MatrixSymbol:
    """A QR symbol of UTF-8 text in byte mode (read back as "]Q1")."""
    return _qr([qrencoder.QR8bitByte(text.encode("utf-8"))], "]Q1", level)


def gs1_qr(element_string: ElementString, level: str = "M") -> MatrixSymbol:
    """A GS1 QR symbol (FNC1 in first position; GS between fields) read back as "]Q3"."""
    segment = qrencoder.QR8bitByte(element_string.data.encode("ascii"))
    return _qr([qrencoder.QRFNC1First(), segment], "]Q3", level)


def draw_linear(
    pdf: Canvas,
    symbol: LinearSymbol,
    *,
    grid: DotGrid,
    x: float,
    y: float,
    module_dots: int,
    height: float,
) -> float:
    """Draw the bars with their left edge at the dot at or right of `x`; returns the width.

    `x`, `y` and `height` are in points; every bar starts and ends on a printer dot boundary.
    """
    left = grid.snap(x)
    bottom = grid.snap(y)
    tall = grid.snap(height)
    origin_dots = round(left * grid.dpi / 72)
    path = pdf.beginPath()
    index = 0
    modules = symbol.modules
    while index < len(modules):
        if modules[index] == "1":
            run = 1
            while index + run < len(modules) and modules[index + run] == "1":
                run += 1
            start = grid.points(origin_dots + index * module_dots)
            path.rect(start, bottom, grid.points(run * module_dots), tall)
            index += run
        else:
            index += 1
    pdf.drawPath(path, stroke=0, fill=1)
    return grid.points(len(modules) * module_dots)


def draw_matrix(
    pdf: Canvas, symbol: MatrixSymbol, *, grid: DotGrid, x: float, y: float, module_dots: int
) -> float:
    """Draw a QR with its lower-left corner on the dot at `x`, `y`; returns its side in points."""
    origin_x = round(grid.snap(x) * grid.dpi / 72)
    origin_y = round(grid.snap(y) * grid.dpi / 72)
    size = symbol.size_modules
    path = pdf.beginPath()
    for row_index, row in enumerate(symbol.rows):
        bottom = origin_y + (size - 1 - row_index) * module_dots
        column = 0
        while column < size:
            if row[column]:
                run = 1
                while column + run < size and row[column + run]:
                    run += 1
                path.rect(
                    grid.points(origin_x + column * module_dots),
                    grid.points(bottom),
                    grid.points(run * module_dots),
                    grid.points(module_dots),
                )
                column += run
            else:
                column += 1
    pdf.drawPath(path, stroke=0, fill=1)
    return grid.points(size * module_dots)

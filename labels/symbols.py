"""Barcode symbols as modules, and their drawing on a printer's dot grid.

Encoders give the module pattern of a symbol (a string of "1" bars and "0" spaces, or a square
matrix for QR). `draw_linear` and `draw_matrix` put those modules on a ReportLab canvas with the
module width and the origin on whole printer dots, so a 203 or 300 dpi thermal printer burns
every bar at exactly its width.

Code 128 is encoded here (subsets B and C, FNC1) from python-barcode's pattern table, because
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


def _digit_run(data: str, start: int) -> int:
    """How many digits follow from `start`."""
    end = start
    while end < len(data) and data[end].isdigit():
        end += 1
    return end - start


def _code128_values(data: str, gs1_mode: bool) -> list[int]:
    """Symbol character values (start to last data character) for data in subsets B and C.

    Runs of four or more digits (or two at the very start or end) go in subset C, two digits
    per character; GS becomes FNC1. The first value is the start character.
    """
    values: list[int] = []
    subset = ""
    index = 0
    if gs1_mode:
        data_start = _digit_run(data, 0)
        subset = "C" if data_start >= 2 else "B"
        values += [_START_C if subset == "C" else _START_B, _FNC1]
    while index < len(data):
        char = data[index]
        if char == GS:
            if not gs1_mode:
                raise InvalidLabelData("A group separator belongs only in GS1 data.", "data")
            if not subset:
                subset = "B"
                values.append(_START_B)
            values.append(_FNC1)
            index += 1
            continue
        run = _digit_run(data, index)
        at_edge = index == 0 or index + run == len(data)
        use_c = run >= 4 or (run >= 2 and at_edge and run % 2 == 0)
        if use_c:
            if subset != "C":
                if run % 2 == 1:  # an odd run: one digit in B first, the rest in pairs
                    if not subset:
                        subset = "B"
                        values.append(_START_B)
                    values.append(ord(char) - 32)
                    index += 1
                    run -= 1
                values.append(_START_C if not subset else _CODE_C)
                subset = "C"
            for pair in range(index, index + run - run % 2, 2):
                values.append(int(data[pair : pair + 2]))
            index += run - run % 2
            continue
        if not 32 <= ord(char) <= 126:
            raise InvalidLabelData(f"Code 128 here carries printable ASCII, not {char!r}.", "data")
        if subset != "B":
            values.append(_START_B if not subset else _CODE_B)
            subset = "B"
        values.append(ord(char) - 32)
        index += 1
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
    return LinearSymbol(_code128_modules(_code128_values(text, gs1_mode=False)), text, "]C0")


def gs1_128(element_string: ElementString) -> LinearSymbol:
    """GS1-128 of a checked element string: FNC1 first, FNC1 after variable-length fields."""
    if len(element_string) > 48:
        raise InvalidLabelData(
            f"{element_string.hri} has {len(element_string)} data characters; "
            "a GS1-128 symbol carries at most 48.",
            "data",
        )
    modules = _code128_modules(_code128_values(element_string.data, gs1_mode=True))
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

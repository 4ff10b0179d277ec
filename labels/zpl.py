"""Labels as ZPL II for Zebra-compatible thermal printers: data in, ZPL bytes out.

Each label is one ^XA…^XZ format in UTF-8 (^CI28) sized to its media. Barcodes are the
printer's own (^BC with explicit Code 128 subsets, ^BE, ^BQ); ASCII text uses scalable font 0;
text in other scripts (Thai, Vietnamese) is sent as a bitmap (^GF), because the resident fonts
have no such glyphs. Layouts adapt to the media height: on short stock optional parts go first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from PIL import Image

from labels.content import BinLabel, Label, LogisticLabel, ShippingLabel, SkuLabel
from labels.errors import InvalidLabelData
from labels.fonts import FontSet
from labels.gs1 import GS, ElementString, pack
from labels.media import DotGrid, Media, check_dpi
from labels.raster import rasterise_pdf
from labels.symbols import code128_characters
from labels.zpl_graphics import (
    DEFAULT_ENCODING,
    GraphicEncoding,
    field_text,
    font0_width,
    graphic_field,
    is_plain_text,
    text_graphic,
)

__all__ = [
    "Code128Field",
    "code128",
    "gs1_128",
    "label_zpl",
    "pdf_to_zpl",
]

# ---------------------------------------------------------------------------------------------
# Code 128 field data for ^BC
# ---------------------------------------------------------------------------------------------

FNC1 = GS
_B, _C = "B", "C"
# Characters ZPL reads as commands or invocation codes, written as the ^BC invocation codes of
# their Code 128 values (30 ">", 62 "^" and 94 "~" in subset B).
_SUBSET_B_CODES = {">": ">0", "^": "><", "~": ">="}
_START = {_B: ">:", _C: ">;"}
_SWITCH_TO = {_B: ">6", _C: ">5"}


@dataclass(frozen=True)
class Code128Field:
    """A Code 128 symbol as ^BC field data, and how many symbol characters it holds."""

    field_data: str
    symbol_characters: int

    @property
    def modules(self) -> int:
        """The symbol's width in modules without quiet zones (start, data, check, stop)."""
        return 11 * (self.symbol_characters + 2) + 13


def _symbol_character(subset: str, text: str) -> str:
    """The field data for one symbol character's worth of tokens."""
    if text == FNC1:
        return ">8"
    return text if subset == _C else _SUBSET_B_CODES.get(text, text)


def _encode(tokens: str) -> Code128Field:
    """The invocation-coded field data of the fewest-character encoding (GS for FNC1)."""
    parts: list[str] = []
    current = ""
    for subset, text in code128_characters(tokens):
        if subset != current:
            parts.append(_SWITCH_TO[subset] if current else _START[subset])
            current = subset
        parts.append(_symbol_character(subset, text))
    return Code128Field("".join(parts), len(parts) - 1)


def code128(data: str, field_name: str = "barcode") -> Code128Field:
    """Plain Code 128 (read as ]C0) of 1 to 48 printable ASCII characters."""
    if not 0 < len(data) <= 48 or not is_plain_text(data):
        raise InvalidLabelData(
            f"Code 128 carries 1 to 48 printable ASCII characters; got {data!r}.", field_name
        )
    return _encode(data)


def gs1_128(elements: ElementString) -> Code128Field:
    """GS1-128 (read as ]C1) of a checked element string: FNC1 first and at each GS."""
    return _encode(FNC1 + elements.data)


# ---------------------------------------------------------------------------------------------
# One label format under construction
# ---------------------------------------------------------------------------------------------

Align = Literal["left", "centre", "right"]
_QR_BYTES_M = (14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504)
_QR_TOP_OFFSET = 10  # ^BQ draws the symbol about ten dots below its field origin


@dataclass(frozen=True)
class Box:
    """A rectangle in dots: where something is drawn."""

    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def overlaps(self, other: Box) -> bool:
        """Whether the two rectangles share any area."""
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )


@dataclass
class _Sheet:
    """The fields of one label, with the boxes they cover so a layout can check it fits."""

    grid: DotGrid
    width: int
    height: int
    fonts: FontSet | None
    encoding: GraphicEncoding
    fields: list[str] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)

    @property
    def margin(self) -> int:
        return self.mm(2.5)

    @property
    def inner(self) -> int:
        """The width between the side margins."""
        return self.width - 2 * self.margin

    def mm(self, length: float) -> int:
        return self.grid.dots(length)

    def fits(self) -> bool:
        """Whether everything is on the label and nothing overlaps."""
        inside = all(
            b.x >= 0 and b.y >= 0 and b.right <= self.width and b.bottom <= self.height
            for b in self.boxes
        )
        return inside and not any(
            a.overlaps(b) for i, a in enumerate(self.boxes) for b in self.boxes[i + 1 :]
        )

    def _put(self, box: Box, command: str, *, solid: bool = True) -> Box:
        self.fields.append(f"^FO{box.x},{box.y}{command}^FS")
        if solid:
            self.boxes.append(box)
        return box

    # Text -------------------------------------------------------------------------------------

    def text(
        self,
        x: int,
        y: int,
        text: str,
        size: int,
        width: int,
        *,
        lines: int = 1,
        bold: bool = False,
        align: Align = "left",
        condensed: float = 1.0,
    ) -> int:
        """Draw text in a column `width` dots wide at `size` dots a line; return the height."""
        text = " ".join(text.split())
        if not text:
            return 0
        if not is_plain_text(text):
            return self._bitmap_text(x, y, text, size, width, lines, bold, align)
        char_width = max(1, round(size * condensed))
        pitch = round(size * 1.1)
        wrapped = _wrap(text, width, char_width, lines)
        for index, line in enumerate(wrapped):
            line_width = font0_width(line, char_width)
            left = _aligned(x, width, line_width, align)
            command = f"^A0N,{size},{char_width}^FH^FD{field_text(line)}"
            self._put(Box(left, y + index * pitch, line_width, size), command)
        return (len(wrapped) - 1) * pitch + size

    def _bitmap_text(
        self, x: int, y: int, text: str, size: int, width: int, lines: int, bold: bool, align: Align
    ) -> int:
        graphic = text_graphic(
            text, size, width, self.grid.dpi, bold, lines, self.fonts, self.encoding
        )
        left = _aligned(x, width, graphic.width, align)
        self._put(Box(left, y, graphic.width, graphic.height), graphic.command)
        return graphic.height

    # Lines and shapes -----------------------------------------------------------------------

    def rule(self, y: int, thickness: int | None = None) -> int:
        """A horizontal line across the label at y; return its thickness."""
        thickness = thickness or max(2, self.mm(0.3))
        self._put(
            Box(self.margin, y, self.inner, thickness),
            f"^GB{self.inner},{thickness},{thickness}",
        )
        return thickness

    def frame(self, box: Box, thickness: int) -> None:
        """An outline around a box (what it frames is drawn separately, inside)."""
        self._put(box, f"^GB{box.w},{box.h},{thickness}", solid=False)
        self._require(box)

    def shape(self, box: Box, command: str) -> None:
        """A graphic command (^GB, ^GC, ^GD) covering a box."""
        self._put(box, command)

    def _require(self, box: Box) -> None:
        """Count a box as on the label for the fit check without making it solid."""
        if box.x < 0 or box.y < 0 or box.right > self.width or box.bottom > self.height:
            self.boxes.append(Box(box.x, box.y, box.w, box.h))

    # Barcodes -----------------------------------------------------------------------------------

    def code128(self, x: int, y: int, symbol: Code128Field, module: int, height: int) -> Box:
        """Draw a Code 128 symbol without its printed interpretation; return the bars' box."""
        box = Box(x, y, symbol.modules * module, height)
        quiet = 10 * module
        self._put(
            box, f"^BY{module},3,{height}^BCN,{height},N,N,N^FD{symbol.field_data}", solid=False
        )
        self.boxes.append(Box(x - quiet, y, box.w + 2 * quiet, height))
        return box

    def ean13(self, x: int, y: int, digits: str, module: int, height: int) -> Box:
        """Draw an EAN-13 symbol (check digit recomputed by the printer equals ours)."""
        box = Box(x, y, 95 * module, height)
        self._put(box, f"^BY{module},3,{height}^BEN,{height},N,N^FD{digits[:12]}", solid=False)
        self.boxes.append(Box(x - 11 * module, y, box.w + 18 * module, height))
        return box

    def qr(self, x: int, y: int, data: str, magnification: int) -> Box:
        """Draw a QR symbol (byte data, error correction M); return the box it covers."""
        size = qr_size(data, magnification)
        box = Box(x, y, size, size + _QR_TOP_OFFSET)
        return self._put(box, f"^BQN,2,{magnification}^FH^FDMA,{field_text(data)}")

    def zpl(self) -> str:
        """The format, ^XA to ^XZ."""
        head = f"^XA^CI28^PW{self.width}^LL{self.height}^LH0,0"
        return "\n".join([head, *self.fields, "^XZ"]) + "\n"


def _aligned(x: int, width: int, used: int, align: Align) -> int:
    if align == "right":
        return x + width - used
    if align == "centre":
        return x + (width - used) // 2
    return x


def _wrap(text: str, width: int, char_width: int, lines: int) -> list[str]:
    """ASCII text broken at spaces into at most `lines` lines; cut with "..." when longer."""
    out: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if font0_width(candidate, char_width) <= width:
            current = candidate
            continue
        if current:
            out.append(current)
        current = word
        while font0_width(current, char_width) > width and len(current) > 1:
            cut = len(current) - 1
            while cut > 1 and font0_width(current[:cut], char_width) > width:
                cut -= 1
            out.append(current[:cut])
            current = current[cut:]
    out.append(current)
    if len(out) > lines:
        out = out[:lines]
        last = out[-1]
        while last and font0_width(last + "...", char_width) > width:
            last = last[:-1]
        out[-1] = last.rstrip() + "..."
    return out


def qr_size(data: str, magnification: int) -> int:
    """The side in dots of the QR symbol for the data (byte mode, level M, at most)."""
    length = len(data.encode("utf-8"))
    for version, capacity in enumerate(_QR_BYTES_M, start=1):
        if length <= capacity:
            return (17 + 4 * version) * magnification
    raise InvalidLabelData(f"The QR data is {length} bytes; at most 504 fit.", "qr")


# ---------------------------------------------------------------------------------------------
# Layouts
# ---------------------------------------------------------------------------------------------


def _module(sheet: _Sheet, target_mm: float, symbol: Code128Field, width: int) -> int | None:
    """The widest module (in dots, at most the target) at which the symbol and quiet zones fit."""
    module = sheet.grid.module_dots(target_mm)
    while module >= 1:
        if (symbol.modules + 20) * module <= width:
            return module
        module -= 1
    return None


def _barcode_block(
    sheet: _Sheet,
    bottom: int,
    symbol: Code128Field,
    module: int,
    height: int,
    hri: str,
    hri_size: int,
) -> int:
    """A centred Code 128 symbol with its text under it, ending at `bottom`; return its top."""
    gap = sheet.mm(0.8)
    text_y = bottom - hri_size
    sheet.text(sheet.margin, text_y, hri, hri_size, sheet.inner, align="centre")
    bars_y = text_y - gap - height
    width = symbol.modules * module
    sheet.code128((sheet.width - width) // 2, bars_y, symbol, module, height)
    return bars_y


def _shipping(sheet: _Sheet, label: ShippingLabel, level: int) -> None:
    """Carrier header, sender, recipient beside the QR, route/stop and COD, refs, tracking."""
    mm, m, inner = sheet.mm, sheet.margin, sheet.inner
    gap = mm(1.5)
    y = m
    header = mm((6.0, 5.0, 4.5)[level])
    service_width = inner // 3 if label.service else 0
    sheet.text(m, y, label.carrier_name, header, inner - service_width - gap, bold=True)
    if label.service:
        sheet.text(
            m + inner - service_width, y, label.service, mm(3.5), service_width, align="right"
        )
    y += header + gap
    y += sheet.rule(y) + gap
    if level < 2:
        y += sheet.text(m, y, f"FROM  {label.sender_name}", mm(3.0), inner) + mm(0.6)
        if level == 0 and label.sender_address:
            y += sheet.text(m, y, label.sender_address, mm(2.6), inner, lines=2)
        y += gap
        y += sheet.rule(y) + gap
    magnification = sheet.grid.module_dots((0.5, 0.42, 0.38)[level])
    qr_side = qr_size(label.qr_payload(), magnification)
    column = inner - qr_side - mm(3)
    sheet.qr(m + inner - qr_side, y, label.qr_payload(), magnification)
    top = y
    y += sheet.text(m, y, "TO", mm(2.5), column) + mm(0.8)
    y += sheet.text(m, y, label.recipient_name, mm((5.0, 4.5, 4.0)[level]), column, bold=True)
    y += mm(0.8)
    if label.recipient_phone:
        y += sheet.text(m, y, label.recipient_phone, mm(3.8), column) + mm(0.8)
    lines = (4, 3, 2)[level]
    y += sheet.text(m, y, label.recipient_address, mm((3.4, 3.2, 3.0)[level]), column, lines=lines)
    y = max(y, top + qr_side + _QR_TOP_OFFSET) + gap
    y += sheet.rule(y) + gap
    y = _route_and_cod(sheet, label, y, level) + gap
    refs = [f"ORDER {label.order_reference}"]
    if label.marketplace_reference and level < 2:
        channel = f"{label.channel} " if label.channel else ""
        refs.append(f"REF {channel}{label.marketplace_reference}")
    refs.append(f"WEIGHT {_kg(label.weight_g)} kg")
    ref_size = mm((3.0, 2.8, 2.6)[level])
    if level == 0:
        for ref in refs:
            y += sheet.text(m, y, ref, ref_size, inner) + mm(0.6)
    else:
        y += sheet.text(m, y, "   ".join(refs), ref_size, inner)
    symbol = code128(label.tracking_number, "tracking_number")
    module = _module(sheet, 0.375, symbol, sheet.width)
    if module is None:
        raise InvalidLabelData("The tracking number is too long for this label.", "tracking_number")
    bars = mm((18.0, 14.0, 10.0)[level])
    hri_size = mm((4.0, 3.5, 3.0)[level])
    bars_top = _barcode_block(
        sheet, sheet.height - m, symbol, module, bars, label.tracking_number, hri_size
    )
    if y + gap > bars_top:
        sheet.boxes.append(Box(0, bars_top - gap, sheet.width, y - bars_top + gap))


def _kg(grams: int) -> str:
    return f"{Decimal(grams) / 1000:.2f}"


def _route_and_cod(sheet: _Sheet, label: ShippingLabel, y: int, level: int) -> int:
    """Route and stop in big type on the left, the COD amount framed on the right."""
    mm, m, inner = sheet.mm, sheet.margin, sheet.inner
    cod = label.cod_amount > 0
    route = [part for part in (label.route_code, label.stop_code) if part]
    if not cod and not route:
        return y
    size = mm((11.0, 8.0, 7.0)[level])
    cod_width = inner * 11 // 20 if cod else 0
    x = m
    for index, part in enumerate(route):
        if index:
            dot = max(4, size // 6)
            sheet.shape(Box(x + mm(1.5), y + (size - dot) // 2, dot, dot), f"^GC{dot},{dot},B")
            x += dot + mm(3)
        used = font0_width(part, size)
        sheet.text(x, y, part, size, inner - cod_width - (x - m))
        x += used
    if cod:
        left = m + inner - cod_width
        pad = mm(1.2)
        title = mm(2.6)
        amount = mm((6.0, 4.5, 4.0)[level])
        height = max(size, pad + title + mm(0.5) + amount + pad)
        sheet.frame(Box(left, y, cod_width, height), max(3, mm(0.6)))
        sheet.text(left + pad, y + pad, "COD - COLLECT", title, cod_width - 2 * pad)
        money = f"{label.cod_amount:,.2f} {label.currency}"
        sheet.text(left + pad, y + pad + title + mm(0.5), money, amount, cod_width - 2 * pad)
        return y + height
    return y + size


def _logistic(sheet: _Sheet, label: LogisticLabel, level: int) -> None:
    """Free-format block, data titles with values, content symbols, and the SSCC symbol lowest.

    Levels go from the full label with every content symbol to smaller text and fewer (or
    shorter, on short media) content symbols; symbols left out are still shown as text.
    """
    mm, m = sheet.mm, sheet.margin
    compact, kept, short = _logistic_variant(sheet, label, level)
    gap = mm(1.5)
    y = m
    y = _free_format(sheet, label, y, compact) + gap
    y += sheet.rule(y) + gap
    y = _data_titles(sheet, label, y, compact)
    module = sheet.grid.module_dots(0.5, 0.495)
    hri_size = mm(3.0)
    bottom = sheet.height - m
    sscc = gs1_128(label.sscc_element())
    bottom = _barcode_block(sheet, bottom, sscc, module, mm(32), label.sscc_element().hri, hri_size)
    symbols = _content_symbols(sheet, label, module)[:kept]
    for elements, symbol in reversed(symbols):
        bottom -= mm(2.5)
        height = mm(12) if short else mm(32)
        bottom = _barcode_block(sheet, bottom, symbol, module, height, elements.hri, hri_size)
    if y + gap > bottom:
        sheet.boxes.append(Box(0, bottom - gap, sheet.width, y - bottom + gap))


_LOGISTIC_LEVELS = 2 * (2 * 5 + 1)  # text variants x (kept symbols x heights)


def _logistic_variant(sheet: _Sheet, label: LogisticLabel, level: int) -> tuple[bool, int, bool]:
    """(compact text, content symbols kept, shortened symbols) for a degradation level."""
    count = len(_content_symbols(sheet, label, sheet.grid.module_dots(0.5, 0.495)))
    variants = [
        (compact, kept, False) for compact in (False, True) for kept in range(count, -1, -1)
    ]
    if sheet.height < sheet.mm(100):
        variants = [
            (compact, kept, short)
            for compact in (False, True)
            for kept in range(count, -1, -1)
            for short in (False, True)
            if kept or not short
        ]
    return variants[min(level, len(variants) - 1)]


def _content_symbols(
    sheet: _Sheet, label: LogisticLabel, module: int
) -> list[tuple[ElementString, Code128Field]]:
    """The trade-item elements split into as few GS1-128 symbols as fit the label's width.

    An element that does not fit in a symbol on its own is left to the text block.
    """
    groups = pack(
        label.content_elements(),
        lambda data: (gs1_128(data).modules + 20) * module <= sheet.width,
    )
    return [(group, gs1_128(group)) for group in groups]


def _free_format(sheet: _Sheet, label: LogisticLabel, y: int, compact: bool) -> int:
    """FROM and TO, names and (unless compact) addresses, side by side."""
    mm, m, inner = sheet.mm, sheet.margin, sheet.inner
    half = (inner - mm(3)) // 2
    bottoms = []
    for x, title, name, address in (
        (m, "FROM", label.from_name, label.from_address),
        (m + inner - half, "TO", label.to_name, label.to_address),
    ):
        if not name and not address:
            continue
        top = y + sheet.text(x, y, title, mm(2.2), half) + mm(0.5)
        top += sheet.text(x, top, name, mm(3.2), half, bold=True)
        if address and not compact:
            top += mm(0.5) + sheet.text(x, top, address, mm(2.6), half, lines=2)
        bottoms.append(top)
    y = max(bottoms)
    if label.reference and not compact:
        y += mm(0.8) + sheet.text(m, y + mm(0.8), f"REF {label.reference}", mm(2.6), inner)
    return y


def _data_titles(sheet: _Sheet, label: LogisticLabel, y: int, compact: bool) -> int:
    """The GS1 data titles with their values (non-HRI text), two to a row."""
    mm, m, inner = sheet.mm, sheet.margin, sheet.inner
    items = _titled_values(label, compact)
    title, value = mm(2.2), mm(5.0 if compact else 7.0)
    columns = 3 if compact else 2
    cell = (inner - (columns - 1) * mm(3)) // columns
    column = 0
    for name, text, wide in items:
        width = inner if wide else cell
        x = m + column * (cell + mm(3))
        sheet.text(x, y, name, title, width)
        sheet.text(x, y + title + mm(0.6), text, value, width, condensed=0.8)
        column = 0 if wide else (column + 1) % columns
        if column == 0:
            y += title + mm(0.6) + value + mm(1.5)
    if column:
        y += title + mm(0.6) + value + mm(1.5)
    return y


def _titled_values(label: LogisticLabel, compact: bool) -> list[tuple[str, str, bool]]:
    """(data title, value, whole row) for what the label carries; SSCC first unless compact."""
    items: list[tuple[str, str, bool]] = [] if compact else [("SSCC", label.sscc, True)]
    pairs = label.data_titles()
    return items + [(name, text, False) for name, text in pairs]


def _bin(sheet: _Sheet, label: BinLabel, level: int) -> None:
    """Zone, arrow and check code on top; the bin code very large; its Code 128 below."""
    mm, m, inner = sheet.mm, sheet.margin, sheet.inner
    short = sheet.height < mm(100)
    gap = mm(2)
    y = m
    row = mm((14.0 if short else 22.0) - 3 * level)
    if label.zone:
        y_zone = y + sheet.text(m, y, "ZONE", mm(3), inner // 3)
        sheet.text(m, y_zone + mm(0.8), label.zone, row - mm(3.8) - mm(1), inner // 3, bold=True)
    box_w = mm(24 if not short else 20)
    box = Box(m + inner - box_w, y, box_w, row)
    sheet.frame(box, max(3, mm(0.8)))
    digits = row - mm(5)
    sheet.text(box.x, y + (row - digits) // 2, label.check_code, digits, box.w, align="centre")
    if label.arrow:
        _arrow(sheet, Box(m + inner // 2 - row // 3, y, row * 2 // 3, row), label.arrow)
    y += row + gap
    symbol = code128(label.code, "code")
    module = _module(sheet, 0.375, symbol, sheet.width)
    if module is None:
        raise InvalidLabelData("The bin code is too long for this label.", "code")
    bars_top = sheet.height - m - mm((30.0 if not short else 16.0) - 3 * level)
    space = bars_top - gap - y
    size = min(space, mm(34 if not short else 20), inner * 100 // _advance(label.code))
    sheet.text(m, y + (space - size) // 2, label.code, size, inner, align="centre")
    width = symbol.modules * module
    sheet.code128((sheet.width - width) // 2, bars_top, symbol, module, sheet.height - m - bars_top)


def _advance(text: str) -> int:
    """Font 0 width of the text at a character width of 100 dots."""
    return max(1, font0_width(text, 100))


def _arrow(sheet: _Sheet, box: Box, direction: str) -> None:
    """An up or down arrow filling the box: a shaft and a head of two diagonals."""
    thickness = max(4, box.w // 5)
    head = box.w // 2
    shaft_x = box.x + (box.w - thickness) // 2
    if direction == "up":
        shaft = Box(shaft_x, box.y + thickness, thickness, box.h - thickness)
        head_y = box.y
    else:
        shaft = Box(shaft_x, box.y, thickness, box.h - thickness)
        head_y = box.bottom - head
    sheet.fields.append(f"^FO{shaft.x},{shaft.y}^GB{shaft.w},{shaft.h},{thickness}^FS")
    left_lean, right_lean = ("R", "L") if direction == "up" else ("L", "R")
    sheet.fields.append(f"^FO{box.x},{head_y}^GD{head},{head},{thickness},B,{left_lean}^FS")
    sheet.fields.append(f"^FO{box.x + head},{head_y}^GD{head},{head},{thickness},B,{right_lean}^FS")
    sheet.boxes.append(Box(box.x, box.y, 2 * head, box.h))


def _sku(sheet: _Sheet, label: SkuLabel, level: int) -> None:
    """SKU, description, merchant, lot and expiry; EAN-13 and GS1-128 below."""
    mm, m, inner = sheet.mm, sheet.margin, sheet.inner
    short = sheet.height < mm(100)
    gap = mm(1.5)
    y = m
    y += sheet.text(m, y, label.sku, mm(6.0 if not short else 5.0), inner, bold=True) + gap
    lines = 3 if not short else 2 - min(level, 1)
    y += sheet.text(m, y, label.description, mm(4.0 if not short else 3.4), inner, lines=lines)
    y += gap
    if label.merchant_name and level < 2:
        y += sheet.text(m, y, label.merchant_name, mm(3.0), inner) + gap
    facts = []
    if label.lot is not None:
        facts.append(f"LOT {label.lot}")
    if label.expiry is not None:
        facts.append(f"EXP {label.expiry.isoformat()}")
    facts.extend(label.extra if level == 0 else ())
    if facts:
        y += sheet.text(m, y, "   ".join(facts), mm(3.2), inner, lines=2) + gap
    hri_size = mm(3.0)
    bottom = sheet.height - m
    elements = label.element_string()
    symbol = gs1_128(elements)
    module = _module(sheet, 0.375, symbol, sheet.width)
    if module is None:
        raise InvalidLabelData("The lot is too long for a GS1-128 on this label.", "lot")
    ean = label.ean13()
    heights = (15.0, 12.0, 9.0) if not short else (10.0, 8.0, 6.5)
    bars = mm(heights[level])
    bottom = _barcode_block(sheet, bottom, symbol, module, bars, elements.hri, hri_size)
    if ean is not None:
        bottom -= mm(2)
        ean_module = sheet.grid.module_dots(0.33, 0.264)
        ean_text = f"{ean[0]} {ean[1:7]} {ean[7:]}"
        text_y = bottom - hri_size
        sheet.text(m, text_y, ean_text, hri_size, inner, align="centre")
        bottom = text_y - mm(0.8) - bars
        sheet.ean13((sheet.width - 95 * ean_module) // 2, bottom, ean, ean_module, bars)
    if y + gap > bottom:
        sheet.boxes.append(Box(0, bottom - gap, sheet.width, y - bottom + gap))


def _draw(sheet: _Sheet, label: Label, level: int) -> None:
    """Lay the label out on the sheet at a degradation level (0 is the fullest)."""
    if isinstance(label, ShippingLabel):
        _shipping(sheet, label, level)
    elif isinstance(label, LogisticLabel):
        _logistic(sheet, label, level)
    elif isinstance(label, BinLabel):
        _bin(sheet, label, level)
    else:
        _sku(sheet, label, level)


def _levels(label: Label) -> int:
    return _LOGISTIC_LEVELS if isinstance(label, LogisticLabel) else 3


def _format(
    label: Label, media: Media, grid: DotGrid, fonts: FontSet | None, encoding: GraphicEncoding
) -> str:
    """The label's format at the first (fullest) layout level that fits the media."""
    width, height = grid.size(media)
    for level in range(_levels(label)):
        sheet = _Sheet(grid, width, height, fonts, encoding)
        _draw(sheet, label, level)
        if sheet.fits():
            return sheet.zpl()
    raise InvalidLabelData(f"The {label.kind} label does not fit on {media.name} media.", "media")


def label_zpl(
    labels: Sequence[Label],
    media: Media,
    *,
    dpi: int = 203,
    fonts: FontSet | None = None,
    encoding: GraphicEncoding = DEFAULT_ENCODING,
) -> bytes:
    """The labels as ZPL II (UTF-8), one ^XA…^XZ format each, for media at a resolution.

    Every label is checked first; InvalidLabelData names the field that cannot be printed.
    """
    check_dpi(dpi)
    for label in labels:
        label.check()
    grid = DotGrid(dpi)
    return "".join(_format(label, media, grid, fonts, encoding) for label in labels).encode()


def pdf_to_zpl(
    pdf: bytes, *, dpi: int = 203, encoding: GraphicEncoding = DEFAULT_ENCODING
) -> bytes:
    """Each page of a PDF (a carrier's waybill, say) as one format holding a page-size ^GF."""
    check_dpi(dpi)
    return "".join(_page_format(image, encoding) for image in rasterise_pdf(pdf, dpi)).encode()


def _page_format(image: Image.Image, encoding: GraphicEncoding) -> str:
    """One page as a format of its own size."""
    graphic = graphic_field(image, encoding)
    return f"^XA^CI28^PW{graphic.width}^LL{graphic.height}^LH0,0\n^FO0,0{graphic.command}^FS\n^XZ\n"

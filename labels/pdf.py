"""Labels as PDF: one page per label on thermal media, and sheets of shelf strips.

Every barcode sits on the printer's dot grid (see labels.symbols), so the PDF is made for one
resolution: print it on a printer of that dpi at 100 % scale. Text in any mix of Thai, Latin and
Vietnamese is set with `FontSet.paragraph` (Thai shaped with HarfBuzz, everything NFC).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from labels import gs1, symbols
from labels.content import BinLabel, Label, LogisticLabel, ShippingLabel, SkuLabel, nfc
from labels.errors import InvalidLabelData
from labels.fonts import SHAPING_LOCK, FontSet, register_fonts
from labels.gs1 import Element, ElementString
from labels.media import MEDIA, DotGrid, Media, check_dpi
from labels.symbols import QUIET_ZONE_MODULES, LinearSymbol

MARGIN = 3 * mm
GS1_LOGISTIC_X_MM = 0.5  # GS1 logistic labels: X-dimension 0.495 to 1.016 mm
GS1_LOGISTIC_MIN_X_MM = 0.495
SSCC_BAR_HEIGHT = 32 * mm  # GS1: at least 32 mm for the logistic label's symbols
MIN_CONTENT_BAR_HEIGHT = 12 * mm
PREFERRED_CONTENT_BAR_HEIGHT = 16 * mm
ITEM_X_MM = 0.33  # item and shipping barcodes: about 0.33 mm, two dots at least
_SCALES = (1.6, 1.4, 1.2, 1.0, 0.88, 0.76, 0.66, 0.58)


@dataclass
class _Page:
    """One label being drawn: canvas, grid, fonts and the page box in points."""

    pdf: Canvas
    grid: DotGrid
    fonts: FontSet
    width: float
    height: float

    @property
    def inner(self) -> float:
        return self.width - 2 * MARGIN

    def text_height(self, text: str, width: float, size: float, bold: bool = False) -> float:
        _, height = self._paragraph(text, size, bold).wrap(width, self.height)
        return height

    def text(
        self, text: str, x: float, top: float, width: float, size: float, bold: bool = False
    ) -> float:
        """Draw wrapped text from `top` down; returns the y below it."""
        paragraph = self._paragraph(text, size, bold)
        _, height = paragraph.wrap(width, self.height)
        paragraph.drawOn(self.pdf, x, top - height)
        return top - height

    def _paragraph(self, text: str, size: float, bold: bool):  # noqa: ANN202 (ReportLab type)
        face = self.fonts.latin
        style = ParagraphStyle(
            "label",
            fontName=face.bold if bold else face.regular,
            fontSize=size,
            leading=size * 1.18,
        )
        return self.fonts.paragraph(nfc(text), style)

    def rule(self, y: float) -> None:
        self.pdf.setLineWidth(self.grid.points(2))
        self.pdf.line(MARGIN, y, self.width - MARGIN, y)

    def module_dots(self, symbol: LinearSymbol, width: float, target_mm: float) -> int:
        """Module width in dots near `target_mm` that fits `width` with its quiet zones."""
        dots = self.grid.module_dots(target_mm)
        while (
            dots > 2
            and self.grid.points((symbol.width_modules + 2 * QUIET_ZONE_MODULES) * dots)
            > width + 2 * MARGIN
        ):
            dots -= 1
        needed = self.grid.points((symbol.width_modules + 2 * QUIET_ZONE_MODULES) * dots)
        if needed > width + 2 * MARGIN:
            raise InvalidLabelData(
                f"{symbol.text} is too long for a barcode on this label.", "data"
            )
        return dots

    def barcode(
        self,
        symbol: LinearSymbol,
        *,
        bottom: float,
        bar_height: float,
        module_dots: int,
        hri_size: float,
        centre: float | None = None,
    ) -> float:
        """Bars centred (or at `centre`) over their HRI text; returns the top of the bars."""
        width = self.grid.points(symbol.width_modules * module_dots)
        x = (centre if centre is not None else self.width / 2) - width / 2
        self.pdf.setFont(self.fonts.latin.regular, hri_size)
        self.pdf.drawCentredString(x + width / 2, bottom, symbol.text)
        bars_bottom = bottom + hri_size * 1.1
        symbols.draw_linear(
            self.pdf,
            symbol,
            grid=self.grid,
            x=x,
            y=bars_bottom,
            module_dots=module_dots,
            height=bar_height,
        )
        return bars_bottom + bar_height


def _fit(draw_text: Callable[[float, bool], float], floor: float) -> None:
    """Draw the text blocks at the largest scale whose bottom stays above `floor`."""
    for scale in _SCALES:
        if draw_text(scale, False) >= floor:
            draw_text(scale, True)
            return
    raise InvalidLabelData("The text does not fit on this label; use a larger label.", "media")


# --- shipping label -----------------------------------------------------------------------------


def _shipping(page: _Page, label: ShippingLabel) -> None:
    grid, pdf = page.grid, page.pdf
    compact = page.height < 100 * mm
    tracking = symbols.code128(label.tracking_number)
    qr = symbols.qr(label.qr_payload())
    qr_side = (20 if compact else 28) * mm
    qr_dots = max(2, grid.dots(qr_side / mm) // qr.size_modules)
    qr_points = grid.points(qr.size_modules * qr_dots)
    bar_height = (11 if compact else 20) * mm
    module_dots = page.module_dots(tracking, page.inner, ITEM_X_MM if compact else 0.5)
    bars_top = page.barcode(
        tracking,
        bottom=MARGIN,
        bar_height=bar_height,
        module_dots=module_dots,
        hri_size=9,
    )
    floor = bars_top + 2 * mm
    qr_bottom = floor
    symbols.draw_matrix(
        pdf, qr, grid=grid, x=page.width - MARGIN - qr_points, y=qr_bottom, module_dots=qr_dots
    )
    text_right_of_qr = page.inner - qr_points - 2 * mm

    def blocks(scale: float, draw: bool) -> float:
        y = page.height - MARGIN
        header = label.carrier_name + (f" · {label.service}" if label.service else "")
        route = " ".join(part for part in (label.route_code, label.stop_code) if part)
        size = 13 * scale
        route_size = 20 * scale
        route_width = stringWidth(route, page.fonts.latin.bold, route_size) if route else 0
        header_width = page.inner - route_width - 3 * mm
        if draw:
            page.text(header, MARGIN, y, header_width, size, bold=True)
            if route:
                pdf.setFont(page.fonts.latin.bold, route_size)
                pdf.drawRightString(page.width - MARGIN, y - route_size, route)
        header_height = page.text_height(header, header_width, size, True)
        y -= max(header_height, route_size * 1.15 if route else 0)
        y -= 1 * mm
        if draw:
            page.rule(y)
        y -= 1 * mm
        sender = f"From: {label.sender_name} {label.sender_address}".strip()
        y = _block(page, sender, y, page.inner, 7 * scale, False, draw)
        y -= 1 * mm
        if draw:
            page.rule(y)
        y -= 1.5 * mm
        recipient = f"To: {label.recipient_name}   {label.recipient_phone}".rstrip()
        y = _block(page, recipient, y, page.inner, 11 * scale, True, draw)
        y = _block(page, label.recipient_address, y, page.inner, 10 * scale, False, draw)
        y -= 1 * mm
        if draw:
            page.rule(y)
        y -= 1.5 * mm
        refs = [f"Order {label.order_reference}"]
        if label.marketplace_reference:
            refs.append(f"{label.channel or 'Ref'} {label.marketplace_reference}".strip())
        refs.append(f"{label.weight_g / 1000:.2f} kg")
        if label.sscc:
            refs.append(f"SSCC {label.sscc}")
        width = text_right_of_qr if y - qr_bottom < qr_points + 30 * scale else page.inner
        y = _block(page, "  ·  ".join(refs), y, width, 8 * scale, False, draw)
        y -= 1.5 * mm
        cod = (
            f"COD {label.cod_amount:,.2f} {label.currency}"
            if label.cod_amount > 0
            else "PREPAID · no COD"
        )
        y = _block(page, cod, y, text_right_of_qr, 15 * scale, label.cod_amount > 0, draw)
        return y if y >= qr_bottom + qr_points else min(y, qr_bottom)

    _fit(blocks, floor)


def _block(
    page: _Page, text: str, top: float, width: float, size: float, bold: bool, draw: bool
) -> float:
    """Draw (or only measure) a text block; returns the y below it."""
    if not text.strip():
        return top
    if draw:
        return page.text(text, MARGIN, top, width, size, bold)
    return top - page.text_height(text, width, size, bold)


# --- GS1 logistic label -------------------------------------------------------------------------


def split_symbols(elements: Sequence[Element], max_modules: int) -> list[ElementString]:
    """Elements packed into as few GS1-128 symbols as fit `max_modules` (see gs1.pack)."""
    return gs1.pack(elements, lambda data: symbols.gs1_128(data).width_modules <= max_modules)


def _logistic(page: _Page, label: LogisticLabel) -> None:
    grid, pdf = page.grid, page.pdf
    x_dots = grid.module_dots(GS1_LOGISTIC_X_MM, GS1_LOGISTIC_MIN_X_MM)
    quiet = grid.points(QUIET_ZONE_MODULES * x_dots)
    max_modules = int((page.width - 2 * max(quiet, MARGIN)) / grid.points(x_dots))
    sscc_symbol = symbols.gs1_128(label.sscc_element())
    if sscc_symbol.width_modules > max_modules:
        raise InvalidLabelData("The SSCC symbol does not fit this label's width.", "media")
    hri = 9.0
    top_of_sscc = page.barcode(
        sscc_symbol, bottom=MARGIN, bar_height=SSCC_BAR_HEIGHT, module_dots=x_dots, hri_size=hri
    )
    content = label.content_elements()
    groups = split_symbols(content, max_modules) if content else []
    y = top_of_sscc + 3 * mm
    bar_height = 0.0
    # Prefer taller content symbols while the text stays at full size, then any that scan.
    for wanted, scales in (
        (PREFERRED_CONTENT_BAR_HEIGHT, [s for s in _SCALES if s >= 1.0]),
        (MIN_CONTENT_BAR_HEIGHT, list(_SCALES)),
    ):
        for scale in scales:
            text_needs = _logistic_text_height(page, label, content, scale)
            room = page.height - MARGIN - text_needs - y - 1 * mm
            per_symbol = (room / len(groups) - hri * 1.1 - 3 * mm) if groups else 0
            bar_height = min(SSCC_BAR_HEIGHT, per_symbol)
            if bar_height >= wanted or not groups:
                break
        if bar_height >= wanted or not groups:
            break
    if groups and bar_height >= MIN_CONTENT_BAR_HEIGHT:
        for group in reversed(groups):
            y = page.barcode(
                symbols.gs1_128(group),
                bottom=y,
                bar_height=bar_height,
                module_dots=x_dots,
                hri_size=hri,
            )
            y += 3 * mm
    floor = y

    def blocks(scale: float, draw: bool) -> float:
        return _logistic_text(page, label, content, scale, draw)

    pdf.setLineWidth(grid.points(2))
    _fit(blocks, floor)


def _logistic_text_height(
    page: _Page, label: LogisticLabel, content: Sequence[Element], scale: float
) -> float:
    return page.height - MARGIN - _logistic_text(page, label, content, scale, False)


def _logistic_text(
    page: _Page, label: LogisticLabel, content: Sequence[Element], scale: float, draw: bool
) -> float:
    y = page.height - MARGIN
    half = page.inner / 2 - 1 * mm
    sender = f"FROM {label.from_name}\n{label.from_address}".strip()
    receiver = f"TO {label.to_name}\n{label.to_address}".strip() if label.to_name else ""
    size = 8 * scale
    if draw:
        left = page.text(sender, MARGIN, y, half, size)
        right = page.text(receiver, page.width / 2 + 1 * mm, y, half, size) if receiver else y
    else:
        left = y - page.text_height(sender, half, size)
        right = y - page.text_height(receiver, half, size) if receiver else y
    y = min(left, right)
    if label.reference:
        y = _block(page, f"Ref {label.reference}", y, page.inner, size, False, draw)
    y -= 1 * mm
    if draw:
        page.rule(y)
    y -= 1 * mm
    title_size = 6.5 * scale
    value_size = 13 * scale
    y = _titled(page, "SSCC", label.sscc, MARGIN, y, page.inner, title_size, 16 * scale, draw)
    cells = label.data_titles()
    bold = page.fonts.latin.bold
    rows: list[list[tuple[str, str]]] = []
    for cell in cells:
        if stringWidth(cell[1], bold, value_size) > half:
            rows.append([cell])  # a value too wide for half the label gets a row of its own
        elif rows and len(rows[-1]) == 1 and stringWidth(rows[-1][0][1], bold, value_size) <= half:
            rows[-1].append(cell)
        else:
            rows.append([cell])
    for row in rows:
        width = half if len(row) == 2 else page.inner
        bottoms = []
        for column, (title, value) in enumerate(row):
            x = MARGIN + column * (half + 2 * mm)
            bottoms.append(_titled(page, title, value, x, y, width, title_size, value_size, draw))
        y = min(bottoms)
    y -= 1 * mm
    if draw:
        page.rule(y)
    return y - 1 * mm


def _titled(
    page: _Page,
    title: str,
    value: str,
    x: float,
    top: float,
    width: float,
    title_size: float,
    value_size: float,
    draw: bool,
) -> float:
    """A GS1 data title over its value (non-HRI text); returns the y below."""
    if draw:
        below = page.text(title, x, top, width, title_size)
        return page.text(value, x, below, width, value_size, bold=True)
    return (
        top
        - page.text_height(title, width, title_size)
        - page.text_height(value, width, value_size, True)
    )


# --- bin label and shelf strips -----------------------------------------------------------------


def _draw_arrow(page: _Page, x: float, y: float, size: float, up: bool) -> None:
    path = page.pdf.beginPath()
    tip = y + size if up else y
    base = y if up else y + size
    path.moveTo(x + size / 2, tip)
    path.lineTo(x, base)
    path.lineTo(x + size, base)
    path.close()
    page.pdf.drawPath(path, stroke=0, fill=1)


def _bin_in_box(
    page: _Page, label: BinLabel, left: float, bottom: float, w: float, h: float
) -> None:
    """A bin label laid out in the box (left, bottom, w, h), all sizes relative to the box."""
    pdf = page.pdf
    symbol = symbols.code128(label.code)
    bar_height = min(h * 0.38, 22 * mm)
    code_size = min(h * 0.16, w / max(len(label.code), 1) * 1.45, 40)
    check_size = code_size * 1.3
    pdf.setFont(page.fonts.latin.bold, code_size)
    text_top = bottom + h - MARGIN - code_size
    pdf.drawString(left + MARGIN, text_top, label.code)
    box_side = check_size * 1.25
    pdf.setLineWidth(page.grid.points(3))
    pdf.rect(left + w - MARGIN - box_side, bottom + MARGIN, box_side, box_side, stroke=1, fill=0)
    pdf.setFont(page.fonts.latin.bold, check_size)
    pdf.drawCentredString(
        left + w - MARGIN - box_side / 2, bottom + MARGIN + box_side * 0.22, label.check_code
    )
    if label.zone:
        pdf.setFont(page.fonts.latin.regular, max(code_size * 0.4, 7))
        pdf.drawString(left + MARGIN, text_top - code_size * 0.55, f"Zone {label.zone}")
    arrow = min(box_side, h * 0.3) if label.arrow else 0.0
    if label.arrow:
        _draw_arrow(
            page,
            left + w - MARGIN - box_side - arrow - 2 * mm,
            bottom + MARGIN,
            arrow,
            label.arrow == "up",
        )
    room = w - 2 * MARGIN - box_side - (arrow + 2 * mm if arrow else 0)
    module_dots = page.module_dots(symbol, room - 2 * MARGIN, 0.375)
    bars_width = page.grid.points(symbol.width_modules * module_dots)
    quiet = page.grid.points(QUIET_ZONE_MODULES * module_dots)
    page.barcode(
        symbol,
        bottom=bottom + MARGIN,
        bar_height=bar_height,
        module_dots=module_dots,
        hri_size=8,
        centre=left + max(MARGIN, quiet) + bars_width / 2,
    )


def _bin(page: _Page, label: BinLabel) -> None:
    _bin_in_box(page, label, 0, 0, page.width, page.height)


# --- SKU label ----------------------------------------------------------------------------------


def _sku(page: _Page, label: SkuLabel) -> None:
    grid = page.grid
    compact = page.height < 100 * mm
    data = label.element_string()
    # At the narrowest module (2 dots) with its quiet zones, how many modules fit the width.
    max_modules = int(page.width / grid.points(2)) - 2 * QUIET_ZONE_MODULES
    groups = [data]
    if symbols.gs1_128(data).width_modules > max_modules:
        groups = split_symbols(data.elements, max_modules)  # a long lot gets its own symbol
    bar_height = (12 if compact else 20) * mm / (1 if len(groups) == 1 else 1.5)
    y = MARGIN - 2 * mm
    for group in reversed(groups):
        gs1_symbol = symbols.gs1_128(group)
        y = page.barcode(
            gs1_symbol,
            bottom=y + 2 * mm,
            bar_height=bar_height,
            module_dots=page.module_dots(gs1_symbol, page.inner, ITEM_X_MM),
            hri_size=8,
        )
    ean = label.ean13()
    if ean is not None:
        ean_symbol = symbols.ean13(ean)
        ean_dots = page.module_dots(ean_symbol, page.inner, ITEM_X_MM)
        y = page.barcode(
            ean_symbol,
            bottom=y + 2 * mm,
            bar_height=bar_height,
            module_dots=ean_dots,
            hri_size=9,
        )
    floor = y + 2 * mm

    def blocks(scale: float, draw: bool) -> float:
        top = page.height - MARGIN
        top = _block(page, label.sku, top, page.inner, 16 * scale, True, draw)
        top = _block(page, label.description, top, page.inner, 10 * scale, False, draw)
        details = []
        if label.merchant_name:
            details.append(label.merchant_name)
        if label.lot:
            details.append(f"LOT {label.lot}")
        if label.expiry:
            details.append(f"EXP {label.expiry:%d.%m.%Y}")
        return _block(page, "  ·  ".join(details), top, page.inner, 9 * scale, False, draw)

    _fit(blocks, floor)


_RENDERERS: dict[str, Callable[[_Page, object], None]] = {
    "shipping": _shipping,  # type: ignore[dict-item]
    "logistic": _logistic,  # type: ignore[dict-item]
    "bin": _bin,  # type: ignore[dict-item]
    "sku": _sku,  # type: ignore[dict-item]
}


def label_pdf(
    labels: Sequence[Label], media: Media, *, dpi: int = 203, fonts: FontSet | None = None
) -> bytes:
    """The labels as one PDF, a page each, for a printer of `dpi` with `media` loaded."""
    check_dpi(dpi)
    if not labels:
        raise InvalidLabelData("There are no labels to print.", "labels")
    if media.name == "A4":
        raise InvalidLabelData("Labels print on label media; A4 is for shelf strips.", "media")
    for label in labels:
        label.check()
    fonts = fonts or register_fonts()
    grid = DotGrid(dpi)
    width, height = (grid.points(dots) for dots in grid.size(media))
    buffer = io.BytesIO()
    with SHAPING_LOCK:
        pdf = Canvas(buffer, pagesize=(width, height), pageCompression=1)
        pdf.setTitle(f"{len(labels)} label(s) · {media.name} · {dpi} dpi")
        pdf.setCreator("Pavilion WMS")
        for label in labels:
            page = _Page(pdf, grid, fonts, width, height)
            _RENDERERS[label.kind](page, label)
            pdf.showPage()
        pdf.save()
    return buffer.getvalue()


STRIP_HEIGHT = 30 * mm
STRIPS_PER_ROW = 2


def shelf_strips_pdf(
    bins: Sequence[BinLabel],
    *,
    sheet: Media = MEDIA["A4"],
    dpi: int = 203,
    fonts: FontSet | None = None,
) -> bytes:
    """Bin labels in rows of strips on sheets, with cut lines, for shelf edges."""
    check_dpi(dpi)
    if not bins:
        raise InvalidLabelData("There are no bins to print.", "labels")
    for label in bins:
        label.check()
    fonts = fonts or register_fonts()
    grid = DotGrid(dpi)
    width, height = (grid.points(dots) for dots in grid.size(sheet))
    margin = 8 * mm
    cell_w = (width - 2 * margin) / STRIPS_PER_ROW
    rows = int((height - 2 * margin) // STRIP_HEIGHT)
    per_page = rows * STRIPS_PER_ROW
    buffer = io.BytesIO()
    with SHAPING_LOCK:
        pdf = Canvas(buffer, pagesize=(width, height), pageCompression=1)
        pdf.setTitle(f"Shelf strips · {len(bins)} bins")
        for start in range(0, len(bins), per_page):
            page = _Page(pdf, grid, fonts, width, height)
            for index, label in enumerate(bins[start : start + per_page]):
                row, column = divmod(index, STRIPS_PER_ROW)
                left = margin + column * cell_w
                bottom = height - margin - (row + 1) * STRIP_HEIGHT
                pdf.setDash(2, 2)
                pdf.setLineWidth(0.3)
                pdf.rect(left, bottom, cell_w, STRIP_HEIGHT, stroke=1, fill=0)
                pdf.setDash()
                _bin_in_box(page, label, left, bottom, cell_w, STRIP_HEIGHT)
            pdf.showPage()
        pdf.save()
    return buffer.getvalue()

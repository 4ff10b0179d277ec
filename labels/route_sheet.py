"""A driver's route sheet: one own-fleet delivery route as a multi-page PDF.

Plain frozen dataclasses in, PDF bytes out. The header names the FC, the day, the vehicle and
the driver with the route's totals; then one row per stop in driving order: the stop's number,
the recipient, phone and address (Thai and Vietnamese shaped like the other documents), the
time window and planned arrival, the cash to collect, a Code 128 barcode of every parcel's
tracking number and room to sign. The last row adds up the parcels and the cash.

Barcodes are drawn with the module width and the origin on whole dots of the printer's grid
(`labels.symbols.draw_linear`), on a page whose size is a whole number of dots, so a 300 or
600 dpi office printer prints every bar at its width.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle

from labels.document_pages import NumberedCanvas
from labels.errors import InvalidLabelData
from labels.fonts import SHAPING_LOCK, FontSet, register_fonts
from labels.media import DotGrid
from labels.symbols import QUIET_ZONE_MODULES, LinearSymbol, code128, draw_linear

__all__ = ["PAPERS", "RouteSheet", "SheetParcel", "SheetStop", "route_sheet_pdf"]

PAPERS: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}
"""Paper sizes in millimetres, portrait."""

CENT = Decimal("0.01")
MARGIN = 12 * mm
MODULE_MM = 0.33
BAR_HEIGHT = 9 * mm
BAR_TOP_GAP = 2 * mm
"""Room above the bars, so a scan line cannot run from a ruled line into them."""
GRID = colors.Color(0.3, 0.3, 0.3)
HEADER_FILL = colors.Color(0.88, 0.88, 0.88)
TOTAL_FILL = colors.Color(0.95, 0.95, 0.95)
PRINTABLE_ASCII = re.compile(r"^[\x20-\x7e]{1,40}$")


@dataclass(frozen=True)
class SheetParcel:
    """A parcel to hand over: its tracking number (printed as Code 128) and weight."""

    tracking_number: str
    weight_kg: float | None = None

    def __post_init__(self) -> None:
        if not PRINTABLE_ASCII.match(self.tracking_number):
            raise InvalidLabelData(
                f"Tracking number {self.tracking_number!r} must be 1 to 40 printable ASCII "
                "characters.",
                "tracking_number",
            )


@dataclass(frozen=True)
class SheetStop:
    """One stop of the route, in driving order (local times of day)."""

    number: int
    order_reference: str
    recipient_name: str
    phone: str
    address: str
    arrival: time
    parcels: tuple[SheetParcel, ...]
    window: tuple[time, time] | None = None
    cod_amount: Decimal = Decimal("0")

    def __post_init__(self) -> None:
        where = f"Stop {self.number}"
        if not self.parcels:
            raise InvalidLabelData(f"{where} has no parcel to deliver.", "parcels")
        if not self.recipient_name.strip() or not self.address.strip():
            raise InvalidLabelData(f"{where} needs a recipient and an address.", "address")
        if (
            not isinstance(self.cod_amount, Decimal)
            or not self.cod_amount.is_finite()
            or self.cod_amount < 0
            or self.cod_amount != self.cod_amount.quantize(CENT)
        ):
            raise InvalidLabelData(
                f"{where}: cash on delivery must be an amount of at least 0 with at most 2 "
                "decimals.",
                "cod_amount",
            )
        if self.window is not None and self.window[1] <= self.window[0]:
            raise InvalidLabelData(f"{where}: the window must close after it opens.", "window")


@dataclass(frozen=True)
class RouteSheet:
    """Everything the driver's sheet shows for one route."""

    fc_name: str
    fc_code: str
    delivery_date: date
    plan_reference: str
    route_number: int
    vehicle_name: str
    vehicle_plate: str
    driver_name: str | None
    driver_phone: str | None
    leave: time
    back: time
    distance_km: float
    currency: str
    stops: tuple[SheetStop, ...]

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise InvalidLabelData(
                f"Currency {self.currency!r} is not an ISO 4217 code.", "currency"
            )
        if not self.stops:
            raise InvalidLabelData("A route sheet needs at least one stop.", "stops")
        numbers = [stop.number for stop in self.stops]
        if numbers != list(range(1, len(numbers) + 1)):
            raise InvalidLabelData("Stops are numbered 1, 2, 3 ... in driving order.", "stops")
        tracking = [parcel.tracking_number for stop in self.stops for parcel in stop.parcels]
        if len(set(tracking)) != len(tracking):
            raise InvalidLabelData("A parcel is on two stops of the route.", "tracking_number")

    @property
    def parcel_count(self) -> int:
        return sum(len(stop.parcels) for stop in self.stops)

    @property
    def cod_total(self) -> Decimal:
        return sum((stop.cod_amount for stop in self.stops), Decimal("0.00"))


def route_sheet_pdf(
    sheet: RouteSheet, *, paper: str = "A4", dpi: int = 300, fonts: FontSet | None = None
) -> bytes:
    """The route sheet on `paper` (A4 or Letter), barcodes on a `dpi` printer's dot grid."""
    if paper not in PAPERS:
        raise InvalidLabelData(f"Paper {paper!r}; use one of {', '.join(PAPERS)}.", "paper")
    if dpi not in (300, 600):
        raise InvalidLabelData(f"Office printers print at 300 or 600 dpi, not {dpi}.", "dpi")
    fonts = fonts or register_fonts()
    grid = DotGrid(dpi)
    width_mm, height_mm = PAPERS[paper]
    page = (grid.points(grid.dots(width_mm)), grid.points(grid.dots(height_mm)))
    styles = _Styles(fonts)
    content_width = page[0] - 2 * MARGIN
    story: list[Flowable] = [
        *_heading(sheet, styles, content_width),
        Spacer(1, 3 * mm),
        _stop_table(sheet, styles, grid, content_width),
        Spacer(1, 6 * mm),
        _handover(sheet, styles, content_width),
    ]
    return _build(sheet, fonts, story, page)


# --- formats ------------------------------------------------------------------------------------


def _clock(moment: time) -> str:
    return moment.strftime("%H:%M")


def _money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


# --- layout -------------------------------------------------------------------------------------


class _Styles:
    """The paragraph styles of the sheet, in the registered fonts."""

    def __init__(self, fonts: FontSet) -> None:
        self.fonts = fonts
        regular, bold = fonts.latin.regular, fonts.latin.bold
        self.body = ParagraphStyle("body", fontName=regular, fontSize=8, leading=10)
        self.bold = ParagraphStyle("bold", parent=self.body, fontName=bold)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=6.5, leading=8)
        self.number = ParagraphStyle(
            "number", parent=self.body, fontName=bold, fontSize=14, leading=16, alignment=TA_CENTER
        )
        self.money = ParagraphStyle("money", parent=self.bold, alignment=TA_RIGHT)
        self.title = ParagraphStyle(
            "title", parent=self.body, fontName=bold, fontSize=15, leading=19
        )

    def text(self, text: str, style: ParagraphStyle | None = None) -> Flowable:
        """A paragraph of any script in the given style (body by default)."""
        return self.fonts.paragraph(text, style or self.body)


def _heading(sheet: RouteSheet, s: _Styles, width: float) -> list[Flowable]:
    """The title, then the FC, day, vehicle, driver and the route's totals."""
    title = Table(
        [
            [
                s.text(f"Route sheet · route {sheet.route_number}", s.title),
                s.text(f"{sheet.plan_reference}\n{sheet.delivery_date.isoformat()}", s.money),
            ]
        ],
        colWidths=[width * 0.6, width * 0.4],
    )
    title.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_no_padding()]))
    driver = sheet.driver_name or "—"
    if sheet.driver_phone:
        driver += f"\n{sheet.driver_phone}"
    fields = [
        ("Fulfillment center", f"{sheet.fc_name} ({sheet.fc_code})"),
        ("Delivery date", sheet.delivery_date.isoformat()),
        ("Vehicle", f"{sheet.vehicle_name}\n{sheet.vehicle_plate}"),
        ("Driver", driver),
        ("Leave / back", f"{_clock(sheet.leave)} – {_clock(sheet.back)}"),
        ("Distance", f"{sheet.distance_km:,.1f} km"),
        ("Stops / parcels", f"{len(sheet.stops)} / {sheet.parcel_count}"),
        ("Cash to collect", _money(sheet.cod_total, sheet.currency)),
    ]
    rows = []
    for index in range(0, len(fields), 2):
        row: list[Flowable] = []
        for label, value in fields[index : index + 2]:
            row += [s.text(label, s.small), s.text(value, s.bold)]
        rows.append(row)
    details = Table(rows, colWidths=[28 * mm, width / 2 - 28 * mm] * 2)
    details.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return [title, Spacer(1, 3 * mm), details]


def _no_padding() -> list[tuple[Any, ...]]:
    return [
        (side, (0, 0), (-1, -1), 0)
        for side in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")
    ]


class _Barcode(Flowable):
    """A Code 128 symbol with its text under it, the bars on the printer's dot grid."""

    def __init__(self, symbol: LinearSymbol, grid: DotGrid, module_dots: int, font: str) -> None:
        super().__init__()
        self.symbol = symbol
        self.grid = grid
        self.module_dots = module_dots
        self.font = font
        self.quiet = grid.points(QUIET_ZONE_MODULES * module_dots)
        self.bars = grid.points(symbol.width_modules * module_dots)
        self.width = self.bars + 2 * self.quiet
        self.height = BAR_TOP_GAP + BAR_HEIGHT + 9

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        """Draw in page coordinates, so the bars' edges fall on the page's dot grid."""
        canvas = self.canv
        left, bottom = canvas.absolutePosition(0, 0)
        canvas.saveState()
        canvas.translate(-left, -bottom)
        draw_linear(
            canvas,
            self.symbol,
            grid=self.grid,
            x=left + self.quiet,
            y=bottom + 9,
            module_dots=self.module_dots,
            height=BAR_HEIGHT,
        )
        canvas.setFont(self.font, 7)
        canvas.drawCentredString(left + self.width / 2, bottom + 1.5, self.symbol.text)
        canvas.restoreState()


def _parcel_cell(stop: SheetStop, s: _Styles, grid: DotGrid) -> list[Flowable]:
    module_dots = grid.module_dots(MODULE_MM)
    cell: list[Flowable] = []
    for parcel in stop.parcels:
        cell.append(
            _Barcode(code128(parcel.tracking_number), grid, module_dots, s.fonts.latin.regular)
        )
        if parcel.weight_kg is not None:
            cell.append(s.text(f"{parcel.weight_kg:.2f} kg", s.small))
    return cell


COLUMNS = ("No.", "Recipient, phone, address", "Window · arrival", "Cash to collect")
COLUMNS += ("Parcels", "Signature / notes")


def _stop_table(sheet: RouteSheet, s: _Styles, grid: DotGrid, width: float) -> Table:
    """A row per stop in driving order; the header repeats on every page; totals at the end."""
    rows: list[list[Any]] = [[s.text(title, s.bold) for title in COLUMNS]]
    for stop in sheet.stops:
        window = f"{_clock(stop.window[0])}–{_clock(stop.window[1])}" if stop.window else "any time"
        recipient = [
            s.text(stop.recipient_name, s.bold),
            s.text(stop.phone),
            s.text(stop.address),
            s.text(stop.order_reference, s.small),
        ]
        timing = [s.text(f"Window {window}"), s.text(f"Arrive {_clock(stop.arrival)}", s.bold)]
        cod = _money(stop.cod_amount, sheet.currency) if stop.cod_amount else "—"
        rows.append(
            [
                s.text(str(stop.number), s.number),
                recipient,
                timing,
                s.text(cod, s.money),
                _parcel_cell(stop, s, grid),
                "",
            ]
        )
    rows.append(
        [
            "",
            s.text(f"Total: {len(sheet.stops)} stops, {sheet.parcel_count} parcels", s.bold),
            "",
            s.text(_money(sheet.cod_total, sheet.currency), s.money),
            "",
            "",
        ]
    )
    barcode_width = max(
        cell.width for row in rows[1:-1] for cell in row[4] if isinstance(cell, _Barcode)
    )
    fixed = [10 * mm, 0, 26 * mm, 24 * mm, barcode_width + 4, 26 * mm]
    fixed[1] = width - sum(fixed)
    table = Table(rows, colWidths=fixed, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("BACKGROUND", (0, -1), (-1, -1), TOTAL_FILL),
                ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _handover(sheet: RouteSheet, s: _Styles, width: float) -> Flowable:
    """Where the driver and the FC sign for the cash and the parcels brought back."""
    text = (
        f"Cash collected: {sheet.currency} ____________  "
        f"(to collect {_money(sheet.cod_total, sheet.currency)})     "
        "Parcels brought back: ______"
    )
    signatures = "Driver: ______________________     Checked by (FC): ______________________"
    table = Table([[s.text(text)], [s.text(signatures)]], colWidths=[width])
    table.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, -1), 4), *_no_padding()[:2]]))
    return table


def _build(
    sheet: RouteSheet, fonts: FontSet, story: Sequence[Flowable], page: tuple[float, float]
) -> bytes:
    buffer = io.BytesIO()
    reference = f"{sheet.plan_reference} route {sheet.route_number}"
    template = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 3 * mm,
        title=f"Route sheet {reference}",
        author=sheet.fc_name,
        subject=f"{sheet.vehicle_name} on {sheet.delivery_date.isoformat()}",
        creator="Pavilion WMS",
        invariant=True,
        lang="en",
    )
    footer = f"Route sheet {reference} · {sheet.vehicle_plate}"
    maker: Callable[..., Canvas] = partial(
        NumberedCanvas, footer=footer, footer_font=fonts.face_for(footer).regular, margin=MARGIN
    )
    with SHAPING_LOCK:
        template.build(list(story), canvasmaker=maker)
    return buffer.getvalue()

"""Customs paperwork for a consignment from Thailand: the commercial invoice and the packing list.

Plain frozen dataclasses in, A4 PDF bytes out. The data is checked before anything is drawn:
line totals must equal quantity × unit value, the values in the FC's currency must follow the
recorded rate (rounded half up to 2 places), and the cartons must hold exactly the invoiced
quantities, so that the two documents agree with each other and with themselves.
"""

from __future__ import annotations

import enum
import io
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from labels.document_pages import NumberedCanvas
from labels.fonts import SHAPING_LOCK, FontSet, register_fonts
from labels.gs1 import check_digit

__all__ = [
    "SADAO_BUKIT_KAYU_HITAM",
    "Carton",
    "CartonItem",
    "Consignee",
    "CustomsDocument",
    "ExchangeRate",
    "Exporter",
    "InvalidCustomsData",
    "InvoiceLine",
    "ShipmentMode",
    "commercial_invoice_pdf",
    "packing_list_pdf",
]

SADAO_BUKIT_KAYU_HITAM = "Sadao (TH) – Bukit Kayu Hitam (MY) land border crossing"

CENT = Decimal("0.01")
HS_CODE_DIGITS = (6, 8, 10, 12)
COUNTRY_NAMES = {
    "BN": "Brunei Darussalam",
    "ID": "Indonesia",
    "KH": "Cambodia",
    "LA": "Lao PDR",
    "MM": "Myanmar",
    "MY": "Malaysia",
    "PH": "Philippines",
    "SG": "Singapore",
    "TH": "Thailand",
    "VN": "Viet Nam",
}


class InvalidCustomsData(ValueError):
    """The consignment's data cannot make a true invoice or packing list; the message says why."""


class ShipmentMode(enum.StrEnum):
    """How a consignment crosses from Thailand."""

    ROAD = "road"
    SEA = "sea"
    AIR = "air"


MODE_NAMES = {ShipmentMode.ROAD: "Road", ShipmentMode.SEA: "Sea", ShipmentMode.AIR: "Air"}


@dataclass(frozen=True)
class Exporter:
    """The Thai merchant that sells and ships the goods."""

    name_th: str
    name_en: str
    address: str
    tax_id: str


@dataclass(frozen=True)
class Consignee:
    """The importer of record: the fulfillment center in the destination country."""

    name: str
    address: str
    country: str  # ISO 3166-1 alpha-2, e.g. "MY"
    tax_id: str | None = None


@dataclass(frozen=True)
class ExchangeRate:
    """The recorded rate from THB to the FC's currency: 1 THB = `rate` `currency`."""

    currency: str  # ISO 4217, e.g. "MYR"
    rate: Decimal
    recorded_on: date
    source: str = ""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z]{3}", self.currency) or self.currency == "THB":
            raise InvalidCustomsData(f"Currency {self.currency!r} is not an FC's ISO 4217 code.")
        if not isinstance(self.rate, Decimal) or not self.rate.is_finite() or self.rate <= 0:
            raise InvalidCustomsData(f"Exchange rate {self.rate!r} must be a positive Decimal.")

    def convert(self, amount_thb: Decimal) -> Decimal:
        """A THB amount in the FC's currency, rounded half up to 2 places."""
        return (amount_thb * self.rate).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class InvoiceLine:
    """One invoiced line: so many units of a SKU, of one lot, with their value and weight."""

    sku_code: str
    description_en: str
    description_th: str
    hs_code: str
    quantity: int
    unit: str  # e.g. "PCS", "BOX"
    unit_value_thb: Decimal
    total_thb: Decimal
    total_fc: Decimal
    net_weight_g: int  # of the whole line
    lot: str | None = None
    expiry: date | None = None
    country_of_origin: str = "TH"

    def __post_init__(self) -> None:
        where = f"Line {self.sku_code!r}"
        if not self.sku_code.strip():
            raise InvalidCustomsData("A line needs a SKU code.")
        _positive_int(self.quantity, f"{where}: quantity")
        _positive_int(self.net_weight_g, f"{where}: net weight (g)")
        digits = self.hs_code.replace(".", "").strip()
        if not (digits.isascii() and digits.isdigit() and len(digits) in HS_CODE_DIGITS):
            raise InvalidCustomsData(
                f"{where}: HS code {self.hs_code!r} needs 6, 8, 10 or 12 digits."
            )
        if not re.fullmatch(r"[A-Z]{2}", self.country_of_origin):
            raise InvalidCustomsData(f"{where}: country of origin is an ISO 3166 alpha-2 code.")
        for name in ("unit_value_thb", "total_thb", "total_fc"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
                raise InvalidCustomsData(f"{where}: {name} must be a Decimal of at least 0.")
        expected = (self.unit_value_thb * self.quantity).quantize(CENT, rounding=ROUND_HALF_UP)
        if self.total_thb != expected:
            raise InvalidCustomsData(
                f"{where}: total {self.total_thb} THB is not quantity × unit value "
                f"= {expected} THB."
            )


@dataclass(frozen=True)
class CartonItem:
    """So many units of one line's SKU and lot packed in a carton."""

    sku_code: str
    lot: str | None
    quantity: int


@dataclass(frozen=True)
class Carton:
    """A shipping carton: its SSCC, what it holds, its gross weight and outer dimensions."""

    sscc: str
    contents: tuple[CartonItem, ...]
    gross_weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int

    def __post_init__(self) -> None:
        if not (len(self.sscc) == 18 and self.sscc.isascii() and self.sscc.isdigit()):
            raise InvalidCustomsData(f"SSCC {self.sscc!r} must have 18 digits.")
        if int(self.sscc[-1]) != check_digit(self.sscc[:-1]):
            raise InvalidCustomsData(f"SSCC {self.sscc} has a wrong check digit.")
        if not self.contents:
            raise InvalidCustomsData(f"Carton {self.sscc} is empty.")
        for item in self.contents:
            _positive_int(item.quantity, f"Carton {self.sscc}: quantity of {item.sku_code}")
        for name in ("gross_weight_g", "length_mm", "width_mm", "height_mm"):
            _positive_int(getattr(self, name), f"Carton {self.sscc}: {name}")

    @property
    def volume_m3(self) -> Decimal:
        """The outer volume in cubic metres (exact)."""
        return Decimal(self.length_mm * self.width_mm * self.height_mm) / Decimal(10**9)


@dataclass(frozen=True)
class CustomsDocument:
    """Everything the commercial invoice and the packing list of one consignment show."""

    reference: str  # the consignment reference, also the invoice number
    issued_on: date
    exporter: Exporter
    consignee: Consignee
    mode: ShipmentMode
    route: str  # e.g. SADAO_BUKIT_KAYU_HITAM, or the ports of loading and discharge
    carrier: str
    tracking_number: str
    eta: date
    exchange_rate: ExchangeRate
    lines: tuple[InvoiceLine, ...]
    cartons: tuple[Carton, ...]
    form_d_reference: str | None = None  # ATIGA Form D (certificate of origin)
    customs_declaration_number: str | None = None
    incoterms: str | None = None  # e.g. "DAP Bukit Kayu Hitam"

    def __post_init__(self) -> None:
        if not self.reference.strip():
            raise InvalidCustomsData("The consignment needs a reference.")
        if self.mode not in MODE_NAMES:
            raise InvalidCustomsData(f"Shipment mode {self.mode!r} is not road, sea or air.")
        if not self.lines:
            raise InvalidCustomsData("An invoice needs at least one line.")
        if not self.cartons:
            raise InvalidCustomsData("A packing list needs at least one carton.")
        keys = Counter((line.sku_code, line.lot) for line in self.lines)
        repeated = [key for key, count in keys.items() if count > 1]
        if repeated:
            raise InvalidCustomsData(f"SKU and lot {repeated[0]} are on more than one line.")
        for line in self.lines:
            expected = self.exchange_rate.convert(line.total_thb)
            if line.total_fc != expected:
                raise InvalidCustomsData(
                    f"Line {line.sku_code!r}: {line.total_fc} {self.exchange_rate.currency} is not "
                    f"{line.total_thb} THB at {self.exchange_rate.rate} = {expected}."
                )
        ssccs = Counter(carton.sscc for carton in self.cartons)
        repeated_ssccs = [sscc for sscc, count in ssccs.items() if count > 1]
        if repeated_ssccs:
            raise InvalidCustomsData(f"SSCC {repeated_ssccs[0]} is on more than one carton.")
        packed: Counter[tuple[str, str | None]] = Counter()
        for carton in self.cartons:
            for item in carton.contents:
                if (item.sku_code, item.lot) not in keys:
                    raise InvalidCustomsData(
                        f"Carton {carton.sscc} holds SKU {item.sku_code} lot {item.lot}, "
                        "which is on no invoice line."
                    )
                packed[item.sku_code, item.lot] += item.quantity
        for line in self.lines:
            if packed[line.sku_code, line.lot] != line.quantity:
                raise InvalidCustomsData(
                    f"Line {line.sku_code!r} lot {line.lot}: {line.quantity} invoiced but "
                    f"{packed[line.sku_code, line.lot]} packed in cartons."
                )
        if self.total_gross_weight_g < self.total_net_weight_g:
            raise InvalidCustomsData(
                f"Gross weight {self.total_gross_weight_g} g is less than the net weight "
                f"{self.total_net_weight_g} g of the goods."
            )

    @property
    def total_thb(self) -> Decimal:
        """The invoice value in THB: the sum of the lines."""
        return sum((line.total_thb for line in self.lines), Decimal("0.00"))

    @property
    def total_fc(self) -> Decimal:
        """The invoice value in the FC's currency: the sum of the converted lines."""
        return sum((line.total_fc for line in self.lines), Decimal("0.00"))

    @property
    def quantities_by_unit(self) -> dict[str, int]:
        """Total quantity per unit of measure, in the order units first appear."""
        totals: dict[str, int] = {}
        for line in self.lines:
            totals[line.unit] = totals.get(line.unit, 0) + line.quantity
        return totals

    @property
    def total_net_weight_g(self) -> int:
        """The net weight of the goods, from the lines."""
        return sum(line.net_weight_g for line in self.lines)

    @property
    def total_gross_weight_g(self) -> int:
        """The gross weight, from the cartons."""
        return sum(carton.gross_weight_g for carton in self.cartons)

    @property
    def total_volume_m3(self) -> Decimal:
        """The cartons' outer volume, rounded half up to a litre."""
        total = sum((carton.volume_m3 for carton in self.cartons), Decimal(0))
        return total.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def commercial_invoice_pdf(doc: CustomsDocument, fonts: FontSet | None = None) -> bytes:
    """The commercial invoice: parties, transport, customs references, lines and totals."""
    fonts = fonts or register_fonts()
    styles = _Styles(fonts)
    story: list[Flowable] = [
        *_heading(doc, styles, "COMMERCIAL INVOICE", "ใบกำกับสินค้า"),
        *_parties_and_transport(doc, styles),
        Spacer(1, 4 * mm),
        _invoice_lines(doc, styles),
        Spacer(1, 4 * mm),
        _invoice_summary(doc, styles),
    ]
    return _build(doc, fonts, story, "Commercial invoice")


def packing_list_pdf(doc: CustomsDocument, fonts: FontSet | None = None) -> bytes:
    """The packing list: parties, transport, every carton with its SSCC, contents and weight."""
    fonts = fonts or register_fonts()
    styles = _Styles(fonts)
    story: list[Flowable] = [
        *_heading(doc, styles, "PACKING LIST", "ใบกำกับหีบห่อ"),
        *_parties_and_transport(doc, styles),
        Spacer(1, 4 * mm),
        _carton_table(doc, styles),
        Spacer(1, 4 * mm),
        _packing_summary(doc, styles),
    ]
    return _build(doc, fonts, story, "Packing list")


# --- checks and formats -------------------------------------------------------------------------


def _positive_int(value: object, what: str) -> None:
    """Refuse anything but a whole number above zero."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidCustomsData(f"{what} must be a whole number above 0, not {value!r}.")


def _money(amount: Decimal) -> str:
    """1234.5 → '1,234.50' (half up)."""
    return f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def _unit_value(amount: Decimal) -> str:
    """12.5 → '12.50', 0.125 → '0.125': at least 2 places, and every place it was given."""
    places = max(2, -int(amount.as_tuple().exponent))
    return f"{amount:,.{places}f}"


def _kg(grams: int) -> str:
    """12345 g → '12.345'."""
    return f"{Decimal(grams) / 1000:,.3f}"


def _cm(millimetres: int) -> str:
    """605 mm → '60.5', 600 mm → '60'."""
    return f"{Decimal(millimetres) / 10:f}"


def _quantity(quantity: int, unit: str) -> str:
    """1200, 'PCS' → '1,200 PCS'."""
    return f"{quantity:,} {unit}"


def _count(number: int, noun: str) -> str:
    """1, 'carton' → '1 carton'; 48, 'carton' → '48 cartons'."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _country(code: str) -> str:
    """'MY' → 'Malaysia (MY)'."""
    name = COUNTRY_NAMES.get(code)
    return f"{name} ({code})" if name else code


def _or_dash(value: str | None) -> str:
    """The value, or an em dash where there is none yet."""
    return value if value else "—"


# --- layout ---------------------------------------------------------------------------------------

PAGE_MARGIN = 12 * mm
CONTENT_WIDTH = A4[0] - 2 * PAGE_MARGIN
GRID = colors.Color(0.55, 0.55, 0.55)
HEADER_FILL = colors.Color(0.88, 0.88, 0.88)
TOTAL_FILL = colors.Color(0.95, 0.95, 0.95)


class _Styles:
    """The paragraph styles of both documents, in the registered fonts."""

    def __init__(self, fonts: FontSet) -> None:
        self.fonts = fonts
        regular, bold = fonts.latin.regular, fonts.latin.bold
        self.body = ParagraphStyle("body", fontName=regular, fontSize=7, leading=8.6)
        self.bold = ParagraphStyle("bold", parent=self.body, fontName=bold)
        self.number = ParagraphStyle("number", parent=self.body, alignment=TA_RIGHT)
        self.number_bold = ParagraphStyle("number-bold", parent=self.number, fontName=bold)
        self.label = ParagraphStyle("label", parent=self.body, fontSize=6, leading=7.2)
        self.party = ParagraphStyle("party", parent=self.body, fontSize=8, leading=10)
        self.party_bold = ParagraphStyle("party-bold", parent=self.party, fontName=bold)
        self.note = ParagraphStyle("note", parent=self.party, spaceAfter=3)
        self.title = ParagraphStyle(
            "title", parent=self.body, fontName=bold, fontSize=15, leading=19
        )
        self.subtitle = ParagraphStyle("subtitle", parent=self.body, fontSize=11, leading=15)

    def text(self, text: str, style: ParagraphStyle | None = None) -> Flowable:
        """A paragraph of any script in the given style (body by default)."""
        return self.fonts.paragraph(text, style or self.body)


def _heading(doc: CustomsDocument, s: _Styles, title: str, title_th: str) -> list[Flowable]:
    """The document's title with its number and date."""
    left = [s.text(title, s.title), s.text(title_th, s.subtitle)]
    right = [
        s.text(f"No. {doc.reference}", s.number_bold),
        s.text(f"Date {doc.issued_on.isoformat()}", s.number),
    ]
    table = Table([[left, right]], colWidths=[CONTENT_WIDTH * 0.6, CONTENT_WIDTH * 0.4])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *_no_padding()]))
    return [table, Spacer(1, 3 * mm)]


def _no_padding() -> list[tuple[Any, ...]]:
    """Table style commands that remove the cell padding."""
    return [
        (side, (0, 0), (-1, -1), 0)
        for side in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")
    ]


def _parties_and_transport(doc: CustomsDocument, s: _Styles) -> list[Flowable]:
    """Exporter and consignee side by side, then the transport and customs references."""
    exporter, consignee, rate = doc.exporter, doc.consignee, doc.exchange_rate
    exporter_cell = [
        s.text("Exporter / Seller — ผู้ส่งออก", s.label),
        s.text(exporter.name_en, s.party_bold),
        s.text(exporter.name_th, s.party),
        s.text(exporter.address, s.party),
        s.text(f"Tax ID {exporter.tax_id}", s.party),
        s.text(f"Country {_country('TH')}", s.party),
    ]
    consignee_cell = [
        s.text("Consignee / Importer — ผู้รับสินค้า", s.label),
        s.text(consignee.name, s.party_bold),
        s.text(consignee.address, s.party),
        s.text(f"Country {_country(consignee.country)}", s.party),
    ]
    if consignee.tax_id:
        consignee_cell.append(s.text(f"Tax ID {consignee.tax_id}", s.party))
    parties = Table([[exporter_cell, consignee_cell]], colWidths=[CONTENT_WIDTH / 2] * 2)
    parties.setStyle(_boxed())

    rate_text = f"1 THB = {rate.rate:f} {rate.currency}, recorded {rate.recorded_on.isoformat()}"
    if rate.source:
        rate_text += f" ({rate.source})"
    fields = [
        ("Shipment mode", MODE_NAMES[doc.mode]),
        ("Route", doc.route),
        ("Carrier", doc.carrier),
        ("Tracking number", doc.tracking_number),
        ("ETA", doc.eta.isoformat()),
        ("Incoterms", _or_dash(doc.incoterms)),
        ("ATIGA Form D", _or_dash(doc.form_d_reference)),
        ("Customs declaration", _or_dash(doc.customs_declaration_number)),
        ("Currencies", f"THB → {rate.currency}"),
        ("Exchange rate", rate_text),
    ]
    rows = []
    for i in range(0, len(fields), 2):
        row: list[Flowable] = []
        for label, value in fields[i : i + 2]:
            row += [s.text(label, s.label), s.text(value)]
        rows.append(row)
    quarter = CONTENT_WIDTH / 2
    details = Table(rows, colWidths=[24 * mm, quarter - 24 * mm] * 2)
    details.setStyle(_boxed())
    return [parties, Spacer(1, 2 * mm), details]


def _boxed() -> TableStyle:
    """A light grid around small header tables."""
    return TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, GRID),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]
    )


def _grid_style(header_rows: int, total_rows: int, numeric_from: int) -> list[tuple[Any, ...]]:
    """The style of a long table: grey header, grid, numbers right-aligned, bold totals."""
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.3, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_FILL),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
    ]
    if total_rows:
        commands += [
            ("BACKGROUND", (0, -total_rows), (-1, -1), TOTAL_FILL),
            ("LINEABOVE", (0, -total_rows), (-1, -total_rows), 1, colors.black),
        ]
    return commands


CELL_PADDING = 2 + 2 + 1  # left, right, and a point to spare


def _fitted_widths(
    titles: Sequence[str],
    rows: Sequence[Sequence[str]],
    font: str,
    flexible: int,
    caps: dict[int, float],
) -> list[float]:
    """Column widths that fit each column's longest line of text and title word at 7 pt.

    The `flexible` column gets the width left over; `caps` limit columns whose text may wrap.
    """
    widths = []
    for column, title in enumerate(titles):
        texts = title.split() + [text for row in rows for text in row[column].splitlines()]
        width = max(stringWidth(text, font, 7) for text in texts) + CELL_PADDING
        widths.append(min(width, caps.get(column, width)))
    widths[flexible] = 0
    widths[flexible] = CONTENT_WIDTH - sum(widths)
    return widths


def _lot_and_expiry(lot: str | None, expiry: date | None) -> str:
    """The lot over its expiry date."""
    return (lot or "—") + (f"\n{expiry.isoformat()}" if expiry else "")


def _invoice_lines(doc: CustomsDocument, s: _Styles) -> Table:
    """The invoice lines, with the header row repeated on every page and the totals at the end."""
    titles = ["No.", "SKU / description", "HS code", "Origin", "Lot / expiry", "Quantity"]
    titles += ["Unit value THB", "Total THB", f"Total {doc.exchange_rate.currency}", "Net kg"]
    texts = [
        [
            str(number),
            f"{line.sku_code} {line.description_en}",
            line.hs_code,
            line.country_of_origin,
            _lot_and_expiry(line.lot, line.expiry),
            _quantity(line.quantity, line.unit),
            _unit_value(line.unit_value_thb),
            _money(line.total_thb),
            _money(line.total_fc),
            _kg(line.net_weight_g),
        ]
        for number, line in enumerate(doc.lines, start=1)
    ]
    quantities = "\n".join(_quantity(q, unit) for unit, q in doc.quantities_by_unit.items())
    total = ["", f"Total: {_count(len(doc.lines), 'line')}", "", "", "", quantities, ""]
    total += [_money(doc.total_thb), _money(doc.total_fc), _kg(doc.total_net_weight_g)]

    rows: list[list[Any]] = [
        [s.text(text, s.bold if i < 5 else s.number_bold) for i, text in enumerate(titles)]
    ]
    for line, row in zip(doc.lines, texts, strict=True):
        description = [s.text(row[1]), s.text(line.description_th)]
        rows.append([*row[:1], description, *row[2:4], s.text(row[4]), *row[5:]])
    rows.append([s.text(text, s.bold if i < 5 else s.number_bold) for i, text in enumerate(total)])

    widths = _fitted_widths(titles, [*texts, total], s.fonts.latin.bold, 1, caps={4: 28 * mm})
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = _grid_style(header_rows=1, total_rows=1, numeric_from=5)
    style.append(("FONT", (0, 0), (-1, -1), s.fonts.latin.regular, 7, 8.6))
    table.setStyle(TableStyle(style))
    return table


def _invoice_summary(doc: CustomsDocument, s: _Styles) -> Flowable:
    """Totals in words a broker checks, the origin statement and the signature."""
    rate = doc.exchange_rate
    quantities = ", ".join(_quantity(q, unit) for unit, q in doc.quantities_by_unit.items())
    parts = [
        s.text(
            f"Total invoice value: THB {_money(doc.total_thb)} = {rate.currency} "
            f"{_money(doc.total_fc)} (each line converted at 1 THB = {rate.rate:f} "
            f"{rate.currency} and rounded half up to 0.01; the total is the sum of the lines).",
            s.note,
        ),
        s.text(
            f"Total quantity: {quantities}. Net weight {_kg(doc.total_net_weight_g)} kg. "
            f"Gross weight {_kg(doc.total_gross_weight_g)} kg in "
            f"{_count(len(doc.cartons), 'carton')} (SSCCs on the packing list).",
            s.note,
        ),
    ]
    if doc.form_d_reference:
        parts.append(
            s.text(
                "The goods are of Thai origin; preferential tariff treatment is claimed under "
                f"ATIGA, Form D {doc.form_d_reference}.",
                s.note,
            )
        )
    parts += [
        s.text(
            "We declare that this invoice shows the actual price of the goods described and "
            "that all particulars are true and correct.",
            s.note,
        ),
        Spacer(1, 10 * mm),
        s.text("______________________________", s.note),
        s.text(f"Authorised signature, {doc.exporter.name_en}", s.note),
    ]
    return KeepTogether(parts)


ROWS_KEPT_TOGETHER = 20  # a carton with more items than this may be split over pages


def _carton_table(doc: CustomsDocument, s: _Styles) -> Table:
    """A row per carton item; a carton's cells span its rows, which stay on one page if they can."""
    lines = {(line.sku_code, line.lot): line for line in doc.lines}
    titles = ["Carton", "SSCC (00)", "SKU / description", "Lot / expiry", "Quantity", "Gross kg"]
    titles += ["L × W × H cm", "m³"]
    count = len(doc.cartons)
    texts: list[list[str]] = []
    carton_rows: list[tuple[int, int]] = []  # each carton's first and last row (header is 0)
    for number, carton in enumerate(doc.cartons, start=1):
        dimensions = f"{_cm(carton.length_mm)} × {_cm(carton.width_mm)} × {_cm(carton.height_mm)}"
        volume = carton.volume_m3.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
        for item in carton.contents:
            line = lines[item.sku_code, item.lot]
            texts.append(
                [
                    f"{number} of {count}",
                    carton.sscc,
                    f"{item.sku_code} {line.description_en}",
                    _lot_and_expiry(item.lot, line.expiry),
                    _quantity(item.quantity, line.unit),
                    _kg(carton.gross_weight_g),
                    dimensions,
                    f"{volume}",
                ]
            )
        carton_rows.append((len(texts) - len(carton.contents) + 1, len(texts)))
    quantities = "\n".join(_quantity(q, unit) for unit, q in doc.quantities_by_unit.items())
    total = [
        "",
        "",
        f"Total: {_count(count, 'carton')}",
        "",
        quantities,
        _kg(doc.total_gross_weight_g),
    ]
    total += ["", f"{doc.total_volume_m3}"]

    rows: list[list[Any]] = [
        [s.text(text, s.bold if i < 4 else s.number_bold) for i, text in enumerate(titles)]
    ]
    rows += [[*row[:2], s.text(row[2]), s.text(row[3]), *row[4:]] for row in texts]
    rows.append([s.text(text, s.bold if i < 4 else s.number_bold) for i, text in enumerate(total)])

    style = _grid_style(header_rows=1, total_rows=1, numeric_from=4)
    for first, last in carton_rows:
        if first < last <= first + ROWS_KEPT_TOGETHER:
            style.append(("NOSPLIT", (0, first), (-1, last)))
            style += [("SPAN", (column, first), (column, last)) for column in (0, 1, 5, 6, 7)]
        elif last > first:  # too long for one page: the rows name their carton on every page
            rows[first + 1 : last + 1] = [
                [*row[:5], "", "", ""] for row in rows[first + 1 : last + 1]
            ]
    style.append(("FONT", (0, 0), (-1, -1), s.fonts.latin.regular, 7, 8.6))
    widths = _fitted_widths(titles, [*texts, total], s.fonts.latin.bold, 2, caps={3: 28 * mm})
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def _packing_summary(doc: CustomsDocument, s: _Styles) -> Flowable:
    """The totals a broker compares with the invoice and the declaration."""
    quantities = ", ".join(_quantity(q, unit) for unit, q in doc.quantities_by_unit.items())
    return KeepTogether(
        [
            s.text(
                f"{_count(len(doc.cartons), 'carton')}, {quantities}. Net weight "
                f"{_kg(doc.total_net_weight_g)} kg, gross weight {_kg(doc.total_gross_weight_g)} "
                f"kg, volume {doc.total_volume_m3} m³.",
                s.note,
            ),
            s.text(f"Invoice {doc.reference} of {doc.issued_on.isoformat()}.", s.note),
        ]
    )


# --- document assembly --------------------------------------------------------------------------


def _build(doc: CustomsDocument, fonts: FontSet, story: Sequence[Flowable], kind: str) -> bytes:
    """Lay the story out on A4 pages with footers and return the PDF."""
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN,
        bottomMargin=PAGE_MARGIN + 3 * mm,
        title=f"{kind} {doc.reference}",
        author=doc.exporter.name_en,
        subject=f"Consignment {doc.reference} to {doc.consignee.name}",
        creator="Pavilion WMS",
        invariant=True,
        lang="en",
    )
    footer = f"{kind} {doc.reference}"
    maker: Callable[..., Canvas] = partial(
        NumberedCanvas,
        footer=footer,
        footer_font=fonts.face_for(footer).regular,
        margin=PAGE_MARGIN,
    )
    with SHAPING_LOCK:
        template.build(list(story), canvasmaker=maker)
    return buffer.getvalue()

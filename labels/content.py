"""What each kind of label says: plain data, checked before anything is drawn.

The same objects feed the PDF and the ZPL renderers, so both print the same content and refuse
the same bad data (InvalidLabelData naming the field).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from labels import gs1
from labels.errors import InvalidLabelData
from labels.gs1 import Element, ElementString

# Code 128 carries printable ASCII; our own codes keep to letters, digits and a few signs.
_CODE128_TEXT = re.compile(r"^[\x20-\x7e]{1,48}$")
_CHECK_CODE = re.compile(r"^\d{2}$")


_FIELD_OF_AI = {
    "00": "sscc",
    "01": "gtin",
    "02": "content_gtin",
    "10": "lot",
    "17": "expiry",
    "37": "count",
    "3303": "gross_weight_g",
    "3302": "gross_weight_g",
    "3301": "gross_weight_g",
}


# GS1 data titles of the trade-item AIs a logistic label shows as text.
_DATA_TITLES = {
    "02": "CONTENT",
    "37": "COUNT",
    "10": "BATCH/LOT",
    "17": "USE BY OR EXPIRY",
    "3301": "GROSS WEIGHT (kg)",
    "3302": "GROSS WEIGHT (kg)",
    "3303": "GROSS WEIGHT (kg)",
}


def _title_value(element: Element) -> str:
    """An element's value as people read it under its data title."""
    if element.ai == "17":
        value = element.value
        return f"{value[4:6]}.{value[2:4]}.20{value[0:2]}"
    if element.ai.startswith("330"):
        decimals = int(element.ai[3])
        return f"{int(element.value) / 10**decimals:.{decimals}f}"
    return element.value


def gross_weight_element(grams: int) -> Element:
    """GROSS WEIGHT (kg) as AI 330n: three decimals up to 999.999 kg, then two, then one
    (six digits in all; heavier pallets are rounded to 10 g or 100 g)."""
    if grams > 0:
        for decimals in (3, 2, 1):
            value = round(grams / 10 ** (3 - decimals))
            if value < 1_000_000:
                return Element(f"330{decimals}", f"{value:06d}")
    raise InvalidLabelData("A gross weight is 1 g to 99,999.9 kg.", "gross_weight_g")


def _checked(*elements: Element | tuple[str, str]) -> ElementString:
    """gs1.element_string, with errors naming the label's field instead of the AI."""
    try:
        return gs1.element_string(*elements)
    except gs1.GS1Error as error:
        ai = error.field.removeprefix("ai_")
        raise InvalidLabelData(str(error), _FIELD_OF_AI.get(ai, error.field)) from None


def nfc(text: str) -> str:
    """Text in Unicode normal form C (Vietnamese letters precomposed), trimmed."""
    return unicodedata.normalize("NFC", text).strip()


def _code128_text(value: str, field_name: str) -> None:
    if not _CODE128_TEXT.match(value) or value != value.strip():
        raise InvalidLabelData(
            "Must be 1 to 48 printable ASCII characters without leading or trailing spaces "
            f"to go into a Code 128 barcode; got {value!r}.",
            field_name,
        )


def _required(value: str, field_name: str) -> None:
    if not value.strip():
        raise InvalidLabelData("Must not be empty.", field_name)


@dataclass(frozen=True)
class ShippingLabel:
    """A parcel the FC delivers itself (or hands to a carrier without a waybill of its own)."""

    tracking_number: str
    carrier_name: str
    sender_name: str
    sender_address: str
    recipient_name: str
    recipient_phone: str
    recipient_address: str
    order_reference: str
    weight_g: int
    cod_amount: Decimal
    currency: str
    marketplace_reference: str = ""
    channel: str = ""
    service: str = ""
    route_code: str = ""
    stop_code: str = ""
    sscc: str | None = None

    kind = "shipping"

    def check(self) -> None:
        """Refuse data the label cannot carry."""
        _code128_text(self.tracking_number, "tracking_number")
        for name in ("carrier_name", "sender_name", "recipient_name", "recipient_address"):
            _required(getattr(self, name), name)
        _required(self.order_reference, "order_reference")
        if self.weight_g <= 0:
            raise InvalidLabelData(
                "The parcel must be weighed before its label prints.", "weight_g"
            )
        if self.cod_amount < 0:
            raise InvalidLabelData("A COD amount cannot be negative.", "cod_amount")
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise InvalidLabelData("A currency is a three-letter ISO 4217 code.", "currency")
        if self.sscc is not None:
            gs1.sscc(self.sscc)

    def qr_payload(self) -> str:
        """The parcel's data for the QR symbol (JSON, UTF-8)."""
        data: dict[str, object] = {
            "tracking": self.tracking_number,
            "carrier": self.carrier_name,
            "order": self.order_reference,
            "ref": self.marketplace_reference or None,
            "route": self.route_code or None,
            "stop": self.stop_code or None,
            "cod": f"{self.cod_amount:.2f} {self.currency}" if self.cod_amount else None,
            "weight_g": self.weight_g,
            "sscc": self.sscc,
        }
        compact = {key: value for key, value in data.items() if value is not None}
        return json.dumps(compact, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class LogisticLabel:
    """A GS1 logistic label for a carton or pallet, identified by its SSCC."""

    sscc: str
    from_name: str
    from_address: str = ""
    to_name: str = ""
    to_address: str = ""
    content_gtin: str | None = None
    count: int | None = None
    lot: str | None = None
    expiry: date | None = None
    reference: str = ""
    gross_weight_g: int | None = None

    kind = "logistic"

    def check(self) -> None:
        """Refuse data the label cannot carry (every GS1 value is checked)."""
        self.sscc_element()
        self.content_elements()
        _required(self.from_name, "from_name")
        if self.count is not None and self.content_gtin is None:
            raise InvalidLabelData("A count needs the content GTIN it counts.", "count")
        if self.content_gtin is not None and self.count is None:
            raise InvalidLabelData("Give the count of the content GTIN's items.", "count")

    def sscc_element(self) -> ElementString:
        """(00) alone: the symbol that goes lowest on the label."""
        return _checked(("00", gs1.sscc(self.sscc)))

    def content_elements(self) -> list[Element]:
        """The trade-item data for the other symbols: (02), (17), (330n), (37), (10)."""
        elements: list[Element] = []
        if self.content_gtin is not None:
            elements.append(Element("02", gs1.gtin(self.content_gtin, "content_gtin")))
        if self.expiry is not None:
            elements.append(Element("17", gs1.yymmdd(self.expiry)))
        if self.gross_weight_g is not None:
            elements.append(gross_weight_element(self.gross_weight_g))
        if self.count is not None:
            if not 0 < self.count < 100_000_000:
                raise InvalidLabelData("A count is 1 to 99,999,999.", "count")
            elements.append(Element("37", str(self.count)))
        if self.lot is not None:
            elements.append(Element("10", self.lot))
        if elements:
            _checked(*elements)
        return elements

    def data_titles(self) -> list[tuple[str, str]]:
        """(GS1 data title, value as printed) of the trade-item data, in encoding order."""
        return [(_DATA_TITLES[e.ai], _title_value(e)) for e in self.content_elements()]


@dataclass(frozen=True)
class BinLabel:
    """A bin location: its code as Code 128 and two check digits for voice or manual entry."""

    code: str
    check_code: str
    zone: str = ""
    arrow: str = ""

    kind = "bin"

    def check(self) -> None:
        """Refuse codes a scanner could not read back."""
        _code128_text(self.code, "code")
        if not _CHECK_CODE.match(self.check_code):
            raise InvalidLabelData("A check code is two digits.", "check_code")
        if self.arrow not in ("", "up", "down"):
            raise InvalidLabelData("The arrow points up, down or nowhere.", "arrow")


@dataclass(frozen=True)
class SkuLabel:
    """An item label: EAN-13 of its GTIN, and GS1-128 with the GTIN, lot and expiry."""

    sku: str
    description: str
    gtin: str
    merchant_name: str = ""
    lot: str | None = None
    expiry: date | None = None
    extra: tuple[str, ...] = field(default=())

    kind = "sku"

    def check(self) -> None:
        """Refuse a wrong GTIN, lot or date instead of printing a different one."""
        _code128_text(self.sku, "sku")
        self.ean13()
        self.element_string()

    def ean13(self) -> str | None:
        """The 13 digits for the EAN-13 symbol, or None for a GTIN-14 that EAN-13 cannot carry."""
        padded = gs1.gtin(self.gtin)
        return padded[1:] if padded[0] == "0" else None

    def element_string(self) -> ElementString:
        """(01) GTIN, (17) expiry and (10) lot, as far as known."""
        elements = [Element("01", gs1.gtin(self.gtin))]
        if self.expiry is not None:
            elements.append(Element("17", gs1.yymmdd(self.expiry)))
        if self.lot is not None:
            elements.append(Element("10", self.lot))
        return _checked(*elements)


Label = ShippingLabel | LogisticLabel | BinLabel | SkuLabel

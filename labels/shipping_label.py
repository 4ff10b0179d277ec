"""A 100 × 150 mm shipping label for a parcel: sender, recipient in local script, tracking
number as Code 128 with its text, a QR with the parcel's data, COD amount and weight."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from decimal import Decimal

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128, qr
from reportlab.graphics.shapes import Drawing
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from labels.fonts import FontSet, register_fonts

WIDTH = 100 * mm
HEIGHT = 150 * mm


class InvalidLabelData(ValueError):
    """The label cannot be printed from this data."""


@dataclass(frozen=True)
class ShippingLabel:
    """What a parcel's label shows."""

    tracking_number: str
    carrier_name: str
    sender_name: str
    sender_address: str
    recipient_name: str
    recipient_phone: str
    recipient_address: str
    order_reference: str
    marketplace_reference: str
    weight_g: int
    cod_amount: Decimal
    currency: str
    sscc: str | None = None

    def check(self) -> None:
        if not self.tracking_number or not self.tracking_number.isascii():
            raise InvalidLabelData("The tracking number must be ASCII text.")
        if self.weight_g <= 0:
            raise InvalidLabelData("The parcel must be weighed before its label prints.")

    def qr_payload(self) -> str:
        return json.dumps(
            {
                "tracking": self.tracking_number,
                "order": self.order_reference,
                "ref": self.marketplace_reference,
                "sscc": self.sscc,
                "cod": f"{self.cod_amount} {self.currency}",
                "weight_g": self.weight_g,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )


def _paragraph(
    pdf: canvas.Canvas, fonts: FontSet, text: str, x: float, top: float, width: float, size: float
) -> float:
    """Draw wrapped text from `top` down; returns the y below it."""
    style = ParagraphStyle("label", fontName=fonts.latin.regular, fontSize=size, leading=size * 1.3)
    paragraph = fonts.paragraph(text, style)
    _, height = paragraph.wrap(width, HEIGHT)
    paragraph.drawOn(pdf, x, top - height)
    return top - height


def shipping_label_pdf(label: ShippingLabel, fonts: FontSet | None = None) -> bytes:
    """The label as a one-page PDF."""
    label.check()
    fonts = fonts or register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(WIDTH, HEIGHT))
    pdf.setTitle(f"Shipping label {label.tracking_number}")
    margin = 4 * mm
    inner = WIDTH - 2 * margin
    y = HEIGHT - margin
    pdf.setFont(fonts.latin.bold, 12)
    pdf.drawString(margin, y - 12, label.carrier_name)
    y -= 18
    y = _paragraph(
        pdf, fonts, f"From: {label.sender_name}\n{label.sender_address}", margin, y, inner, 7
    )
    pdf.line(margin, y - 2, WIDTH - margin, y - 2)
    y -= 6
    y = _paragraph(
        pdf,
        fonts,
        f"To: {label.recipient_name}  {label.recipient_phone}\n{label.recipient_address}",
        margin,
        y,
        inner,
        10,
    )
    pdf.line(margin, y - 2, WIDTH - margin, y - 2)
    y -= 6
    y = _paragraph(
        pdf,
        fonts,
        f"Order {label.order_reference}   Ref {label.marketplace_reference}\n"
        f"Weight {label.weight_g / 1000:.2f} kg",
        margin,
        y,
        inner,
        8,
    )
    if label.cod_amount > 0:
        pdf.setFont(fonts.latin.bold, 14)
        pdf.drawString(margin, y - 18, f"COD {label.cod_amount:,.2f} {label.currency}")
        y -= 22
    symbol = qr.QrCodeWidget(label.qr_payload())
    left, bottom, right, top = symbol.getBounds()
    side = 30 * mm
    drawing = Drawing(
        side, side, transform=[side / (right - left), 0, 0, side / (top - bottom), 0, 0]
    )
    drawing.add(symbol)
    renderPDF.draw(drawing, pdf, WIDTH - margin - side, margin + 30 * mm)
    barcode = code128.Code128(label.tracking_number, barHeight=18 * mm, barWidth=0.33 * mm)
    barcode.drawOn(pdf, margin, margin + 6 * mm)
    pdf.setFont(fonts.latin.regular, 9)
    pdf.drawString(margin + 2 * mm, margin + 1 * mm, label.tracking_number)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()

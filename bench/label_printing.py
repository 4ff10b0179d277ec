"""Labels per second: a batch of 1,000 labels as one PDF and as one ZPL job, against a baseline.

The batch mixes the four kinds as an FC prints them in a day: shipping labels with Thai and
Vietnamese recipients (40 %), SKU labels (30 %), GS1 logistic labels for cartons (20 %) and bin
labels (10 %), every one with different data. Prints, for PDF at 203 dpi on 100x150 mm and for
ZPL at 203 and 300 dpi: seconds, labels per second and bytes per label. Then, in the same
process on the same shipping labels, the baseline: a straightforward ReportLab label with its
own barcode widgets (Code128Auto, QrCodeWidget) and unshaped text, i.e. what the labels cost
without whole-dot bars, GS1 checks and Thai shaping; and the ratio of our PDF speed to it. A
sample of each output is decoded with zxing-cpp to show the speed is for labels that scan.

    .venv/bin/python bench/label_printing.py [--count 1000]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128, qr
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from labels import gs1
from labels.content import BinLabel, Label, LogisticLabel, ShippingLabel, SkuLabel
from labels.fonts import register_fonts
from labels.media import MEDIA
from labels.pdf import label_pdf
from labels.raster import rasterise_pdf
from labels.zpl import label_zpl

THAI_NAMES = ["สมชาย ใจดี", "นภัสสร แก้วมณี", "ประยุทธ์ ศรีสุข", "กัญญา วงศ์ใหญ่"]
THAI_STREETS = ["ถนนสุขุมวิท", "ถนนพหลโยธิน", "ถนนเพชรบุรี", "ถนนรามคำแหง"]
VIET_NAMES = ["Nguyễn Thị Hoa", "Trần Văn Đức", "Lê Thị Ngọc Ánh"]
VIET_STREETS = ["Đường Nguyễn Huệ, Quận 1", "Phố Huế, Hai Bà Trưng", "Đường Lê Lợi, Hải Châu"]
PRODUCTS = ["มะม่วงอบแห้ง 100 g", "น้ำพริกเผา 250 g", "Xoài sấy dẻo 200 g", "Dried durian chips"]


def _gtin(rng: random.Random) -> str:
    body = "885" + "".join(rng.choice("0123456789") for _ in range(9))
    return body + str(gs1.check_digit(body))


def make_batch(count: int, seed: int = 7) -> list[Label]:
    """`count` labels of the four kinds, each with its own data."""
    rng = random.Random(seed)
    labels: list[Label] = []
    for n in range(count):
        pick = n % 10
        if pick < 4:
            thai = rng.random() < 0.5
            labels.append(
                ShippingLabel(
                    tracking_number=f"PVK{n:010d}",
                    carrier_name="Pavilion Fleet",
                    service="Next day",
                    sender_name="Pavilion KUL1",
                    sender_address="Lot 5, Jalan Kebun, 40460 Shah Alam",
                    recipient_name=rng.choice(THAI_NAMES if thai else VIET_NAMES),
                    recipient_phone=f"+60 1{rng.randrange(10)}-{rng.randrange(10**7):07d}",
                    recipient_address=(
                        f"{rng.randrange(1, 999)} {rng.choice(THAI_STREETS)} กรุงเทพฯ 10110"
                        if thai
                        else f"{rng.randrange(1, 999)} {rng.choice(VIET_STREETS)}"
                    ),
                    order_reference=f"SO-{100000 + n}",
                    marketplace_reference=f"25{n:08d}AB",
                    channel=rng.choice(["Shopee MY", "Lazada MY", "TikTok Shop"]),
                    weight_g=rng.randrange(100, 9000),
                    cod_amount=Decimal(rng.choice([0, 0, rng.randrange(1000, 90000)])) / 100,
                    currency="MYR",
                    route_code=f"R{rng.randrange(1, 20):02d}",
                    stop_code=str(rng.randrange(1, 60)),
                )
            )
        elif pick < 7:
            labels.append(
                SkuLabel(
                    sku=f"SKU-{n:05d}",
                    description=rng.choice(PRODUCTS),
                    gtin=_gtin(rng),
                    merchant_name="Thai Fruits Co",
                    lot=f"L{rng.randrange(10**6):06d}",
                    expiry=date(2027, 1, 1) + timedelta(days=rng.randrange(700)),
                )
            )
        elif pick < 9:
            labels.append(
                LogisticLabel(
                    sscc=gs1.make_sscc(0, "9551234", n),
                    from_name="บริษัท ผลไม้ไทย จำกัด",
                    from_address="99/9 ถนนพหลโยธิน กรุงเทพฯ",
                    to_name="Pavilion KUL1",
                    to_address="Shah Alam, Selangor",
                    content_gtin=_gtin(rng),
                    count=rng.randrange(1, 200),
                    lot=f"LOT{rng.randrange(10**5):05d}",
                    expiry=date(2027, 1, 1) + timedelta(days=rng.randrange(700)),
                    reference=f"CN-2026-{n:04d}",
                )
            )
        else:
            code = (
                f"KUL1-{rng.choice('ABCDEF')}-{rng.randrange(1, 40):02d}-{rng.randrange(1, 6):02d}"
            )
            labels.append(BinLabel(code=code, check_code=f"{n % 97:02d}", zone="Ambient"))
    return labels


def baseline_pdf(labels: list[ShippingLabel]) -> bytes:
    """The same shipping data on 100x150 mm with ReportLab's widgets and unshaped text."""
    fonts = register_fonts()
    buffer = io.BytesIO()
    width, height = 100 * mm, 150 * mm
    pdf = Canvas(buffer, pagesize=(width, height))
    for label in labels:
        pdf.setFont(fonts.latin.bold, 13)
        pdf.drawString(3 * mm, height - 8 * mm, label.carrier_name)
        pdf.setFont(fonts.thai.regular, 11)
        pdf.drawString(3 * mm, height - 30 * mm, f"To: {label.recipient_name}")
        pdf.drawString(3 * mm, height - 36 * mm, label.recipient_address)
        pdf.setFont(fonts.latin.regular, 9)
        pdf.drawString(3 * mm, height - 44 * mm, f"Order {label.order_reference}")
        symbol = qr.QrCodeWidget(label.qr_payload())
        left, bottom, right, top = symbol.getBounds()
        side = 28 * mm
        drawing = Drawing(
            side, side, transform=[side / (right - left), 0, 0, side / (top - bottom), 0, 0]
        )
        drawing.add(symbol)
        renderPDF.draw(drawing, pdf, width - 3 * mm - side, 30 * mm)
        code128.Code128Auto(label.tracking_number, barHeight=20 * mm, barWidth=0.5 * mm).drawOn(
            pdf, 5 * mm, 8 * mm
        )
        pdf.drawString(5 * mm, 4 * mm, label.tracking_number)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def timed(make: Callable[[], bytes]) -> tuple[bytes, float]:
    start = time.perf_counter()
    output = make()
    return output, time.perf_counter() - start


def _decoded_pdf_sample(pdf: bytes, pages: int) -> int:
    import zxingcpp

    return sum(len(zxingcpp.read_barcodes(page)) for page in rasterise_pdf(pdf, 203, pages=pages))


def _decoded_zpl_sample(zpl: bytes, dpi: int, formats: int) -> int:
    import zplkit
    import zxingcpp
    from PIL import Image

    found = 0
    for chunk in zpl.split(b"^XZ")[:formats]:
        rendered = zplkit.render((chunk + b"^XZ").decode("utf-8"), zplkit.Options(dpi=dpi))
        for label in rendered.labels:
            found += len(zxingcpp.read_barcodes(Image.open(io.BytesIO(label.png()))))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    labels = make_batch(args.count)
    media = MEDIA["100x150"]
    register_fonts()
    label_pdf(labels[:10], media)  # warm: fonts, shaping tables, caches of the first run
    print(f"{len(labels)} labels: 40 % shipping, 30 % SKU, 20 % GS1 logistic, 10 % bin")
    print(f"{'output':<28}{'seconds':>9}{'labels/s':>10}{'bytes/label':>13}")
    rows = []
    pdf, seconds = timed(lambda: label_pdf(labels, media, dpi=203))
    rows.append(("PDF 100x150 203 dpi", seconds, len(pdf)))
    zpl_outputs = {}
    for dpi in (203, 300):
        zpl, zpl_seconds = timed(lambda dpi=dpi: label_zpl(labels, media, dpi=dpi))
        zpl_outputs[dpi] = zpl
        rows.append((f"ZPL 100x150 {dpi} dpi", zpl_seconds, len(zpl)))
    shipping = [label for label in labels if isinstance(label, ShippingLabel)]
    ours_shipping, ours_seconds = timed(lambda: label_pdf(shipping, media, dpi=203))
    base, base_seconds = timed(lambda: baseline_pdf(shipping))
    rows.append((f"PDF shipping only ({len(shipping)})", ours_seconds, len(ours_shipping)))
    rows.append(("baseline RL widgets", base_seconds, len(base)))
    for name, secs, size in rows:
        count = len(shipping) if "shipping" in name or "baseline" in name else len(labels)
        print(f"{name:<28}{secs:>9.2f}{count / secs:>10.0f}{size / count:>13.0f}")
    print(
        f"shipping labels, ours vs baseline: {ours_seconds / base_seconds:.2f}x the time "
        f"({len(shipping) / ours_seconds:.0f} vs {len(shipping) / base_seconds:.0f} labels/s)"
    )
    print(
        f"decoded in a sample of 20: PDF {_decoded_pdf_sample(pdf, 20)} barcodes, "
        f"ZPL 203 dpi {_decoded_zpl_sample(zpl_outputs[203], 203, 20)} barcodes"
    )


if __name__ == "__main__":
    main()

"""ZPL labels rendered offline (zplkit) and read back with a barcode decoder (zxing-cpp)."""

from __future__ import annotations

import io
import json
import random
import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

zplkit = pytest.importorskip("zplkit")
zxingcpp = pytest.importorskip("zxingcpp")

from PIL import Image, ImageOps  # noqa: E402
from reportlab.graphics.barcode.code128 import Code128  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402
from zplkit.parse import parse  # noqa: E402
from zplkit.rendering import Limits  # noqa: E402

from labels.content import BinLabel, Label, LogisticLabel, ShippingLabel, SkuLabel  # noqa: E402
from labels.errors import InvalidLabelData  # noqa: E402
from labels.gs1 import GS  # noqa: E402
from labels.media import LABEL_MEDIA, MEDIA, DotGrid, Media  # noqa: E402
from labels.zpl import code128, gs1_128, label_zpl, pdf_to_zpl  # noqa: E402
from labels.zpl_graphics import font0_width, graphic_field, text_graphic  # noqa: E402

REPORTS = Path(__file__).resolve().parents[2] / "test-reports" / "labels"

SHIPPING = ShippingLabel(
    tracking_number="TH0123456789AB",
    carrier_name="Pavilion Express",
    sender_name="ร้านสวัสดี Bangkok FC",
    sender_address="99/1 ถนนสุขุมวิท แขวงคลองเตย เขตคลองเตย กรุงเทพฯ 10110",
    recipient_name="สมชาย ใจดี",
    recipient_phone="+66 81 234 5678",
    recipient_address="123/45 หมู่ 6 ถนนพหลโยธิน ตำบลคลองหนึ่ง อำเภอคลองหลวง ปทุมธานี 12120",
    order_reference="SO-2024-000123",
    weight_g=1250,
    cod_amount=Decimal("1250.00"),
    currency="THB",
    marketplace_reference="240512ABCDEF",
    channel="Shopee",
    service="Next day",
    route_code="R03",
    stop_code="12",
)
LOGISTIC = LogisticLabel(
    sscc="106141411234567897",
    from_name="Pavilion FC Bangna",
    from_address="88 Bangna-Trad Rd, Bangkok 10260",
    to_name="Big C Rama 4",
    to_address="Rama IV Rd, Khlong Toei, Bangkok",
    content_gtin="08851234567898",
    count=24,
    lot="LOT-7A",
    expiry=date(2026, 12, 31),
    gross_weight_g=12345,
    reference="PO-4711",
)
BIN = BinLabel(code="A-01-02-03", check_code="47", zone="A", arrow="up")
SKU = SkuLabel(
    sku="SKU-00123",
    description="Nước mắm Phú Quốc 500ml / น้ำปลาแท้ 500 มล.",
    gtin="8851234567898",
    merchant_name="Thai Fish Sauce Co.",
    lot="L2405",
    expiry=date(2026, 6, 30),
)
LABELS: dict[str, Label] = {"shipping": SHIPPING, "logistic": LOGISTIC, "bin": BIN, "sku": SKU}


@dataclass(frozen=True)
class Read:
    """A decoded barcode: symbology identifier, text and its box in dots."""

    aim: str
    text: str
    top: int
    bottom: int
    left: int
    right: int


def render(zpl: bytes, media: Media, dpi: int) -> list[Image.Image]:
    """Each format of the ZPL as the printer would print it (1 bit per dot)."""
    width, height = DotGrid(dpi).size(media)
    options = zplkit.Options(dpi=dpi, width=width, height=height)
    document = zplkit.render(zpl, options, limits=Limits(graphic_bytes=4_000_000))
    return [Image.open(io.BytesIO(label.png())) for label in document.labels]


def decode(image: Image.Image) -> list[Read]:
    """Every barcode on the image, GS kept as GS."""
    found = zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain, try_rotate=False)
    reads = []
    for barcode in found:
        p = barcode.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        reads.append(
            Read(barcode.symbology_identifier, barcode.text, min(ys), max(ys), min(xs), max(xs))
        )
    return reads


def commands(zpl: bytes) -> list[str]:
    """The format commands, in order, without trailing line breaks."""
    return [element.data.decode().rstrip("\n") for element in parse(zpl).elements]


def formats(zpl: bytes) -> list[list[str]]:
    """The commands of each ^XA…^XZ format."""
    result: list[list[str]] = []
    for command in commands(zpl):
        if command == "^XA":
            result.append([])
        result[-1].append(command)
    return result


def _bc_modules(field_data: str) -> int:
    """Modules of a ^BC symbol from its invocation-coded field data (counted independently)."""
    subset = "C" if field_data.startswith(">;") else "B"
    count, i = 0, 2
    while i < len(field_data):
        if field_data[i] == ">":
            subset = {"5": "C", "6": "B"}.get(field_data[i + 1], subset)
            i += 2
        else:
            i += 2 if subset == "C" else 1
        count += 1
    return 11 * (count + 2) + 13


def field_boxes(fmt: list[str]) -> list[tuple[str, int, int, int, int]]:
    """(kind, x, y, width, height) of every field, sized from its commands; QR excluded."""
    boxes = []
    origin: tuple[int, int] | None = None
    module = 2
    barcode = font = None
    for command in fmt:
        head, args = command[:3], command[3:]
        if head == "^FO":
            origin = tuple(int(v) for v in args.split(","))  # type: ignore[assignment]
            barcode = font = None
        elif head == "^BY":
            module = int(args.split(",")[0])
        elif head in ("^BC", "^BE", "^BQ"):
            barcode = (head, int(args.split(",")[1]))
        elif head == "^A0":
            font = tuple(int(v) for v in args[2:].split(","))
        elif head == "^GB" and origin:
            w, h = (int(v) for v in args.split(",")[:2])
            boxes.append(("box", *origin, w, h))
        elif head == "^GC" and origin:
            d = int(args.split(",")[0])
            boxes.append(("circle", *origin, d, d))
        elif head == "^GD" and origin:
            w, h = (int(v) for v in args.split(",")[:2])
            boxes.append(("diagonal", *origin, w, h))
        elif head == "^GF" and origin:
            total, _, per_row = (int(v) for v in args[2:].split(",")[:3])
            boxes.append(("graphic", *origin, per_row * 8, total // per_row))
        elif head == "^FD" and origin:
            if barcode and barcode[0] == "^BC":
                w = _bc_modules(args) * module
                q = 10 * module
                boxes.append(("code128", origin[0] - q, origin[1], w + 2 * q, barcode[1]))
            elif barcode and barcode[0] == "^BE":
                q = 11 * module
                boxes.append(("ean13", origin[0] - q, origin[1], 113 * module, barcode[1]))
            elif font:
                text = re.sub(r"_[0-9A-F]{2}", "x", args)
                boxes.append(("text", *origin, font0_width(text, font[1]), font[0]))
    return boxes


def expected_barcodes(label: Label) -> set[tuple[str, str]]:
    """The barcodes that every layout of the label must carry."""
    if isinstance(label, ShippingLabel):
        return {("]Q1", label.qr_payload()), ("]C0", label.tracking_number)}
    if isinstance(label, LogisticLabel):
        return {("]C1", label.sscc_element().data)}
    if isinstance(label, BinLabel):
        return {("]C0", label.code)}
    expected = {("]C1", label.element_string().data)}
    ean = label.ean13()
    return expected | ({("]E0", ean)} if ean else set())


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("media_name", LABEL_MEDIA)
@pytest.mark.parametrize("kind", list(LABELS))
def test_every_kind_prints_and_scans_on_every_media(kind: str, media_name: str, dpi: int) -> None:
    label, media = LABELS[kind], MEDIA[media_name]
    zpl = label_zpl([label], media, dpi=dpi)
    width, height = DotGrid(dpi).size(media)
    (fmt,) = formats(zpl)
    assert fmt[:5] == ["^XA", "^CI28", f"^PW{width}", f"^LL{height}", "^LH0,0"]
    assert fmt[-1] == "^XZ"
    _check_fields_balanced(fmt)
    for kind_, x, y, w, h in field_boxes(fmt):
        assert x >= 0 and y >= 0 and x + w <= width and y + h <= height, (kind_, x, y, w, h)

    (image,) = render(zpl, media, dpi)
    REPORTS.mkdir(parents=True, exist_ok=True)
    image.save(REPORTS / f"zpl-{kind}-{media_name}-{dpi}.png")
    reads = decode(image)
    found = {(r.aim, r.text) for r in reads}
    assert expected_barcodes(label) <= found, found
    if isinstance(label, LogisticLabel):
        _check_logistic(label, reads, media, dpi)


def _check_fields_balanced(fmt: list[str]) -> None:
    """Each field opens with ^FO, has at most one ^FD, and closes with one ^FS."""
    open_field = has_data = False
    for command in fmt[5:-1]:
        if command.startswith("^FO"):
            assert not open_field, command
            open_field, has_data = True, False
        elif command.startswith("^FD"):
            assert open_field and not has_data, command
            has_data = True
        elif command.startswith("^FS"):
            assert open_field, command
            open_field = False
    assert not open_field


def _check_logistic(label: LogisticLabel, reads: list[Read], media: Media, dpi: int) -> None:
    """GS1 symbols carry the label's elements; the SSCC is lowest; X-dimension on tall media."""
    sscc = next(r for r in reads if r.text == label.sscc_element().data)
    assert all(r.bottom < sscc.top for r in reads if r is not sscc)
    content = {e.ai + e.value for e in label.content_elements()}
    for read in reads:
        assert read.aim == "]C1"
        if read is not sscc:
            parts = re.findall(r"(02\d{14}|17\d{6}|3303\d{6}|37\d+|10[^\x1d]+)", read.text)
            assert set(parts) <= content and parts
    if media.height_mm >= 140:
        assert len(reads) >= 2, "a content symbol fits on tall media"
    module = 4 if dpi == 203 else 6
    assert (sscc.right - sscc.left + 1) >= 156 * module - module


def test_bar_heights_and_module_widths_follow_gs1_for_the_sscc() -> None:
    for dpi, module in ((203, 4), (300, 6)):
        for media_name in LABEL_MEDIA:
            fmt = formats(label_zpl([LOGISTIC], MEDIA[media_name], dpi=dpi))[0]
            sscc_index = next(i for i, c in enumerate(fmt) if c.startswith("^FD>;>800"))
            by = next(c for c in reversed(fmt[:sscc_index]) if c.startswith("^BY"))
            bc = next(c for c in reversed(fmt[:sscc_index]) if c.startswith("^BC"))
            assert int(by[3:].split(",")[0]) == module
            assert int(bc[3:].split(",")[1]) >= DotGrid(dpi).dots(32)


def test_several_labels_make_several_formats() -> None:
    zpl = label_zpl([BIN, replace(BIN, code="B-02"), SKU], MEDIA["100x75"])
    images = render(zpl, MEDIA["100x75"], 203)
    assert len(formats(zpl)) == 3 == len(images)
    assert {r.text for r in decode(images[1])} == {"B-02"}


def test_text_in_thai_or_vietnamese_is_a_bitmap_with_ink() -> None:
    zpl = label_zpl([SKU], MEDIA["4x6"])
    fmt = formats(zpl)[0]
    for index, command in enumerate(fmt):
        if command.startswith("^FD") and any(c.startswith("^A0") for c in fmt[index - 3 : index]):
            assert command.isascii()
    graphics = [box for box in field_boxes(fmt) if box[0] == "graphic"]
    assert graphics, "the description is sent as ^GF"
    (image,) = render(zpl, MEDIA["4x6"], 203)
    ink = ImageOps.invert(image.convert("L"))
    for _, x, y, w, h in graphics:
        assert ink.crop((x, y, x + w, y + h)).getbbox() is not None


@pytest.mark.parametrize(
    "label",
    [
        replace(BIN, code="A>1^2~3_4 >>"),
        replace(SHIPPING, tracking_number="TH>0^1~2_3"),
        replace(BIN, code="12>34^56~78"),
    ],
)
def test_zpl_special_characters_survive_to_the_barcode(label: Label) -> None:
    (image,) = render(label_zpl([label], MEDIA["100x150"]), MEDIA["100x150"], 203)
    found = {(r.aim, r.text) for r in decode(image)}
    assert expected_barcodes(label) <= found


def test_random_code128_data_reads_back() -> None:
    rng = random.Random(128)
    alphabet = "0123456789" * 4 + "ABCXYZabc-/ >^~_"
    values = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 18))) for _ in range(24)]
    values = [v.strip() or "0" for v in values]
    for start in range(0, len(values), 6):
        chunk = values[start : start + 6]
        fields = "".join(
            f"^FO40,{40 + 150 * i}^BY2^BCN,100,N,N,N^FD{code128(v).field_data}^FS"
            for i, v in enumerate(chunk)
        )
        zpl = f"^XA^CI28^PW812^LL1000^LH0,0{fields}^XZ".encode()
        (image,) = render(zpl, Media("t", 101.6, 125.1), 203)
        assert sorted(r.text for r in decode(image)) == sorted(chunk)


def test_code128_uses_subset_c_for_digit_runs() -> None:
    assert code128("1234567890").field_data == ">;1234567890"
    assert code128("AB12345678").field_data == ">:AB>512345678"
    assert code128("A1B2").field_data == ">:A1B2"
    assert code128("12345A").field_data == ">;1234>65A"
    assert code128("A>B").field_data == ">:A>0B"
    assert code128("^~").field_data == ">:><>="


def test_gs1_128_puts_fnc1_first_and_after_variable_fields() -> None:
    symbol = gs1_128(LOGISTIC.sscc_element())
    assert symbol.field_data == ">;>8" + "00106141411234567897"
    elements = SKU.element_string()
    assert GS not in elements.data  # (10) is last
    assert gs1_128(elements).field_data.startswith(">;>801088512345678981726063010")


@pytest.mark.parametrize(
    ("label", "field"),
    [
        (replace(BIN, check_code="4"), "check_code"),
        (replace(LOGISTIC, sscc="106141411234567890"), "sscc"),
        (replace(SHIPPING, tracking_number="TH 123 ñ"), "tracking_number"),
        (replace(SKU, gtin="8851234567890"), "gtin"),
        (replace(SHIPPING, weight_g=0), "weight_g"),
    ],
)
def test_bad_data_is_refused_naming_the_field(label: Label, field: str) -> None:
    with pytest.raises(InvalidLabelData) as error:
        label_zpl([BIN, label], MEDIA["4x6"])
    assert error.value.field == field


def test_only_printer_resolutions() -> None:
    with pytest.raises(InvalidLabelData) as error:
        label_zpl([BIN], MEDIA["4x6"], dpi=600)
    assert error.value.field == "dpi"


def test_a_tracking_number_too_long_for_the_media_is_refused() -> None:
    label = replace(SHIPPING, tracking_number="A!" * 24)
    with pytest.raises(InvalidLabelData) as error:
        label_zpl([label], Media("tiny", 50.0, 150.0))
    assert error.value.field in ("tracking_number", "media")


def test_pdf_pages_become_graphic_formats_that_scan() -> None:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(100 * mm, 150 * mm))
    for text in ("NV-PAGE-1-0042", "NV-PAGE-2-0043"):
        Code128(text, barWidth=0.375 * mm, barHeight=25 * mm).drawOn(pdf, 10 * mm, 60 * mm)
        pdf.showPage()
    pdf.save()
    zpl = pdf_to_zpl(buffer.getvalue(), dpi=203)
    for fmt in formats(zpl):
        width, height = int(fmt[2][3:]), int(fmt[3][3:])
        assert abs(width - 800) <= 1 and abs(height - 1200) <= 1  # PDFium rounds 799.2 down
    images = render(zpl, MEDIA["100x150"], 203)
    assert [[r.text for r in decode(image)] for image in images] == [
        ["NV-PAGE-1-0042"],
        ["NV-PAGE-2-0043"],
    ]


def test_ascii_and_z64_graphics_print_the_same_dots() -> None:
    sizes = {}
    rasters = {}
    for encoding in ("ascii", "z64"):
        graphic = text_graphic("สมชาย ใจดี 123/45", 40, 600, 203, encoding=encoding)
        sizes[encoding] = len(graphic.command)
        zpl = f"^XA^PW812^LL200^FO10,10{graphic.command}^FS^XZ".encode()
        (image,) = render(zpl, Media("t", 101.6, 25.0), 203)
        rasters[encoding] = image.convert("L").tobytes()
    assert rasters["ascii"] == rasters["z64"]
    assert min(sizes.values()) > 0


def test_graphic_field_round_trips_a_bitmap() -> None:
    image = Image.new("1", (37, 9), 1)
    for x in range(0, 37, 3):
        image.putpixel((x, x % 9), 0)
    for encoding in ("ascii", "z64"):
        graphic = graphic_field(image, encoding)  # type: ignore[arg-type]
        zpl = f"^XA^PW100^LL40^FO0,0{graphic.command}^FS^XZ".encode()
        (printed,) = render(zpl, Media("t", 12.6, 5.1), 203)
        assert printed.convert("1").crop((0, 0, 37, 9)).tobytes() == image.tobytes()


def test_repeated_text_comes_from_the_cache() -> None:
    text_graphic.cache_clear()
    labels = [replace(SHIPPING, tracking_number=f"TH{n:010d}") for n in range(5)]
    label_zpl(labels, MEDIA["4x6"])
    info = text_graphic.cache_info()
    assert info.hits >= 4 * info.misses / 2


def test_qr_payload_is_utf8_json() -> None:
    label = replace(SHIPPING, carrier_name="ไปรษณีย์ไทย")
    (image,) = render(label_zpl([label], MEDIA["4x6"]), MEDIA["4x6"], 203)
    qr = next(r for r in decode(image) if r.aim.startswith("]Q"))
    assert qr.aim == "]Q1" and json.loads(qr.text)["carrier"] == "ไปรษณีย์ไทย"

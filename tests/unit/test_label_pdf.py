"""PDF labels, printed as a 203 dpi thermal printer prints them (one bit per pixel) and read
back with zxing-cpp: every barcode's content and symbology identifier, bars in whole dots,
Thai shaped as HarfBuzz shapes it, Vietnamese in NFC."""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
import uharfbuzz as hb
from biip.gs1_messages import GS1Message
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from labels import gs1, symbols
from labels.content import BinLabel, LogisticLabel, ShippingLabel, SkuLabel
from labels.errors import InvalidLabelData
from labels.fonts import register_fonts
from labels.gs1 import GS, Element
from labels.media import LABEL_MEDIA, MEDIA, DotGrid, Media
from labels.pdf import label_pdf, shelf_strips_pdf
from labels.raster import rasterise_pdf
from tests.label_reading import bar_runs, module_width, read_barcodes, save_report

SSCC = "106141411234567897"  # GS1's own example: extension 1, prefix 0614141, serial 123456789
GTIN13 = "8851234567898"

SHIPPING = ShippingLabel(
    tracking_number="PVK0000000123",
    carrier_name="Pavilion Fleet",
    service="Next day",
    sender_name="Pavilion KUL1",
    sender_address="Lot 5, Jalan Kebun, 40460 Shah Alam",
    recipient_name="สมชาย ใจดี",
    recipient_phone="+60 12-345 6789",
    recipient_address="12 ถนนสุขุมวิท แขวงคลองเตย กรุงเทพฯ 10110",
    order_reference="SO-1001",
    marketplace_reference="2511ABCDEF",
    channel="Shopee MY",
    weight_g=1250,
    cod_amount=Decimal("89.90"),
    currency="MYR",
    route_code="R03",
    stop_code="12",
)
LOGISTIC = LogisticLabel(
    sscc=SSCC,
    from_name="บริษัท ผลไม้ไทย จำกัด",
    from_address="99/9 ถนนพหลโยธิน กรุงเทพฯ",
    to_name="Pavilion KUL1",
    to_address="Shah Alam, Selangor",
    content_gtin=GTIN13,
    count=24,
    lot="LOT2511A",
    expiry=date(2027, 1, 31),
    reference="CN-2025-001",
    gross_weight_g=12500,
)
BIN = BinLabel(code="KUL1-A-03-02-B", check_code="42", zone="Ambient", arrow="up")
SKU = SkuLabel(
    sku="TH-MANGO-01",
    description="มะม่วงอบแห้ง น้ำหนัก 100 g · Xoài sấy dẻo",
    gtin=GTIN13,
    merchant_name="Thai Fruits Co",
    lot="L2511",
    expiry=date(2027, 1, 31),
)

SSCC_READ = ("]C1", "00" + SSCC)
EXPECTED = {
    "shipping": {("]C0", SHIPPING.tracking_number), ("]Q1", SHIPPING.qr_payload())},
    "logistic": {
        # The content data split over symbols that fit the label at X = 0.5 mm.
        ("]C1", "02" + "0" + GTIN13 + "17270131"),
        ("]C1", "3303012500" + "3724"),
        ("]C1", "10LOT2511A"),
        SSCC_READ,
    },
    "bin": {("]C0", BIN.code)},
    "sku": {("]E0", GTIN13), ("]C1", "01" + "0" + GTIN13 + "17270131" + "10L2511")},
}
LABELS = {"shipping": SHIPPING, "logistic": LOGISTIC, "bin": BIN, "sku": SKU}


def printed(pdf: bytes, dpi: int = 203) -> list[Image.Image]:
    return rasterise_pdf(pdf, dpi)


@pytest.mark.parametrize("media", LABEL_MEDIA)
@pytest.mark.parametrize("kind", list(LABELS))
def test_every_barcode_on_every_label_reads_back_at_203_dpi(kind, media):
    pdf = label_pdf([LABELS[kind]], MEDIA[media], dpi=203)
    (page,) = printed(pdf)
    assert page.mode == "1"
    save_report(page, f"pdf-{kind}-{media}-203dpi")
    reads = {(read.symbology, read.text) for read in read_barcodes(page)}
    if kind == "logistic" and media == "100x75":
        # Too short for content symbols at GS1's 0.5 mm: an SSCC-only label, data as text.
        assert reads == {SSCC_READ}
    else:
        assert reads == EXPECTED[kind]


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("kind", list(LABELS))
def test_bars_are_whole_printer_dots(kind, dpi):
    pdf = label_pdf([LABELS[kind]], MEDIA["100x150"], dpi=dpi)
    (page,) = printed(pdf, dpi)
    linear = [read for read in read_barcodes(page) if read.symbology[1] in "CE"]
    assert linear
    for read in linear:
        runs = bar_runs(page, read)
        module = module_width(runs)
        # Every bar and space is a whole number of modules of at least two dots: nothing was
        # rounded to a neighbouring dot.
        assert module >= 2, (read.text, runs)
        if read.symbology == "]C1" and kind == "logistic":
            # GS1 logistic labels: X from 0.495 to 1.016 mm.
            assert 0.495 <= module * 25.4 / dpi <= 1.016


def test_the_sscc_symbol_is_the_lowest_on_the_logistic_label():
    (page,) = printed(label_pdf([LOGISTIC], MEDIA["100x150"]))
    reads = read_barcodes(page)
    sscc = next(read for read in reads if read.text.startswith("00"))
    assert all(read.bottom < sscc.top for read in reads if read is not sscc)
    # GS1: the logistic label's symbols are at least 32 mm tall (here, the SSCC).
    bars_high = _ink_height_at(page, (sscc.left + sscc.right) // 2, sscc.top)
    assert bars_high * 25.4 / 203 >= 31.9


def _ink_height_at(image: Image.Image, column_hint: int, row: int) -> int:
    """The height of the bar through (a dark pixel near) column_hint at row."""
    pixels = image.load()
    column = next(x for x in range(column_hint, image.width) if pixels[x, row] == 0)
    top = row
    while top > 0 and pixels[column, top - 1] == 0:
        top -= 1
    bottom = row
    while bottom < image.height - 1 and pixels[column, bottom + 1] == 0:
        bottom += 1
    return bottom - top + 1


def test_a_batch_prints_one_page_per_label_in_order():
    skus = [
        SkuLabel(sku=f"SKU-{n}", description="Dried mango", gtin=GTIN13, lot=f"L{n}")
        for n in range(12)
    ]
    pdf = label_pdf([*skus, SHIPPING, BIN], MEDIA["100x75"])
    pages = printed(pdf)
    assert len(pages) == 14
    for n, page in enumerate(pages[:12]):
        reads = {read.text for read in read_barcodes(page)}
        assert f"010{GTIN13}10L{n}" in reads
    assert SHIPPING.tracking_number in {read.text for read in read_barcodes(pages[12])}
    assert BIN.code in {read.text for read in read_barcodes(pages[13])}


@pytest.mark.parametrize("media", LABEL_MEDIA)
def test_page_size_is_the_media_to_the_dot(media):
    document = pdfium.PdfDocument(label_pdf([BIN], MEDIA[media], dpi=300))
    width, height = document[0].get_size()
    document.close()
    grid = DotGrid(300)
    assert abs(width * 25.4 / 72 - MEDIA[media].width_mm) < 0.1
    assert abs(height * 25.4 / 72 - MEDIA[media].height_mm) < 0.1
    assert abs(width * 300 / 72 - grid.size(MEDIA[media])[0]) < 1e-3


def test_shelf_strips_put_many_bins_on_a_sheet_and_each_reads_back():
    bins = [
        BinLabel(code=f"KUL1-QUA-{bay:02d}-{level:02d}", check_code=f"{bay * 7 % 97:02d}")
        for bay in range(1, 8)
        for level in range(1, 6)
    ]
    pdf = shelf_strips_pdf(bins, dpi=203)
    pages = printed(pdf)
    save_report(pages[0], "pdf-shelf-strips-A4-203dpi")
    per_page = len(read_barcodes(pages[0]))
    assert per_page >= 16  # a full A4 sheet of strips
    assert len(pages) == -(-len(bins) // per_page)
    read = [r.text for page in pages for r in read_barcodes(page)]
    assert sorted(read) == sorted(b.code for b in bins)


def test_labels_refuse_a_wrong_check_digit_instead_of_printing_another_number():
    for bad, field in [
        (SkuLabel(sku="X", description="x", gtin="8851234567890"), "gtin"),
        (LogisticLabel(sscc="106141411234567890", from_name="A"), "sscc"),
        (
            LogisticLabel(sscc=SSCC, from_name="A", content_gtin="08851234567891", count=1),
            "content_gtin",
        ),
    ]:
        with pytest.raises(InvalidLabelData) as error:
            label_pdf([bad], MEDIA["100x150"])
        assert error.value.field == field
        assert "check digit" in str(error.value)
    with pytest.raises(InvalidLabelData, match="check digit"):
        symbols.ean13("8851234567890")


@pytest.mark.parametrize(
    ("label", "field"),
    [
        (LogisticLabel(sscc=SSCC, from_name="A", content_gtin=GTIN13, count=24, lot="ล็อต"), "lot"),
        (LogisticLabel(sscc=SSCC, from_name="A", content_gtin=GTIN13), "count"),
        (LogisticLabel(sscc="1234", from_name="A"), "sscc"),
        (BinLabel(code="KUL1-A-01", check_code="7"), "check_code"),
        (BinLabel(code="ช่อง-1", check_code="07"), "code"),
        (ShippingLabel(**{**SHIPPING.__dict__, "weight_g": 0}), "weight_g"),
        (ShippingLabel(**{**SHIPPING.__dict__, "tracking_number": "PVK 1\n"}), "tracking_number"),
        (ShippingLabel(**{**SHIPPING.__dict__, "currency": "ringgit"}), "currency"),
    ],
)
def test_bad_label_data_is_refused_naming_the_field(label, field):
    with pytest.raises(InvalidLabelData) as error:
        label_pdf([label], MEDIA["100x150"])
    assert error.value.field == field


def test_media_and_resolution_are_checked():
    with pytest.raises(InvalidLabelData) as error:
        label_pdf([BIN], MEDIA["100x150"], dpi=600)
    assert error.value.field == "dpi"
    with pytest.raises(InvalidLabelData) as error:
        label_pdf([], MEDIA["100x150"])
    assert error.value.field == "labels"
    with pytest.raises(InvalidLabelData) as error:
        label_pdf([SHIPPING], Media("tiny", 40, 20))
    assert error.value.field in {"media", "data"}


def test_tracking_numbers_starting_with_99_keep_their_digits():
    # python-barcode 0.16.1 drops a leading "99" from Code 128; ours must not.
    label = ShippingLabel(**{**SHIPPING.__dict__, "tracking_number": "99123456"})
    (page,) = printed(label_pdf([label], MEDIA["100x150"]))
    assert ("]C0", "99123456") in {(r.symbology, r.text) for r in read_barcodes(page)}


# --- property test: random GS1 data ---------------------------------------------------------------

_LOT_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefxyz0123456789-./_"


def _with_check(digits: str) -> str:
    return digits + str(gs1.check_digit(digits))


gtins = st.text("0123456789", min_size=13, max_size=13).map(_with_check)
gtin13s = st.text("0123456789", min_size=12, max_size=12).map(_with_check)
ssccs = st.text("0123456789", min_size=17, max_size=17).map(_with_check)
dates = st.dates(date(2000, 1, 1), date(2049, 12, 31)).map(gs1.yymmdd)
lots = st.text(_LOT_CHARS, min_size=1, max_size=20)
counts = st.integers(1, 99_999_999).map(str)
orders = st.text(_LOT_CHARS, min_size=1, max_size=30)


@st.composite
def element_strings(draw: st.DrawFn) -> list[Element]:
    """Element strings of the AIs our labels use, in any combination that fits one symbol."""
    candidates = {
        "00": ssccs,
        "01": gtins,
        "17": dates,
        "15": dates,
        "10": lots,
        "21": lots,
        "37": counts,
        "400": orders,
    }
    ais = draw(st.lists(st.sampled_from(sorted(candidates)), min_size=1, max_size=4, unique=True))
    return [Element(ai, draw(candidates[ai])) for ai in ais]


def _symbol_page(symbol: symbols.LinearSymbol, dpi: int = 203) -> Image.Image:
    grid = DotGrid(dpi)
    module = 2
    width_dots = (symbol.width_modules + 40) * module
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=(grid.points(width_dots), grid.points(grid.dots(20))))
    symbols.draw_linear(
        pdf,
        symbol,
        grid=grid,
        x=grid.points(20 * module),
        y=grid.points(8),
        module_dots=module,
        height=12 * mm,
    )
    pdf.showPage()
    pdf.save()
    (page,) = printed(buffer.getvalue(), dpi)
    return page


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(element_strings())
def test_random_gs1_data_reads_back_exactly_with_fnc1_only_where_needed(elements):
    try:
        data = gs1.element_string(*elements)
        symbol = symbols.gs1_128(data)
    except InvalidLabelData as refused:
        assert "48" in str(refused)  # only too long for one symbol
        return
    page = _symbol_page(symbol)
    (read,) = read_barcodes(page)
    assert read.symbology == "]C1"
    assert read.text == data.data
    # A separator follows exactly the variable-length values that are not last.
    assert read.text.count(GS) == sum(1 for e in data.elements[:-1] if not e.fixed_length)
    assert module_width(bar_runs(page, read)) == 2
    assert gs1.parse_hri(data.hri) == data


@settings(max_examples=25, deadline=None)
@given(
    st.one_of(gtin13s, gtins),
    st.one_of(st.none(), lots),
    st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2049, 12, 31))),
)
@example(gtin="0000000000000", lot="0A00000A00000A000", expiry=date(2000, 1, 1))
def test_random_sku_labels_read_back(gtin, lot, expiry):
    label = SkuLabel(sku="SKU-1", description="x", gtin=gtin, lot=lot, expiry=expiry)
    (page,) = printed(label_pdf([label], MEDIA["100x75"]))
    reads = {(r.symbology, r.text) for r in read_barcodes(page)}
    gs1_reads = [text for symbology, text in reads if symbology == "]C1"]
    # One symbol, or (a long lot) two that together carry the same elements.
    read_elements = {
        (e.ai.ai, e.value) for text in gs1_reads for e in GS1Message.parse(text).element_strings
    }
    assert read_elements == {(e.ai, e.value) for e in label.element_string().elements}
    if len(gs1_reads) == 1:
        assert gs1_reads == [label.element_string().data]
    ean = [text for symbology, text in reads if symbology == "]E0"]
    if len(gtin) == 13 or gtin.startswith("0"):
        assert ean == [gtin[-13:]]
    else:
        assert ean == []  # a GTIN-14 with an indicator digit has no EAN-13 form


def test_check_digits_follow_gs1():
    assert gs1.check_digit("400638133393") == 1
    assert gs1.make_sscc(1, "0614141", 123456789) == SSCC
    assert gs1.sscc(SSCC) == SSCC
    assert gs1.gtin("4006381333931") == "04006381333931"
    assert gs1.gln("9551234000010") == "9551234000010"
    with pytest.raises(gs1.GS1Error, match="should be 0") as wrong_gln:
        gs1.gln("9551234000013")
    assert wrong_gln.value.field == "gln"
    ship_to = gs1.element_string(("410", "9551234000010"), ("00", SSCC))
    assert ship_to.data == "4109551234000010" + f"00{SSCC}"  # fixed length: no separator
    with pytest.raises(gs1.GS1Error, match="should be 7"):
        gs1.sscc(SSCC[:-1] + "0")
    with pytest.raises(gs1.GS1Error) as error:
        gs1.make_sscc(1, "0614141", 10**9)
    assert error.value.field == "serial"


def test_element_strings_refuse_what_gs1_does_not_allow():
    for elements, field in [
        ((("01", "08851234567890"),), "ai_01"),
        ((("17", "271332"),), "ai_17"),
        ((("99x", "1"),), "ai"),
        ((("10", "x" * 21),), "ai_10"),
        ((("10", "A"), ("10", "B")), "ai_10"),
        ((("10", "A\x1d21B"),), "ai_10"),
    ]:
        with pytest.raises(gs1.GS1Error) as error:
            gs1.element_string(*elements)
        assert error.value.field == field
    # Fixed-length AIs go first, so only the lot needs a separator, before the count.
    data = gs1.element_string(("10", "L1"), ("37", "5"), ("01", "0" + GTIN13))
    assert data.data == f"010{GTIN13}10L1{GS}375"
    assert data.hri == f"(01)0{GTIN13}(10)L1(37)5"


def test_gs1_qr_reads_as_gs1():
    data = gs1.element_string(("01", "0" + GTIN13), ("10", "L7"), ("21", "S1"))
    matrix = symbols.gs1_qr(data)
    grid = DotGrid(203)
    buffer = io.BytesIO()
    side = (matrix.size_modules + 8) * 4
    pdf = Canvas(buffer, pagesize=(grid.points(side), grid.points(side)))
    symbols.draw_matrix(pdf, matrix, grid=grid, x=grid.points(16), y=grid.points(16), module_dots=4)
    pdf.showPage()
    pdf.save()
    (page,) = printed(buffer.getvalue())
    (read,) = read_barcodes(page)
    assert (read.symbology, read.text) == ("]Q3", data.data)


# --- scripts ------------------------------------------------------------------------------------


def _diff_box(with_mark: Image.Image, without: Image.Image) -> tuple[int, int, int, int]:
    box = ImageChops.difference(with_mark.convert("L"), without.convert("L")).getbbox()
    assert box is not None, "the tone mark drew nothing"
    return box


def _hb_mark_gap_ratio(text: str, shaped: bool) -> float:
    """(bottom of the tone mark − top of its consonant) / consonant height, from HarfBuzz."""
    fonts = register_fonts()
    font = hb.Font(hb.Face(hb.Blob.from_file_path(str(fonts.thai.regular_path))))
    if shaped:
        buffer = hb.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        hb.shape(font, buffer, {})
        glyphs = [
            (info.codepoint, pos.y_offset)
            for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True)
        ]
    else:
        glyphs = [(font.get_nominal_glyph(ord(char)), 0) for char in text]
    consonant, mark = glyphs[1], glyphs[2]
    consonant_extents = font.get_glyph_extents(consonant[0])
    mark_extents = font.get_glyph_extents(mark[0])
    mark_bottom = mark[1] + mark_extents.y_bearing + mark_extents.height
    return (mark_bottom - consonant_extents.y_bearing) / consonant_extents.y_bearing


def test_thai_on_a_label_is_shaped_as_harfbuzz_shapes_it():
    # "แห้ง": the tone mark over a bare consonant takes its low form when shaped. Print the word
    # with and without the mark; the difference is the mark, and where it sits over the
    # consonant must match HarfBuzz's shaping, not the font's unshaped default.
    def page(description: str) -> Image.Image:
        label = SkuLabel(sku="S", description=description, gtin=GTIN13)
        return rasterise_pdf(label_pdf([label], MEDIA["100x150"], dpi=300), 600)[0]

    with_mark, without = page("แห้ง"), page("แหง")
    save_report(with_mark, "pdf-thai-shaping-600dpi")
    left, _top, right, bottom = _diff_box(with_mark, without)
    pixels = without.load()
    # The consonant below the mark: its first inked row under the mark's columns.
    consonant_top = next(
        y
        for y in range(bottom, without.height)
        if any(pixels[x, y] == 0 for x in range(left - 20, right + 20))
    )
    consonant_bottom = next(
        y
        for y in range(consonant_top, without.height)
        if not any(pixels[x, y] == 0 for x in range(left - 20, right + 20))
    )
    measured = (consonant_top - bottom) / (consonant_bottom - consonant_top)
    shaped = _hb_mark_gap_ratio("แห้ง", shaped=True)
    unshaped = _hb_mark_gap_ratio("แห้ง", shaped=False)
    assert abs(measured - shaped) < 0.08, (measured, shaped, unshaped)
    assert abs(measured - unshaped) > 0.25


def test_thai_and_vietnamese_text_extracts_as_written_in_nfc():
    nfd = unicodedata.normalize("NFD", "Xoài sấy dẻo Đà Lạt")
    label = SkuLabel(sku="VN-1", description=f"มะม่วงอบแห้ง {nfd}", gtin=GTIN13)
    document = pdfium.PdfDocument(label_pdf([label], MEDIA["100x75"]))
    text = document[0].get_textpage().get_text_range()
    document.close()
    assert "มะม่วงอบแห้ง" in text
    assert unicodedata.normalize("NFC", nfd) in text
    assert nfd not in text
    # NFD and NFC input print the same dots.
    nfc_label = SkuLabel(sku="VN-1", description="Xoài sấy dẻo Đà Lạt", gtin=GTIN13)
    nfd_label = SkuLabel(sku="VN-1", description=nfd, gtin=GTIN13)
    (a,) = printed(label_pdf([nfc_label], MEDIA["100x75"]))
    (b,) = printed(label_pdf([nfd_label], MEDIA["100x75"]))
    assert ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None


def test_a_heavy_pallet_and_a_long_lot_still_make_a_scannable_logistic_label():
    label = LogisticLabel(
        sscc=SSCC,
        from_name="Siam Fruit",
        content_gtin=GTIN13,
        count=480,
        lot="LOT-2026-11-A-7788",  # too wide for a symbol of its own at X = 0.5 mm
        gross_weight_g=1_234_567,  # 1,234.567 kg: (3302) in tens of grams
    )
    pdf = label_pdf([label], MEDIA["100x150"])
    (page,) = printed(pdf)
    reads = {(r.symbology, r.text) for r in read_barcodes(page)}
    assert SSCC_READ in reads
    content = {
        (e.ai.ai, e.value)
        for symbology, text in reads
        if symbology == "]C1" and not text.startswith("00")
        for e in GS1Message.parse(text).element_strings
    }
    assert content == {("02", "0" + GTIN13), ("3302", "123457"), ("37", "480")}
    document = pdfium.PdfDocument(pdf)
    text = document[0].get_textpage().get_text_range()
    document.close()
    assert "LOT-2026-11-A-7788" in text and "1234.57" in text  # under their data titles


def test_gross_weights_out_of_gs1_range_are_refused():
    with pytest.raises(InvalidLabelData) as error:
        label_pdf(
            [LogisticLabel(sscc=SSCC, from_name="A", gross_weight_g=100_000_000)], MEDIA["A6"]
        )
    assert error.value.field == "gross_weight_g"


@pytest.mark.parametrize("media", LABEL_MEDIA)
def test_long_bin_codes_fit_every_label(media):
    label = BinLabel(code="KUL1-QUA-12-05-B-R2", check_code="93", zone="Quarantine")
    (page,) = printed(label_pdf([label], MEDIA[media]))
    assert ("]C0", label.code) in {(r.symbology, r.text) for r in read_barcodes(page)}

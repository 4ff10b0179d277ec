"""The commercial invoice and packing list of a consignment, read back as a customs broker would.

Text is extracted with PDFium (pypdfium2), which honours the ActualText that shaped Thai
carries; totals are computed here, independently of the library. Page 1 of each document is
rendered to test-reports/ for a human to look at.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate

from labels.customs_documents import (
    SADAO_BUKIT_KAYU_HITAM,
    Carton,
    CartonItem,
    Consignee,
    CustomsDocument,
    ExchangeRate,
    Exporter,
    InvalidCustomsData,
    InvoiceLine,
    ShipmentMode,
    commercial_invoice_pdf,
    packing_list_pdf,
)
from labels.fonts import FontFiles, FontNotFoundError, FontSet, register_fonts

REPORTS = Path(__file__).resolve().parents[2] / "test-reports"
CENT = Decimal("0.01")

EXPORTER = Exporter(
    name_th="บริษัท สยามฟรุ๊ต จำกัด",
    name_en="Siam Fruit Co., Ltd.",
    address="99/9 ถนนพหลโยธิน แขวงสามเสนใน เขตพญาไท กรุงเทพมหานคร 10400",
    tax_id="0105561234567",
)
KUL1 = Consignee(
    name="Pavilion Fulfillment (KUL1) Sdn. Bhd.",
    address="Lot 12, Jalan Perindustrian Puchong 3\n47100 Puchong, Selangor",
    country="MY",
)
MYR = ExchangeRate(
    currency="MYR", rate=Decimal("0.1285"), recorded_on=date(2026, 3, 2), source="Bank of Thailand"
)
# (English, Thai, HS code, unit, net grams per unit): Thai with stacked tone marks and sara am.
PRODUCTS = [
    ("Dried mango 500 g", "มะม่วงอบแห้ง 500 กรัม", "0813.40.90", "PCS", 500),
    ("Durian chips 100 g", "ทุเรียนทอดกรอบ 100 กรัม", "2008.99.90", "PCS", 100),
    ("Roasted chili paste", "น้ำพริกเผา ตราแม่ศรี", "2103.90.90", "PCS", 250),
    ("Thai tea mix 400 g", "ชาไทยปรุงสำเร็จ 400 กรัม", "2101.20.90", "BOX", 400),
    ("Jasmine rice 1 kg", "ข้าวหอมมะลิ 1 กิโลกรัม", "1006.30.30", "PCS", 1000),
    ("Herbal soap", "สบู่สมุนไพร ขมิ้นชัน", "3401.11.40", "PCS", 90),
    ("Thai silk scarf", "ผ้าพันคอไหมไทย ทอมือ", "6214.10.10", "PCS", 60),
]
TARE_G = 450


def sscc(serial: int) -> str:
    """An SSCC under a Thai company prefix (885), check digit by GS1 mod 10."""
    body = f"0885123456{serial:07d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def make_line(number: int, quantity: int, unit_value: Decimal, rate: ExchangeRate) -> InvoiceLine:
    english, thai, hs_code, unit, grams = PRODUCTS[number % len(PRODUCTS)]
    total = (unit_value * quantity).quantize(CENT, rounding=ROUND_HALF_UP)
    return InvoiceLine(
        sku_code=f"SF-{number:04d}",
        description_en=english,
        description_th=thai,
        hs_code=hs_code,
        quantity=quantity,
        unit=unit,
        unit_value_thb=unit_value,
        total_thb=total,
        total_fc=(total * rate.rate).quantize(CENT, rounding=ROUND_HALF_UP),
        net_weight_g=quantity * grams,
        lot=f"L26{number:04d}",
        expiry=date(2026, 9, 1) + timedelta(days=number),
    )


def pack(lines: list[InvoiceLine], capacity: int = 150) -> list[Carton]:
    """Fill cartons of `capacity` units in line order: lines split and cartons mix."""
    grams = {line.sku_code: line.net_weight_g // line.quantity for line in lines}
    cartons: list[list[CartonItem]] = [[]]
    room = capacity
    for line in lines:
        left = line.quantity
        while left:
            if room == 0:
                cartons.append([])
                room = capacity
            take = min(left, room)
            cartons[-1].append(CartonItem(line.sku_code, line.lot, take))
            left -= take
            room -= take
    return [
        Carton(
            sscc=sscc(1 + i),
            contents=tuple(items),
            gross_weight_g=TARE_G + sum(item.quantity * grams[item.sku_code] for item in items),
            length_mm=600,
            width_mm=400,
            height_mm=355 + i % 3 * 5,
        )
        for i, items in enumerate(cartons)
    ]


def consignment(lines: list[InvoiceLine], **changes: object) -> CustomsDocument:
    fields: dict[str, object] = {
        "reference": "CN-2026-000731",
        "issued_on": date(2026, 3, 2),
        "exporter": EXPORTER,
        "consignee": KUL1,
        "mode": ShipmentMode.ROAD,
        "route": SADAO_BUKIT_KAYU_HITAM,
        "carrier": "Kerry Logistics (cross-border trucking)",
        "tracking_number": "KLTHMY260302118",
        "eta": date(2026, 3, 5),
        "exchange_rate": MYR,
        "lines": tuple(lines),
        "cartons": tuple(pack(lines)),
        "form_d_reference": "TH-MY-2026-D-0048812",
        "customs_declaration_number": "K1-B10-2026-0031177",
        "incoterms": "DAP Bukit Kayu Hitam",
    }
    return CustomsDocument(**{**fields, **changes})


LONG_LINES = [
    make_line(n, quantity=12 * (1 + n % 9), unit_value=Decimal("35.75") + n, rate=MYR)
    for n in range(1, 121)
]


@pytest.fixture(scope="module")
def fonts() -> FontSet:
    return register_fonts()


@pytest.fixture(scope="module")
def long_consignment() -> CustomsDocument:
    return consignment(LONG_LINES)


@pytest.fixture(scope="module")
def invoice(long_consignment, fonts) -> list[str]:
    data = commercial_invoice_pdf(long_consignment, fonts)
    attach_first_page(data, "commercial-invoice-page1.png")
    return page_texts(data)


@pytest.fixture(scope="module")
def packing_list(long_consignment, fonts) -> list[str]:
    data = packing_list_pdf(long_consignment, fonts)
    attach_first_page(data, "packing-list-page1.png")
    return page_texts(data)


def page_texts(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    pdf = pdfium.PdfDocument(data)
    try:
        texts = []
        for page in pdf:
            assert (round(page.get_width()), round(page.get_height())) == (595, 842)  # A4
            texts.append(page.get_textpage().get_text_range().replace("\r\n", "\n"))
        return texts
    finally:
        pdf.close()


def attach_first_page(data: bytes, name: str) -> None:
    pdf = pdfium.PdfDocument(data)
    try:
        image = pdf[0].render(scale=150 / 72).to_pil()
    finally:
        pdf.close()
    REPORTS.mkdir(exist_ok=True)
    image.save(REPORTS / name)


def money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def kg(grams: int) -> str:
    return f"{Decimal(grams) / 1000:,.3f}"


# --- the commercial invoice ---------------------------------------------------------------------


def test_long_invoice_flows_over_pages_with_header_and_page_numbers(invoice):
    pages = len(invoice)
    # 120 lines of at least two text lines each cannot fit on fewer than 4 A4 pages.
    assert pages >= 4
    with_lines = [number for number, text in enumerate(invoice, 1) if re.search(r"SF-\d{4} ", text)]
    assert with_lines == list(range(1, len(with_lines) + 1))  # no blank page inside the table
    for number, text in enumerate(invoice, start=1):
        assert f"Page {number} of {pages}" in text
        assert "Commercial invoice CN-2026-000731" in text
        header = " ".join(text.split())  # header cells may wrap inside their column
        if number in with_lines:
            assert "HS code" in header and "Unit value THB" in header and "Total MYR" in header


def test_every_line_is_on_the_invoice_exactly_once(invoice):
    text = "\n".join(invoice)
    for line in LONG_LINES:
        assert text.count(f"{line.sku_code} ") == 1, line.sku_code
        assert line.lot in text


def test_invoice_shows_references_and_independently_computed_totals(invoice, long_consignment):
    text = "\n".join(invoice)
    for reference in [
        "CN-2026-000731",
        "TH-MY-2026-D-0048812",  # ATIGA Form D
        "K1-B10-2026-0031177",  # customs declaration
        "KLTHMY260302118",
        "Kerry Logistics",
        "Bukit Kayu Hitam",
        "0105561234567",  # exporter's tax id
        "2026-03-05",  # ETA
        "1 THB = 0.1285 MYR",
    ]:
        assert reference in text, reference
    for line in LONG_LINES:
        assert line.hs_code in text

    total_thb = sum(line.unit_value_thb * line.quantity for line in LONG_LINES)
    total_myr = sum(
        (line.unit_value_thb * line.quantity * Decimal("0.1285")).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
        for line in LONG_LINES
    )
    pieces = sum(line.quantity for line in LONG_LINES if line.unit == "PCS")
    boxes = sum(line.quantity for line in LONG_LINES if line.unit == "BOX")
    net_g = sum(
        line.quantity * PRODUCTS[n % len(PRODUCTS)][4] for n, line in enumerate(LONG_LINES, 1)
    )
    last_page = invoice[-1]
    assert f"Total invoice value: THB {money(total_thb)} = MYR {money(total_myr)}" in last_page
    assert f"{pieces:,} PCS" in last_page and f"{boxes:,} BOX" in last_page
    assert f"Net weight {kg(net_g)} kg" in last_page
    gross_g = sum(carton.gross_weight_g for carton in long_consignment.cartons)
    assert f"Gross weight {kg(gross_g)} kg in {len(long_consignment.cartons)} cartons" in last_page


def test_values_round_half_up_and_unit_values_keep_their_places(fonts):
    # 10.00 THB at 0.1285 is 1.285 MYR: half up gives 1.29 where banker's rounding gives 1.28.
    line = make_line(1, quantity=1, unit_value=Decimal("10.00"), rate=MYR)
    assert line.total_fc == Decimal("1.29")
    # 3 × 0.125 THB is 0.375 THB: the invoice shows 0.125 each and 0.38 in all.
    cheap = make_line(2, quantity=3, unit_value=Decimal("0.125"), rate=MYR)
    assert cheap.total_thb == Decimal("0.38")
    pages = page_texts(commercial_invoice_pdf(consignment([line, cheap]), fonts))
    text = " ".join(" ".join(pages).split())
    assert "3 PCS 0.125 0.38 0.05" in text  # 0.38 × 0.1285 = 0.04883
    assert "1 PCS 10.00 10.00 1.29" in text
    assert "THB 10.38 = MYR 1.34" in text
    assert "1.28" not in text
    banker = (line.total_thb * MYR.rate).quantize(CENT, rounding=ROUND_HALF_EVEN)
    with pytest.raises(InvalidCustomsData, match=r"= 1\.29"):
        consignment([replace(line, total_fc=banker)])


# --- the packing list ---------------------------------------------------------------------------


def test_packing_list_lists_every_sscc_once_with_totals(packing_list, long_consignment):
    pages = len(packing_list)
    assert pages >= 2
    for number, text in enumerate(packing_list, start=1):
        assert f"Page {number} of {pages}" in text
        assert "Packing list CN-2026-000731" in text
        if re.search(r"SF-\d{4} ", text):
            assert "SSCC (00)" in text and "Gross kg" in text
    text = "\n".join(packing_list)
    cartons = long_consignment.cartons
    assert any(len(carton.contents) > 1 for carton in cartons)  # mixed cartons are drawn too
    for carton in cartons:
        assert text.count(carton.sscc) == 1, carton.sscc
    count = len(cartons)
    assert f"1 of {count}" in packing_list[0] and f"{count} of {count}" in text

    gross_g = sum(carton.gross_weight_g for carton in cartons)
    volume_mm3 = sum(c.length_mm * c.width_mm * c.height_mm for c in cartons)
    volume = (Decimal(volume_mm3) / 10**9).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    pieces = sum(line.quantity for line in LONG_LINES if line.unit == "PCS")
    boxes = sum(line.quantity for line in LONG_LINES if line.unit == "BOX")
    net_g = sum(line.net_weight_g for line in LONG_LINES)
    summary = (
        f"{count} cartons, {pieces:,} PCS, {boxes:,} BOX. Net weight {kg(net_g)} kg, "
        f"gross weight {kg(gross_g)} kg, volume {volume} m³."
    )
    assert summary in " ".join(packing_list[-1].split())


def test_a_cartons_rows_stay_on_one_page(packing_list, long_consignment):
    for carton in long_consignment.cartons:
        [page] = [text for text in packing_list if carton.sscc in text]
        for item in carton.contents:
            assert f"{item.sku_code} " in page and item.lot in page, carton.sscc


def test_a_carton_too_long_for_a_page_names_itself_on_every_page(fonts):
    lines = LONG_LINES[:45]
    [carton] = pack(lines, capacity=10**6)
    pages = page_texts(packing_list_pdf(consignment(lines, cartons=(carton,)), fonts))
    assert len(pages) >= 2
    for text in pages:
        if re.search(r"SF-\d{4} ", text):
            assert carton.sscc in text and "1 of 1" in text
    text = "\n".join(pages)
    for line in lines:
        assert text.count(f"{line.sku_code} ") == 1


def test_the_same_consignment_gives_the_same_bytes(fonts):
    document = consignment(LONG_LINES[:3])
    assert packing_list_pdf(document, fonts) == packing_list_pdf(document, fonts)
    assert commercial_invoice_pdf(document, fonts) == commercial_invoice_pdf(document, fonts)


# --- scripts ------------------------------------------------------------------------------------


def test_thai_names_extract_as_the_same_characters(invoice, packing_list):
    for text in (invoice[0], packing_list[0]):
        assert "บริษัท สยามฟรุ๊ต จำกัด" in text
        assert "99/9 ถนนพหลโยธิน แขวงสามเสนใน เขตพญาไท กรุงเทพมหานคร 10400" in text
    assert "ใบกำกับสินค้า" in invoice[0] and "ใบกำกับหีบห่อ" in packing_list[0]
    text = "\n".join(invoice)
    for _english, thai, *_ in PRODUCTS:
        assert thai in text
    assert "\ufffd" not in text and not re.search("[\ue000-\uf8ff]", text)


def test_thai_paragraphs_are_shaped_and_latin_ones_are_not(fonts):
    style = ParagraphStyle("t", fontName=fonts.latin.regular, fontSize=9)
    assert fonts.paragraph("น้ำพริกเผา 250 g", style).style.shaping == 1
    assert not getattr(fonts.paragraph("Roasted chili paste", style).style, "shaping", 0)


def ink_top(paragraph: Paragraph) -> int:
    """The first pixel row, from the top of the page, with ink, for a paragraph set on A4."""
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, invariant=True).build([paragraph])
    pdf = pdfium.PdfDocument(buffer.getvalue())
    try:
        image = pdf[0].render(scale=4, grayscale=True).to_pil()
    finally:
        pdf.close()
    width, height = image.size
    pixels = image.load()
    for y in range(height):
        if any(pixels[x, y] < 128 for x in range(width // 2)):
            return y
    raise AssertionError("nothing drawn")


def test_tone_mark_over_a_bare_consonant_is_drawn_low_when_shaped(fonts):
    # Loma's default mai tho sits high, where it belongs over an upper vowel; over a bare
    # consonant the shaper swaps in the low form. Same word, same place: only the mark moves.
    style = ParagraphStyle("word", fontName=fonts.thai.regular, fontSize=40, leading=48)
    assert style.shaping == 0
    shaped, unshaped = fonts.paragraph("แห้ง", style), Paragraph("แห้ง", style)
    assert ink_top(shaped) - ink_top(unshaped) >= 8  # pixels at 288 dpi: 2 pt lower or more
    # Without the tone mark both ways draw the same top: the difference above is the mark's.
    assert ink_top(fonts.paragraph("แหง", style)) == ink_top(Paragraph("แหง", style))


def test_vietnamese_is_written_in_nfc(fonts):
    nfd_address = unicodedata.normalize("NFD", "Đường Nguyễn Huệ, Quận 1, Thành phố Hồ Chí Minh")
    nfd_name = unicodedata.normalize("NFD", "Công ty TNHH Pavilion Việt Nam")
    assert nfd_address != unicodedata.normalize("NFC", nfd_address)
    vnd = ExchangeRate(currency="VND", rate=Decimal("745.12"), recorded_on=date(2026, 3, 2))
    lines = [make_line(n, quantity=24, unit_value=Decimal("59.00"), rate=vnd) for n in (1, 2)]
    document = consignment(
        lines,
        consignee=Consignee(name=nfd_name, address=nfd_address, country="VN"),
        exchange_rate=vnd,
        mode=ShipmentMode.SEA,
        route="Laem Chabang (TH) → Cat Lai, Ho Chi Minh City (VN)",
        incoterms=None,
        customs_declaration_number=None,
    )
    text = "\n".join(page_texts(commercial_invoice_pdf(document, fonts)))
    assert unicodedata.normalize("NFC", nfd_address) in text
    assert "Công ty TNHH Pavilion Việt Nam" in text
    assert "Viet Nam (VN)" in text and "Total VND" in text
    assert money(sum(line.total_fc for line in lines)) in text


# --- refusing paperwork that does not add up ----------------------------------------------------


def test_refuses_a_line_total_that_is_not_quantity_times_unit_value():
    line = LONG_LINES[0]
    with pytest.raises(InvalidCustomsData, match="quantity × unit value"):
        replace(line, total_thb=line.total_thb + CENT)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hs_code": "0813"}, "HS code"),
        ({"quantity": 0}, "quantity"),
        ({"net_weight_g": -5}, "net weight"),
    ],
)
def test_refuses_bad_lines(change, message):
    with pytest.raises(InvalidCustomsData, match=message):
        replace(LONG_LINES[0], **change)


def test_refuses_a_wrong_sscc_check_digit():
    good = sscc(42)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(InvalidCustomsData, match="check digit"):
        Carton(bad, (CartonItem("SF-0001", "L260001", 1),), 1000, 300, 200, 100)


def test_refuses_cartons_that_do_not_hold_the_invoiced_goods():
    lines = LONG_LINES[:3]
    cartons = pack(lines)
    short = replace(cartons[0], contents=(replace(cartons[0].contents[0], quantity=1),))
    with pytest.raises(InvalidCustomsData, match="packed in cartons"):
        consignment(lines, cartons=(short, *cartons[1:]))
    with pytest.raises(InvalidCustomsData, match="more than one carton"):
        consignment(lines, cartons=(*cartons, cartons[0]))
    stray = replace(cartons[0], contents=(*cartons[0].contents, CartonItem("SF-9999", None, 1)))
    with pytest.raises(InvalidCustomsData, match="no invoice line"):
        consignment(lines, cartons=(stray, *cartons[1:]))


# --- fonts --------------------------------------------------------------------------------------


def test_missing_fonts_are_named_with_their_debian_package(tmp_path, fonts):
    with pytest.raises(FontNotFoundError, match="fonts-dejavu-core") as error:
        register_fonts([tmp_path])
    assert "DejaVu Sans" in str(error.value)

    os.symlink(fonts.latin.regular_path, tmp_path / fonts.latin.regular_path.name)
    with pytest.raises(FontNotFoundError, match="fonts-thai-tlwg") as error:
        register_fonts([tmp_path])
    assert "Loma" in str(error.value) and "Thai" in str(error.value)


def test_fonts_are_registered_once(fonts):
    assert register_fonts() is fonts
    assert fonts.thai.family in {"Loma", "Garuda", "Norasi", "Noto Sans Thai"}


def test_explicit_font_files_take_precedence(tmp_path, fonts):
    explicit = register_fonts(
        [tmp_path],
        latin=FontFiles(fonts.latin.regular_path, fonts.latin.bold_path),
        thai=FontFiles(fonts.thai.regular_path),
    )
    assert explicit.latin.regular_path == fonts.latin.regular_path
    assert explicit.thai.bold_path == fonts.thai.regular_path  # no bold given: regular is used
    with pytest.raises(FontNotFoundError, match="does not exist"):
        register_fonts([tmp_path], latin=FontFiles(tmp_path / "missing.ttf"))
    dejavu = FontFiles(fonts.latin.regular_path)
    with pytest.raises(FontNotFoundError, match=r"Thai font .* lacks"):  # DejaVu has no Thai
        register_fonts([tmp_path], latin=dejavu, thai=dejavu)

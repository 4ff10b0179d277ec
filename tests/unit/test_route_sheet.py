"""The driver's route sheet: read back as a driver and a scanner would. The text (Thai and
Vietnamese addresses included) is extracted from the PDF, and every parcel's barcode is decoded
from the pages printed at 300 dpi, one bit per pixel, with bars on whole dots."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from PIL import Image

from labels.errors import InvalidLabelData
from labels.raster import rasterise_pdf
from labels.route_sheet import RouteSheet, SheetParcel, SheetStop, route_sheet_pdf
from tests.label_reading import Read, bar_runs, module_width, read_barcodes, save_report

ADDRESSES = [
    ("สมศรี ใจดี", "99/1 ถนนสุขุมวิท แขวงคลองเตย\n10110 กรุงเทพมหานคร"),
    ("Nguyễn Thị Hương", "12 Đường Lê Lợi, Quận 1\nTP. Hồ Chí Minh"),
    ("Tan Wei Ming", "8 Jalan SS2/24\n47300 Petaling Jaya"),
]


def _stop(number: int, parcels: int = 1, cod: str = "0") -> SheetStop:
    name, address = ADDRESSES[(number - 1) % len(ADDRESSES)]
    return SheetStop(
        number=number,
        order_reference=f"SO-KUL1-{number:07d}",
        recipient_name=name,
        phone=f"+60 12-345 {number:04d}",
        address=address,
        arrival=time(8 + number // 6, (number * 7) % 60),
        parcels=tuple(
            SheetParcel(f"PVK{number:05d}{index:05d}", 0.5 + index) for index in range(parcels)
        ),
        window=(time(9), time(12)) if number % 2 == 0 else None,
        cod_amount=Decimal(cod),
    )


def sheet(stops: int = 3) -> RouteSheet:
    return RouteSheet(
        fc_name="Pavilion KUL1 Shah Alam",
        fc_code="KUL1",
        delivery_date=date(2026, 12, 5),
        plan_reference="DP-KUL1-000042",
        route_number=2,
        vehicle_name="Van 1 · Toyota Hiace",
        vehicle_plate="BNM 4512",
        driver_name="Ahmad Faizal bin Osman",
        driver_phone="+60 12-318 4470",
        leave=time(8),
        back=time(15, 45),
        distance_km=87.35,
        currency="MYR",
        stops=tuple(
            _stop(n, parcels=2 if n == 2 else 1, cod="129.00" if n % 3 == 1 else "0")
            for n in range(1, stops + 1)
        ),
    )


def scanned(image: Image.Image) -> list[Read]:
    """The barcodes a scanner reads off the printed page, at the print's own resolution."""
    return read_barcodes(image.convert("L"), try_downscale=False)


def texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in document]
    finally:
        document.close()


def test_the_sheet_says_where_who_when_and_how_much_for_every_stop():
    made = sheet()
    pdf = route_sheet_pdf(made)
    assert pdf.startswith(b"%PDF-")
    (text,) = texts(pdf)
    flat = " ".join(text.split())
    for expected in (
        "Route sheet · route 2",
        "DP-KUL1-000042",
        "Pavilion KUL1 Shah Alam (KUL1)",
        "2026-12-05",
        "Van 1 · Toyota Hiace",
        "BNM 4512",
        "Ahmad Faizal bin Osman",
        "+60 12-318 4470",
        "08:00 – 15:45",
        "87.3 km",
        "3 / 4",  # stops / parcels
        "MYR 129.00",
        "Total: 3 stops, 4 parcels",
    ):
        assert expected in flat, expected
    # Thai is shaped and still extracts as the same text; Vietnamese keeps its letters.
    assert "สมศรี ใจดี" in text
    assert "99/1 ถนนสุขุมวิท แขวงคลองเตย" in text
    assert "Nguyễn Thị Hương" in text and "12 Đường Lê Lợi, Quận 1" in text
    # Each stop: its number, window (or any time), planned arrival, and the order.
    assert "Window 09:00–12:00" in flat and "Window any time" in flat
    for stop in made.stops:
        assert f"Arrive {stop.arrival:%H:%M}" in flat
        assert stop.order_reference in flat
    assert flat.index("สมศรี") < flat.index("Nguyễn") < flat.index("Tan Wei Ming")


def test_every_parcel_barcode_scans_and_its_bars_are_whole_dots():
    made = sheet(4)
    pdf = route_sheet_pdf(made, dpi=300)
    (page,) = rasterise_pdf(pdf, 300)
    save_report(page, "route-sheet")
    reads = scanned(page)
    expected = {p.tracking_number for stop in made.stops for p in stop.parcels}
    assert {read.text for read in reads} == expected
    assert {read.symbology for read in reads} == {"]C0"}
    for read in reads:
        # 0.33 mm modules are 4 dots at 300 dpi; every bar and space a multiple of it.
        runs = bar_runs(page, read)
        assert module_width(runs) == 4
    # Stops in driving order down the page: their barcodes too.
    by_stop = sorted(reads, key=lambda read: read.top)
    assert [read.text for read in by_stop][:3] == [
        "PVK0000100000",
        "PVK0000200000",
        "PVK0000200001",
    ]


def test_a_long_route_runs_over_pages_with_the_header_on_each_and_totals_at_the_end():
    made = sheet(30)
    pdf = route_sheet_pdf(made, paper="Letter")
    pages = texts(pdf)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "Recipient, phone, address" in text
        assert f"Page {number} of {len(pages)}" in text
        assert "Route sheet DP-KUL1-000042 route 2 · BNM 4512" in text
    assert "Total: 30 stops, 31 parcels" in " ".join(pages[-1].split())
    assert "MYR 1,290.00" in " ".join(pages[-1].split())
    decoded = [read.text for page in rasterise_pdf(pdf, 300) for read in scanned(page)]
    assert sorted(decoded) == sorted(p.tracking_number for s in made.stops for p in s.parcels)


def test_a_driver_not_yet_chosen_and_no_cash_read_as_such():
    made = replace(
        sheet(1),
        driver_name=None,
        driver_phone=None,
        stops=(replace(_stop(1), cod_amount=Decimal("0")),),
    )
    flat = " ".join(texts(route_sheet_pdf(made))[0].split())
    assert "Driver —" in flat
    assert "MYR 0.00" in flat


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"currency": "RM"}, "currency"),
        ({"stops": ()}, "stops"),
        ({"stops": (_stop(2),)}, "stops"),
        ({"stops": (_stop(1), _stop(1))}, "stops"),
    ],
)
def test_a_sheet_that_would_mislead_the_driver_is_refused(change, field):
    with pytest.raises(InvalidLabelData) as refused:
        replace(sheet(1), **change)
    assert refused.value.field == field


def test_a_parcel_twice_a_cash_amount_in_fractions_of_a_cent_or_a_bad_barcode_are_refused():
    twice = replace(_stop(2), parcels=(SheetParcel("PVK0000100000"),))
    with pytest.raises(InvalidLabelData) as refused:
        replace(sheet(1), stops=(_stop(1), twice))
    assert refused.value.field == "tracking_number"
    with pytest.raises(InvalidLabelData) as refused:
        replace(_stop(1), cod_amount=Decimal("1.005"))
    assert refused.value.field == "cod_amount"
    with pytest.raises(InvalidLabelData) as refused:
        SheetParcel("ไทย123")
    assert refused.value.field == "tracking_number"
    with pytest.raises(InvalidLabelData) as refused:
        replace(_stop(1), parcels=())
    assert refused.value.field == "parcels"
    with pytest.raises(InvalidLabelData) as refused:
        route_sheet_pdf(sheet(1), paper="A6")
    assert refused.value.field == "paper"
    with pytest.raises(InvalidLabelData) as refused:
        route_sheet_pdf(sheet(1), dpi=203)
    assert refused.value.field == "dpi"

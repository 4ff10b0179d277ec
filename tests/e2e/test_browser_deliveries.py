"""Delivery routes in a real browser: a manager plans tomorrow's deliveries from KUL1, reads the
preview on the map and in the route tables, moves a stop to another route, chooses the drivers,
dispatches, and downloads a route sheet whose PDF is read back (text and a decoded barcode)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import Page, expect

from labels.raster import rasterise_pdf
from tests import outbound
from tests.api import MANAGER_KUL1
from tests.conftest import settings_for
from tests.deliveries import tomorrow
from tests.e2e.test_browser import log_in
from tests.label_reading import read_barcodes
from wms.app import create_app
from wms.bootstrap import EXTENSION
from wms.services import deliveries

pytestmark = pytest.mark.browser


def _plan_as_stored(database_url: str, plan_id: int) -> dict:  # type: ignore[type-arg]
    app = create_app(settings_for(database_url))
    uow = app.extensions[EXTENSION].uow()
    try:
        return deliveries.get_plan(uow, outbound.actor(uow, MANAGER_KUL1), plan_id)
    finally:
        engine = app.extensions[EXTENSION].engine
        if engine is not None:
            engine.dispose()


def test_manager_plans_moves_assigns_dispatches_and_prints_a_route_sheet(
    live_server: str,
    demo_database_url: str,
    page: Page,
    screenshot: Callable[[str], Path],
    tmp_path: Path,
):
    errors = log_in(page, live_server, MANAGER_KUL1)
    expect(page).to_have_url(re.compile(r"/fcs/\d+$"))
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Deliveries", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deliveries from KUL1")
    expect(page.locator('#waiting [data-figure="parcels"]')).to_have_text("40")

    # Plan tomorrow with four of the five vehicles, a driver already chosen for the first van.
    page.get_by_label("Delivery day").fill(tomorrow().isoformat())
    page.get_by_role("checkbox", name="Van 3 · Daihatsu Gran Max").uncheck()
    page.get_by_label("Driver of Van 1 · Toyota Hiace").select_option(
        label="Ahmad Faizal bin Osman"
    )
    page.get_by_label("Fewest vehicles").check()
    page.get_by_label("Time limit for the planner (seconds)").fill("2")
    screenshot("manager-plan-deliveries")
    page.get_by_role("button", name="Plan the routes").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Delivery plan DP-KUL1-")
    expect(heading).to_contain_text("Draft (preview)")
    plan_id = int(re.search(r"/delivery-plans/(\d+)$", page.url).group(1))
    expect(page.locator(".alert-success")).to_contain_text("Planned 40 stops on")
    expect(page.locator('[data-figure="stops"]')).to_have_text("40")

    # The map: the FC, every stop as a dot, one line per route, and a legend.
    drawing = page.get_by_role("img", name=re.compile(r"^Routes of plan DP-KUL1-"))
    expect(drawing).to_be_visible()
    expect(drawing.locator("g.stop")).to_have_count(40)
    routes = drawing.locator("g.route")
    used = routes.count()
    assert used >= 1
    expect(drawing.locator("polyline.route-line")).to_have_count(used)
    expect(page.locator("#map-legend li[data-route]")).to_have_count(used)
    box = drawing.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 300
    # The tables: a row per stop with its arrival time.
    rows = page.locator("table.stops tbody tr")
    expect(rows).to_have_count(40)
    for arrival in page.locator('table.stops [data-figure="arrival"]').all_inner_texts():
        assert re.fullmatch(r"\d\d:\d\d", arrival)
    assert "Van 3 · Daihatsu Gran Max" not in page.locator("#map-legend").inner_text()
    screenshot("manager-delivery-plan-preview")

    # Move the first stop of the first route to the top of another route.
    first_table = page.locator("table.stops").first
    source_number = first_table.get_attribute("data-route")
    moving = first_table.locator("tbody tr").first
    stop_id = moving.get_attribute("data-stop-id")
    recipient = moving.locator("th").inner_text().splitlines()[0]
    options = moving.locator("select option").all()
    target = next(
        option
        for option in options
        if option.get_attribute("value") != "off" and option.get_attribute("selected") is None
    )
    target_label = target.inner_text()
    target_number = re.match(r"Route (\d+)", target_label).group(1)
    moving.locator("select").select_option(label=target_label)
    moving.get_by_label(f"Place on the route for {recipient}").fill("1")
    moving.get_by_role("button", name="Move").click()
    expect(page.locator(".alert-success")).to_contain_text("The stop is moved")
    moved_row = page.locator(f'table.stops[data-route="{target_number}"] tbody tr').first
    expect(moved_row).to_have_attribute("data-stop-id", str(stop_id))
    expect(moved_row.locator('[data-figure="sequence"]')).to_have_text("1")
    expect(
        page.locator(f'table.stops[data-route="{source_number}"] tr[data-stop-id="{stop_id}"]')
    ).to_have_count(0)
    screenshot("manager-delivery-stop-moved")

    # Drivers for every route, then dispatch.
    selects = page.locator("#drivers-form select")
    taken: list[str] = []
    for index in range(selects.count()):
        select = selects.nth(index)
        choice = next(
            option.get_attribute("value")
            for option in select.locator("option").all()
            if option.get_attribute("value") and option.get_attribute("value") not in taken
        )
        select.select_option(value=choice)
        taken.append(str(choice))
    page.get_by_role("button", name="Save the drivers").click()
    expect(page.locator(".alert-success")).to_contain_text("The drivers are saved.")
    expect(page.locator('[data-figure="driver"]', has_text="not chosen yet")).to_have_count(0)
    page.get_by_role("button", name="Dispatch to the drivers").click()
    expect(page.locator(".alert-success")).to_contain_text("is dispatched")
    expect(heading).to_contain_text("Dispatched")
    expect(page.get_by_role("button", name="Move")).to_have_count(0)
    screenshot("manager-delivery-dispatched")

    # The route sheet of the route the stop moved to: read as a driver and as a scanner.
    article = page.locator(f'article[data-route="{target_number}"]')
    with page.expect_download() as download:
        article.get_by_role("link", name="Route sheet (PDF)").click()
    path = tmp_path / "route-sheet.pdf"
    download.value.save_as(path)
    pdf = path.read_bytes()
    stored = _plan_as_stored(demo_database_url, plan_id)
    route = next(r for r in stored["routes"] if str(r["number"]) == target_number)
    document = pdfium.PdfDocument(pdf)
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()
    flat = " ".join(text.split())
    assert f"Route sheet · route {target_number}" in flat
    assert route["driver"]["name"] in flat and route["vehicle"]["plate"] in flat
    assert recipient in flat
    places = [flat.index(stop["order_reference"]) for stop in route["stops"]]
    assert places == sorted(places)  # the stops in driving order
    expected = {number for stop in route["stops"] for number in stop["tracking_numbers"]}
    decoded = {
        read.text
        for image in rasterise_pdf(pdf, 300)
        for read in read_barcodes(image.convert("L"), try_downscale=False)
    }
    assert decoded == expected and len(decoded) == len(route["stops"])
    assert errors == []

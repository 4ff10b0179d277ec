"""Picking, packing and shipping on the scanner pages, in headless Chromium at a handheld's
width, driven like a keyboard-wedge scanner: codes typed into whatever has the focus, then Enter;
no mouse clicks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import sessionmaker

from tests import outbound
from tests.api import MANAGER_KUL1, SIAMFRUIT, STAFF_KUL1
from tests.e2e.test_browser import log_in
from tests.e2e.test_browser_scanner import ready, scan, unexpected
from tests.integration.test_scanner_outbound import clear_waiting_orders
from wms.db.session import make_engine
from wms.db.unit_of_work import UnitOfWork

pytestmark = pytest.mark.browser

HANDHELD = {"width": 360, "height": 740}
SHORT_SKU = "SF-TAMARIND-250"
EMPTY_SKU = "SF-MANGO-200"
TOTE = "T7001"


@pytest.fixture
def released_order(demo_database_url: str) -> Iterator[dict[str, Any]]:
    """One J&T order at KUL1 (two tamarind, one mango) alone in a released wave."""
    engine = make_engine(demo_database_url)
    uow = UnitOfWork(sessionmaker(bind=engine, expire_on_commit=False))
    manager = outbound.actor(uow, MANAGER_KUL1)
    fc_id, _, _ = outbound.ids(uow, "KUL1", "JNT", "SIAMFRUIT")
    clear_waiting_orders(uow, manager, fc_id)
    order = outbound.place_order(uow, outbound.actor(uow, SIAMFRUIT), {SHORT_SKU: 2, EMPTY_SKU: 1})
    outbound.planned_wave(uow, manager)
    yield order
    engine.dispose()


def gtins(page: Page, base_url: str, token: str) -> dict[str, str]:
    """The merchant's GTINs by SKU code (via the API)."""
    listed = page.request.get(
        f"{base_url}/api/v1/skus?page_size=100", headers={"Authorization": f"Bearer {token}"}
    )
    assert listed.ok, listed.text()
    return {sku["code"]: sku["gtin"] for sku in listed.json()["items"]}


def item_label(gtin: str, lot: str, expiry: str) -> str:
    """The GS1-128 label a scanner reads: AIM id, GTIN-14, expiry, then the lot."""
    return f"]C101{gtin.zfill(14)}17{expiry.replace('-', '')[2:]}10{lot}"


def test_staff_picks_packs_and_ships_an_order_with_keyboard_scans(
    live_server: str,
    page: Page,
    demo_tokens: dict[str, str],
    released_order: dict[str, Any],
    screenshot: Callable[[str], Path],
):
    page.set_viewport_size(HANDHELD)
    codes = gtins(page, live_server, demo_tokens[SIAMFRUIT])
    errors = log_in(page, live_server, STAFF_KUL1)
    expect(page).to_have_url(re.compile(r"/scan$"))

    # --- pick: F2 takes the next trip; a tote goes on the cart for the order's slot ----------
    page.goto(live_server + "/scan/pick")
    ready(page)
    expect(page.locator("#trips a")).to_have_count(1)
    page.keyboard.press("F2")
    expect(page).to_have_url(re.compile(r"/scan/pick/\d+$"))
    ready(page)
    prompt = page.locator("#prompt")
    field = page.get_by_label("Scan a barcode")
    expect(prompt).to_contain_text("Scan an empty tote for slot 1")
    expect(field).to_be_focused()
    scan(page, TOTE)
    expect(page.locator('#totes tr[data-slot="1"] [data-figure="tote"]')).to_have_text(TOTE)
    expect(page.locator("#pick-card")).to_be_visible()

    alert = page.locator("#scan-error")
    quantity = page.get_by_label("Units taken")
    shorted = emptied = False
    first = True
    while page.locator("#trip-done").is_hidden():
        bin_code = page.locator("#pick-bin").inner_text().strip()
        sku = page.locator("#pick-sku").inner_text().strip()
        lot = page.locator("#pick-lot").inner_text().strip()
        expiry = page.locator("#pick-expiry").inner_text().strip()
        asked = int(page.locator("#pick-quantity-asked").inner_text())
        expect(prompt).to_contain_text(f"Go to bin {bin_code}")
        expect(page.locator("#pick-check")).to_have_text(re.compile(r"^\d\d$"))
        if first:
            # A wrong bin is refused, big and red, until acknowledged.
            scan(page, "KUL1-Z-99-99")
            expect(alert).to_be_visible()
            expect(alert).to_contain_text(f"Wrong bin: this pick is at {bin_code}.")
            page.keyboard.press("Escape")
            expect(alert).to_be_hidden()
            expect(field).to_be_focused()
        scan(page, bin_code)
        expect(page.locator('#pick-steps li[data-step="scan_bin"]')).to_have_class(
            re.compile("step-done")
        )
        expect(prompt).to_contain_text(f"Scan the item {sku}")
        if first:
            # A wrong lot is refused; the bin stays scanned.
            scan(page, item_label(codes[sku], "L000000X", expiry))
            expect(alert).to_contain_text("Wrong lot L000000X")
            page.keyboard.press("Enter")
            expect(alert).to_be_hidden()
            expect(prompt).to_contain_text(f"Scan the item {sku}")
            first = False
        if sku == EMPTY_SKU and not emptied:
            # Nothing in the bin: F4 says so (after a question), the unit comes from elsewhere.
            expect(page.locator("#empty-hint")).to_be_visible()
            page.keyboard.press("F4")
            expect(page.get_by_role("alertdialog")).to_be_visible()
            page.keyboard.press("Enter")
            expect(page.locator("#scan-status")).to_contain_text(
                f"Nothing picked from {bin_code}. 1 re-allocated from another bin."
            )
            emptied = True
            continue
        scan(page, item_label(codes[sku], lot, expiry))
        expect(quantity).to_be_focused()
        expect(quantity).to_have_value(str(asked))
        if sku == SHORT_SKU and not shorted and asked >= 2:
            # One unit is not there: type what was found.
            page.keyboard.press("Control+A")
            page.keyboard.type(str(asked - 1))
            page.keyboard.press("Enter")
            taken = asked - 1
        else:
            page.keyboard.press("Enter")  # the asked quantity
            taken = asked
        expect(prompt).to_contain_text(f"Put {taken} in tote {TOTE}")
        expect(field).to_be_focused()
        scan(page, TOTE)
        if taken < asked:
            expect(page.locator("#scan-status")).to_contain_text("1 re-allocated from another bin.")
            screenshot("staff-scanner-pick-short")
            shorted = True
        else:
            expect(page.locator("#scan-status")).to_contain_text(
                f"Picked {taken} × {sku} into tote {TOTE}."
            )
    assert shorted and emptied
    expect(prompt).to_have_text("Trip done: every pick is confirmed.")
    expect(page.locator("#trip-picks .pick-reserved")).to_have_count(0)
    expect(page.get_by_role("link", name="Next trip")).to_be_focused()
    screenshot("staff-scanner-pick-done")

    # --- pack: scan the tote, then every unit; choose the carton, weigh, close ----------------
    page.goto(live_server + "/scan/pack")
    ready(page)
    scan(page, TOTE)
    expect(page).to_have_url(re.compile(r"/scan/pack/\d+$"))
    ready(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(released_order["reference"])
    # One row per SKU and lot: the re-allocated tamarind came from another lot.
    expected: dict[str, int] = {}
    rows = page.locator("#parcel-items tbody tr")
    for index in range(rows.count()):
        sku = rows.nth(index).get_attribute("data-sku") or ""
        units = int(rows.nth(index).locator('[data-figure="expected"]').inner_text())
        expected[sku] = expected.get(sku, 0) + units
    assert expected == {SHORT_SKU: 2, EMPTY_SKU: 1}, expected
    for sku, units in expected.items():
        for _ in range(units):
            scan(page, codes[sku])
    expect(page.locator("#units-verified")).to_have_text("3")
    suggested = page.locator('input[name="carton"]:checked')
    expect(suggested).to_be_focused()
    chosen = suggested.get_attribute("value")
    page.keyboard.press("ArrowRight")  # another size than the suggested one
    bigger = page.locator('input[name="carton"]:checked').get_attribute("value")
    assert bigger != chosen
    page.keyboard.press("Enter")
    expect(page.get_by_label("Weight (grams)")).to_be_focused()
    page.keyboard.type("1200")
    page.keyboard.press("Enter")
    done = page.locator("#parcel-done")
    expect(done).to_be_visible()
    tracking = page.locator("#tracking-number")
    expect(tracking).to_have_text(re.compile(r"^JTM\d{10}$"))
    label = page.get_by_role("link", name="Print the label (PDF)")
    expect(label).to_be_focused()
    pdf = page.request.get(live_server + (label.get_attribute("href") or ""))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    screenshot("staff-scanner-pack-closed")
    tracking_number = tracking.inner_text().strip()

    # --- ship: the J&T manifest, the parcel scanned onto it, closed --------------------------
    page.goto(live_server + "/scan/ship")
    ready(page)
    carriers = page.locator(".carrier-choice")
    expect(carriers.first).to_be_focused()
    names = carriers.all_inner_texts()
    position = next(index for index, name in enumerate(names) if "J&T" in name)
    page.keyboard.press(str(position + 1))
    expect(page).to_have_url(re.compile(r"/scan/ship/\d+$"))
    ready(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Manifest MF-KUL1-")
    expect(page.get_by_label("Scan a barcode")).to_be_focused()
    scan(page, tracking_number)
    expect(page.locator(f'#parcels tr[data-tracking="{tracking_number}"]')).to_be_visible()
    expect(page.locator("#parcel-count")).to_have_text("1 parcel")
    page.keyboard.press("F2")
    expect(page.get_by_role("alertdialog")).to_be_visible()
    page.keyboard.press("Enter")
    closed = page.locator("#manifest-done")
    expect(closed).to_be_visible()
    expect(closed).to_contain_text("Manifest closed: 1 parcel handed to J&T Express Malaysia.")
    expect(page.get_by_role("link", name="Back to the dock")).to_be_focused()
    screenshot("staff-scanner-ship-closed")
    assert unexpected(errors) == []

"""The inbound pages in a real browser: a merchant follows a consignment in Thai, a manager
works the dock schedule, the receipts, the discrepancy queue and a re-slotting plan."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.api import MANAGER_KUL1, SIAMFRUIT, STAFF_KUL1, new_key
from tests.conftest import settings_for
from tests.e2e.test_browser import THAI_FONTS, fonts_rendering, log_in
from tests.integration.test_inbound_pages import arrived, count, received_with_discrepancies
from tests.integration.test_web_pages import api_for
from wms.app import create_app
from wms.bootstrap import EXTENSION

pytestmark = pytest.mark.browser


@pytest.fixture
def inbound_work(demo_database_url: str) -> dict[str, int]:
    """On the live server's database: a received consignment with three discrepancies, and
    another one being counted on the dock."""
    app = create_app(settings_for(demo_database_url))
    client = app.test_client()
    received = received_with_discrepancies(client)
    counting, skus = arrived(client, [("SF-MANGO-200", 24, "LB01"), ("SF-BANANA-150", 12, "LB02")])
    staff = api_for(client, STAFF_KUL1)
    opened = staff.post("/receipts", {"consignment_id": counting}, key=new_key())
    assert opened.status_code == 201, opened.get_json()
    count(staff, opened.get_json()["id"], skus["SF-MANGO-200"], "LB01", 10)
    engine = app.extensions[EXTENSION].engine
    if engine is not None:
        engine.dispose()
    return {"received": received, "counting": counting}


def test_merchant_follows_a_consignment_in_thai(
    live_server: str,
    inbound_work: dict[str, int],
    page: Page,
    screenshot: Callable[[str], Path],
):
    errors = log_in(page, live_server, SIAMFRUIT)
    expect(page).to_have_url(re.compile(r"/stock$"))
    expect(page.locator("html")).to_have_attribute("lang", "th")

    nav = page.get_by_role("navigation", name="เมนูหลัก")
    nav.get_by_role("link", name="การส่งสินค้า", exact=True).click()
    expect(page).to_have_url(re.compile(r"/consignments$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("การส่งสินค้า")
    listed = page.locator("table#consignments tbody tr")
    expect(listed.first).to_be_visible()
    screenshot("merchant-consignments-th")

    page.goto(f"{live_server}/consignments/{inbound_work['received']}")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("CN-KUL1-")
    expect(heading).to_contain_text("รับเข้าแล้ว")
    steps = page.locator("ol#timeline > li")
    expect(steps).to_have_count(7)
    expect(steps.first).to_contain_text("ฉบับร่าง")
    expect(steps.last).to_contain_text("รับเข้าแล้ว")

    lines = page.locator("table#lines")
    for header in ("คาดไว้", "รับเข้าสภาพดี", "รับเข้าแบบชำรุด", "ผลต่าง"):
        expect(lines.get_by_role("columnheader", name=header)).to_be_visible()
    mango = lines.locator('tr[data-sku="SF-MANGO-200"]')
    expect(mango).to_have_class("diff-short")
    expect(mango.locator('[data-figure="received_good"]')).to_have_text("8")
    expect(mango.locator('[data-figure="received_damaged"]')).to_have_text("1")
    expect(mango.locator('[data-figure="difference"]')).to_contain_text("ขาด")
    expect(mango).to_have_css("background-color", "rgb(253, 226, 225)")  # highlighted
    expect(lines.locator('tr[data-sku="SF-TAMARIND-250"]')).to_have_class("diff-over")
    found = page.locator("table#discrepancies tbody tr")
    expect(found).to_have_count(3)
    expect(found.filter(has_text="ชำรุด")).to_have_count(1)
    assert fonts_rendering(page, "ol#timeline li .badge") & THAI_FONTS
    screenshot("merchant-consignment-th")

    # Announcing without an ETA: the form says so next to the field, in Thai.
    nav.get_by_role("link", name="การส่งสินค้า", exact=True).click()
    page.get_by_role("link", name="แจ้งการส่งสินค้า").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("แจ้งการส่งสินค้า")
    kul1 = page.locator("#fc_id option", has_text="KUL1").get_attribute("value")
    page.get_by_label("ศูนย์ฟูลฟิลเมนต์", exact=True).select_option(kul1)
    page.get_by_label("ที่อยู่รับสินค้า").fill("88 Moo 3, Sadao, Songkhla 90120")
    page.get_by_label("SKU บรรทัดที่ 1", exact=True).fill("SF-NOT-A-SKU")
    page.get_by_label("จำนวน บรรทัดที่ 1", exact=True).fill("12")
    page.get_by_role("button", name="บันทึกเป็นฉบับร่าง").click()
    expect(page.locator("#form-problems")).to_be_visible()
    expect(page.locator("#eta-error")).to_have_text("จำเป็นต้องกรอก")
    expect(page.get_by_label("วันที่คาดว่าจะถึง (ETA)")).to_have_attribute("aria-invalid", "true")
    screenshot("merchant-new-consignment-errors-th")

    nav.get_by_role("link", name="สต็อกตาม FC").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("สต็อกตาม FC")
    expect(page.locator('section[data-fc="KUL1"] tr[data-sku="SF-MANGO-200"]')).to_be_visible()
    screenshot("merchant-stock-per-fc-th")
    # The refused form is answered with 422 on purpose; nothing else failed to load.
    assert [error for error in errors if "422" not in error] == []


def test_manager_works_arrivals_receipts_discrepancies_and_reslotting(
    live_server: str,
    inbound_work: dict[str, int],
    page: Page,
    screenshot: Callable[[str], Path],
):
    errors = log_in(page, live_server, MANAGER_KUL1)
    expect(page).to_have_url(re.compile(r"/fcs/\d+$"))

    page.get_by_role("link", name="Inbound", exact=True).click()
    expect(page).to_have_url(re.compile(r"/fcs/\d+/arrivals$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Arrivals at KUL1")
    expect(page.locator("section.dock-day")).to_have_count(7)
    today = page.locator("section.dock-today")
    expect(today.locator(".badge-today")).to_have_text("Today")
    expect(today.locator("tbody tr").first).to_be_visible()
    screenshot("manager-arrivals")

    page.get_by_role("link", name="Receipts in progress").click()
    receipt = page.locator("section.receipt").first
    expect(receipt).to_contain_text("10 of 36 units counted")
    expect(receipt.locator('tr[data-sku="SF-BANANA-150"] [data-figure="remaining"]')).to_have_text(
        "12"
    )
    screenshot("manager-receipts")

    page.get_by_role("link", name="Discrepancies", exact=True).click()
    queue = page.locator("table#discrepancy-queue tbody tr")
    expect(queue).to_have_count(3)
    screenshot("manager-discrepancies")
    short = page.locator('tr[data-kind="short"]')
    short.get_by_label("Resolution").select_option("claim_raised")
    short.get_by_label("Note").fill("Claim filed with Kerry, ref KCB-77")
    short.get_by_role("button", name="Resolve").click()
    expect(page.locator(".alert-success")).to_contain_text("Short of SF-MANGO-200")
    expect(page.locator("table#discrepancy-queue tbody tr")).to_have_count(2)
    expect(page.locator('tr[data-kind="short"]')).to_have_count(0)

    page.get_by_role("link", name="All", exact=True).click()
    resolved = page.locator('tr[data-kind="short"]')
    expect(resolved).to_contain_text("Claim raised · Claim filed with Kerry, ref KCB-77")
    screenshot("manager-discrepancies-resolved")

    page.get_by_role("link", name="Re-slotting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Re-slotting at KUL1")
    screenshot("manager-slotting")
    page.get_by_label("Time limit for the solver (seconds)").fill("1")
    page.get_by_role("button", name="Propose a plan").click()
    expect(page).to_have_url(re.compile(r"/slotting/\d+$"))
    expect(page.locator("h1 [data-status]")).to_have_text("Proposed")
    expect(page.locator('[data-figure="saving"]')).to_be_visible()
    screenshot("manager-slotting-plan")
    page.get_by_role("button", name="Release as move tasks").click()
    expect(page.locator(".alert-success")).to_contain_text("The plan is released")
    expect(page.locator("h1 [data-status]")).to_have_text("Released")
    assert errors == []

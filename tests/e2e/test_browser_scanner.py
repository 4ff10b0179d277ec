"""Receiving and putaway on the scanner pages, in headless Chromium, driven like a keyboard-wedge
scanner: the codes are typed into whatever has the focus and end with Enter."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.api import MANAGER_KUL1, STAFF_KUL1
from tests.e2e.test_browser import log_in

pytestmark = pytest.mark.browser

CHILLED_BIN = "KUL1-R-01-01"


def arrived_consignment(page: Page, base_url: str, token: str) -> dict[str, Any]:
    """The demo's consignment that arrived at KUL1, with its ASN lines and cartons (via the API)."""
    headers = {"Authorization": f"Bearer {token}"}
    listed = page.request.get(f"{base_url}/api/v1/consignments?status=arrived", headers=headers)
    assert listed.ok, listed.text()
    (found,) = listed.json()["items"]
    detail = page.request.get(f"{base_url}/api/v1/consignments/{found['id']}", headers=headers)
    assert detail.ok, detail.text()
    consignment: dict[str, Any] = detail.json()
    return consignment


def item_barcode(line: dict[str, Any]) -> str:
    """What a scanner sends for the item's GS1-128 label: AIM id, GTIN-14, expiry, then lot."""
    expiry = line["expiry_date"].replace("-", "")[2:]
    return f"]C101{line['gtin'].zfill(14)}17{expiry}10{line['lot_number']}"


def unexpected(errors: list[str]) -> list[str]:
    """Console errors other than Chromium's note on each refused scan (a 4xx answer)."""
    refused = re.compile(r"^Failed to load resource: the server responded with a status of 4\d\d")
    return [error for error in errors if not refused.match(error)]


def ready(page: Page) -> None:
    """Wait until the page's script has taken over the scan field (after each page load)."""
    expect(page.locator("#flow")).to_have_attribute("data-ready", "true")


def scan(page: Page, code: str) -> None:
    """A keyboard-wedge scan: the characters, then Enter."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def carton_and_line(consignment: dict[str, Any], index: int) -> tuple[str, dict[str, Any]]:
    carton = consignment["cartons"][index]
    number = carton["contents"][0]["line_number"]
    line = next(item for item in consignment["lines"] if item["line_number"] == number)
    return carton["sscc"], line


def test_staff_receives_a_carton_with_keyboard_scans(
    live_server: str,
    page: Page,
    demo_tokens: dict[str, str],
    screenshot: Callable[[str], Path],
):
    consignment = arrived_consignment(page, live_server, demo_tokens[MANAGER_KUL1])
    sscc, line = carton_and_line(consignment, 0)
    errors = log_in(page, live_server, STAFF_KUL1)
    expect(page).to_have_url(re.compile(r"/scan$"))
    page.get_by_role("link", name="Receive").click()
    expect(page).to_have_url(re.compile(r"/scan/receive$"))
    ready(page)
    field = page.get_by_label("Scan a barcode")
    expect(field).to_be_focused()

    scan(page, f"]C100{sscc}")
    expect(page).to_have_url(re.compile(r"/scan/receive/\d+$"))
    ready(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(consignment["reference"])
    expect(page.locator("#current-carton")).to_have_text(sscc)
    expect(page.locator("#prompt")).to_contain_text(sscc)
    expect(field).to_be_focused()
    row = page.locator(f'#receipt-progress tr[data-sku="{line["sku_code"]}"]')
    expect(row.locator("[data-figure=expected]")).to_have_text(str(line["quantity"]))
    expect(row.locator("[data-figure=counted]")).to_have_text("0")

    scan(page, item_barcode(line))
    expect(row.locator("[data-figure=counted]")).to_have_text("1")
    expect(row.locator("[data-figure=remaining]")).to_have_text(str(line["quantity"] - 1))
    expect(page.locator("#scan-status")).to_contain_text(f"+1 × {line['sku_code']}")
    expect(field).to_have_value("")
    expect(field).to_be_focused()

    # A typed quantity: Tab to the units, type them, Enter goes back to the scan field.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Units per scan")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("11")
    page.keyboard.press("Enter")
    expect(field).to_be_focused()
    scan(page, item_barcode(line))
    expect(row.locator("[data-figure=counted]")).to_have_text("12")
    expect(page.get_by_label("Units per scan")).to_have_value("1")

    # A bin label is refused, big and red, until acknowledged; nothing is counted.
    scan(page, "KUL1-A-01-01")
    alert = page.locator("#scan-error")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("That is a bin label")
    page.keyboard.type("IGNORED")  # typing while the error is up goes nowhere
    page.keyboard.press("Escape")
    expect(alert).to_be_hidden()
    expect(field).to_be_focused()
    expect(field).to_have_value("")
    expect(row.locator("[data-figure=counted]")).to_have_text("12")

    page.reload()
    ready(page)
    expect(row.locator("[data-figure=counted]")).to_have_text("12")
    screenshot("staff-scanner-receiving")
    assert unexpected(errors) == []


def test_staff_closes_the_receipt_and_puts_away_with_keyboard_scans(
    live_server: str,
    page: Page,
    demo_tokens: dict[str, str],
    screenshot: Callable[[str], Path],
):
    consignment = arrived_consignment(page, live_server, demo_tokens[MANAGER_KUL1])
    sscc, line = carton_and_line(consignment, 1)
    errors = log_in(page, live_server, STAFF_KUL1)
    page.goto(live_server + "/scan/receive")
    ready(page)
    scan(page, f"]C100{sscc}")
    expect(page).to_have_url(re.compile(r"/scan/receive/\d+$"))
    ready(page)
    expect(page.locator("#current-carton")).to_have_text(sscc)
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type(str(line["quantity"]))
    page.keyboard.press("Enter")
    scan(page, item_barcode(line))
    row = page.locator(f'#receipt-progress tr[data-sku="{line["sku_code"]}"]')
    expect(row.locator("[data-figure=remaining]")).to_have_text("0")

    # F2 asks to close; Enter confirms. The differences and the putaway tasks are shown.
    page.keyboard.press("F2")
    expect(page.get_by_role("alertdialog")).to_be_visible()
    page.keyboard.press("Enter")
    summary = page.locator("#receipt-summary")
    expect(summary).to_be_visible()
    expect(page.locator("#prompt")).to_have_text("Receipt closed.")
    expect(summary.locator("#discrepancies tr[data-kind=short]").first).to_be_visible()
    task_link = summary.locator("#putaway-tasks a")
    expect(task_link).to_have_count(1)
    expect(task_link).to_contain_text(line["sku_code"])
    go = page.get_by_role("link", name="Put away now")
    expect(go).to_be_focused()
    screenshot("staff-scanner-receipt-closed")
    page.keyboard.press("Enter")

    # The task list: scanning the item opens its task.
    expect(page).to_have_url(re.compile(r"/scan/putaway$"))
    ready(page)
    expect(page.locator("#putaway-tasks")).to_contain_text(line["sku_code"])
    expect(page.get_by_label("Scan a barcode")).to_be_focused()
    scan(page, item_barcode(line))
    expect(page).to_have_url(re.compile(r"/scan/putaway/\d+$"))
    ready(page)
    expect(page.locator("#task-quantity")).to_have_text(str(line["quantity"]))
    expect(page.locator("#task-lot")).to_have_text(line["lot_number"])
    suggested = page.locator("#suggested-bin").inner_text().strip()
    assert suggested.startswith("KUL1-"), suggested
    expect(page.locator("#bin-reasons li").first).to_be_visible()

    # A chilled bin cannot take ambient goods: refused with the reason.
    scan(page, CHILLED_BIN)
    alert = page.locator("#scan-error")
    expect(alert).to_contain_text("chilled")
    page.keyboard.press("Enter")
    expect(alert).to_be_hidden()

    # Another bin that fits: the reason is asked for before the units go there.
    others = page.locator(".bin-suggestion .note .code").all_inner_texts()
    assert others, "the page offers other bins"
    scan(page, others[0])
    reason = page.get_by_label("Why this bin?")
    expect(reason).to_be_focused()
    expect(page.locator("#override-message")).to_contain_text(suggested)
    scan(page, "suggested bin blocked by a pallet")
    done = page.locator("#task-done")
    expect(done).to_be_visible()
    expect(done).to_contain_text(
        f"Put away {line['quantity']} × {line['sku_code']} in {others[0]}."
    )
    expect(page.locator("#prompt")).to_contain_text("Scan the next item")
    screenshot("staff-scanner-putaway-done")

    # Done: the task has left the list.
    page.goto(live_server + "/scan/putaway")
    expect(page.locator("#no-tasks")).to_be_visible()
    assert unexpected(errors) == []

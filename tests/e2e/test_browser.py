"""Real users in a real browser: headless Chromium against the app served on a demo database."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.api import MANAGER_KUL1, SIAMFRUIT, STAFF_KUL1
from wms.services.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# The Thai fonts the style sheet names (TLWG's Loma and Garuda come with fonts-thai-tlwg).
THAI_FONTS = {"Noto Sans Thai", "Noto Sans Thai UI", "Loma", "Garuda"}


def log_in(page: Page, base_url: str, email: str) -> list[str]:
    """Open the site, fill in the login form and send it; returns the console's errors so far
    (and keeps collecting them), such as resources the page's security policy blocked."""
    errors: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", record)
    page.goto(base_url + "/")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    return errors


def fonts_rendering(page: Page, selector: str) -> set[str]:
    """The families Chromium really drew the element's text with (glyphs > 0)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})
    node = cdp.send("DOM.querySelector", {"nodeId": root["root"]["nodeId"], "selector": selector})
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    cdp.detach()
    return {font["familyName"] for font in fonts if font["glyphCount"] > 0}


def test_merchant_reads_their_stock_in_thai(
    live_server: str, page: Page, screenshot: Callable[[str], Path]
):
    errors = log_in(page, live_server, SIAMFRUIT)
    expect(page).to_have_url(re.compile(r"/stock$"))
    heading = page.get_by_role("heading", level=1)

    page.get_by_role("button", name="English", exact=True).click()
    expect(heading).to_have_text("Stock")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="ไทย", exact=True).click()
    expect(heading).to_have_text("สต็อก")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    table = page.locator("table#stock")
    expect(table.get_by_role("columnheader", name="วันหมดอายุ")).to_be_visible()
    expect(table.get_by_role("columnheader", name="ล็อต")).to_be_visible()
    mango = table.get_by_role("cell", name="มะม่วงอบแห้ง 200 กรัม").first
    expect(mango).to_be_visible()

    skus = table.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.sku)")
    assert skus and all(code.startswith("SF-") for code in skus), skus
    near = table.locator("tr.expiry-near").first
    expect(near).to_contain_text("หมดอายุในอีก")

    # Thai is drawn with a Thai font of the machine, not boxes of a Latin font.
    assert fonts_rendering(page, "table#stock td[lang=th]") & THAI_FONTS
    assert fonts_rendering(page, "h1") & THAI_FONTS
    screenshot("merchant-stock-th")
    assert errors == []


def test_manager_sees_the_fc_overview(
    live_server: str, page: Page, screenshot: Callable[[str], Path]
):
    errors = log_in(page, live_server, MANAGER_KUL1)
    expect(page).to_have_url(re.compile(r"/fcs/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("KUL1")
    expect(page.locator(".who-name")).to_have_text("Aisyah Rahman")
    ambient = page.locator("tr[data-zone=AMB]")
    expect(ambient).to_contain_text("Ambient racking")
    bins = int(ambient.locator("[data-figure=bins_total]").inner_text().replace(",", ""))
    used = int(ambient.locator("[data-figure=bins_used]").inner_text().replace(",", ""))
    free = int(ambient.locator("[data-figure=bins_free]").inner_text().replace(",", ""))
    assert bins == used + free and used > 0
    expect(page.locator("tr[data-zone=total] [data-figure=on_hand]")).not_to_have_text("0")
    screenshot("manager-fc-overview")
    assert errors == []


def test_staff_scans_into_the_focused_field_of_the_scanner_home(
    live_server: str, page: Page, screenshot: Callable[[str], Path]
):
    errors = log_in(page, live_server, STAFF_KUL1)
    expect(page).to_have_url(re.compile(r"/scan$"))
    expect(page.locator(".scanner-fcs")).to_contain_text("KUL1")
    field = page.get_by_label("Scan a barcode")
    expect(field).to_be_focused()
    for task in ("Receive", "Put away", "Pick", "Pack", "Ship"):
        expect(page.get_by_role("link", name=re.compile(task))).to_be_visible()
    for task in ("Move", "Count"):  # these flows come later
        expect(page.get_by_role("button", name=re.compile(task))).to_be_disabled()

    # A keyboard-wedge scanner types into whatever has focus and ends with Enter.
    page.keyboard.type("KUL1-A-01-01")
    page.keyboard.press("Enter")
    expect(page.locator("#last-scan")).to_have_text("KUL1-A-01-01")
    expect(field).to_have_value("")
    expect(field).to_be_focused()
    page.keyboard.type("8851961000014")
    page.keyboard.press("Enter")
    expect(page.locator("#last-scan")).to_have_text("8851961000014")
    expect(page.locator("#scan-history li")).to_have_text(["8851961000014", "KUL1-A-01-01"])
    expect(page).to_have_url(re.compile(r"/scan$"))  # shown in place, nothing was sent
    screenshot("staff-scanner-home")
    assert errors == []

"""The channel pages in a real browser: a manager finds a shop with a parked listing, reads the
marketplace's reason and retries it; a merchant sees only its own shops, in Thai."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.api import CHABATEA, MANAGER_KUL1, SIAMFRUIT
from tests.channel_pages import REFUSAL, ShopWithListings, channel_app, shop_with_listings
from tests.channel_pages import shopee_sandbox as running_sandbox
from tests.e2e.test_browser import THAI_FONTS, fonts_rendering, log_in
from wms.bootstrap import EXTENSION

pytestmark = pytest.mark.browser


@pytest.fixture
def channel_work(demo_database_url: str) -> Iterator[dict[str, ShopWithListings]]:
    """On the live server's database, through the use cases: Siam Fruit's and Chaba Tea's
    Shopee MY shops, connected to a Shopee sandbox over HTTP, each with a listing the
    marketplace took and one it refused for good (parked, with its reason)."""
    app = channel_app(demo_database_url)
    with running_sandbox() as (sandbox, server):
        yield {
            SIAMFRUIT: shop_with_listings(app, sandbox, server, SIAMFRUIT, "220011"),
            CHABATEA: shop_with_listings(
                app, sandbox, server, CHABATEA, "330022", name="Chaba Tea Official"
            ),
        }
    engine = app.extensions[EXTENSION].engine
    if engine is not None:
        engine.dispose()


def test_manager_retries_a_parked_listing_and_a_merchant_sees_only_its_shops_in_thai(
    live_server: str,
    channel_work: dict[str, ShopWithListings],
    page: Page,
    screenshot: Callable[[str], Path],
):
    mine, theirs = channel_work[SIAMFRUIT], channel_work[CHABATEA]
    errors = log_in(page, live_server, MANAGER_KUL1)
    expect(page).to_have_url(re.compile(r"/fcs/\d+$"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Channels").click()
    expect(page).to_have_url(re.compile(r"/channels$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Marketplace channels")
    shops = page.locator("table#shops tbody tr")
    expect(shops).to_have_count(2)
    row = page.locator(f'tr[data-shop="{mine.shop_id}"]')
    expect(row.get_by_role("rowheader")).to_contain_text("Shopee MY")
    expect(row.locator(".badge.shop-connected")).to_have_text("Connected")
    expect(row.locator('[data-figure="synced"]')).to_have_text("1")
    expect(row.locator('[data-figure="parked"]')).to_have_text("1")
    screenshot("manager-channels")

    row.get_by_role("link", name="Shopee MY").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Shopee MY")
    page.get_by_label("Push status").select_option("parked")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"status=parked$"))
    listed = page.locator("table#listings tbody tr")
    expect(listed).to_have_count(1)
    parked = page.locator(f'tr[data-listing="{mine.parked}"]')
    expect(parked.locator('[data-figure="status"]')).to_have_text("Parked")
    expect(parked.locator(".error-reason")).to_have_text(REFUSAL)
    expect(parked.locator('[data-figure="error"]')).to_contain_text("Refused by the marketplace")
    expect(parked.locator(".badge.listing-parked")).to_have_css(
        "background-color", "rgb(253, 226, 225)"
    )
    screenshot("manager-shop-parked-listing")

    parked.get_by_role("button", name=f"Retry {mine.parked_sku}").click()
    expect(page.locator(".alert-success")).to_have_text(
        f"Listing {mine.parked_sku} from KUL1 will be pushed again."
    )
    # Back on the parked filter: nothing is parked any more; every status shows it pending.
    expect(page).to_have_url(re.compile(r"status=parked$"))
    expect(page.locator("table#listings")).to_have_count(0)
    page.get_by_label("Push status").select_option("")
    page.get_by_role("button", name="Show").click()
    retried = page.locator(f'tr[data-listing="{mine.parked}"]')
    expect(retried.locator('[data-figure="status"]')).to_have_text("Pending")
    expect(retried.get_by_role("button", name=f"Retry {mine.parked_sku}")).to_have_count(0)
    expect(retried.locator(".error-reason")).to_have_text(REFUSAL)  # until a push succeeds
    screenshot("manager-shop-retried")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))

    # The merchant, in Thai, sees its own shop only; the other merchant's is not found.
    log_in(page, live_server, SIAMFRUIT)
    expect(page.locator("html")).to_have_attribute("lang", "th")
    nav = page.get_by_role("navigation", name="เมนูหลัก")
    nav.get_by_role("link", name="ช่องทางขาย", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ช่องทางขายบนมาร์เก็ตเพลส")
    expect(page.locator("table#shops tbody tr")).to_have_count(1)
    own = page.locator(f'tr[data-shop="{mine.shop_id}"]')
    expect(own.locator(".badge.shop-connected")).to_have_text("เชื่อมต่อแล้ว")
    expect(own.locator('[data-figure="pending"]')).to_have_text("1")
    expect(page.get_by_text("Chaba Tea Official")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("เชื่อมต่อร้านค้าด้วยตนเอง"))).to_be_visible()
    assert fonts_rendering(page, "h1") & THAI_FONTS
    screenshot("merchant-channels-th")

    own.get_by_role("link", name="Shopee MY").click()
    expect(page.get_by_role("heading", level=2, name="รายการสินค้า", exact=True)).to_be_visible()
    pending = page.locator(f'tr[data-listing="{mine.parked}"]')
    expect(pending.locator('[data-figure="status"]')).to_have_text("รอส่ง")
    expect(pending.locator('[data-figure="error"]')).to_contain_text("มาร์เก็ตเพลสปฏิเสธ")
    screenshot("merchant-shop-th")
    response = page.goto(f"{live_server}/channels/{theirs.shop_id}")
    assert response is not None and response.status == 404
    expect(page.get_by_text("Chaba Tea Official")).to_have_count(0)
    # The 404 asked for on purpose is the only failed load.
    assert [error for error in errors if "404" not in error] == []

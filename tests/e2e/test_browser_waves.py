"""The outbound pages in a real browser: a manager opens the backlog, plans a wave for a cut-off,
reads the preview (trips, walking against first come first served, the route of a trip drawn on
the floor plan) and releases it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import outbound
from tests.api import MANAGER_KUL1
from tests.conftest import settings_for
from tests.e2e.test_browser import log_in
from wms.app import create_app
from wms.bootstrap import EXTENSION

pytestmark = pytest.mark.browser


@pytest.fixture
def waiting_orders(demo_database_url: str) -> list[str]:
    """On the live server's database: six J&T orders at KUL1 due at the same cut-off, two of
    them single-item, one with chilled tea (it travels apart)."""
    app = create_app(settings_for(demo_database_url))
    uow = app.extensions[EXTENSION].uow()
    manager = outbound.actor(uow, MANAGER_KUL1)
    ship_by = datetime.now(UTC) + timedelta(hours=30)
    baskets = [
        ("SIAMFRUIT", {"SF-MANGO-200": 2, "SF-DURIAN-100": 1}),
        ("SIAMFRUIT", {"SF-TAMARIND-250": 3, "SF-BANANA-150": 2}),
        ("SIAMFRUIT", {"SF-MANGO-200": 1}),
        ("SIAMFRUIT", {"SF-DURIAN-100": 1}),
        ("SIAMFRUIT", {"SF-BANANA-150": 2, "SF-MANGO-200": 1}),
        ("CHABATEA", {"CB-MILKTEA-RTD": 2}),
    ]
    placed = [
        outbound.place_order(uow, manager, lines, merchant_code=merchant, ship_by=ship_by)
        for merchant, lines in baskets
    ]
    assert {order["status"] for order in placed} == {"allocated"}
    engine = app.extensions[EXTENSION].engine
    if engine is not None:
        engine.dispose()
    return [order["cutoff"] for order in placed]


def test_manager_plans_a_wave_for_a_cutoff_and_releases_it(
    live_server: str,
    waiting_orders: list[str],
    page: Page,
    screenshot: Callable[[str], Path],
):
    errors = log_in(page, live_server, MANAGER_KUL1)
    expect(page).to_have_url(re.compile(r"/fcs/\d+$"))

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Outbound", exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"/fcs/\d+/outbound$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbound backlog at KUL1")
    (cutoff,) = set(waiting_orders)
    group = page.locator(f'table#backlog tr[data-carrier="JNT"][data-cutoff="{cutoff}"]')
    expect(group).to_be_visible()
    assert int(group.locator('[data-figure="allocated"]').inner_text()) >= len(waiting_orders)
    # The wave takes the carrier's orders due by this cut-off, earlier ones included.
    due = 0
    for row in page.locator('table#backlog tr[data-carrier="JNT"]').all():
        if datetime.fromisoformat(str(row.get_attribute("data-cutoff"))) <= datetime.fromisoformat(
            cutoff
        ):
            due += int(row.locator('[data-figure="allocated"]').inner_text())
    screenshot("manager-outbound-backlog")

    group.get_by_role("link", name="Plan a wave for this cut-off").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a wave at KUL1")
    chosen = page.get_by_label("Cut-off")
    expect(chosen).to_have_value(cutoff)
    expect(page.get_by_label("Carrier")).to_have_value(re.compile(r"^\d+$"))
    page.get_by_label("Totes per cart (one order each)").fill("3")
    page.get_by_label("Pickers on the floor").fill("2")
    page.get_by_label("Time limit for the planner (seconds)").fill("1")
    screenshot("manager-plan-wave")
    page.get_by_role("button", name="Plan the wave").click()

    expect(page).to_have_url(re.compile(r"/waves/\d+\?pickers=2$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Wave WV-KUL1-")
    expect(heading).to_contain_text("Planned (preview)")
    trips = page.locator("table#trips tbody tr")
    expect(trips.first).to_be_visible()
    assert trips.count() >= 3  # three totes a cart, chilled tea on a cart of its own
    expect(page.locator('table#trips tr[data-temperature="chilled"]')).to_have_count(1)
    orders = sum(
        int(text)
        for text in page.locator('table#trips tbody [data-figure="orders"]').all_inner_texts()
    )
    assert orders == due
    walking = float(page.locator('[data-figure="walking"]').first.inner_text().replace(",", ""))
    fcfs = float(page.locator('[data-figure="fcfs"]').inner_text().replace(",", ""))
    assert 0 < walking <= fcfs
    expect(page.locator('[data-figure="saving"]')).to_have_text(re.compile(r"^\d+(\.\d)?%$"))
    expect(page.locator("#cutoff-verdict")).to_contain_text("With 2 pickers")
    screenshot("manager-wave-preview")

    # The route of the trip with the most picks on the floor plan: one marker per stop.
    busiest = max(
        range(trips.count()),
        key=lambda i: int(trips.nth(i).locator('[data-figure="picks"]').inner_text().split()[-1]),
    )
    trips.nth(busiest).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trip WV-KUL1-")
    route = page.get_by_role("img", name=re.compile(r"^Route of trip WV-KUL1-"))
    expect(route).to_be_visible()
    stops = int(page.locator('[data-figure="stops"]').inner_text())
    assert stops >= 1
    expect(route.locator("g.stop")).to_have_count(stops)
    expect(route.locator("g.stop").first.locator("text")).to_have_text("1")
    assert route.locator("rect.rack").count() >= 4
    box = route.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 150
    picks = page.locator("table#picks tbody tr")
    expect(picks.first).to_be_visible()
    screenshot("manager-trip-route")

    page.get_by_role("link", name=re.compile(r"^WV-KUL1-\d+$")).click()
    expect(heading).to_contain_text("Planned (preview)")
    page.get_by_role("button", name="Release to the pickers").click()
    expect(page.locator('.alert-success[role="status"]')).to_contain_text("is released")
    expect(heading).to_contain_text("Released")
    expect(page.locator("table#trips tbody tr[data-status='released']")).to_have_count(
        trips.count()
    )
    expect(page.get_by_role("button", name="Release to the pickers")).to_have_count(0)
    screenshot("manager-wave-released")

    page.get_by_role("link", name="Waves", exact=True).click()
    listed = page.locator("table#waves tbody tr").first
    expect(listed).to_have_attribute("data-status", "released")
    assert errors == []

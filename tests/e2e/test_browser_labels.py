"""The bin-labels page in a real browser: a manager opens it from the FC's tabs, filters a zone,
downloads the zone's labels as a PDF (a page per bin) and prints them on a (fake) label printer
of the FC."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from tests.api import MANAGER_KUL1
from tests.conftest import settings_for
from tests.e2e.test_browser import log_in
from tests.fake_printers import FakeRawPrinter
from tests.labels import add_printer, page_count
from wms.app import create_app
from wms.bootstrap import EXTENSION
from wms.db.models import FulfillmentCenter, Location, Zone

pytestmark = pytest.mark.browser

ZONE = "QUA"


@pytest.fixture
def label_printer(demo_database_url: str) -> Iterator[dict[str, Any]]:
    """On the live server's database: a raw (ZPL) printer at KUL1 that is a fake device listening
    on this machine, and how many bins KUL1's quarantine zone has."""
    app = create_app(settings_for(demo_database_url))
    uow = app.extensions[EXTENSION].uow()
    with uow:
        fc = uow.session.scalars(select(FulfillmentCenter).where(FulfillmentCenter.code == "KUL1"))
        fc_id = fc.one().id
        zone = uow.session.scalars(select(Zone).where(Zone.fc_id == fc_id, Zone.code == ZONE))
        bins = uow.session.scalar(
            select(func.count()).select_from(Location).where(Location.zone_id == zone.one().id)
        )
    with FakeRawPrinter() as device:
        printer = add_printer(uow, fc_id, "Bin label Zebra", "raw", device.host, device.port)
        yield {"device": device, "printer": printer, "bins": int(bins or 0)}
    engine = app.extensions[EXTENSION].engine
    if engine is not None:
        engine.dispose()


def test_manager_filters_a_zone_downloads_its_bin_labels_and_prints_them(
    live_server: str,
    label_printer: dict[str, Any],
    page: Page,
    screenshot: Callable[[str], Path],
):
    bins = label_printer["bins"]
    assert bins > 1
    errors = log_in(page, live_server, MANAGER_KUL1)
    expect(page).to_have_url(re.compile(r"/fcs/\d+$"))
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Inbound", exact=True
    ).click()
    page.get_by_role("navigation", name="Pages of KUL1").get_by_role(
        "link", name="Bin labels", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bin labels at KUL1")

    page.get_by_label("Zone").select_option(ZONE)
    page.get_by_role("button", name="Show the bins").click()
    expect(page).to_have_url(re.compile(rf"/bin-labels\?zone={ZONE}"))
    expect(page.locator("#bin-count")).to_have_text(f"{bins} bins match.")
    screenshot("manager-bin-labels")

    with page.expect_download() as info:
        page.get_by_role("button", name="Download", exact=True).click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and page_count(pdf) == bins

    printer = label_printer["printer"]
    page.get_by_label("Printer").select_option(str(printer["id"]))
    page.get_by_role("button", name="Print", exact=True).click()
    notice = page.locator(".alert-success")
    expect(notice).to_have_text(re.compile(r"^Print job \d+ on Bin label Zebra: Sent\.$"))
    expect(page.locator("#bin-count")).to_have_text(f"{bins} bins match.")  # same filter
    (job,) = label_printer["device"].wait_for_jobs(1)
    assert job.count(b"^XA") == bins
    screenshot("manager-bin-labels-printed")
    assert errors == []

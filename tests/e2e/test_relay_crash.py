"""The relay killed (SIGKILL) in the middle of a stock push and started again: every final
quantity reaches the marketplace, none is lost, and none goes out after a newer one.

The relay is the real worker (`flask wms relay`) in its own process, on a database of its own;
the marketplace is the Shopee sandbox over HTTP, slowed down so that a push is in flight when
the worker dies. Stock changes are real adjustments through the use case, before, during and
after the crash.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from tests import outbound
from tests.api import MANAGER_KUL1, SIAMFRUIT
from wms.channels.marketplace import AppCredentials, ListingRef, Marketplace
from wms.channels.sandbox.admin import with_controls
from wms.channels.sandbox.server import RunningServer, serve
from wms.channels.sandbox.shopee import ShopeeSandbox
from wms.db.base import utcnow
from wms.db.encryption import TokenCipher, derived_key
from wms.db.models import FulfillmentCenter, ListingStock, Lot, StockBalance
from wms.db.session import make_engine
from wms.db.unit_of_work import UnitOfWork
from wms.domain.channels import ListingIds, PolicyKind, StockPolicy
from wms.domain.commands import AdjustStock
from wms.domain.stock import MovementReason
from wms.services.channel_shops import ChannelSetup, ShopConnection, connect_shop
from wms.services.listings import ListingDetails, create_listing
from wms.services.stock import adjust_stock

PROJECT = Path(__file__).resolve().parents[2]
APP = AppCredentials("2000042", "crash-test-partner-key")
SETUP = ChannelSetup(
    cipher=TokenCipher([derived_key("dev-only-not-secret")]), apps={Marketplace.SHOPEE: APP}
)
LISTINGS = 8
PUSH_SECONDS = 0.25
"""How long the slowed sandbox takes to answer each stock call."""


class SlowStockCalls:
    """WSGI middleware in front of the sandbox: notes every stock update as it arrives (item,
    model, quantity, in order) and holds the call a while, so the relay can die mid-push."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.sent: list[tuple[str, str, int]] = []
        self.in_flight = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") != "/api/v2/product/update_stock":
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        data = json.loads(body)
        with self.lock:
            self.in_flight += 1
            for entry in data["stock_list"]:
                for stock in entry["seller_stock"]:
                    self.sent.append(
                        (str(data["item_id"]), str(entry["model_id"]), int(stock["stock"]))
                    )
        try:
            time.sleep(PUSH_SECONDS)
            environ["wsgi.input"] = BytesIO(body)
            return self.app(environ, start_response)
        finally:
            with self.lock:
                self.in_flight -= 1


@pytest.fixture
def marketplace() -> Iterator[tuple[ShopeeSandbox, SlowStockCalls, RunningServer]]:
    sandbox = ShopeeSandbox(APP)
    slow = SlowStockCalls(with_controls(sandbox))
    server = serve(slow)
    yield sandbox, slow, server
    server.stop()


def start_relay(database_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FLASK_APP": "wms.app:create_app()",
        "WMS_ENV": "test",
        "WMS_DATABASE_URL": database_url,
        "WMS_SHOPEE_PARTNER_ID": APP.key,
        "WMS_SHOPEE_PARTNER_KEY": APP.secret,
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "wms", "relay", "--interval", "0.1", "--lease", "2"],
            cwd=PROJECT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@dataclass(frozen=True)
class Bin:
    """Where one SKU's units lie (with their lot, if any)."""

    location_id: int
    sku_id: int
    lot_number: str | None
    expiry: date | None


def stocked_bins(uow: UnitOfWork, merchant_id: int, fc_id: int) -> list[Bin]:
    """One balance per SKU of the merchant in the FC with room to lose units."""
    with uow:
        rows = uow.session.execute(
            select(StockBalance.location_id, StockBalance.sku_id, Lot.lot_number, Lot.expiry_date)
            .join(Lot, Lot.id == StockBalance.lot_id, isouter=True)
            .where(
                StockBalance.fc_id == fc_id,
                StockBalance.on_hand - StockBalance.reserved >= 20,
                StockBalance.sku.has(merchant_id=merchant_id),
            )
            .order_by(StockBalance.sku_id, StockBalance.id)
        ).all()
    chosen: dict[int, Bin] = {}
    for location_id, sku_id, lot_number, expiry in rows:
        chosen.setdefault(sku_id, Bin(location_id, sku_id, lot_number, expiry))
    return list(chosen.values())[:LISTINGS]


def lose_one(uow: UnitOfWork, actor: Any, place: Bin) -> None:
    adjust_stock(
        uow,
        actor,
        AdjustStock(
            location_id=place.location_id,
            sku_id=place.sku_id,
            reason=MovementReason.LOST,
            delta=-1,
            lot_number=place.lot_number,
            expiry_date=place.expiry,
        ),
        outbound.key(),
    )


def desired(uow: UnitOfWork, listing_ids: list[int]) -> dict[int, int]:
    with uow:
        return {
            row.listing_id: row.desired_quantity
            for row in uow.session.scalars(
                select(ListingStock).where(ListingStock.listing_id.in_(listing_ids))
            )
        }


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_relay_killed_mid_push_loses_nothing_and_sends_nothing_out_of_order(
    demo_database_url, marketplace, tmp_path
):
    sandbox, slow, server = marketplace
    engine = make_engine(demo_database_url)
    uow = UnitOfWork(sessionmaker(bind=engine, expire_on_commit=False))
    owner = outbound.actor(uow, SIAMFRUIT)
    staff = outbound.actor(uow, MANAGER_KUL1)
    with uow:
        fc_id = uow.session.scalar(
            select(FulfillmentCenter.id).where(FulfillmentCenter.code == "KUL1")
        )
    balances = stocked_bins(uow, owner.merchant_id, fc_id)
    assert len(balances) >= 4, "the demo should stock several of the merchant's SKUs in KUL1"

    access = sandbox.add_shop("774411", "MY", server.url)
    shop = connect_shop(
        uow,
        owner,
        SETUP,
        ShopConnection(
            marketplace=Marketplace.SHOPEE,
            country="MY",
            shop_id=access.shop_id,
            base_url=server.url,
            access_token=access.access_token,
            refresh_token=access.refresh_token,
            access_expires_at=utcnow() + timedelta(hours=4),
        ),
    )
    refs: dict[int, ListingRef] = {}
    for n, balance in enumerate(balances):
        ref = ListingRef(item_id=str(880100 + n), model_id="0")
        sandbox.add_listing(access.shop_id, ref, f"Crash test item {n}", quantity=0)
        made = create_listing(
            uow,
            owner,
            SETUP,
            shop["id"],
            ListingDetails(
                sku_id=balance.sku_id,
                fc_id=fc_id,
                ids=ListingIds(item_id=ref.item_id, model_id=ref.model_id),
                policy=StockPolicy(PolicyKind.BUFFER, 0),
            ),
        )
        refs[made["id"]] = ref
    listing_ids = list(refs)
    first = desired(uow, listing_ids)
    assert all(quantity > 0 for quantity in first.values())

    log = tmp_path / "relay.log"
    relay = start_relay(demo_database_url, log)
    try:
        # Changes while the relay works: each loses one unit of every SKU.
        rounds_before = 3
        for _ in range(rounds_before):
            for balance in balances:
                lose_one(uow, staff, balance)
        # Kill it while a push is held in the sandbox, with more still to send.
        wait_for(lambda: len(slow.sent) >= 2 and slow.in_flight > 0, 60, "a push in flight")
        relay.send_signal(signal.SIGKILL)
        relay.wait(timeout=10)
        killed_after = len(slow.sent)
        # More changes while no relay runs.
        rounds_after = 2
        for _ in range(rounds_after):
            for balance in balances:
                lose_one(uow, staff, balance)
        # Each SKU lost five units in all, one at a time: what every listing must end up showing.
        expected = {
            listing: first[listing] - rounds_before - rounds_after for listing in listing_ids
        }
        assert killed_after < len(listing_ids) * 2, "the first relay should not have finished"

        relay = start_relay(demo_database_url, log)
        wait_for(
            lambda: all(
                sandbox.quantity(access.shop_id, refs[listing]) == expected[listing]
                for listing in listing_ids
            ),
            90,
            "every final quantity in the sandbox",
        )
        assert desired(uow, listing_ids) == expected
    finally:
        relay.send_signal(signal.SIGKILL)
        relay.wait(timeout=10)
        engine.dispose()

    # Nothing lost: the marketplace shows every final quantity. Nothing out of order: the
    # quantities only went down, so each listing's pushes must never go back up.
    by_item: dict[str, list[int]] = defaultdict(list)
    for item_id, _, quantity in slow.sent:
        by_item[item_id].append(quantity)
    for listing, ref in refs.items():
        sent = by_item[ref.item_id]
        assert sent[-1] == expected[listing]
        assert sent == sorted(sent, reverse=True), (ref.item_id, sent)
        assert set(sent) <= {first[listing] - n for n in range(6)}

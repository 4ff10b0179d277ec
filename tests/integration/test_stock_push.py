"""The stock push relay: batches per shop, partial failures, throttling, token refresh,
versions that never go backwards, and workers that never send one listing at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from tests.channels import TEST_CIPHER, add_listing, add_shop
from wms.channels.marketplace import (
    AppCredentials,
    ListingRef,
    Marketplace,
    PermanentError,
    ProductListing,
    ShopAccess,
    StockOutcome,
    StockUpdate,
    Throttled,
    TokenGrant,
    TransientError,
)
from wms.db.base import utcnow
from wms.db.models import ChannelShop, FulfillmentCenter, Listing, ListingStock, Sku, User
from wms.db.session import make_engine
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor, Role
from wms.domain.channels import ListingStockStatus, ShopStatus, StockErrorKind
from wms.services.channel_shops import ChannelSetup, ShopConnection, connect_shop
from wms.services.listing_stock import set_desired
from wms.services.stock_push import LEASE, push_listing_stock

SETUP = ChannelSetup(cipher=TEST_CIPHER, apps={Marketplace.SHOPEE: AppCredentials("2001", "k")})


class FakeShopee:
    """A marketplace for one test: takes at most `batch_size` updates per call, refuses the
    listings in `refused` for good, answers the next calls from `failures`, and checks the
    access token it is called with."""

    marketplace = Marketplace.SHOPEE

    def __init__(self, batch_size: int = 2) -> None:
        self.batch_size = batch_size
        self.shown: dict[ListingRef, int] = {}
        self.calls: list[list[StockUpdate]] = []
        self.failures: list[Exception] = []
        self.refused: dict[ListingRef, str] = {}
        self.flaky: set[ListingRef] = set()
        self.valid_token = "access"
        self.refreshes = 0
        self.refresh_error: Exception | None = None
        self.during_push = None
        self.lock = threading.Lock()

    def client(self, access: ShopAccess) -> FakeClient:
        return FakeClient(self, access)


class FakeClient:
    marketplace = Marketplace.SHOPEE

    def __init__(self, shop: FakeShopee, access: ShopAccess) -> None:
        self.shop = shop
        self.access = access

    def stock_batches(self, updates: Sequence[StockUpdate]) -> list[list[StockUpdate]]:
        size = self.shop.batch_size
        return [list(updates[i : i + size]) for i in range(0, len(updates), size)]

    def push_stock(self, batch: Sequence[StockUpdate]) -> list[StockOutcome]:
        assert len(batch) <= self.shop.batch_size
        if self.access.access_token != self.shop.valid_token:
            from wms.channels.marketplace import AuthExpired

            raise AuthExpired("invalid_access_token")
        with self.shop.lock:
            self.shop.calls.append(list(batch))
            failure = self.shop.failures.pop(0) if self.shop.failures else None
        if self.shop.during_push is not None:
            hook, self.shop.during_push = self.shop.during_push, None
            hook()
        if failure is not None:
            raise failure
        outcomes = []
        for update in batch:
            if update.listing in self.shop.refused:
                reason = self.shop.refused[update.listing]
                outcomes.append(StockOutcome(update.listing, False, True, reason))
            elif update.listing in self.shop.flaky:
                outcomes.append(StockOutcome(update.listing, False, False, "system busy"))
            else:
                with self.shop.lock:
                    self.shop.shown[update.listing] = update.quantity
                outcomes.append(StockOutcome(update.listing, True))
        return outcomes

    def refresh_token(self) -> TokenGrant:
        self.shop.refreshes += 1
        if self.shop.refresh_error is not None:
            raise self.shop.refresh_error
        token = f"access-{self.shop.refreshes}"
        self.shop.valid_token = token
        return TokenGrant(token, f"refresh-{self.shop.refreshes}", utcnow() + timedelta(hours=4))

    def read_stock(self, listings: Sequence[ListingRef]) -> dict[ListingRef, int]:
        return {ref: self.shop.shown.get(ref, 0) for ref in listings}

    def products(self) -> list[ProductListing]:
        return []

    def orders(self, updated_from: datetime, updated_to: datetime, cursor: str | None = None):
        raise NotImplementedError

    def order(self, order_id: str):
        raise NotImplementedError

    def ship(self, order_id: str, tracking_number: str, carrier: str) -> None:
        raise NotImplementedError

    def waybill(self, order_id: str) -> bytes:
        raise NotImplementedError


def _merchant_skus_and_kul1(uow, count):
    with uow:
        fc = uow.session.scalar(
            select(FulfillmentCenter.id).where(FulfillmentCenter.code == "KUL1")
        )
        skus = list(uow.session.scalars(select(Sku).order_by(Sku.id)))
        merchant = skus[0].merchant_id
        ids = [sku.id for sku in skus if sku.merchant_id == merchant][:count]
        assert len(ids) == count
        return merchant, fc, ids


def _listings(uow, count, quantities=None, shop_key="push-1"):
    """A shop with `count` listings whose stock waits to be pushed (version 1)."""
    merchant, fc, sku_ids = _merchant_skus_and_kul1(uow, count)
    shop = add_shop(uow, merchant, shop_key)
    listing_ids = [
        add_listing(uow, shop, sku_id, fc, f"{shop_key}-{n}", buffer_units=0)
        for n, sku_id in enumerate(sku_ids)
    ]
    with uow:
        for n, listing_id in enumerate(listing_ids):
            uow.session.add(
                ListingStock(
                    listing_id=listing_id,
                    desired_quantity=(quantities or [10 * (n + 1) for n in range(count)])[n],
                    desired_version=1,
                    pushed_version=0,
                    status=ListingStockStatus.PENDING,
                    attempts=0,
                    next_attempt_at=utcnow() - timedelta(seconds=1),
                    last_error="",
                )
            )
        uow.commit()
    return shop, listing_ids


def _rows(uow, listing_ids):
    with uow:
        rows = {
            row.listing_id: row
            for row in uow.session.scalars(
                select(ListingStock).where(ListingStock.listing_id.in_(listing_ids))
            )
        }
        columns = [column.key for column in ListingStock.__table__.columns]
        return [
            SimpleNamespace(**{name: getattr(rows[i], name) for name in columns})
            for i in listing_ids
        ]


def _ref(uow, listing_id):
    with uow:
        listing = uow.session.get(Listing, listing_id)
        return ListingRef(
            listing.item_id, listing.model_id, listing.seller_sku, listing.warehouse_id
        )


def test_pending_listings_go_out_in_batches_and_are_recorded_synced(uow):
    shop, ids = _listings(uow, 5)
    market = FakeShopee(batch_size=2)
    counts = push_listing_stock(uow, market.client, SETUP)
    assert counts == {"claimed": 5, "synced": 5, "retrying": 0, "parked": 0}
    assert [len(call) for call in market.calls] == [2, 2, 1]
    assert sorted(market.shown.values()) == [10, 20, 30, 40, 50]
    rows = _rows(uow, ids)
    assert {
        (r.status, r.pushed_version, r.pushed_quantity == r.desired_quantity) for r in rows
    } == {(ListingStockStatus.SYNCED, 1, True)}
    with uow:
        assert uow.session.get(ChannelShop, shop).last_sync_at is not None
    assert push_listing_stock(uow, market.client, SETUP)["claimed"] == 0
    assert len(market.calls) == 3


def test_a_partial_failure_parks_the_refused_listing_and_retries_the_busy_one(uow):
    _, ids = _listings(uow, 3)
    market = FakeShopee(batch_size=50)
    market.refused[_ref(uow, ids[0])] = "model_id 0 does not exist"
    market.flaky.add(_ref(uow, ids[1]))
    before = utcnow()
    counts = push_listing_stock(uow, market.client, SETUP)
    assert counts == {"claimed": 3, "synced": 1, "retrying": 1, "parked": 1}
    parked, busy, good = _rows(uow, ids)
    assert (parked.status, parked.last_error, parked.last_error_kind) == (
        ListingStockStatus.PARKED,
        "model_id 0 does not exist",
        StockErrorKind.PERMANENT,
    )
    assert parked.pushed_version == 0
    assert (busy.status, busy.attempts, busy.last_error_kind) == (
        ListingStockStatus.PENDING,
        1,
        StockErrorKind.TRANSIENT,
    )
    # Exponential backoff with jitter: 2^1 s spread over [1 s, 2 s).
    assert before + timedelta(seconds=1) <= busy.next_attempt_at <= utcnow() + timedelta(seconds=2)
    assert good.status is ListingStockStatus.SYNCED
    # Nothing is due until the backoff has passed; the parked listing never is.
    assert push_listing_stock(uow, market.client, SETUP)["claimed"] == 0
    later = push_listing_stock(
        uow, market.client, SETUP, now=lambda: utcnow() + timedelta(seconds=3)
    )
    assert later["claimed"] == 1


def test_a_throttled_shop_gets_no_more_calls_and_waits_at_least_as_long_as_asked(uow):
    _, ids = _listings(uow, 4)
    market = FakeShopee(batch_size=2)
    market.failures = [Throttled("too many requests", retry_after=30)]
    counts = push_listing_stock(uow, market.client, SETUP)
    assert counts == {"claimed": 4, "synced": 0, "retrying": 4, "parked": 0}
    assert len(market.calls) == 1
    soon = utcnow() + timedelta(seconds=29)
    for row in _rows(uow, ids):
        assert row.last_error_kind is StockErrorKind.THROTTLED and row.next_attempt_at > soon
    with uow:
        shop = uow.session.get(Listing, ids[0]).shop
        assert shop.last_error == "too many requests"
    later = push_listing_stock(uow, market.client, SETUP, now=lambda: utcnow() + timedelta(hours=2))
    assert later["synced"] == 4


def test_a_transient_call_failure_retries_only_that_batch(uow):
    _, ids = _listings(uow, 3)
    market = FakeShopee(batch_size=2)
    market.failures = [TransientError("HTTP 503")]
    counts = push_listing_stock(uow, market.client, SETUP)
    assert counts == {"claimed": 3, "synced": 1, "retrying": 2, "parked": 0}
    statuses = [row.status for row in _rows(uow, ids)]
    assert statuses.count(ListingStockStatus.SYNCED) == 1


def test_a_token_about_to_expire_is_refreshed_first_and_stored_sealed(uow):
    shop, ids = _listings(uow, 2)
    with uow:
        row = uow.session.get(ChannelShop, shop)
        row.access_expires_at = utcnow() + timedelta(minutes=4)
        uow.commit()
    market = FakeShopee()
    market.valid_token = "not-yet-issued"
    counts = push_listing_stock(uow, market.client, SETUP)
    assert market.refreshes == 1 and counts["synced"] == 2
    with uow:
        row = uow.session.get(ChannelShop, shop)
        assert TEST_CIPHER.open(row.access_token_sealed) == "access-1"
        assert TEST_CIPHER.open(row.refresh_token_sealed) == "refresh-1"
        assert "access-1" not in row.access_token_sealed
        assert row.access_expires_at > utcnow() + timedelta(hours=3)
    # A token the marketplace refuses early is refreshed once and the call made again.
    market.valid_token = "rotated-by-marketplace"
    with uow:
        for row in uow.session.scalars(
            select(ListingStock).where(ListingStock.listing_id.in_(ids))
        ):
            set_desired(row, row.desired_quantity + 1, utcnow())
        uow.commit()
    assert push_listing_stock(uow, market.client, SETUP)["synced"] == 2
    assert market.refreshes == 2


def test_a_refused_refresh_asks_for_reauthorisation_and_keeps_the_stock_pending(uow):
    shop, ids = _listings(uow, 2)
    with uow:
        uow.session.get(ChannelShop, shop).access_expires_at = utcnow() + timedelta(minutes=1)
        uow.commit()
    market = FakeShopee()
    market.refresh_error = PermanentError("refresh_token expired")
    counts = push_listing_stock(uow, market.client, SETUP)
    assert counts == {"claimed": 2, "synced": 0, "retrying": 2, "parked": 0}
    assert market.calls == []
    with uow:
        row = uow.session.get(ChannelShop, shop)
        assert row.status is ShopStatus.NEEDS_REAUTHORISATION
        assert "refresh_token expired" in row.last_error
    assert {r.status for r in _rows(uow, ids)} == {ListingStockStatus.PENDING}
    assert {r.last_error_kind for r in _rows(uow, ids)} == {StockErrorKind.AUTH}
    later = utcnow() + timedelta(hours=2)
    assert push_listing_stock(uow, market.client, SETUP, now=lambda: later)["claimed"] == 0

    # The merchant authorises the shop again: what waited goes out at once, with new tokens.
    with uow:
        shop_row = uow.session.get(ChannelShop, shop)
        admin_id = uow.session.scalar(select(User.id).where(User.role == Role.ADMIN))
        connection = ShopConnection(
            marketplace=shop_row.marketplace,
            country=shop_row.country,
            shop_id=shop_row.shop_id,
            base_url=shop_row.base_url,
            access_token="access-again",
            refresh_token="refresh-again",
            access_expires_at=utcnow() + timedelta(hours=4),
            merchant_id=shop_row.merchant_id,
        )
    connect_shop(uow, Actor(user_id=admin_id, role=Role.ADMIN), SETUP, connection)
    market.valid_token = "access-again"
    assert push_listing_stock(uow, market.client, SETUP)["synced"] == 2


def test_a_newer_quantity_is_pushed_next_and_an_older_push_never_overwrites_it(uow):
    _, (listing,) = _listings(uow, 1, quantities=[10])
    market = FakeShopee()
    ref = _ref(uow, listing)

    def change_then_another_worker_pushes() -> None:
        # While worker A's call is out: the quantity changes, A's lease runs out, and worker
        # B sends (and records) the newer quantity before A records its answer.
        with uow:
            row = uow.session.get(ListingStock, listing)
            set_desired(row, 25, utcnow())
            uow.commit()
        after_lease = utcnow() + LEASE + timedelta(seconds=1)
        assert push_listing_stock(uow, market.client, SETUP, now=lambda: after_lease)["synced"] == 1

    market.during_push = change_then_another_worker_pushes
    push_listing_stock(uow, market.client, SETUP)
    (row,) = _rows(uow, [listing])
    # A's late answer about version 1 does not undo version 2; since the marketplace may have
    # applied A's call last, the latest quantity is sent once more.
    assert (row.pushed_version, row.pushed_quantity, row.status) == (
        2,
        25,
        ListingStockStatus.PENDING,
    )
    assert market.shown[ref] == 10
    assert push_listing_stock(uow, market.client, SETUP)["synced"] == 1
    (row,) = _rows(uow, [listing])
    assert (row.pushed_version, row.status) == (2, ListingStockStatus.SYNCED)
    assert [call[0].quantity for call in market.calls] == [10, 25, 25]
    assert market.shown[ref] == 25


def test_a_quantity_changed_during_the_push_stays_pending_and_goes_next(uow):
    _, (listing,) = _listings(uow, 1, quantities=[10])
    market = FakeShopee()

    def change() -> None:
        with uow:
            set_desired(uow.session.get(ListingStock, listing), 12, utcnow())
            uow.commit()

    market.during_push = change
    push_listing_stock(uow, market.client, SETUP)
    (row,) = _rows(uow, [listing])
    assert (row.pushed_version, row.pushed_quantity, row.desired_version, row.status) == (
        1,
        10,
        2,
        ListingStockStatus.PENDING,
    )
    push_listing_stock(uow, market.client, SETUP)
    (row,) = _rows(uow, [listing])
    assert (row.pushed_version, row.pushed_quantity, row.status) == (
        2,
        12,
        ListingStockStatus.SYNCED,
    )


@pytest.mark.postgresql
def test_concurrent_workers_never_send_one_listing_at_once(demo_database_url):
    engine = make_engine(demo_database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    setup_uow = UnitOfWork(factory)
    _, ids = _listings(setup_uow, 5, shop_key="race-a")
    market = FakeShopee(batch_size=1)
    in_flight: set[ListingRef] = set()
    overlaps: list[ListingRef] = []
    original = FakeClient.push_stock

    def slow_push(self, batch):
        with market.lock:
            for update in batch:
                if update.listing in in_flight:
                    overlaps.append(update.listing)
                in_flight.add(update.listing)
        time.sleep(0.05)
        try:
            return original(self, batch)
        finally:
            with market.lock:
                for update in batch:
                    in_flight.discard(update.listing)

    FakeClient.push_stock = slow_push
    try:
        results: list[dict[str, int]] = []
        workers = [
            threading.Thread(
                target=lambda: results.append(
                    push_listing_stock(UnitOfWork(factory), market.client, SETUP, limit=3)
                )
            )
            for _ in range(4)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        FakeClient.push_stock = original
    sent = [update.listing for call in market.calls for update in call]
    assert overlaps == []
    assert len(sent) == len(set(sent)) == 5
    assert sum(r["claimed"] for r in results) == 5
    assert {row.status for row in _rows(setup_uow, ids)} == {ListingStockStatus.SYNCED}
    engine.dispose()

"""Every stock change announces itself once per SKU and FC, and the listings follow the stock."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from tests.api import MANAGER_KUL1, SIAMFRUIT, Api, new_key
from tests.channels import (
    add_listing,
    add_shop,
    adjust,
    free_bin,
    kul1,
    last_event_id,
    new_sku,
    stock_changes,
)
from tests.conftest import settings_for
from wms.app import create_app
from wms.db.models import ListingStock, OutboxEvent
from wms.db.session import make_engine
from wms.db.unit_of_work import UnitOfWork
from wms.domain.channels import STOCK_CHANGED, ListingStockStatus
from wms.domain.outbox import OutboxStatus
from wms.services import listing_stock
from wms.services.outbox import deliver_webhooks


def refresh_listing_stock(uow, **options):
    """Consume every pending stock change (the demo leaves a few hundred) in one go."""
    return listing_stock.refresh_listing_stock(uow, limit=100_000, **options)


def _stocked_sku(api_as, code="SF-TEST-ATS", gtin12="885196100901"):
    """A new SKU with 40 units in a storage bin and 7 in quarantine at KUL1."""
    merchant, manager = api_as(SIAMFRUIT), api_as(MANAGER_KUL1)
    sku = new_sku(merchant, code, gtin12)
    fc = kul1(manager)
    storage, quarantine = free_bin(manager, fc, "AMB"), free_bin(manager, fc, "QUA")
    adjust(manager, sku["id"], storage["id"], 40)
    adjust(manager, sku["id"], quarantine["id"], 7)
    return sku, fc, storage, quarantine


def _desired(uow, listing_ids):
    with uow:
        rows = {
            row.listing_id: row
            for row in uow.session.scalars(
                select(ListingStock).where(ListingStock.listing_id.in_(listing_ids))
            )
        }
        return [
            (rows[i].desired_quantity, rows[i].desired_version, rows[i].status) for i in listing_ids
        ]


def test_a_move_between_two_bins_announces_one_change_of_its_sku_and_fc(api_as, uow):
    sku, fc, storage, _ = _stocked_sku(api_as)
    manager = api_as(MANAGER_KUL1)
    before = last_event_id(uow)
    target = free_bin(manager, fc, "AMB")
    response = manager.post(
        "/stock/moves",
        {
            "sku_id": sku["id"],
            "from_location_id": storage["id"],
            "to_location_id": target["id"],
            "quantity": 5,
        },
        key=new_key(),
    )
    assert response.status_code == 201, response.get_json()
    assert stock_changes(uow, before) == [
        {"merchant_id": sku["merchant_id"], "sku_id": sku["id"], "fc_id": fc}
    ]


def test_each_committed_change_is_announced_and_a_refused_one_is_not(api_as, uow):
    sku, _, storage, _ = _stocked_sku(api_as)
    manager = api_as(MANAGER_KUL1)
    before = last_event_id(uow)
    adjust(manager, sku["id"], storage["id"], -2)
    adjust(manager, sku["id"], storage["id"], 3)
    refused = manager.post(
        "/stock/adjustments",
        {"location_id": storage["id"], "sku_id": sku["id"], "delta": -500, "reason": "lost"},
        key=new_key(),
    )
    assert refused.status_code == 409
    assert [change["sku_id"] for change in stock_changes(uow, before)] == [sku["id"]] * 2
    with uow:
        merchants = set(
            uow.session.scalars(
                select(OutboxEvent.merchant_id).where(
                    OutboxEvent.topic == STOCK_CHANGED, OutboxEvent.id > before
                )
            )
        )
    assert merchants == {sku["merchant_id"]}


def test_the_merchant_webhook_relay_leaves_stock_changes_alone(api_as, uow):
    sku, _, storage, _ = _stocked_sku(api_as)
    before = last_event_id(uow)
    adjust(api_as(MANAGER_KUL1), sku["id"], storage["id"], 1)
    deliver_webhooks(uow)
    with uow:
        statuses = list(
            uow.session.scalars(
                select(OutboxEvent.status).where(
                    OutboxEvent.topic == STOCK_CHANGED, OutboxEvent.id > before
                )
            )
        )
    assert statuses == [OutboxStatus.PENDING]


def test_refresh_splits_what_is_available_over_the_listings_and_marks_the_events_done(api_as, uow):
    sku, fc, storage, _ = _stocked_sku(api_as)
    shop_a = add_shop(uow, sku["merchant_id"], "shp-a-1")
    shop_b = add_shop(uow, sku["merchant_id"], "shp-b-1")
    half = add_listing(uow, shop_a, sku["id"], fc, "9001", share_percent=50)
    all_but_5 = add_listing(uow, shop_b, sku["id"], fc, "9002", buffer_units=5)
    adjust(api_as(MANAGER_KUL1), sku["id"], storage["id"], 1)  # 41 available, 7 quarantined

    counts = refresh_listing_stock(uow)
    assert counts["events"] >= 1 and counts["listings_changed"] == 2
    # Claims 20 and 36 exceed the 41 available: shared in proportion, 14.6 and 26.4.
    assert _desired(uow, [half, all_but_5]) == [
        (15, 1, ListingStockStatus.PENDING),
        (26, 1, ListingStockStatus.PENDING),
    ]
    with uow:
        left = uow.session.scalar(
            select(OutboxEvent.id).where(
                OutboxEvent.topic == STOCK_CHANGED, OutboxEvent.status == OutboxStatus.PENDING
            )
        )
    assert left is None
    assert refresh_listing_stock(uow) == {"events": 0, "pairs": 0, "listings_changed": 0}


def test_repeated_changes_coalesce_to_the_latest_quantity_one_version_at_a_time(api_as, uow):
    sku, fc, storage, _ = _stocked_sku(api_as)
    manager = api_as(MANAGER_KUL1)
    shop = add_shop(uow, sku["merchant_id"], "shp-c-1")
    listing = add_listing(uow, shop, sku["id"], fc, "9100", buffer_units=0)
    refresh_listing_stock(uow)
    assert _desired(uow, [listing]) == [(40, 1, ListingStockStatus.PENDING)]

    adjust(manager, sku["id"], storage["id"], -3)
    adjust(manager, sku["id"], storage["id"], 3)
    assert refresh_listing_stock(uow)["listings_changed"] == 0  # back where it was
    assert _desired(uow, [listing]) == [(40, 1, ListingStockStatus.PENDING)]

    for delta in (-4, -6, 2):
        adjust(manager, sku["id"], storage["id"], delta)
    assert refresh_listing_stock(uow)["listings_changed"] == 1
    assert _desired(uow, [listing]) == [(32, 2, ListingStockStatus.PENDING)]


def test_units_in_quarantine_receiving_or_a_blocked_bin_are_not_offered(api_as, uow):
    sku, fc, storage, quarantine = _stocked_sku(api_as)
    manager = api_as(MANAGER_KUL1)
    shop = add_shop(uow, sku["merchant_id"], "shp-d-1")
    listing = add_listing(uow, shop, sku["id"], fc, "9200", share_percent=100)
    receiving = free_bin(manager, fc, "RCV")
    adjust(manager, sku["id"], receiving["id"], 9)
    refresh_listing_stock(uow)
    assert _desired(uow, [listing])[0][0] == 40

    blocked = manager.patch(f"/locations/{storage['id']}", {"status": "blocked"})
    assert blocked.status_code == 200, blocked.get_json()
    adjust(manager, sku["id"], quarantine["id"], 1)  # any change of the SKU re-reads it
    refresh_listing_stock(uow)
    assert _desired(uow, [listing])[0][:2] == (0, 2)


def test_a_safety_buffer_is_held_back_before_the_split(api_as, uow):
    sku, fc, storage, _ = _stocked_sku(api_as)
    shop = add_shop(uow, sku["merchant_id"], "shp-e-1")
    listing = add_listing(uow, shop, sku["id"], fc, "9300", share_percent=100)
    adjust(api_as(MANAGER_KUL1), sku["id"], storage["id"], 1)
    refresh_listing_stock(uow, safety_buffer=6)
    assert _desired(uow, [listing])[0][0] == 35


@pytest.mark.postgresql
def test_concurrent_refreshers_each_take_other_events_and_agree_on_the_result(
    demo_database_url, demo_tokens
):
    """Four workers drain the stock changes at once: every event is consumed once, and the
    listing ends at what the stock says."""
    engine = make_engine(demo_database_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    app = create_app(settings_for(demo_database_url), session_factory=factory)
    client = app.test_client()
    api_as = lambda email: Api(client, demo_tokens[email])  # noqa: E731
    uow = UnitOfWork(factory)
    sku, fc, storage, _ = _stocked_sku(api_as)
    shop = add_shop(uow, sku["merchant_id"], "shp-race-1")
    listing = add_listing(uow, shop, sku["id"], fc, "9400", buffer_units=0)
    manager = api_as(MANAGER_KUL1)
    for delta in (5, -3, 8, -1, 2, -4):
        adjust(manager, sku["id"], storage["id"], delta)
    with uow:
        pending = uow.session.scalar(
            select(func.count(OutboxEvent.id)).where(
                OutboxEvent.topic == STOCK_CHANGED, OutboxEvent.status == OutboxStatus.PENDING
            )
        )
    consumed: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while True:
                counts = listing_stock.refresh_listing_stock(UnitOfWork(factory), limit=25)
                if counts["events"] == 0:
                    return
                consumed.append(counts["events"])
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(consumed) == pending
    assert _desired(uow, [listing])[0][0] == 40 + 5 - 3 + 8 - 1 + 2 - 4
    engine.dispose()

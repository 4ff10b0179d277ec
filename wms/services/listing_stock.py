"""What each listing should show on its marketplace, kept up to date from the stock.

Every stock change writes a `stock.changed` event (see `wms.services.stock`).
`refresh_listing_stock` consumes those events: for each SKU and FC it reads the stock as it
stands, works out what is available to sell and splits it over the listings
(`wms.domain.channels`), and writes each listing's desired quantity. The version goes up only
when the quantity changes, so a burst of changes leaves one quantity to push, the latest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from wms.db.base import utcnow
from wms.db.models import (
    ChannelShop,
    FulfillmentCenter,
    Listing,
    ListingStock,
    Location,
    Lot,
    OutboxEvent,
    Sku,
    StockBalance,
    Zone,
)
from wms.db.unit_of_work import UnitOfWork
from wms.domain.allocation import earliest_acceptable_expiry
from wms.domain.catalogue import LocationStatus
from wms.domain.channels import (
    STOCK_CHANGED,
    ListingStockStatus,
    ShopStatus,
    SkuStock,
    StockPolicy,
    available_to_sell,
    split_available,
)
from wms.domain.outbox import OutboxStatus
from wms.services.allocation import PICKABLE_PURPOSES
from wms.services.stock import lock_sku

SkuFc = tuple[int, int]


def sku_stock(uow: UnitOfWork, sku_id: int, fc_id: int, today: date) -> SkuStock:
    """The SKU's stock in the FC. Unreserved units are held back unless allocation could
    reserve them: in an active bin of a storage zone, of a lot (if dated) that keeps the FC's
    minimum shelf life from today."""
    fc = uow.session.get(FulfillmentCenter, fc_id)
    if fc is None:
        return SkuStock()
    good_until = earliest_acceptable_expiry(today, fc.min_remaining_shelf_life_days)
    unsellable = or_(
        Zone.purpose.not_in(PICKABLE_PURPOSES),
        Location.status != LocationStatus.ACTIVE,
        and_(Lot.expiry_date.is_not(None), Lot.expiry_date < good_until),
    )
    free = StockBalance.on_hand - StockBalance.reserved
    row = uow.session.execute(
        select(
            func.coalesce(func.sum(StockBalance.on_hand), 0),
            func.coalesce(func.sum(StockBalance.reserved), 0),
            func.coalesce(func.sum(case((unsellable, free), else_=0)), 0),
        )
        .join(Location, Location.id == StockBalance.location_id)
        .join(Zone, Zone.id == Location.zone_id)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.sku_id == sku_id, StockBalance.fc_id == fc_id)
    ).one()
    return SkuStock(on_hand=int(row[0]), reserved=int(row[1]), held=int(row[2]))


def policy_of(listing: Listing) -> StockPolicy:
    return StockPolicy.of(listing.share_percent, listing.buffer_units)


def set_desired(stock: ListingStock, quantity: int, now: datetime) -> bool:
    """A new desired quantity for a listing; True if it changed (and is now to be pushed).

    A parked listing keeps waiting for a person (its refusal was permanent), with the new
    quantity ready for when it is retried."""
    if stock.desired_version > 0 and stock.desired_quantity == quantity:
        return False
    stock.desired_quantity = quantity
    stock.desired_version += 1
    if stock.status is not ListingStockStatus.PARKED:
        stock.status = ListingStockStatus.PENDING
        stock.attempts = 0
        stock.next_attempt_at = now
    return True


def refresh_sku_fc(
    uow: UnitOfWork, sku_id: int, fc_id: int, safety_buffer: int, now: datetime
) -> int:
    """Recompute what every listing of a SKU in an FC shows; the SKU must be locked (stock
    changes of it then wait, and what is read is what they committed). Listings of
    disconnected shops take no part in the split. Returns how many listings changed."""
    listings = list(
        uow.session.scalars(
            select(Listing)
            .join(ChannelShop, ChannelShop.id == Listing.shop_id)
            .where(
                Listing.sku_id == sku_id,
                Listing.fc_id == fc_id,
                ChannelShop.status != ShopStatus.DISCONNECTED,
            )
            .order_by(Listing.id)
        )
    )
    if not listings:
        return 0
    rows = {
        row.listing_id: row
        for row in uow.session.scalars(
            select(ListingStock)
            .where(ListingStock.listing_id.in_([listing.id for listing in listings]))
            .with_for_update()
        )
    }
    available = available_to_sell(sku_stock(uow, sku_id, fc_id, now.date()), safety_buffer)
    shown = split_available(available, [policy_of(listing) for listing in listings])
    changed = 0
    for listing, quantity in zip(listings, shown, strict=True):
        row = rows.get(listing.id)
        if row is None:
            row = ListingStock(
                listing_id=listing.id,
                desired_quantity=0,
                desired_version=0,
                pushed_version=0,
                status=ListingStockStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                last_error="",
            )
            uow.session.add(row)
        changed += set_desired(row, quantity, now)
    return changed


def refresh_pairs(
    uow: UnitOfWork, pairs: Iterable[SkuFc], safety_buffer: int, now: datetime
) -> int:
    """Lock the SKUs (in id order, as every stock change does) and refresh each SKU and FC."""
    changed = 0
    locked: set[int] = set()
    for sku_id, fc_id in sorted(set(pairs)):
        if sku_id not in locked:
            sku = uow.session.get(Sku, sku_id)
            if sku is None:
                continue
            lock_sku(uow, sku)
            locked.add(sku_id)
        changed += refresh_sku_fc(uow, sku_id, fc_id, safety_buffer, now)
    return changed


def _pending_changes(uow: UnitOfWork, limit: int) -> list[OutboxEvent]:
    query = (
        select(OutboxEvent)
        .where(OutboxEvent.status == OutboxStatus.PENDING, OutboxEvent.topic == STOCK_CHANGED)
        .order_by(OutboxEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(uow.session.scalars(query))


def _pair_of(event: OutboxEvent) -> SkuFc | None:
    try:
        data: dict[str, Any] = json.loads(event.payload)["data"]
        return int(data["sku_id"]), int(data["fc_id"])
    except (ValueError, KeyError, TypeError):
        return None


def refresh_listing_stock(
    uow: UnitOfWork,
    *,
    safety_buffer: int = 0,
    limit: int = 500,
    now: Callable[[], datetime] = utcnow,
) -> dict[str, int]:
    """Consume up to `limit` pending `stock.changed` events in one transaction: recompute the
    listings of each SKU and FC they name and mark them delivered. Several workers may run at
    once: on PostgreSQL each claims other events (FOR UPDATE SKIP LOCKED), and the SKU lock
    orders their writes to one SKU. Returns counts: events, SKU/FC pairs, listings changed."""
    with uow:
        events = _pending_changes(uow, limit)
        moment = now()
        pairs: set[SkuFc] = set()
        for event in events:
            pair = _pair_of(event)
            if pair is None:
                event.status = OutboxStatus.PARKED
                event.last_error = "The event does not name a SKU and an FC."
                continue
            pairs.add(pair)
            event.status = OutboxStatus.DELIVERED
            event.delivered_at = moment
            event.attempts += 1
        changed = refresh_pairs(uow, pairs, safety_buffer, moment)
        uow.commit()
    return {"events": len(events), "pairs": len(pairs), "listings_changed": changed}

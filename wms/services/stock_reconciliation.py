"""Stock reconciliation: read what each marketplace shows and correct drift.

A listing the relay synced should show its desired quantity. Someone may change it in the
seller centre, a push may have been lost on the marketplace's side, a promotion may have ended.
`reconcile_stock` reads each connected shop's synced listings (`client.read_stock`, with no
transaction open) and compares:

- shows **more** than the WMS wants: the merchant may oversell; the listing is marked pending
  at once, and the relay pushes the desired quantity again.
- shows **less**: a buyer's order the WMS has not taken in yet looks the same (the marketplace
  takes stock off as the order is placed, the WMS when it takes the order in); the listing is
  corrected only when the next reading still shows the same quantity against the same desired
  version (take orders in between).

Listings that are pending (a push is due anyway) or parked (a person must act) are not read.
Each corrected listing records when and why (`drift_at`, `drift_reason`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from wms.channels.marketplace import ListingRef, MarketplaceError
from wms.db.base import utcnow
from wms.db.models import ChannelShop, Listing, ListingStock
from wms.db.unit_of_work import UnitOfWork
from wms.domain.channel_orders import DriftKind, drift
from wms.domain.channels import MARKETPLACE_NAMES, ListingStockStatus, ShopStatus
from wms.services.channel_calls import call_shop, note_shop_error
from wms.services.channel_shops import ChannelSetup, ShopNotReady
from wms.services.stock_push import ClientFactory, Reauthorise

BATCH = 100


@dataclass(frozen=True)
class _Synced:
    listing_id: int
    ref: ListingRef
    version: int


def reconcile_stock(
    uow: UnitOfWork,
    clients: ClientFactory,
    setup: ChannelSetup,
    *,
    now: Callable[[], datetime] = utcnow,
    batch: int = BATCH,
) -> dict[str, int]:
    """Read every connected shop's synced listings and mark drifted ones pending. Returns
    counts: shops, listings read, in step, corrected, suspected (less shown, to confirm on the
    next reading), unread (the marketplace gave no quantity), failed shops."""
    counts: Counter[str] = Counter()
    for shop_id, marketplace in _shops(uow, setup):
        counts["shops"] += 1
        listings = _synced(uow, shop_id)
        for start in range(0, len(listings), batch):
            chunk = listings[start : start + batch]
            try:
                shown = call_shop(
                    uow,
                    clients,
                    setup,
                    shop_id,
                    now(),
                    lambda c, part=chunk: c.read_stock([s.ref for s in part]),  # type: ignore[misc]
                )
            except (MarketplaceError, Reauthorise, ShopNotReady) as error:
                counts["failed"] += 1
                note_shop_error(
                    uow,
                    shop_id,
                    f"Stock reconciliation: {error}",
                    now(),
                    reauthorise=isinstance(error, Reauthorise),
                )
                break
            _compare(
                uow, chunk, shown, MARKETPLACE_NAMES.get(marketplace, marketplace), now(), counts
            )
    keys = ("shops", "read", "in_step", "corrected", "suspected", "unread", "failed")
    return {key: counts[key] for key in keys}


def _shops(uow: UnitOfWork, setup: ChannelSetup) -> list[tuple[int, str]]:
    with uow:
        return [
            (shop_id, str(marketplace))
            for shop_id, marketplace in uow.session.execute(
                select(ChannelShop.id, ChannelShop.marketplace)
                .where(
                    ChannelShop.status == ShopStatus.CONNECTED,
                    ChannelShop.marketplace.in_(list(setup.apps)),
                )
                .order_by(ChannelShop.id)
            )
        ]


def _synced(uow: UnitOfWork, shop_id: int) -> list[_Synced]:
    with uow:
        rows = uow.session.execute(
            select(Listing, ListingStock.desired_version)
            .join(ListingStock, ListingStock.listing_id == Listing.id)
            .where(Listing.shop_id == shop_id, ListingStock.status == ListingStockStatus.SYNCED)
            .order_by(Listing.id)
        )
        return [
            _Synced(
                listing.id,
                ListingRef(
                    listing.item_id, listing.model_id, listing.seller_sku, listing.warehouse_id
                ),
                version,
            )
            for listing, version in rows
        ]


def _compare(
    uow: UnitOfWork,
    chunk: list[_Synced],
    shown: dict[ListingRef, int],
    marketplace: str,
    moment: datetime,
    counts: Counter[str],
) -> None:
    """Record one reading and mark the drifted listings pending, in one transaction."""
    by_id = {item.listing_id: item for item in chunk}
    with uow:
        rows = uow.session.scalars(
            select(ListingStock)
            .where(ListingStock.listing_id.in_(list(by_id)))
            .order_by(ListingStock.listing_id)
            .with_for_update()
        )
        for row in rows:
            item = by_id[row.listing_id]
            if row.status is not ListingStockStatus.SYNCED or row.desired_version != item.version:
                continue  # changed since it was read: the relay has it
            quantity = shown.get(item.ref)
            if quantity is None:
                counts["unread"] += 1
                continue
            counts["read"] += 1
            kind = drift(quantity, row.desired_quantity)
            confirmed = (
                row.checked_version == row.desired_version and row.checked_quantity == quantity
            )
            if kind is DriftKind.NONE:
                counts["in_step"] += 1
            elif kind is DriftKind.ABOVE or confirmed:
                row.status = ListingStockStatus.PENDING
                row.attempts = 0
                row.next_attempt_at = moment
                row.drift_at = moment
                word = "more" if kind is DriftKind.ABOVE else "less"
                row.drift_reason = (
                    f"{marketplace} showed {quantity}, {word} than the {row.desired_quantity} "
                    "the WMS wants: sent again."
                )
                counts["corrected"] += 1
            else:
                counts["suspected"] += 1
            row.checked_at = moment
            row.checked_quantity = quantity
            row.checked_version = row.desired_version
        uow.commit()

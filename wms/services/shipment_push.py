"""Telling the marketplaces that their orders shipped: once per order, retried with backoff.

A marketplace order's WMS order has shipped when its manifest closed (`shipping.close_manifest`:
the parcel, with its tracking number, left with the carrier). One round (`push_shipments`):

1. **Claim** shipped orders not yet told, in a short transaction (FOR UPDATE SKIP LOCKED, then
   a lease, as the stock push relay does), with the shipped parcel's tracking number and the
   carrier's code.
2. **Tell** each marketplace with no transaction open (`client.ship`):
   - Shopee: our tracking number, as a non-integrated (seller's own) logistics channel.
   - Lazada assigns the tracking number itself when the order is packed (its waybill carries
     it): the call packs and sets the order ready to ship, and no number of ours is sent; the
     FC's parcel must go with Lazada's waybill (`marketplace_waybill`).
   - TikTok: for orders the seller ships (`shipping_type` SELLER) our tracking number and the
     carrier's code are uploaded (the code is sent as TikTok's `shipping_provider_id`: mapping
     FC carriers to TikTok's provider ids is the merchant's set-up); for orders TikTok's own
     logistics carry, TikTok has its tracking number and the call arranges the pick-up.
3. **Record**: done → never told again (the tracking number sent is kept); throttled or
   transient → retried later with exponential backoff and jitter (or the API's retry-after);
   refused for good → parked with the marketplace's reason.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from wms.channels.marketplace import Marketplace, MarketplaceError, PermanentError
from wms.db.base import utcnow
from wms.db.models import Carrier, ChannelOrder, ChannelShop, Order, Package
from wms.db.unit_of_work import UnitOfWork
from wms.domain.channel_orders import ShipmentPush
from wms.domain.channels import ShopStatus
from wms.domain.orders import OrderStatus
from wms.domain.outbox import retry_delay
from wms.domain.packing import PackageStatus
from wms.services.channel_calls import call_shop, note_shop_error
from wms.services.channel_shops import ChannelSetup, ShopNotReady
from wms.services.stock_push import ClientFactory, Reauthorise

LEASE = timedelta(minutes=2)
ASSIGNS_TRACKING = frozenset({Marketplace.LAZADA})
"""Marketplaces that give the tracking number themselves: none of ours is sent."""


@dataclass(frozen=True)
class _Claim:
    link_id: int
    shop_id: int
    marketplace: Marketplace
    external_id: str
    tracking_number: str
    carrier: str


def push_shipments(
    uow: UnitOfWork,
    clients: ClientFactory,
    setup: ChannelSetup,
    *,
    now: Callable[[], datetime] = utcnow,
    rng: random.Random | None = None,
    limit: int = 100,
    lease: timedelta = LEASE,
) -> dict[str, int]:
    """One round: tell the marketplaces of up to `limit` shipped orders. Returns counts:
    claimed, pushed, retrying, parked."""
    rng = rng or random.Random()  # noqa: S311 - jitter, not security
    counts: Counter[str] = Counter()
    claims = _claim(uow, setup, now(), limit, lease)
    counts["claimed"] = len(claims)
    for claim in claims:
        sent = "" if claim.marketplace in ASSIGNS_TRACKING else claim.tracking_number
        try:
            call_shop(
                uow,
                clients,
                setup,
                claim.shop_id,
                now(),
                lambda c, at=claim, number=sent: c.ship(at.external_id, number, at.carrier),  # type: ignore[misc]
            )
        except PermanentError as error:
            _record(uow, claim, now(), rng, parked=str(error))
            counts["parked"] += 1
        except (MarketplaceError, Reauthorise, ShopNotReady) as error:
            if not isinstance(error, MarketplaceError):
                note_shop_error(
                    uow,
                    claim.shop_id,
                    f"Shipments: {error}",
                    now(),
                    reauthorise=isinstance(error, Reauthorise),
                )
            retry_after = error.retry_after if isinstance(error, MarketplaceError) else None
            _record(uow, claim, now(), rng, failed=str(error), retry_after=retry_after)
            counts["retrying"] += 1
        else:
            _record(uow, claim, now(), rng, sent=sent)
            counts["pushed"] += 1
    return {key: counts[key] for key in ("claimed", "pushed", "retrying", "parked")}


def _claim(
    uow: UnitOfWork, setup: ChannelSetup, moment: datetime, limit: int, lease: timedelta
) -> list[_Claim]:
    with uow:
        rows = uow.session.execute(
            select(ChannelOrder, ChannelShop.marketplace, Order.id, Carrier.code)
            .join(Order, Order.id == ChannelOrder.order_id)
            .join(Carrier, Carrier.id == Order.carrier_id)
            .join(ChannelShop, ChannelShop.id == ChannelOrder.shop_id)
            .where(
                ChannelOrder.shipment_status == ShipmentPush.WAITING,
                ChannelOrder.shipment_next_attempt_at <= moment,
                Order.status == OrderStatus.SHIPPED,
                ChannelShop.status == ShopStatus.CONNECTED,
                ChannelShop.marketplace.in_(list(setup.apps)),
            )
            .order_by(ChannelOrder.shipment_next_attempt_at, ChannelOrder.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=ChannelOrder)
        ).all()
        claims = []
        for link, marketplace, order_id, carrier in rows:
            tracking = uow.session.scalar(
                select(Package.tracking_number)
                .where(
                    Package.order_id == order_id,
                    Package.status == PackageStatus.SHIPPED,
                    Package.tracking_number.is_not(None),
                )
                .order_by(Package.id)
                .limit(1)
            )
            link.shipment_next_attempt_at = moment + lease
            claims.append(
                _Claim(
                    link.id, link.shop_id, marketplace, link.external_id, tracking or "", carrier
                )
            )
        uow.commit()
        return claims


def _record(
    uow: UnitOfWork,
    claim: _Claim,
    moment: datetime,
    rng: random.Random,
    *,
    sent: str | None = None,
    failed: str | None = None,
    parked: str | None = None,
    retry_after: float | None = None,
) -> None:
    with uow:
        link = uow.session.get(ChannelOrder, claim.link_id, with_for_update=True)
        if link is None or link.shipment_status is not ShipmentPush.WAITING:
            return
        link.shipment_attempts += 1
        if sent is not None:
            link.shipment_status = ShipmentPush.PUSHED
            link.shipment_tracking = sent
            link.shipment_pushed_at = moment
            link.shipment_error = ""
        elif parked is not None:
            link.shipment_status = ShipmentPush.PARKED
            link.shipment_error = parked[:2000]
        else:
            link.shipment_error = (failed or "")[:2000]
            delay = retry_delay(link.shipment_attempts, rng.random())
            if retry_after is not None:
                delay = max(delay, timedelta(seconds=retry_after))
            link.shipment_next_attempt_at = moment + delay
        uow.commit()

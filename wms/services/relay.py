"""One round of the background worker: everything the outbox holds goes where it is due.

A round delivers merchant webhooks, turns stock changes into listing quantities (until the
events are drained, so a burst of changes coalesces into one quantity per listing), pushes the
due listing quantities to the marketplaces, takes marketplace orders in (webhook hints, and
each shop's order list polled on its own cadence), tells the marketplaces what shipped, and,
when asked, reconciles what the marketplaces show with what the WMS wants. The worker
(`flask wms relay`) repeats rounds; several may run at once on PostgreSQL, and one killed
mid-round loses nothing: what it had claimed comes due again when its lease runs out.
"""

from __future__ import annotations

from datetime import timedelta

from wms.db.unit_of_work import UnitOfWork
from wms.services.channel_orders import take_in_orders
from wms.services.channel_shops import ChannelSetup
from wms.services.listing_stock import refresh_listing_stock
from wms.services.outbox import deliver_webhooks
from wms.services.shipment_push import push_shipments
from wms.services.stock_push import LEASE, ClientFactory, push_listing_stock
from wms.services.stock_reconciliation import reconcile_stock

REFRESH_BATCH = 500
MAX_REFRESH_BATCHES = 20
"""A round turns at most this many batches of stock events into quantities before pushing."""


def relay_round(
    uow: UnitOfWork,
    clients: ClientFactory,
    setup: ChannelSetup,
    *,
    lease: timedelta = LEASE,
    push_limit: int = 500,
    reconcile: bool = False,
) -> dict[str, int]:
    """Deliver what is due once; counts by step and outcome (`webhooks.delivered`, ...)."""
    counts: dict[str, int] = {}
    for name, count in deliver_webhooks(uow).items():
        counts[f"webhooks.{name}"] = count
    for _ in range(MAX_REFRESH_BATCHES):
        refreshed = refresh_listing_stock(
            uow, safety_buffer=setup.safety_buffer, limit=REFRESH_BATCH
        )
        for name, count in refreshed.items():
            counts[f"stock.{name}"] = counts.get(f"stock.{name}", 0) + count
        if refreshed.get("events", 0) < REFRESH_BATCH:
            break
    for name, count in push_listing_stock(
        uow, clients, setup, lease=lease, limit=push_limit
    ).items():
        counts[f"push.{name}"] = count
    for name, count in take_in_orders(uow, clients, setup).items():
        counts[f"orders.{name}"] = count
    for name, count in push_shipments(uow, clients, setup, lease=lease).items():
        counts[f"shipments.{name}"] = count
    if reconcile:
        for name, count in reconcile_stock(uow, clients, setup).items():
            counts[f"reconcile.{name}"] = count
    return counts

"""Calling a marketplace for a shop outside any transaction, with tokens kept fresh: the one
way the channel jobs (order intake, shipment push, waybills, reconciliation) reach a
marketplace. The stock push relay refreshes tokens the same way (`stock_push.refreshed_access`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from wms.channels.marketplace import AuthExpired, MarketplaceClient
from wms.db.models import ChannelShop
from wms.db.unit_of_work import UnitOfWork
from wms.domain.channels import ShopStatus
from wms.services.channel_shops import ChannelSetup
from wms.services.stock_push import ClientFactory, Reauthorise, refreshed_access

T = TypeVar("T")


def call_shop(
    uow: UnitOfWork,
    clients: ClientFactory,
    setup: ChannelSetup,
    shop_id: int,
    now: datetime,
    call: Callable[[MarketplaceClient], T],
) -> T:
    """`call(client)` for the shop, with no transaction open while the marketplace answers.

    Tokens close to expiry are refreshed first; an access refusal refreshes them once and calls
    again. Raises `Reauthorise` when fresh tokens are refused too, `ShopNotReady` for a shop
    that cannot be called, and the marketplace's own errors (`MarketplaceError`)."""
    access = refreshed_access(uow, clients, setup, shop_id, now)
    try:
        return call(clients(access))
    except AuthExpired:
        access = refreshed_access(uow, clients, setup, shop_id, now, force=True)
    try:
        return call(clients(access))
    except AuthExpired as error:
        raise Reauthorise(
            f"Access refused after a token refresh: {error}. Connect the shop again."
        ) from error


def note_shop_error(
    uow: UnitOfWork, shop_id: int, reason: str, now: datetime, *, reauthorise: bool = False
) -> None:
    """Keep a shop's last error (and, when its tokens are refused, that it must be connected
    again), in a transaction of its own."""
    with uow:
        shop = uow.session.get(ChannelShop, shop_id, with_for_update=True)
        if shop is None:
            return
        shop.last_error = reason[:2000]
        shop.last_error_at = now
        if reauthorise and shop.status is ShopStatus.CONNECTED:
            shop.status = ShopStatus.NEEDS_REAUTHORISATION
        uow.commit()

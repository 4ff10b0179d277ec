"""Test set-up for the channel pages: merchants' Shopee shops connected to a real Shopee sandbox
served over HTTP, listings created and pushed through the use cases, one of them refused for
good by the sandbox (parked, with the marketplace's reason)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask

from tests.conftest import settings_for
from wms.app import create_app
from wms.bootstrap import EXTENSION
from wms.channels.clients import client_for
from wms.channels.marketplace import AppCredentials, ListingRef, ShopAccess
from wms.channels.sandbox.server import RunningServer, serve
from wms.channels.sandbox.shopee import ShopeeSandbox
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.channels import ListingIds, StockPolicy
from wms.services import auth, catalogue, channel_shops, facilities, listings
from wms.services.channel_shops import ChannelSetup, ShopConnection
from wms.services.demo import DEMO_PASSWORD
from wms.services.paging import PageRequest
from wms.services.stock_push import push_listing_stock
from wms.settings import Settings

SHOPEE_APP = AppCredentials("2001887", "ui-tests-shopee-partner-key-0f3a")
REFUSAL = "item_banned: this item is under review for a prohibited word in its title"


def channel_settings(database_url: str) -> Settings:
    """Test settings whose Shopee app is the sandbox's, so the WMS's signatures check out."""
    return settings_for(
        database_url, shopee_partner_id=SHOPEE_APP.key, shopee_partner_key=SHOPEE_APP.secret
    )


@contextmanager
def shopee_sandbox() -> Iterator[tuple[ShopeeSandbox, RunningServer]]:
    """A Shopee sandbox for the app, served on a free local port."""
    sandbox = ShopeeSandbox(SHOPEE_APP)
    server = serve(sandbox.wsgi_app())
    try:
        yield sandbox, server
    finally:
        server.stop()


@dataclass(frozen=True)
class ShopWithListings:
    """A connected shop with one listing synced and one parked by the marketplace."""

    shop_id: int
    marketplace_shop_id: str
    synced: int
    parked: int
    synced_sku: str
    parked_sku: str


def actor_of(uow: UnitOfWork, email: str) -> Actor:
    actor, _user = auth.authenticate(uow, email, DEMO_PASSWORD)
    return actor


def connection_of(access: ShopAccess, name: str = "") -> ShopConnection:
    """What the marketplace's authorisation gave for the shop."""
    return ShopConnection(
        marketplace=access.marketplace,
        country=access.country,
        shop_id=access.shop_id,
        base_url=access.base_url,
        access_token=access.access_token,
        refresh_token=access.refresh_token,
        access_expires_at=access.access_expires_at,
        refresh_expires_at=access.refresh_expires_at,
        shop_cipher=access.shop_cipher,
        name=name,
    )


def push(uow: UnitOfWork, setup: ChannelSetup) -> dict[str, int]:
    """One round of the stock push relay against the marketplaces, over HTTP."""
    return push_listing_stock(uow, client_for, setup)


def shop_with_listings(
    app: Flask,
    sandbox: ShopeeSandbox,
    server: RunningServer,
    email: str,
    marketplace_shop_id: str,
    *,
    name: str = "",
) -> ShopWithListings:
    """Through the use cases: the merchant connects its Shopee MY shop, lists two of its SKUs
    from KUL1 (one refused for good by the marketplace), and the relay pushes them once."""
    wiring = app.extensions[EXTENSION]
    uow: UnitOfWork = wiring.uow()
    setup: ChannelSetup = wiring.channels
    merchant = actor_of(uow, email)
    access = sandbox.add_shop(marketplace_shop_id, "MY", server.url)
    shop = channel_shops.connect_shop(uow, merchant, setup, connection_of(access, name))
    kul1 = next(fc["id"] for fc in facilities.list_fcs(uow, merchant) if fc["code"] == "KUL1")
    skus: list[dict[str, Any]] = catalogue.list_skus(uow, merchant, PageRequest(1, 50))["items"]
    made: list[int] = []
    for number, sku in enumerate(skus[:2]):
        item_id = f"{marketplace_shop_id}{number + 1:03d}"
        ref = ListingRef(item_id, "", sku["code"], "")
        sandbox.add_listing(marketplace_shop_id, ref, f"{sku['name_en']}")
        if number == 1:
            sandbox.refuse_listing(marketplace_shop_id, ref, REFUSAL)
        details = listings.ListingDetails(
            sku_id=sku["id"],
            fc_id=kul1,
            ids=ListingIds(item_id, "", sku["code"], ""),
            policy=StockPolicy.buffer(0) if number == 0 else StockPolicy.share(50),
        )
        made.append(listings.create_listing(uow, merchant, setup, shop["id"], details)["id"])
    push(uow, setup)
    return ShopWithListings(
        shop_id=shop["id"],
        marketplace_shop_id=marketplace_shop_id,
        synced=made[0],
        parked=made[1],
        synced_sku=skus[0]["code"],
        parked_sku=skus[1]["code"],
    )


def channel_app(database_url: str) -> Flask:
    return create_app(channel_settings(database_url))

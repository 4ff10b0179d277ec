"""The demo's "Shopee MY": connected in the running Shopee sandbox through its control panel,
the merchant's SKUs listed, their stock pushed by the worker, a buyer's order taken in; a
restarted (empty) sandbox gets the shop and every quantity again."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from wms.channels.clients import client_for
from wms.channels.marketplace import AppCredentials, ListingRef, Marketplace
from wms.channels.sandbox.admin import ControlPanel, with_controls
from wms.channels.sandbox.server import serve
from wms.channels.sandbox.shopee import ShopeeSandbox
from wms.db.encryption import TokenCipher, derived_key
from wms.db.models import Listing, ListingStock, Order
from wms.db.session import make_engine
from wms.db.unit_of_work import UnitOfWork
from wms.domain.orders import OrderStatus
from wms.services.channel_shops import ChannelSetup
from wms.services.demo_channels import SHOP_ID, connect_demo_shop
from wms.services.relay import relay_round

APP = AppCredentials("1000001", "sandbox-shopee-partner-key")
SETUP = ChannelSetup(
    cipher=TokenCipher([derived_key("dev-only-not-secret")]), apps={Marketplace.SHOPEE: APP}
)


def shown_and_wanted(uow, sandbox, shop_id):
    with uow:
        rows = uow.session.execute(
            select(
                Listing.item_id, Listing.model_id, Listing.seller_sku, ListingStock.desired_quantity
            )
            .join(ListingStock, ListingStock.listing_id == Listing.id)
            .where(Listing.shop_id == shop_id)
        ).all()
    return [
        (sandbox.quantity(SHOP_ID, ListingRef(item, model, sku)), wanted)
        for item, model, sku, wanted in rows
    ]


def test_the_demo_shop_gets_the_merchants_stock_and_gets_it_again_after_a_restart(
    demo_database_url,
):
    engine = make_engine(demo_database_url)
    uow = UnitOfWork(sessionmaker(bind=engine, expire_on_commit=False))
    try:
        for _ in range(2):  # the run command started twice: a new, empty sandbox each time
            sandbox = ShopeeSandbox(APP)
            server = serve(with_controls(sandbox))
            try:
                shop = connect_demo_shop(
                    uow, SETUP, ControlPanel(server.url), server.url, "http://127.0.0.1:1/hook"
                )
                assert shop["name"] == "Shopee MY" and shop["listings"] >= 3
                assert sandbox.webhook_url == "http://127.0.0.1:1/hook"
                while relay_round(uow, client_for, SETUP).get("push.claimed"):
                    pass
                pairs = shown_and_wanted(uow, sandbox, shop["id"])
                assert len(pairs) == shop["listings"]
                assert any(wanted > 0 for _, wanted in pairs)
                assert all(shown == wanted for shown, wanted in pairs)
                # The buyer's order came in (no web server here: the worker's poll found it).
                with uow:
                    order = uow.session.scalar(
                        select(Order).where(
                            Order.channel == "shopee", Order.external_id == shop["order_id"]
                        )
                    )
                    assert order is not None and order.status != OrderStatus.CANCELLED
            finally:
                server.stop()
    finally:
        engine.dispose()

"""The demo's marketplace shop: Siam Dried Fruit's "Shopee MY", in the local Shopee sandbox.

The sandbox keeps its shops in memory, so the run command connects the shop again each time it
starts the sandbox: new tokens (as re-authorising would give them), every SKU of the merchant
in KUL1 listed (created once), every listing's quantity sent again (a new sandbox shows none),
and a buyer's order placed, which comes to the WMS by webhook or by the worker's poll.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from wms.channels.marketplace import ListingRef, Marketplace
from wms.channels.sandbox.admin import ControlPanel
from wms.db.base import utcnow
from wms.db.models import FulfillmentCenter, Listing, ListingStock, Sku, User
from wms.db.unit_of_work import UnitOfWork
from wms.domain.channels import ListingIds, ListingStockStatus, PolicyKind, StockPolicy
from wms.services import auth
from wms.services.channel_shops import ChannelSetup, ShopConnection, connect_shop
from wms.services.listings import ListingDetails, create_listing

OWNER = "owner@siamfruit.test"
SHOP_ID = "880001"
FC_CODE = "KUL1"
FIRST_ITEM = 2_100_000_001


def demo_listing(index: int, sku_code: str) -> ListingRef:
    """The sandbox's item for the merchant's index-th SKU (a plain item: model 0)."""
    return ListingRef(item_id=str(FIRST_ITEM + index), model_id="0", seller_sku=sku_code)


def connect_demo_shop(
    uow: UnitOfWork, setup: ChannelSetup, panel: ControlPanel, shop_url: str, webhook_url: str
) -> dict[str, Any]:
    """Connect (again) the demo's Shopee MY shop and list the merchant's KUL1 SKUs on it;
    returns the shop as the shops use case shows it, with `listings`."""
    with uow:
        user_id = uow.session.scalar(select(User.id).where(User.email == OWNER))
        fc_id = uow.session.scalar(
            select(FulfillmentCenter.id).where(FulfillmentCenter.code == FC_CODE)
        )
    if user_id is None or fc_id is None:
        raise LookupError("load the demo first (flask wms load-demo)")
    owner = auth.actor_for_user(uow, user_id)
    assert owner is not None and owner.merchant_id is not None
    tokens = panel.add_shop(SHOP_ID, "MY")
    shop = connect_shop(
        uow,
        owner,
        setup,
        ShopConnection(
            marketplace=Marketplace.SHOPEE,
            country="MY",
            shop_id=SHOP_ID,
            base_url=shop_url,
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
            access_expires_at=datetime.fromisoformat(tokens["access_expires_at"]),
            refresh_expires_at=(
                datetime.fromisoformat(tokens["refresh_expires_at"])
                if tokens.get("refresh_expires_at")
                else None
            ),
            name="Shopee MY",
        ),
    )
    with uow:
        skus = list(
            uow.session.execute(
                select(Sku.id, Sku.code, Sku.name_en)
                .where(Sku.merchant_id == owner.merchant_id)
                .order_by(Sku.code)
            )
        )
        listed = set(
            uow.session.scalars(select(Listing.sku_id).where(Listing.shop_id == shop["id"]))
        )
    refs = [(demo_listing(n, code), name) for n, (_, code, name) in enumerate(skus)]
    panel.add_listings(SHOP_ID, refs)
    for (sku_id, _, _), (ref, _) in zip(skus, refs, strict=True):
        if sku_id not in listed:
            create_listing(
                uow,
                owner,
                setup,
                shop["id"],
                ListingDetails(
                    sku_id=sku_id,
                    fc_id=fc_id,
                    ids=ListingIds(
                        item_id=ref.item_id, model_id=ref.model_id, seller_sku=ref.seller_sku
                    ),
                    policy=StockPolicy(PolicyKind.SHARE, 100),
                ),
            )
    with uow:
        # A new sandbox shows nothing: what was sent to the last one goes again.
        for stock in uow.session.scalars(
            select(ListingStock).where(
                ListingStock.listing_id.in_(
                    select(Listing.id).where(Listing.shop_id == shop["id"])
                ),
                ListingStock.status == ListingStockStatus.SYNCED,
            )
        ):
            stock.status = ListingStockStatus.PENDING
            stock.next_attempt_at = utcnow()
        uow.commit()
    panel.set_webhook_url(webhook_url)
    # A buyer's order, so a new user sees one come in (by webhook, or by the worker's poll when
    # the web server was not up yet to receive it).
    order_id = panel.place_order(SHOP_ID, [(refs[0][0], 1)])
    return {**shop, "listings": len(skus), "order_id": order_id}

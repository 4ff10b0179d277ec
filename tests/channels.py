"""Test helpers for marketplace channels: a SKU with known stock, shops and listings."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from tests.api import Api, bins, fc_ids, new_key, zone_ids
from wms.channels.marketplace import Marketplace
from wms.db.base import utcnow
from wms.db.encryption import TokenCipher, derived_key
from wms.db.models import ChannelShop, Listing, OutboxEvent
from wms.db.unit_of_work import UnitOfWork
from wms.domain.channels import STOCK_CHANGED
from wms.domain.identifiers import with_check_digit

TEST_CIPHER = TokenCipher([derived_key("dev-only-not-secret")])


def new_sku(api: Api, code: str, gtin12: str) -> dict[str, Any]:
    """A plain (not lot-tracked) ambient SKU of the caller's merchant, with no stock."""
    body = {
        "code": code,
        "gtin": with_check_digit(gtin12),
        "name_en": f"{code} test item",
        "name_th": "สินค้าทดสอบ",
        "length_mm": 100,
        "width_mm": 80,
        "height_mm": 40,
        "weight_g": 120,
    }
    response = api.post("/skus", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def free_bin(api: Api, fc_id: int, zone_code: str) -> dict[str, Any]:
    zone = zone_ids(api, fc_id)[zone_code]
    used = {b["location_id"] for b in api.items("/stock", fc_id=fc_id)}
    return next(b for b in bins(api, fc_id, zone) if b["id"] not in used)


def adjust(api: Api, sku_id: int, location_id: int, delta: int) -> None:
    """Found (delta > 0) or lost (delta < 0) units of a SKU in a bin, through the API."""
    response = api.post(
        "/stock/adjustments",
        {
            "location_id": location_id,
            "sku_id": sku_id,
            "delta": delta,
            "reason": "found" if delta > 0 else "lost",
        },
        key=new_key(),
    )
    assert response.status_code == 201, response.get_json()


def stock_changes(uow: UnitOfWork, after_id: int = 0) -> list[dict[str, Any]]:
    """The data of stock.changed events written after event `after_id`, in order."""
    with uow:
        payloads = uow.session.scalars(
            select(OutboxEvent.payload)
            .where(OutboxEvent.topic == STOCK_CHANGED, OutboxEvent.id > after_id)
            .order_by(OutboxEvent.id)
        )
        return [json.loads(payload)["data"] for payload in payloads]


def last_event_id(uow: UnitOfWork) -> int:
    with uow:
        return uow.session.scalar(select(OutboxEvent.id).order_by(OutboxEvent.id.desc())) or 0


def add_shop(
    uow: UnitOfWork, merchant_id: int, shop_id: str, marketplace: Marketplace = Marketplace.SHOPEE
) -> int:
    """A connected shop written straight to the database (what connecting it stores)."""
    with uow:
        shop = ChannelShop(
            merchant_id=merchant_id,
            marketplace=marketplace,
            country="MY",
            name=f"{marketplace.value.title()} MY",
            shop_id=shop_id,
            base_url="http://127.0.0.1:1",
            access_token_sealed=TEST_CIPHER.seal("access"),
            refresh_token_sealed=TEST_CIPHER.seal("refresh"),
            access_expires_at=utcnow() + timedelta(hours=4),
        )
        uow.session.add(shop)
        uow.commit()
        return shop.id


def add_listing(
    uow: UnitOfWork,
    shop_id: int,
    sku_id: int,
    fc_id: int,
    item_id: str,
    *,
    share_percent: int | None = None,
    buffer_units: int | None = None,
) -> int:
    with uow:
        listing = Listing(
            shop_id=shop_id,
            sku_id=sku_id,
            fc_id=fc_id,
            item_id=item_id,
            share_percent=share_percent,
            buffer_units=buffer_units,
        )
        uow.session.add(listing)
        uow.commit()
        return listing.id


def kul1(api: Api) -> int:
    return fc_ids(api)["KUL1"]


INTAKE_APPS = {
    Marketplace.SHOPEE: ("2001001", "shopee-partner-key-for-tests"),
    Marketplace.LAZADA: ("100201", "lazada-app-secret-for-tests"),
    Marketplace.TIKTOK: ("6intake7", "tiktok-app-secret-for-tests"),
}
INTAKE_SETTINGS = {
    "shopee_partner_id": INTAKE_APPS[Marketplace.SHOPEE][0],
    "shopee_partner_key": INTAKE_APPS[Marketplace.SHOPEE][1],
    "lazada_app_key": INTAKE_APPS[Marketplace.LAZADA][0],
    "lazada_app_secret": INTAKE_APPS[Marketplace.LAZADA][1],
    "tiktok_app_key": INTAKE_APPS[Marketplace.TIKTOK][0],
    "tiktok_app_secret": INTAKE_APPS[Marketplace.TIKTOK][1],
}
"""Settings giving the WMS app credentials for all three marketplaces (their sandboxes use the
same), so webhooks verify and shops can be called."""

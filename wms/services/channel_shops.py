"""Merchants' marketplace shops: connect (with the tokens the marketplace's authorisation
gives), list with their last sync and errors, disconnect; and the access a connector needs.

Tokens are sealed with the operator's keys before they reach the database
(`wms.db.encryption`), and opened only to build a `ShopAccess` for a connector. Merchants see
and change their own shops; managers see the shops of the merchants whose stock or listings are
in their FCs; admins all. Staff do not deal with marketplaces.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select

from wms.channels.marketplace import AppCredentials, Marketplace, ShopAccess, TokenGrant
from wms.db.base import utcnow
from wms.db.encryption import TokenCipher
from wms.db.models import ChannelShop, Listing, ListingStock, Merchant, Sku, StockBalance
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor, Role
from wms.domain.channels import ListingStockStatus, ShopStatus, shop_display_name
from wms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from wms.services.idempotency import once_per_key

COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_TOKEN = 2000


@dataclass(frozen=True)
class ChannelSetup:
    """What the channel use cases need from the settings: the cipher for shops' tokens, the
    apps' credentials per marketplace, and the units of each SKU never offered for sale."""

    cipher: TokenCipher
    apps: Mapping[Marketplace, AppCredentials] = field(default_factory=dict)
    safety_buffer: int = 0


@dataclass(frozen=True)
class ShopConnection:
    """What the marketplace's authorisation (its OAuth callback) gives for a shop."""

    marketplace: Marketplace
    country: str
    shop_id: str
    base_url: str
    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime | None = None
    shop_cipher: str = ""
    name: str = ""
    merchant_id: int | None = None


def check_connection(details: ShopConnection) -> None:
    """Rules a connection must keep on its own."""
    if not COUNTRY.match(details.country):
        raise InvalidInput("An ISO 3166-1 alpha-2 code in capitals (MY, ID, VN...).", "country")
    if not details.shop_id.strip() or len(details.shop_id) > 64:
        raise InvalidInput("The marketplace's shop id, at most 64 characters.", "shop_id")
    parts = urllib.parse.urlsplit(details.base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(details.base_url) > 500:
        raise InvalidInput("An http(s) URL of at most 500 characters.", "base_url")
    for name in ("access_token", "refresh_token"):
        token = getattr(details, name)
        if not token or len(token) > MAX_TOKEN or not token.isprintable():
            raise InvalidInput(f"Printable text of 1 to {MAX_TOKEN} characters.", name)
    for name in ("access_expires_at", "refresh_expires_at"):
        moment = getattr(details, name)
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput("A time with its UTC offset.", name)
    if details.marketplace is Marketplace.TIKTOK and not details.shop_cipher:
        raise InvalidInput("TikTok Shop calls need the shop's shop_cipher.", "shop_cipher")
    if len(details.shop_cipher) > 128:
        raise InvalidInput("At most 128 characters.", "shop_cipher")
    if len(details.name) > 80:
        raise InvalidInput("At most 80 characters.", "name")


# --- who sees what -------------------------------------------------------------------------


def require_channel_role(actor: Actor) -> None:
    if actor.role is Role.STAFF:
        raise PermissionDenied("Merchants and managers look after marketplace shops.")


def fc_merchants(fc_ids: frozenset[int]) -> Select[Any]:
    """The merchants "of" some FCs: with stock there, or with listings sold from there."""
    with_stock = (
        select(Sku.merchant_id)
        .join(StockBalance, StockBalance.sku_id == Sku.id)
        .where(StockBalance.fc_id.in_(fc_ids))
    )
    with_listings = (
        select(ChannelShop.merchant_id)
        .join(Listing, Listing.shop_id == ChannelShop.id)
        .where(Listing.fc_id.in_(fc_ids))
    )
    return with_stock.union(with_listings)


def scope_shops(query: Select[Any], actor: Actor) -> Select[Any]:
    if actor.is_merchant:
        return query.where(ChannelShop.merchant_id == actor.merchant_id)
    if not actor.is_admin:
        return query.where(ChannelShop.merchant_id.in_(fc_merchants(actor.fc_ids)))
    return query


def visible_shop(
    uow: UnitOfWork, actor: Actor, shop_id: int, field: str = "shop_id"
) -> ChannelShop:
    require_channel_role(actor)
    shop = uow.session.scalar(
        scope_shops(select(ChannelShop), actor).where(ChannelShop.id == shop_id)
    )
    if shop is None:
        raise NotFound("No such shop.", field)
    return shop


def may_change_shop(actor: Actor, merchant_id: int) -> bool:
    """Merchants connect and disconnect their own shops; admins any."""
    return actor.is_admin or (actor.is_merchant and actor.merchant_id == merchant_id)


def may_connect_shops(actor: Actor) -> bool:
    """Merchants connect their own shops, admins anyone's; managers and staff do not."""
    return actor.is_admin or actor.is_merchant


def _connecting_merchant(uow: UnitOfWork, actor: Actor, merchant_id: int | None) -> Merchant:
    require_channel_role(actor)
    if actor.is_merchant:
        if merchant_id is not None and merchant_id != actor.merchant_id:
            raise NotFound("No such merchant.", "merchant_id")
        merchant_id = actor.merchant_id
    elif not actor.is_admin:
        raise PermissionDenied("Merchants connect their own shops (or an admin for them).")
    elif merchant_id is None:
        raise InvalidInput("Name the merchant whose shop this is.", "merchant_id")
    merchant = uow.session.get(Merchant, merchant_id)
    if merchant is None:
        raise NotFound("No such merchant.", "merchant_id")
    return merchant


# --- views ---------------------------------------------------------------------------------


def shop_view(shop: ChannelShop, counts: Mapping[str, int] | None = None) -> dict[str, Any]:
    """A shop as the API and pages show it: never its tokens."""
    counts = counts or {}
    return {
        "id": shop.id,
        "merchant_id": shop.merchant_id,
        "marketplace": str(shop.marketplace),
        "country": shop.country,
        "name": shop.name,
        "shop_id": shop.shop_id,
        "base_url": shop.base_url,
        "status": str(shop.status),
        "access_expires_at": shop.access_expires_at.isoformat(),
        "refresh_expires_at": (
            shop.refresh_expires_at.isoformat() if shop.refresh_expires_at else None
        ),
        "last_sync_at": shop.last_sync_at.isoformat() if shop.last_sync_at else None,
        "last_error": shop.last_error,
        "last_error_at": shop.last_error_at.isoformat() if shop.last_error_at else None,
        "connected_at": shop.connected_at.isoformat(),
        "listings": sum(counts.values()),
        "listings_pending": counts.get(ListingStockStatus.PENDING, 0),
        "listings_synced": counts.get(ListingStockStatus.SYNCED, 0),
        "listings_parked": counts.get(ListingStockStatus.PARKED, 0),
    }


def _listing_counts(uow: UnitOfWork, shop_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = uow.session.execute(
        select(Listing.shop_id, ListingStock.status, func.count())
        .join(ListingStock, ListingStock.listing_id == Listing.id)
        .where(Listing.shop_id.in_(shop_ids))
        .group_by(Listing.shop_id, ListingStock.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for shop_id, status, count in rows:
        counts.setdefault(shop_id, {})[str(status)] = int(count)
    return counts


# --- use cases -----------------------------------------------------------------------------


def connect_shop(
    uow: UnitOfWork, actor: Actor, setup: ChannelSetup, details: ShopConnection
) -> dict[str, Any]:
    """Store a shop's access as its authorisation gave it, tokens sealed. Connecting a shop
    again (new tokens after a re-authorisation) updates it; a shop already connected to
    another merchant is a conflict."""
    check_connection(details)
    from wms.services.listing_stock import refresh_pairs

    with uow:
        merchant = _connecting_merchant(uow, actor, details.merchant_id)
        shop = uow.session.scalar(
            select(ChannelShop)
            .where(
                ChannelShop.marketplace == details.marketplace,
                ChannelShop.country == details.country,
                ChannelShop.shop_id == details.shop_id,
            )
            .with_for_update()
        )
        if shop is not None and shop.merchant_id != merchant.id:
            raise Conflict("This shop is connected to another merchant.", "shop_id")
        now = utcnow()
        rejoined = shop is not None and shop.status is ShopStatus.DISCONNECTED
        if shop is None:
            shop = ChannelShop(
                merchant_id=merchant.id,
                marketplace=details.marketplace,
                country=details.country,
                shop_id=details.shop_id,
                created_at=now,
            )
            uow.session.add(shop)
        shop.name = (
            details.name.strip()
            or shop.name
            or shop_display_name(details.marketplace, details.country)
        )
        shop.shop_cipher = details.shop_cipher
        shop.base_url = details.base_url
        store_tokens(
            shop,
            setup.cipher,
            TokenGrant(
                details.access_token,
                details.refresh_token,
                details.access_expires_at,
                details.refresh_expires_at,
            ),
        )
        shop.status = ShopStatus.CONNECTED
        shop.last_error = ""
        shop.last_error_at = None
        shop.connected_by = actor.user_id
        shop.connected_at = now
        uow.flush_unique("This shop is already connected.", "shop_id")
        waiting = select(Listing.id).where(Listing.shop_id == shop.id)
        for stock in uow.session.scalars(
            select(ListingStock).where(
                ListingStock.listing_id.in_(waiting),
                ListingStock.status == ListingStockStatus.PENDING,
            )
        ):
            stock.attempts = 0  # what waited for the new tokens goes out at once
            stock.next_attempt_at = now
        if rejoined:
            refresh_pairs(uow, _pairs_of(uow, shop.id), setup.safety_buffer, now)
        uow.commit()
        return shop_view(shop, _listing_counts(uow, [shop.id]).get(shop.id))


def store_tokens(shop: ChannelShop, cipher: TokenCipher, grant: TokenGrant) -> None:
    """Seal and keep a shop's new tokens and their expiry."""
    shop.access_token_sealed = cipher.seal(grant.access_token)
    shop.refresh_token_sealed = cipher.seal(grant.refresh_token)
    shop.access_expires_at = grant.access_expires_at.astimezone(UTC)
    shop.refresh_expires_at = (
        grant.refresh_expires_at.astimezone(UTC) if grant.refresh_expires_at else None
    )


def _pairs_of(uow: UnitOfWork, shop_id: int) -> list[tuple[int, int]]:
    return [
        (sku_id, fc_id)
        for sku_id, fc_id in uow.session.execute(
            select(Listing.sku_id, Listing.fc_id).where(Listing.shop_id == shop_id)
        )
    ]


def list_shops(
    uow: UnitOfWork, actor: Actor, *, merchant_id: int | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """Shops the actor may see, with their status, last sync, last error and listings."""
    require_channel_role(actor)
    with uow:
        query = scope_shops(select(ChannelShop), actor).order_by(
            ChannelShop.merchant_id, ChannelShop.marketplace, ChannelShop.country, ChannelShop.id
        )
        if merchant_id is not None:
            query = query.where(ChannelShop.merchant_id == merchant_id)
        if status is not None:
            query = query.where(ChannelShop.status == status)
        shops = list(uow.session.scalars(query))
        counts = _listing_counts(uow, [shop.id for shop in shops])
        return [shop_view(shop, counts.get(shop.id)) for shop in shops]


def get_shop(uow: UnitOfWork, actor: Actor, shop_id: int) -> dict[str, Any]:
    with uow:
        shop = visible_shop(uow, actor, shop_id)
        return shop_view(shop, _listing_counts(uow, [shop.id]).get(shop.id))


def disconnect_shop(
    uow: UnitOfWork, actor: Actor, setup: ChannelSetup, shop_id: int, key: str | None = None
) -> dict[str, Any]:
    """Stop acting for a shop: its tokens are erased, nothing more is pushed to it, and its
    listings leave the split (the SKUs' other listings may show more). Disconnecting again
    changes nothing; with a key (a page's form), a replay answers as the first request did."""
    from wms.services.listing_stock import refresh_pairs

    def perform() -> dict[str, Any]:
        shop = visible_shop(uow, actor, shop_id)
        if not may_change_shop(actor, shop.merchant_id):
            raise PermissionDenied("The merchant (or an admin) disconnects a shop.")
        uow.session.execute(
            select(ChannelShop.id).where(ChannelShop.id == shop.id).with_for_update()
        )
        if shop.status is not ShopStatus.DISCONNECTED:
            shop.status = ShopStatus.DISCONNECTED
            shop.access_token_sealed = ""
            shop.refresh_token_sealed = ""
            refresh_pairs(uow, _pairs_of(uow, shop.id), setup.safety_buffer, utcnow())
        uow.session.flush()
        return shop_view(shop, _listing_counts(uow, [shop.id]).get(shop.id))

    return once_per_key(uow, actor, key, "shops.disconnect", {"shop_id": shop_id}, perform)[0]


class ShopNotReady(Exception):
    """A shop the relay cannot call: not connected, no app credentials, unreadable tokens."""


def shop_access(shop: ChannelShop, setup: ChannelSetup) -> ShopAccess:
    """Everything a connector needs to call the marketplace for the shop."""
    from wms.db.encryption import UnreadableSecret

    if shop.status is not ShopStatus.CONNECTED:
        raise ShopNotReady(f"The shop is {shop.status}.")
    app = setup.apps.get(shop.marketplace)
    if app is None:
        raise ShopNotReady(f"No app credentials are set for {shop.marketplace}.")
    try:
        access_token = setup.cipher.open(shop.access_token_sealed)
        refresh_token = setup.cipher.open(shop.refresh_token_sealed)
    except UnreadableSecret as error:
        raise ShopNotReady(str(error)) from error
    return ShopAccess(
        marketplace=shop.marketplace,
        country=shop.country,
        base_url=shop.base_url,
        app=app,
        shop_id=shop.shop_id,
        access_token=access_token,
        refresh_token=refresh_token,
        access_expires_at=shop.access_expires_at,
        refresh_expires_at=shop.refresh_expires_at,
        shop_cipher=shop.shop_cipher,
    )

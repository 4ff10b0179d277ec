"""Listings: which SKU, sold from which FC, is which listing on a merchant's shop, and what
share of the stock it may show. Create, change, delete, import from CSV or from the shop's
product list; what each listing shows and whether the marketplace took it; retry a parked one.

Every change of a listing recomputes the split of its SKU and FC in the same transaction
(`wms.services.listing_stock.refresh_pairs`), so the listings never claim more than there is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from wms.channels.marketplace import ProductListing
from wms.db.base import utcnow
from wms.db.models import ChannelShop, FulfillmentCenter, Listing, ListingStock, Sku
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.channels import (
    ListingIds,
    ListingStockStatus,
    ShopStatus,
    StockPolicy,
    parse_policy,
)
from wms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from wms.services.channel_shops import ChannelSetup, require_channel_role, visible_shop
from wms.services.idempotency import once_per_key
from wms.services.listing_stock import refresh_pairs

DUPLICATE_LISTING = "The shop already has a listing with these ids, or of this SKU and FC."
ID_FIELDS = ("item_id", "model_id", "seller_sku", "warehouse_id")


@dataclass(frozen=True)
class ListingDetails:
    """A listing as given on create: the SKU and FC, the marketplace's ids, the policy."""

    sku_id: int
    fc_id: int
    ids: ListingIds
    policy: StockPolicy


@dataclass(frozen=True)
class ListingRow:
    """One CSV line of a listing import, as read by the edge."""

    line: int
    sku_code: str
    fc_code: str
    ids: ListingIds
    policy: str


# --- who sees what -------------------------------------------------------------------------


def _scope(query: Select[Any], actor: Actor) -> Select[Any]:
    """Merchants see their shops' listings; managers the listings sold from their FCs."""
    if actor.is_merchant:
        return query.where(ChannelShop.merchant_id == actor.merchant_id)
    if not actor.is_admin:
        return query.where(Listing.fc_id.in_(actor.fc_ids))
    return query


def visible_listing(uow: UnitOfWork, actor: Actor, listing_id: int) -> Listing:
    require_channel_role(actor)
    query = (
        select(Listing)
        .join(ChannelShop, ChannelShop.id == Listing.shop_id)
        .where(Listing.id == listing_id)
    )
    listing = uow.session.scalar(_scope(query, actor))
    if listing is None:
        raise NotFound("No such listing.", "listing_id")
    return listing


def may_change_listing(actor: Actor, merchant_id: int, fc_id: int | None) -> bool:
    """Merchants change their own shops' listings; managers those sold from FCs they manage;
    admins all."""
    if actor.is_admin or (actor.is_merchant and actor.merchant_id == merchant_id):
        return True
    return not actor.is_merchant and fc_id is not None and actor.manages(fc_id)


def _require_writer(actor: Actor, shop: ChannelShop, fc_id: int | None) -> None:
    if not may_change_listing(actor, shop.merchant_id, fc_id):
        raise PermissionDenied("The merchant, the FC's managers or an admin change listings.")


def _listable_shop(uow: UnitOfWork, actor: Actor, shop_id: int) -> ChannelShop:
    shop = visible_shop(uow, actor, shop_id)
    if shop.status is ShopStatus.DISCONNECTED:
        raise Conflict("The shop is disconnected: connect it again first.", "shop_id")
    return shop


def _sku_of(uow: UnitOfWork, shop: ChannelShop, sku_id: int) -> Sku:
    sku = uow.session.get(Sku, sku_id)
    if sku is None or sku.merchant_id != shop.merchant_id:
        raise NotFound("The shop's merchant has no such SKU.", "sku_id")
    return sku


def _fc(uow: UnitOfWork, fc_id: int) -> FulfillmentCenter:
    fc = uow.session.get(FulfillmentCenter, fc_id)
    if fc is None:
        raise NotFound("No such fulfillment center.", "fc_id")
    return fc


def _clash(
    uow: UnitOfWork, shop_id: int, sku_id: int, fc_id: int, ids: ListingIds, own: int | None
) -> None:
    query = select(Listing).where(
        Listing.shop_id == shop_id,
        ((Listing.sku_id == sku_id) & (Listing.fc_id == fc_id))
        | (
            (Listing.item_id == ids.item_id)
            & (Listing.model_id == ids.model_id)
            & (Listing.warehouse_id == ids.warehouse_id)
        ),
    )
    for other in uow.session.scalars(query):
        if other.id == own:
            continue
        if other.sku_id == sku_id and other.fc_id == fc_id:
            raise Conflict("This SKU already has a listing from this FC on the shop.", "sku_id")
        raise Conflict("Another listing of the shop has these marketplace ids.", "item_id")


# --- views ---------------------------------------------------------------------------------


def listing_view(listing: Listing) -> dict[str, Any]:
    """A listing with what it should show and what the marketplace last took."""
    stock = listing.stock
    return {
        "id": listing.id,
        "shop_id": listing.shop_id,
        "shop_name": listing.shop.name,
        "marketplace": str(listing.shop.marketplace),
        "merchant_id": listing.shop.merchant_id,
        "sku_id": listing.sku_id,
        "sku_code": listing.sku.code,
        "fc_id": listing.fc_id,
        "fc_code": listing.fc.code,
        "item_id": listing.item_id,
        "model_id": listing.model_id,
        "seller_sku": listing.seller_sku,
        "warehouse_id": listing.warehouse_id,
        "share_percent": listing.share_percent,
        "buffer_units": listing.buffer_units,
        "stock": None if stock is None else stock_view(stock),
    }


def stock_view(stock: ListingStock) -> dict[str, Any]:
    return {
        "desired_quantity": stock.desired_quantity,
        "desired_version": stock.desired_version,
        "pushed_quantity": stock.pushed_quantity,
        "pushed_version": stock.pushed_version,
        "status": str(stock.status),
        "attempts": stock.attempts,
        "next_attempt_at": stock.next_attempt_at.isoformat(),
        "last_error": stock.last_error,
        "last_error_kind": str(stock.last_error_kind) if stock.last_error_kind else None,
        "last_error_at": stock.last_error_at.isoformat() if stock.last_error_at else None,
        "last_pushed_at": stock.last_pushed_at.isoformat() if stock.last_pushed_at else None,
    }


def _apply_policy(listing: Listing, policy: StockPolicy) -> None:
    listing.share_percent = policy.value if policy.kind == "share" else None
    listing.buffer_units = policy.value if policy.kind == "buffer" else None


def _apply_ids(listing: Listing, ids: ListingIds) -> None:
    for name in ID_FIELDS:
        setattr(listing, name, getattr(ids, name))


def _push_again(listing: Listing) -> None:
    """The marketplace ids changed: the current quantity goes to the new ids."""
    stock = listing.stock
    if stock is not None:
        stock.desired_version += 1
        if stock.status is not ListingStockStatus.PARKED:
            stock.status = ListingStockStatus.PENDING
            stock.attempts = 0
            stock.next_attempt_at = utcnow()


# --- use cases -----------------------------------------------------------------------------


def create_listing(
    uow: UnitOfWork, actor: Actor, setup: ChannelSetup, shop_id: int, details: ListingDetails
) -> dict[str, Any]:
    """A new listing; its stock is worked out at once and waits to be pushed."""
    details.ids.check()
    with uow:
        shop = _listable_shop(uow, actor, shop_id)
        _require_writer(actor, shop, details.fc_id)
        sku = _sku_of(uow, shop, details.sku_id)
        fc = _fc(uow, details.fc_id)
        _clash(uow, shop.id, sku.id, fc.id, details.ids, None)
        listing = Listing(shop_id=shop.id, sku_id=sku.id, fc_id=fc.id, created_by=actor.user_id)
        _apply_ids(listing, details.ids)
        _apply_policy(listing, details.policy)
        uow.session.add(listing)
        uow.flush_unique(DUPLICATE_LISTING, "item_id")
        refresh_pairs(uow, [(sku.id, fc.id)], setup.safety_buffer, utcnow())
        uow.commit()
        uow.session.refresh(listing)
        return listing_view(listing)


def update_listing(
    uow: UnitOfWork, actor: Actor, setup: ChannelSetup, listing_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change a listing's marketplace ids or its policy (give share_percent or buffer_units;
    the other is dropped)."""
    unknown = set(changes) - {*ID_FIELDS, "share_percent", "buffer_units"}
    if unknown:
        raise InvalidInput("This field cannot be changed.", sorted(unknown)[0])
    with uow:
        listing = visible_listing(uow, actor, listing_id)
        _require_writer(actor, listing.shop, listing.fc_id)
        if listing.shop.status is ShopStatus.DISCONNECTED:
            raise Conflict("The shop is disconnected: connect it again first.", "shop_id")
        current = ListingIds(*(getattr(listing, name) for name in ID_FIELDS))
        ids = replace(current, **{k: v for k, v in changes.items() if k in ID_FIELDS})
        ids.check()
        if "share_percent" in changes or "buffer_units" in changes:
            policy = StockPolicy.of(changes.get("share_percent"), changes.get("buffer_units"))
            _apply_policy(listing, policy)
        if ids != current:
            _clash(uow, listing.shop_id, listing.sku_id, listing.fc_id, ids, listing.id)
            _apply_ids(listing, ids)
            _push_again(listing)
        uow.flush_unique(DUPLICATE_LISTING, "item_id")
        refresh_pairs(uow, [(listing.sku_id, listing.fc_id)], setup.safety_buffer, utcnow())
        uow.commit()
        uow.session.refresh(listing)
        return listing_view(listing)


def delete_listing(
    uow: UnitOfWork, actor: Actor, setup: ChannelSetup, listing_id: int
) -> dict[str, Any]:
    """Stop selling the SKU from the FC on the shop; the SKU's other listings may show more.
    (What the marketplace shows for it is left as it is.)"""
    with uow:
        listing = visible_listing(uow, actor, listing_id)
        _require_writer(actor, listing.shop, listing.fc_id)
        view = listing_view(listing)
        pair = (listing.sku_id, listing.fc_id)
        uow.session.delete(listing)
        uow.session.flush()
        refresh_pairs(uow, [pair], setup.safety_buffer, utcnow())
        uow.commit()
        return view


def list_listings(
    uow: UnitOfWork,
    actor: Actor,
    *,
    shop_id: int | None = None,
    fc_id: int | None = None,
    sku_id: int | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """Listings the actor may see with their stock: desired, pushed, status, last error."""
    require_channel_role(actor)
    with uow:
        query = (
            select(Listing)
            .join(ChannelShop, ChannelShop.id == Listing.shop_id)
            .join(ListingStock, ListingStock.listing_id == Listing.id, isouter=True)
            .options(
                joinedload(Listing.shop),
                joinedload(Listing.sku),
                joinedload(Listing.fc),
                joinedload(Listing.stock),
            )
            .order_by(Listing.shop_id, Listing.id)
        )
        query = _scope(query, actor)
        if shop_id is not None:
            query = query.where(Listing.shop_id == shop_id)
        if fc_id is not None:
            query = query.where(Listing.fc_id == fc_id)
        if sku_id is not None:
            query = query.where(Listing.sku_id == sku_id)
        if status is not None:
            query = query.where(ListingStock.status == status)
        return [listing_view(listing) for listing in uow.session.scalars(query).unique()]


def get_listing(uow: UnitOfWork, actor: Actor, listing_id: int) -> dict[str, Any]:
    with uow:
        return listing_view(visible_listing(uow, actor, listing_id))


def _unpark(stock: ListingStock, now: datetime) -> None:
    """A parked listing's latest quantity is due to be pushed again at once."""
    stock.status = ListingStockStatus.PENDING
    stock.attempts = 0
    stock.next_attempt_at = now


def retry_listing(
    uow: UnitOfWork, actor: Actor, listing_id: int, key: str | None = None
) -> dict[str, Any]:
    """Send a parked listing's latest quantity again (after its ids or the marketplace were
    fixed); the last error stays on view until a push succeeds. With a key (a page's form),
    a replay answers as the first request did and changes nothing."""

    def perform() -> dict[str, Any]:
        listing = visible_listing(uow, actor, listing_id)
        _require_writer(actor, listing.shop, listing.fc_id)
        stock = uow.session.scalar(
            select(ListingStock).where(ListingStock.listing_id == listing.id).with_for_update()
        )
        if stock is None or stock.status is not ListingStockStatus.PARKED:
            raise Conflict("Only a parked listing is retried; this one is not parked.", "status")
        _unpark(stock, utcnow())
        uow.session.flush()
        return listing_view(listing)

    payload = {"listing_id": listing_id}
    return once_per_key(uow, actor, key, "listings.retry", payload, perform)[0]


def retry_parked(
    uow: UnitOfWork, actor: Actor, shop_id: int, key: str | None = None
) -> dict[str, Any]:
    """Retry every parked listing of the shop that the actor may change, in one transaction
    (as `retry_listing` does each one)."""

    def perform() -> dict[str, Any]:
        shop = visible_shop(uow, actor, shop_id)
        query = (
            select(ListingStock, Listing)
            .join(Listing, Listing.id == ListingStock.listing_id)
            .join(ChannelShop, ChannelShop.id == Listing.shop_id)
            .where(Listing.shop_id == shop.id, ListingStock.status == ListingStockStatus.PARKED)
            .order_by(ListingStock.listing_id)
            .with_for_update(of=ListingStock)
        )
        now = utcnow()
        retried: list[int] = []
        for stock, listing in uow.session.execute(_scope(query, actor)):
            if may_change_listing(actor, shop.merchant_id, listing.fc_id):
                _unpark(stock, now)
                retried.append(listing.id)
        if not retried:
            raise Conflict("No listing of this shop that you may change is parked.", "status")
        uow.session.flush()
        return {"shop_id": shop.id, "retried": len(retried), "listing_ids": retried}

    return once_per_key(uow, actor, key, "listings.retry_parked", {"shop_id": shop_id}, perform)[0]


def import_listings(
    uow: UnitOfWork,
    actor: Actor,
    setup: ChannelSetup,
    shop_id: int,
    rows: Sequence[ListingRow],
    rejected: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    """Create or update (by SKU and FC) the shop's listings from CSV rows, all or nothing:
    any row in error means nothing is written, and every bad row is reported with its line
    and field. `rejected` holds lines the edge could not read, as {line, field, message}."""
    errors = list(rejected)
    created = updated = 0
    with uow:
        shop = _listable_shop(uow, actor, shop_id)
        skus = {
            sku.code: sku
            for sku in uow.session.scalars(select(Sku).where(Sku.merchant_id == shop.merchant_id))
        }
        fcs = {fc.code: fc for fc in uow.session.scalars(select(FulfillmentCenter))}
        existing = {
            (listing.sku_id, listing.fc_id): listing
            for listing in uow.session.scalars(select(Listing).where(Listing.shop_id == shop.id))
        }
        by_ids = {(x.item_id, x.model_id, x.warehouse_id): x for x in existing.values()}
        seen_pairs: dict[tuple[int, int], int] = {}
        seen_ids: dict[tuple[str, str, str], int] = {}
        planned: list[tuple[Listing | None, Sku, FulfillmentCenter, ListingIds, StockPolicy]] = []
        for row in rows:
            try:
                sku = skus.get(row.sku_code)
                if sku is None:
                    raise NotFound(f"The merchant has no SKU {row.sku_code}.", "sku_code")
                fc = fcs.get(row.fc_code)
                if fc is None:
                    raise NotFound(f"No FC {row.fc_code}.", "fc_code")
                _require_writer(actor, shop, fc.id)
                row.ids.check()
                policy = parse_policy(row.policy)
                pair = (sku.id, fc.id)
                key = (row.ids.item_id, row.ids.model_id, row.ids.warehouse_id)
                if pair in seen_pairs:
                    raise InvalidInput(f"Same SKU and FC as line {seen_pairs[pair]}.", "sku_code")
                if key in seen_ids:
                    raise InvalidInput(f"Same marketplace ids as line {seen_ids[key]}.", "item_id")
                seen_pairs[pair], seen_ids[key] = row.line, row.line
                listing = existing.get(pair)
                holder = by_ids.get(key)
                if holder is not None and holder is not listing:
                    raise Conflict(
                        f"Item {row.ids.item_id} is already listed for another SKU or FC.",
                        "item_id",
                    )
                planned.append((listing, sku, fc, row.ids, policy))
            except (InvalidInput, Conflict, NotFound, PermissionDenied) as error:
                errors.append({"line": row.line, "field": error.field, "message": error.message})
        errors.sort(key=lambda item: item["line"])
        if not errors:
            moment = utcnow()
            for listing, sku, fc, ids, policy in planned:
                if listing is None:
                    listing = Listing(
                        shop_id=shop.id, sku_id=sku.id, fc_id=fc.id, created_by=actor.user_id
                    )
                    uow.session.add(listing)
                    created += 1
                else:
                    updated += 1
                    if ListingIds(*(getattr(listing, n) for n in ID_FIELDS)) != ids:
                        _push_again(listing)
                _apply_ids(listing, ids)
                _apply_policy(listing, policy)
            uow.flush_unique(DUPLICATE_LISTING, "file")
            pairs = [(sku.id, fc.id) for _, sku, fc, _, _ in planned]
            refresh_pairs(uow, pairs, setup.safety_buffer, moment)
            uow.commit()
        return {
            "applied": not errors,
            "rows": len(rows) + len(rejected),
            "created": created,
            "updated": updated,
            "errors": errors,
        }


def import_products(
    uow: UnitOfWork,
    actor: Actor,
    setup: ChannelSetup,
    shop_id: int,
    fc_id: int,
    products: Sequence[ProductListing],
    policy: StockPolicy,
) -> dict[str, Any]:
    """List the shop's products (as its marketplace's product list gives them) from an FC:
    each product whose seller SKU is one of the merchant's SKU codes becomes a listing with
    `policy`. Products already listed are left as they are; the rest are reported."""
    with uow:
        shop = _listable_shop(uow, actor, shop_id)
        _require_writer(actor, shop, fc_id)
        fc = _fc(uow, fc_id)
        skus = {
            sku.code: sku
            for sku in uow.session.scalars(select(Sku).where(Sku.merchant_id == shop.merchant_id))
        }
        listings = list(uow.session.scalars(select(Listing).where(Listing.shop_id == shop.id)))
        taken_ids = {(x.item_id, x.model_id, x.warehouse_id) for x in listings}
        taken_pairs = {(x.sku_id, x.fc_id) for x in listings}
        created: list[Listing] = []
        already: list[str] = []
        unmatched: list[dict[str, str]] = []
        for product in products:
            ref = product.listing
            ids = ListingIds(ref.item_id, ref.model_id, ref.seller_sku, ref.warehouse_id)
            key = (ids.item_id, ids.model_id, ids.warehouse_id)
            sku = skus.get(ids.seller_sku)
            try:
                ids.check()
            except InvalidInput as error:
                unmatched.append(_skipped(product, f"{error.field}: {error.message}"))
                continue
            if key in taken_ids:
                already.append(ids.seller_sku or ids.item_id)
                continue
            if sku is None:
                unmatched.append(_skipped(product, "No SKU has this seller SKU as its code."))
                continue
            if (sku.id, fc.id) in taken_pairs:
                unmatched.append(_skipped(product, f"SKU {sku.code} is already listed."))
                continue
            listing = Listing(shop_id=shop.id, sku_id=sku.id, fc_id=fc.id, created_by=actor.user_id)
            _apply_ids(listing, ids)
            _apply_policy(listing, policy)
            uow.session.add(listing)
            created.append(listing)
            taken_ids.add(key)
            taken_pairs.add((sku.id, fc.id))
        uow.flush_unique(DUPLICATE_LISTING, "products")
        refresh_pairs(
            uow,
            [(listing.sku_id, listing.fc_id) for listing in created],
            setup.safety_buffer,
            utcnow(),
        )
        uow.commit()
        return {
            "created": len(created),
            "already_listed": len(already),
            "skipped": unmatched,
            "listing_ids": [listing.id for listing in created],
        }


def _skipped(product: ProductListing, reason: str) -> dict[str, str]:
    return {
        "item_id": product.listing.item_id,
        "model_id": product.listing.model_id,
        "seller_sku": product.listing.seller_sku,
        "title": product.title,
        "reason": reason,
    }

"""Merchants' SKUs and lots: create, update, import from CSV, look up."""

from __future__ import annotations

import re
from dataclasses import fields, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, or_, select

from wms.db.models import Lot, Merchant, Sku, StockBalance
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.commands import SkuDetails
from wms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from wms.domain.identifiers import validate_gtin
from wms.services.paging import PageRequest, paginate
from wms.services.views import lot_view, merchant_view, sku_view

CURRENCY = re.compile(r"^[A-Z]{3}$")
HS_CODE = re.compile(r"^[0-9]{0,12}$")
SKU_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
TRACKING_FIELDS = ("lot_tracked", "expiry_tracked")
DUPLICATE_SKU = "Another SKU of this merchant has this code or GTIN."


def check_sku_rules(details: SkuDetails) -> None:
    """Rules a SKU must keep on its own, whoever sends it."""
    if not SKU_CODE.match(details.code):
        raise InvalidInput(
            "Letters, digits and . _ / - only, starting with a letter or digit (max 64).", "code"
        )
    validate_gtin(details.gtin)
    if not details.name_en.strip():
        raise InvalidInput("An English name is required.", "name_en")
    if not details.name_th.strip():
        raise InvalidInput("A Thai name is required.", "name_th")
    for name in ("length_mm", "width_mm", "height_mm", "weight_g"):
        if getattr(details, name) <= 0:
            raise InvalidInput("Must be greater than zero.", name)
    if details.expiry_tracked and not details.lot_tracked:
        raise InvalidInput("Expiry is tracked per lot: turn on lot tracking too.", "lot_tracked")
    if details.expiry_tracked and not details.shelf_life_days:
        raise InvalidInput("Give the shelf life of an expiry-tracked SKU.", "shelf_life_days")
    if details.shelf_life_days is not None and details.shelf_life_days <= 0:
        raise InvalidInput("Must be greater than zero.", "shelf_life_days")
    if not HS_CODE.match(details.hs_code):
        raise InvalidInput("An HS code has up to 12 digits.", "hs_code")
    if details.declared_value < 0:
        raise InvalidInput("Cannot be negative.", "declared_value")
    if not CURRENCY.match(details.declared_currency):
        raise InvalidInput("An ISO 4217 code of three capital letters.", "declared_currency")


def visible_sku(uow: UnitOfWork, actor: Actor, sku_id: int, field: str = "sku_id") -> Sku:
    sku = uow.session.get(Sku, sku_id)
    if sku is None or not actor.may_see_catalogue_of(sku.merchant_id):
        raise NotFound("No such SKU.", field)
    return sku


def _target_merchant(uow: UnitOfWork, actor: Actor, merchant_id: int | None) -> Merchant:
    """Merchants write to their own catalogue; staff roles must name the merchant."""
    if actor.is_merchant:
        if merchant_id is not None and merchant_id != actor.merchant_id:
            raise NotFound("No such merchant.", "merchant_id")
        merchant_id = actor.merchant_id
    elif merchant_id is None:
        raise InvalidInput("Name the merchant who owns the SKU.", "merchant_id")
    merchant = uow.session.get(Merchant, merchant_id)
    if merchant is None:
        raise NotFound("No such merchant.", "merchant_id")
    if not actor.may_edit_catalogue_of(merchant.id):
        raise PermissionDenied("Your role does not edit SKUs.")
    return merchant


def _clash(uow: UnitOfWork, merchant_id: int, details: SkuDetails, sku_id: int | None) -> None:
    query = select(Sku).where(
        Sku.merchant_id == merchant_id, or_(Sku.code == details.code, Sku.gtin == details.gtin)
    )
    for other in uow.session.scalars(query):
        if other.id == sku_id:
            continue
        if other.code == details.code:
            raise Conflict("This merchant already has a SKU with this code.", "code")
        raise Conflict(f"GTIN {details.gtin} is already SKU {other.code}.", "gtin")


def _apply(sku: Sku, details: SkuDetails) -> None:
    for item in fields(SkuDetails):
        if item.name == "merchant_id":
            continue
        setattr(sku, item.name, getattr(details, item.name))


def list_merchants(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    with uow:
        query = select(Merchant).order_by(Merchant.code)
        if actor.is_merchant:
            query = query.where(Merchant.id == actor.merchant_id)
        return [merchant_view(m) for m in uow.session.scalars(query)]


def list_skus(
    uow: UnitOfWork,
    actor: Actor,
    page: PageRequest,
    search: str | None = None,
    merchant_id: int | None = None,
) -> dict[str, Any]:
    with uow:
        query = select(Sku).order_by(Sku.merchant_id, Sku.code)
        if actor.is_merchant:
            query = query.where(Sku.merchant_id == actor.merchant_id)
        elif merchant_id is not None:
            query = query.where(Sku.merchant_id == merchant_id)
        if search:
            pattern = f"%{search.strip()}%"
            query = query.where(
                or_(
                    Sku.code.ilike(pattern),
                    Sku.gtin.like(pattern),
                    Sku.name_en.ilike(pattern),
                    Sku.name_th.like(pattern),
                )
            )
        return paginate(uow.session, query, page, sku_view)


def get_sku(uow: UnitOfWork, actor: Actor, sku_id: int) -> dict[str, Any]:
    with uow:
        return sku_view(visible_sku(uow, actor, sku_id))


def create_sku(uow: UnitOfWork, actor: Actor, details: SkuDetails) -> dict[str, Any]:
    check_sku_rules(details)
    with uow:
        merchant = _target_merchant(uow, actor, details.merchant_id)
        _clash(uow, merchant.id, details, None)
        sku = Sku(merchant_id=merchant.id)
        _apply(sku, details)
        uow.session.add(sku)
        uow.flush_unique(DUPLICATE_SKU, "code")
        uow.commit()
        return sku_view(sku)


def _has_stock(uow: UnitOfWork, sku_id: int) -> bool:
    return bool(uow.session.scalar(select(exists().where(StockBalance.sku_id == sku_id))))


def update_sku(
    uow: UnitOfWork, actor: Actor, sku_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change some fields of a SKU; lot and expiry tracking are fixed once stock exists."""
    with uow:
        sku = visible_sku(uow, actor, sku_id)
        if not actor.may_edit_catalogue_of(sku.merchant_id):
            raise PermissionDenied("Your role does not edit SKUs.")
        current = SkuDetails(**{f.name: getattr(sku, f.name) for f in fields(SkuDetails)})
        known = {f.name for f in fields(SkuDetails)} - {"merchant_id"}
        unknown = set(changes) - known
        if unknown:
            raise InvalidInput("This field cannot be changed.", sorted(unknown)[0])
        updated = replace(current, **changes)
        check_sku_rules(updated)
        for name in TRACKING_FIELDS:
            if getattr(updated, name) != getattr(current, name) and _has_stock(uow, sku.id):
                raise Conflict("Tracking cannot change while the SKU has stock.", name)
        _clash(uow, sku.merchant_id, updated, sku.id)
        _apply(sku, updated)
        uow.flush_unique(DUPLICATE_SKU, "code")
        uow.commit()
        return sku_view(sku)


def import_skus(
    uow: UnitOfWork,
    actor: Actor,
    rows: list[tuple[int, SkuDetails]],
    rejected: list[dict[str, Any]],
    *,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Create or update (by code) many SKUs; any row in error means nothing is written.

    `rejected` holds rows the edge could not read at all, as {row, field, message}.
    """
    errors = list(rejected)
    created = updated = 0
    with uow:
        seen_codes: dict[tuple[int, str], int] = {}
        seen_gtins: dict[tuple[int, str], int] = {}
        for row_number, details in rows:
            try:
                check_sku_rules(details)
                merchant = _target_merchant(uow, actor, details.merchant_id)
                for seen, key, name in (
                    (seen_codes, (merchant.id, details.code), "code"),
                    (seen_gtins, (merchant.id, details.gtin), "gtin"),
                ):
                    if key in seen:
                        raise InvalidInput(f"Same {name} as row {seen[key]}.", name)
                    seen[key] = row_number
                sku = uow.session.scalar(
                    select(Sku).where(Sku.merchant_id == merchant.id, Sku.code == details.code)
                )
                _clash(uow, merchant.id, details, sku.id if sku else None)
                if sku is None:
                    sku = Sku(merchant_id=merchant.id)
                    uow.session.add(sku)
                    created += 1
                else:
                    for name in TRACKING_FIELDS:
                        if getattr(details, name) != getattr(sku, name) and _has_stock(uow, sku.id):
                            raise Conflict("Tracking cannot change while the SKU has stock.", name)
                    updated += 1
                _apply(sku, details)
            except (InvalidInput, Conflict, NotFound, PermissionDenied) as error:
                errors.append({"row": row_number, "field": error.field, "message": error.message})
        errors.sort(key=lambda item: item["row"])
        applied = not errors and not dry_run
        if applied:
            uow.flush_unique(DUPLICATE_SKU, "file")
            uow.commit()
        return {
            "applied": applied,
            "dry_run": dry_run,
            "rows": len(rows) + len(rejected),
            "created": created if not errors else 0,
            "updated": updated if not errors else 0,
            "errors": errors,
        }


def list_lots(uow: UnitOfWork, actor: Actor, sku_id: int) -> list[dict[str, Any]]:
    with uow:
        sku = visible_sku(uow, actor, sku_id)
        lots = uow.session.scalars(
            select(Lot).where(Lot.sku_id == sku.id).order_by(Lot.expiry_date, Lot.lot_number)
        )
        return [lot_view(lot) for lot in lots]


def details_from_mapping(data: dict[str, Any]) -> SkuDetails:
    """A SkuDetails from already-validated fields (edge schemas call this in post_load)."""
    values = {f.name: data[f.name] for f in fields(SkuDetails) if f.name in data}
    if "declared_value" in values:
        values["declared_value"] = Decimal(str(values["declared_value"]))
    return SkuDetails(**values)


def create_merchant(
    uow: UnitOfWork, actor: Actor, code: str, name_en: str, name_th: str
) -> dict[str, Any]:
    """Sign up a merchant (admins only)."""
    if not actor.is_admin:
        raise PermissionDenied("Only admins sign up merchants.")
    if not re.match(r"^[A-Z0-9]{3,32}$", code):
        raise InvalidInput("3 to 32 capital letters or digits.", "code")
    with uow:
        if uow.session.scalar(select(Merchant).where(Merchant.code == code)) is not None:
            raise Conflict("A merchant with this code exists.", "code")
        merchant = Merchant(code=code, name_en=name_en, name_th=name_th)
        uow.session.add(merchant)
        uow.flush_unique("A merchant with this code exists.", "code")
        uow.commit()
        return merchant_view(merchant)

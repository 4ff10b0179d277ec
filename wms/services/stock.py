"""Stock use cases: move between bins, adjust with a reason, and look stock up.

Every change writes StockMovement rows and updates StockBalance in one transaction. Changes to
one SKU are serialised by a row lock on the SKU (PostgreSQL) or by SQLite's immediate write
transaction, taken before any balance is read. Every balance changes through `_store`, which
also writes a `stock.changed` event to the outbox, once per SKU and FC per transaction, for the
marketplace channels to recompute what the listings show.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload

from wms.db.base import utcnow
from wms.db.models import Location, Lot, Sku, StockBalance, StockMovement, Zone
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.catalogue import LocationStatus, ZonePurpose
from wms.domain.channels import STOCK_CHANGED
from wms.domain.commands import AdjustStock, MoveStock
from wms.domain.errors import InsufficientStock, InvalidInput, NotFound, PermissionDenied
from wms.domain.stock import MovementReason, Quantities, adjustment_delta, require_positive
from wms.services.catalogue import visible_sku
from wms.services.facilities import visible_location
from wms.services.idempotency import run_once
from wms.services.outbox import emit
from wms.services.paging import PageRequest, paginate
from wms.services.views import balance_view, movement_view

TEMPERATURE_CONTROLLED = frozenset(
    {ZonePurpose.STORAGE, ZonePurpose.HIGH_VALUE, ZonePurpose.HAZMAT}
)


def _require_stock_role(actor: Actor) -> None:
    if not actor.handles_stock:
        raise PermissionDenied("Merchants see stock; warehouse staff move and count it.")


def _lock_sku(uow: UnitOfWork, actor: Actor, sku_id: int) -> Sku:
    sku = visible_sku(uow, actor, sku_id)
    lock_sku(uow, sku)
    return sku


def _usable_location(uow: UnitOfWork, actor: Actor, location_id: int, field: str) -> Location:
    location = visible_location(uow, actor, location_id, field)
    if location.status is not LocationStatus.ACTIVE:
        raise InvalidInput(f"Bin {location.code} is {location.status}.", field)
    return location


def _find_lot(uow: UnitOfWork, sku: Sku, lot_number: str | None) -> Lot | None:
    if not sku.lot_tracked:
        if lot_number:
            raise InvalidInput(f"SKU {sku.code} is not lot-tracked; give no lot.", "lot_number")
        return None
    if not lot_number:
        raise InvalidInput(f"SKU {sku.code} is lot-tracked; give the lot number.", "lot_number")
    lot = uow.session.scalar(select(Lot).where(Lot.sku_id == sku.id, Lot.lot_number == lot_number))
    if lot is None:
        raise NotFound(f"SKU {sku.code} has no lot {lot_number}.", "lot_number")
    return lot


def lot_for_gain(
    uow: UnitOfWork, sku: Sku, lot_number: str | None, expiry: date | None
) -> Lot | None:
    """The lot that incoming (received, found, opening) stock belongs to, recorded now if new."""
    if not sku.lot_tracked or not lot_number:
        return _find_lot(uow, sku, lot_number)
    lot = uow.session.scalar(select(Lot).where(Lot.sku_id == sku.id, Lot.lot_number == lot_number))
    if lot is not None:
        if expiry is not None and lot.expiry_date is not None and expiry != lot.expiry_date:
            raise InvalidInput(
                f"Lot {lot_number} expires on {lot.expiry_date.isoformat()}.", "expiry_date"
            )
        return lot
    if sku.expiry_tracked and expiry is None:
        raise InvalidInput(
            "A new lot of an expiry-tracked SKU needs its expiry date.", "expiry_date"
        )
    lot = Lot(sku_id=sku.id, lot_number=lot_number, expiry_date=expiry)
    uow.session.add(lot)
    uow.session.flush()
    return lot


def _balance(uow: UnitOfWork, location: Location, sku: Sku, lot: Lot | None) -> StockBalance | None:
    query = select(StockBalance).where(
        StockBalance.location_id == location.id,
        StockBalance.sku_id == sku.id,
        StockBalance.lot_id.is_(None) if lot is None else StockBalance.lot_id == lot.id,
    )
    return uow.session.scalar(query.with_for_update())


def _quantities(balance: StockBalance | None) -> Quantities:
    return Quantities(balance.on_hand, balance.reserved) if balance else Quantities()


_ANNOUNCED = "wms.stock_changed"


def _announce_change(uow: UnitOfWork, sku: Sku, fc_id: int) -> None:
    """Write `stock.changed` for the SKU and FC unless this transaction already has: the event
    leaves only if the change commits, and the consumer reads the stock as it then stands."""
    transaction = uow.session.get_transaction()
    announced = uow.session.info.get(_ANNOUNCED)
    if announced is None or announced[0] is not transaction:
        announced = (transaction, set())
        uow.session.info[_ANNOUNCED] = announced
    if (sku.id, fc_id) in announced[1]:
        return
    announced[1].add((sku.id, fc_id))
    emit(
        uow,
        STOCK_CHANGED,
        sku.merchant_id,
        {"merchant_id": sku.merchant_id, "sku_id": sku.id, "fc_id": fc_id},
    )


def _store(
    uow: UnitOfWork,
    balance: StockBalance | None,
    location: Location,
    sku: Sku,
    lot: Lot | None,
    quantities: Quantities,
) -> None:
    """Write a bin's new quantities of a SKU and lot: the one place balances change."""
    _announce_change(uow, sku, location.fc_id)
    if balance is None:
        balance = StockBalance(
            fc_id=location.fc_id,
            location_id=location.id,
            sku_id=sku.id,
            lot_id=lot.id if lot else None,
        )
        uow.session.add(balance)
    if quantities.on_hand == 0 and quantities.reserved == 0:
        if balance.id is not None:
            uow.session.delete(balance)
        else:
            uow.session.expunge(balance)
        return
    balance.on_hand = quantities.on_hand
    balance.reserved = quantities.reserved
    balance.updated_at = utcnow()


def _check_temperature(sku: Sku, location: Location, field: str) -> None:
    zone = location.zone
    if zone.purpose in TEMPERATURE_CONTROLLED and zone.temperature_class != sku.temperature_class:
        raise InvalidInput(
            f"SKU {sku.code} is stored {sku.temperature_class}; bin {location.code} is "
            f"{zone.temperature_class}.",
            field,
        )


def _record(
    uow: UnitOfWork,
    actor: Actor,
    *,
    fc_id: int,
    sku: Sku,
    lot: Lot | None,
    source: Location | None,
    destination: Location | None,
    quantity: int,
    reason: MovementReason,
    reference: str,
    note: str,
    key: str | None,
) -> StockMovement:
    movement = StockMovement(
        fc_id=fc_id,
        sku_id=sku.id,
        lot_id=lot.id if lot else None,
        from_location_id=source.id if source else None,
        to_location_id=destination.id if destination else None,
        quantity=quantity,
        reason=reason,
        note=note,
        reference=reference,
        actor_id=actor.user_id,
        idempotency_key=key,
        created_at=utcnow(),
    )
    uow.session.add(movement)
    uow.session.flush()
    return movement


def lock_sku(uow: UnitOfWork, sku: Sku) -> None:
    """Serialise stock changes of one SKU (row lock on PostgreSQL; SQLite writes one at a time).

    FOR NO KEY UPDATE: it excludes other lockers of the SKU but not the key-share locks that
    foreign keys to it take, so a transaction that first inserts rows pointing at the SKU (order
    lines, movements) and then locks it cannot deadlock with another doing the same."""
    uow.session.execute(select(Sku.id).where(Sku.id == sku.id).with_for_update(key_share=True))


def transfer(
    uow: UnitOfWork,
    actor: Actor,
    *,
    sku: Sku,
    lot: Lot | None,
    source: Location,
    destination: Location,
    quantity: int,
    reason: MovementReason,
    reference: str,
    note: str = "",
    key: str | None = None,
) -> StockMovement:
    """Move unreserved units between two bins and write the ledger line; the SKU is locked."""
    from_balance = _balance(uow, source, sku, lot)
    if from_balance is None:
        raise InsufficientStock(
            f"Bin {source.code} holds none of {sku.code}"
            + (f" lot {lot.lot_number}." if lot else "."),
            "quantity",
        )
    to_balance = _balance(uow, destination, sku, lot)
    _store(uow, from_balance, source, sku, lot, _quantities(from_balance).take(quantity))
    _store(uow, to_balance, destination, sku, lot, _quantities(to_balance).put(quantity))
    return _record(
        uow,
        actor,
        fc_id=source.fc_id,
        sku=sku,
        lot=lot,
        source=source,
        destination=destination,
        quantity=quantity,
        reason=reason,
        reference=reference,
        note=note,
        key=key,
    )


def reserve(uow: UnitOfWork, location: Location, sku: Sku, lot: Lot | None, quantity: int) -> None:
    """Set free units in a bin aside for an order; the SKU is locked."""
    balance = _balance(uow, location, sku, lot)
    _store(uow, balance, location, sku, lot, _quantities(balance).reserve(quantity))


def release(uow: UnitOfWork, location: Location, sku: Sku, lot: Lot | None, quantity: int) -> None:
    """Give reserved units in a bin back to the free stock; the SKU is locked."""
    balance = _balance(uow, location, sku, lot)
    _store(uow, balance, location, sku, lot, _quantities(balance).release(quantity))


def move_reserved(
    uow: UnitOfWork,
    actor: Actor,
    *,
    sku: Sku,
    lot: Lot | None,
    source: Location,
    destination: Location | None,
    quantity: int,
    reason: MovementReason,
    reference: str,
    note: str = "",
    key: str | None = None,
) -> StockMovement:
    """Move units reserved for an order (picked to dispatch, or out of the FC when there is no
    destination); they stay reserved where they land. One ledger line; the SKU is locked."""
    from_balance = _balance(uow, source, sku, lot)
    _store(uow, from_balance, source, sku, lot, _quantities(from_balance).take_reserved(quantity))
    if destination is not None:
        to_balance = _balance(uow, destination, sku, lot)
        _store(
            uow, to_balance, destination, sku, lot, _quantities(to_balance).put_reserved(quantity)
        )
    return _record(
        uow,
        actor,
        fc_id=source.fc_id,
        sku=sku,
        lot=lot,
        source=source,
        destination=destination,
        quantity=quantity,
        reason=reason,
        reference=reference,
        note=note,
        key=key,
    )


def post_gain(
    uow: UnitOfWork,
    actor: Actor,
    *,
    sku: Sku,
    lot: Lot | None,
    location: Location,
    quantity: int,
    reason: MovementReason,
    reference: str,
    note: str = "",
    key: str | None = None,
) -> StockMovement:
    """Units coming into the FC (a receipt): balance up and one ledger line; the SKU is locked."""
    balance = _balance(uow, location, sku, lot)
    _store(uow, balance, location, sku, lot, _quantities(balance).put(quantity))
    return _record(
        uow,
        actor,
        fc_id=location.fc_id,
        sku=sku,
        lot=lot,
        source=None,
        destination=location,
        quantity=quantity,
        reason=reason,
        reference=reference,
        note=note,
        key=key,
    )


def move_stock(
    uow: UnitOfWork, actor: Actor, command: MoveStock, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Move units between two bins of one FC; returns (the movement, whether it was a replay)."""
    _require_stock_role(actor)
    require_positive(command.quantity)

    def perform() -> dict[str, Any]:
        sku = _lock_sku(uow, actor, command.sku_id)
        source = _usable_location(uow, actor, command.from_location_id, "from_location_id")
        destination = _usable_location(uow, actor, command.to_location_id, "to_location_id")
        if source.id == destination.id:
            raise InvalidInput("Source and destination are the same bin.", "to_location_id")
        if source.fc_id != destination.fc_id:
            raise InvalidInput(
                "Both bins must be in the same FC; moving between FCs is a transfer.",
                "to_location_id",
            )
        _check_temperature(sku, destination, "to_location_id")
        lot = _find_lot(uow, sku, command.lot_number)
        movement = transfer(
            uow,
            actor,
            sku=sku,
            lot=lot,
            source=source,
            destination=destination,
            quantity=command.quantity,
            reason=MovementReason.MOVE,
            reference=command.reference,
            note=command.note,
            key=key,
        )
        return movement_view(movement)

    return run_once(uow, actor, key, "stock.move", command.payload(), perform)


def adjust_stock(
    uow: UnitOfWork, actor: Actor, command: AdjustStock, key: str | None
) -> tuple[dict[str, Any], bool]:
    """Correct a bin's quantity of a SKU and lot, with a reason; returns (movement, replay)."""
    _require_stock_role(actor)

    def perform() -> dict[str, Any]:
        sku = _lock_sku(uow, actor, command.sku_id)
        location = _usable_location(uow, actor, command.location_id, "location_id")
        lot = lot_for_gain(uow, sku, command.lot_number, command.expiry_date)
        balance = _balance(uow, location, sku, lot)
        current = _quantities(balance)
        change = adjustment_delta(
            current, command.reason, counted_quantity=command.counted_quantity, delta=command.delta
        )
        if change > 0:
            _check_temperature(sku, location, "location_id")
            after = current.put(change)
        else:
            after = Quantities(current.on_hand + change, current.reserved)
        _store(uow, balance, location, sku, lot, after)
        movement = _record(
            uow,
            actor,
            fc_id=location.fc_id,
            sku=sku,
            lot=lot,
            source=None if change > 0 else location,
            destination=location if change > 0 else None,
            quantity=abs(change),
            reason=command.reason,
            reference=command.reference,
            note=command.note,
            key=key,
        )
        return movement_view(movement)

    return run_once(uow, actor, key, "stock.adjust", command.payload(), perform)


def _scope_to_actor(query: Select[Any], actor: Actor, fc_column: Any) -> Select[Any]:
    """Merchants see their own SKUs' stock everywhere; staff and managers all stock in their
    FCs; admins everything. `query` must join Sku."""
    if actor.is_merchant:
        return query.where(Sku.merchant_id == actor.merchant_id)
    if not actor.is_admin:
        return query.where(fc_column.in_(actor.fc_ids))
    return query


def query_stock(
    uow: UnitOfWork,
    actor: Actor,
    page: PageRequest,
    *,
    fc_id: int | None = None,
    sku_id: int | None = None,
    location_id: int | None = None,
    lot_number: str | None = None,
    zone_id: int | None = None,
    merchant_id: int | None = None,
) -> dict[str, Any]:
    """Stock balances the actor may see, filtered by FC, SKU, bin, lot, zone or merchant."""
    with uow:
        query = (
            select(StockBalance)
            .join(StockBalance.sku)
            .join(StockBalance.location)
            .outerjoin(StockBalance.lot)
            .options(
                joinedload(StockBalance.sku),
                joinedload(StockBalance.location),
                joinedload(StockBalance.lot),
            )
            .order_by(Sku.code, Lot.expiry_date, Location.code, StockBalance.id)
        )
        query = _scope_to_actor(query, actor, StockBalance.fc_id)
        if fc_id is not None:
            query = query.where(StockBalance.fc_id == fc_id)
        if sku_id is not None:
            query = query.where(StockBalance.sku_id == sku_id)
        if location_id is not None:
            query = query.where(StockBalance.location_id == location_id)
        if zone_id is not None:
            query = query.where(Location.zone_id == zone_id)
        if lot_number is not None:
            query = query.where(Lot.lot_number == lot_number)
        if merchant_id is not None:
            query = query.where(Sku.merchant_id == merchant_id)
        return paginate(uow.session, query, page, balance_view)


def list_movements(
    uow: UnitOfWork,
    actor: Actor,
    page: PageRequest,
    *,
    fc_id: int | None = None,
    sku_id: int | None = None,
    location_id: int | None = None,
) -> dict[str, Any]:
    """The ledger lines the actor may see, newest first."""
    with uow:
        query = (
            select(StockMovement)
            .join(StockMovement.sku)
            .options(
                joinedload(StockMovement.lot),
                joinedload(StockMovement.from_location),
                joinedload(StockMovement.to_location),
            )
            .order_by(StockMovement.id.desc())
        )
        query = _scope_to_actor(query, actor, StockMovement.fc_id)
        if fc_id is not None:
            query = query.where(StockMovement.fc_id == fc_id)
        if sku_id is not None:
            query = query.where(StockMovement.sku_id == sku_id)
        if location_id is not None:
            query = query.where(
                (StockMovement.from_location_id == location_id)
                | (StockMovement.to_location_id == location_id)
            )
        return paginate(uow.session, query, page, movement_view)


UNSELLABLE = (ZonePurpose.QUARANTINE, ZonePurpose.RECEIVING)


def available_by_fc(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """Per FC and SKU: units on hand, reserved, held back (quarantine, not yet put away) and
    available to sell (on hand − reserved − held back), for the SKUs the actor may see."""
    with uow:
        held = func.sum(case((Zone.purpose.in_(UNSELLABLE), StockBalance.on_hand), else_=0))
        query = (
            select(
                StockBalance.fc_id,
                Sku.id,
                Sku.code,
                Sku.name_en,
                Sku.name_th,
                func.sum(StockBalance.on_hand),
                func.sum(StockBalance.reserved),
                held,
                func.count(func.distinct(StockBalance.lot_id)),
            )
            .join(Sku, Sku.id == StockBalance.sku_id)
            .join(Location, Location.id == StockBalance.location_id)
            .join(Zone, Zone.id == Location.zone_id)
            .group_by(StockBalance.fc_id, Sku.id, Sku.code, Sku.name_en, Sku.name_th)
            .order_by(StockBalance.fc_id, Sku.code)
        )
        query = _scope_to_actor(query, actor, StockBalance.fc_id)
        return [
            {
                "fc_id": fc_id,
                "sku_id": sku_id,
                "sku_code": code,
                "sku_name_en": name_en,
                "sku_name_th": name_th,
                "on_hand": int(on_hand),
                "reserved": int(reserved),
                "held": int(held_units),
                "available": max(int(on_hand) - int(reserved) - int(held_units), 0),
                "lots": int(lots),
            }
            for fc_id, sku_id, code, name_en, name_th, on_hand, reserved, held_units, lots in (
                uow.session.execute(query)
            )
        ]

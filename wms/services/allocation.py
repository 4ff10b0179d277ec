"""Reserving stock for orders, first-expiry-first-out, and giving reservations back.

Callers own the transaction. Every SKU touched is locked first, in SKU id order, so two orders
racing for the last unit are served one after the other: the second sees the first's reservation.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from wms.db.models import Allocation, Location, Lot, Order, OrderLine, Sku, StockBalance, Zone
from wms.db.unit_of_work import UnitOfWork
from wms.domain.allocation import StockOption, plan_reservations
from wms.domain.catalogue import LocationStatus, ZonePurpose
from wms.domain.orders import OPEN_ALLOCATIONS, AllocationStatus, order_status_after_allocation
from wms.services import stock

PICKABLE_PURPOSES = (ZonePurpose.STORAGE, ZonePurpose.HIGH_VALUE, ZonePurpose.HAZMAT)


def lock_skus(uow: UnitOfWork, skus: Iterable[Sku]) -> None:
    """Lock SKUs in id order (the one order every use case takes them in)."""
    for sku in sorted({sku.id: sku for sku in skus}.values(), key=lambda sku: sku.id):
        stock.lock_sku(uow, sku)


def stock_options(
    uow: UnitOfWork, fc_id: int, sku_id: int, excluded_locations: Iterable[int] = ()
) -> list[StockOption]:
    """Free units of a SKU in the FC's active storage bins, with each lot's expiry."""
    query = (
        select(StockBalance, Location, Lot)
        .join(Location, Location.id == StockBalance.location_id)
        .join(Zone, Zone.id == Location.zone_id)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
        .where(
            StockBalance.fc_id == fc_id,
            StockBalance.sku_id == sku_id,
            StockBalance.on_hand > StockBalance.reserved,
            Location.status == LocationStatus.ACTIVE,
            Zone.purpose.in_(PICKABLE_PURPOSES),
        )
    )
    excluded = set(excluded_locations)
    return [
        StockOption(
            balance_id=balance.id,
            location_code=location.code,
            lot_number=lot.lot_number if lot else None,
            expiry_date=lot.expiry_date if lot else None,
            available=balance.on_hand - balance.reserved,
            pickable=location.pickable,
            pick_sequence=location.pick_sequence,
        )
        for balance, location, lot in uow.session.execute(query)
        if location.id not in excluded
    ]


def held_for(line: OrderLine, allocations: Iterable[Allocation]) -> int:
    """Units of a line that are reserved, picked or shipped (not short, not cancelled)."""
    return sum(
        allocation.quantity
        for allocation in allocations
        if allocation.order_line_id == line.id
        and allocation.status in (*OPEN_ALLOCATIONS, AllocationStatus.SHIPPED)
    )


def reserve_line(
    uow: UnitOfWork,
    order: Order,
    line: OrderLine,
    quantity: int,
    ship_date: date,
    excluded_locations: Iterable[int] = (),
) -> list[Allocation]:
    """Reserve up to `quantity` more units of a line; the line's SKU must be locked already."""
    options = stock_options(uow, order.fc_id, line.sku_id, excluded_locations)
    made: list[Allocation] = []
    for reservation in plan_reservations(options, quantity, ship_date, order.min_remaining_days):
        balance = uow.session.get(StockBalance, reservation.option.balance_id)
        assert balance is not None
        stock.reserve(uow, balance.location, balance.sku, balance.lot, reservation.quantity)
        allocation = Allocation(
            order_id=order.id,
            order_line_id=line.id,
            sku_id=line.sku_id,
            lot_id=balance.lot_id,
            location_id=balance.location_id,
            quantity=reservation.quantity,
            status=AllocationStatus.RESERVED,
        )
        uow.session.add(allocation)
        made.append(allocation)
    uow.session.flush()
    return made


def allocate(uow: UnitOfWork, order: Order, ship_date: date) -> int:
    """Reserve what is still missing on every line; sets ALLOCATED or BACKORDERED. Returns the
    number of units reserved now."""
    lock_skus(uow, (line.sku for line in order.lines))
    existing = list(uow.session.scalars(select(Allocation).where(Allocation.order_id == order.id)))
    reserved_now = 0
    ordered = held = 0
    for line in order.lines:
        missing = line.quantity - held_for(line, existing)
        if missing > 0:
            made = reserve_line(uow, order, line, missing, ship_date)
            reserved_now += sum(allocation.quantity for allocation in made)
            existing.extend(made)
        ordered += line.quantity
        held += min(line.quantity, held_for(line, existing))
    order.status = order_status_after_allocation(ordered, held)
    return reserved_now


def release_all(uow: UnitOfWork, order: Order) -> list[Allocation]:
    """Give back every reservation of an order that has not been picked; returns the picked
    allocations (their units wait at dispatch for the caller to send back to storage)."""
    allocations = list(
        uow.session.scalars(
            select(Allocation)
            .options(joinedload(Allocation.location), joinedload(Allocation.sku))
            .where(Allocation.order_id == order.id, Allocation.status.in_(OPEN_ALLOCATIONS))
        )
    )
    lock_skus(uow, (allocation.sku for allocation in allocations))
    picked: list[Allocation] = []
    for allocation in allocations:
        stock.release(uow, allocation.location, allocation.sku, allocation.lot, allocation.quantity)
        if allocation.status is AllocationStatus.PICKED:
            picked.append(allocation)
        allocation.status = AllocationStatus.CANCELLED
    return picked

"""Closing a pick trip when nothing is left to pick on it, and moving its orders on."""

from __future__ import annotations

from sqlalchemy import select

from wms.db.base import utcnow
from wms.db.models import Allocation, PickBatch
from wms.db.unit_of_work import UnitOfWork
from wms.domain.orders import AllocationStatus, OrderStatus
from wms.domain.waves import BatchStatus, WaveStatus
from wms.services.order_status import set_status


def finish_if_done(uow: UnitOfWork, batch: PickBatch) -> None:
    """Close the trip when nothing is left to pick; move its orders on."""
    uow.session.flush()
    left = uow.session.scalar(
        select(Allocation.id).where(
            Allocation.batch_id == batch.id, Allocation.status == AllocationStatus.RESERVED
        )
    )
    if left is not None:
        return
    batch.status = BatchStatus.PICKED
    batch.finished_at = utcnow()
    for tote in batch.totes:
        order = tote.order
        statuses = [
            item.status
            for item in uow.session.scalars(
                select(Allocation).where(Allocation.order_id == order.id)
            )
        ]
        if AllocationStatus.RESERVED in statuses or order.status is not OrderStatus.WAVED:
            continue
        if AllocationStatus.PICKED in statuses:
            set_status(uow, order, OrderStatus.PICKED)
        else:
            order.wave_id = None
            set_status(uow, order, OrderStatus.BACKORDERED)
    wave = batch.wave
    if all(b.status in (BatchStatus.PICKED, BatchStatus.DISCARDED) for b in wave.batches):
        wave.status = WaveStatus.DONE

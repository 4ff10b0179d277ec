"""An order's status changes, told to its merchant through the outbox in the same transaction."""

from __future__ import annotations

from wms.db.base import utcnow
from wms.db.models import Order
from wms.db.unit_of_work import UnitOfWork
from wms.domain.orders import OrderStatus
from wms.services.outbox import emit


def set_status(uow: UnitOfWork, order: Order, status: OrderStatus) -> None:
    """Change an order's status and tell its merchant (outbox, same transaction)."""
    if order.status is status:
        return
    order.status = status
    order.updated_at = utcnow()
    emit(
        uow,
        "order.status",
        order.merchant_id,
        {"order": order.reference, "external_id": order.external_id, "status": str(status)},
    )

"""Set-ups for outbound tests: demo actors, orders placed and waves planned through the use cases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from wms.db.models import Carrier, FulfillmentCenter, Merchant, User
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.orders import NewOrder, NewOrderLine
from wms.domain.waves import CartLimits
from wms.services import auth, orders, waves


def key() -> str:
    return f"test-{uuid.uuid4().hex}"


def actor(uow: UnitOfWork, email: str) -> Actor:
    """The demo user with this email, as the use cases see them."""
    with uow:
        user_id = uow.session.scalar(select(User.id).where(User.email == email))
    assert user_id is not None, email
    found = auth.actor_for_user(uow, user_id)
    assert found is not None
    return found


def ids(
    uow: UnitOfWork, fc_code: str, carrier_code: str, merchant_code: str
) -> tuple[int, int, int]:
    """(FC id, carrier id, merchant id) of demo records by code."""
    with uow:
        fc_id = uow.session.scalar(
            select(FulfillmentCenter.id).where(FulfillmentCenter.code == fc_code)
        )
        carrier_id = uow.session.scalar(
            select(Carrier.id).where(Carrier.fc_id == fc_id, Carrier.code == carrier_code)
        )
        merchant_id = uow.session.scalar(select(Merchant.id).where(Merchant.code == merchant_code))
    assert fc_id and carrier_id and merchant_id
    return fc_id, carrier_id, merchant_id


def place_order(
    uow: UnitOfWork,
    by: Actor,
    lines: dict[str, int],
    *,
    fc_code: str = "KUL1",
    carrier_code: str = "JNT",
    merchant_code: str = "SIAMFRUIT",
    ship_by: datetime | None = None,
    external_id: str | None = None,
    recipient_name: str = "Nurul Aisyah binti Ahmad",
) -> dict[str, Any]:
    """An order for the demo merchant's SKUs (code → units), shipping within a day."""
    fc_id, carrier_id, merchant_id = ids(uow, fc_code, carrier_code, merchant_code)
    new = NewOrder(
        fc_id=fc_id,
        carrier_id=carrier_id,
        external_id=external_id or f"EXT-{uuid.uuid4().hex[:10]}",
        ship_by=ship_by or datetime.now(UTC) + timedelta(hours=20),
        recipient_name=recipient_name,
        recipient_phone="+60 12-345 6789",
        address="12 Jalan Ampang",
        city="Kuala Lumpur",
        postcode="50450",
        country="MY",
        lines=tuple(NewOrderLine(code, units) for code, units in lines.items()),
        merchant_id=None if by.is_merchant else merchant_id,
    )
    view, _ = orders.create_order(uow, by, new, key())
    return view


def planned_wave(
    uow: UnitOfWork,
    manager: Actor,
    *,
    fc_code: str = "KUL1",
    cart: CartLimits | None = None,
    release: bool = True,
) -> dict[str, Any]:
    """A wave of every allocated order at the FC, released to the pickers unless asked not to."""
    with uow:
        fc_id = uow.session.scalar(
            select(FulfillmentCenter.id).where(FulfillmentCenter.code == fc_code)
        )
    assert fc_id is not None
    request = waves.WaveRequest(fc_id=fc_id, cart=cart or CartLimits(), time_limit_s=2.0)
    wave, _ = waves.plan_wave(uow, manager, request, key())
    if release:
        wave, _ = waves.release_wave(uow, manager, wave["id"], key())
    return wave

"""Two managers dispatching at the same moment plans that share a parcel, a vehicle or a driver:
exactly one plan goes out, the other is refused (409) and stays a draft. On PostgreSQL the row
locks and the unique indexes of dispatched routes and stops decide; the parcels end up on one
dispatched plan only."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests import deliveries as d
from tests import outbound
from tests.api import ADMIN, MANAGER_KUL1
from wms.db.models import DeliveryRoute, DeliveryStop, Order, Package
from wms.db.session import make_engine, make_session_factory
from wms.db.unit_of_work import UnitOfWork
from wms.domain.errors import Conflict
from wms.services.deliveries import DriverAssignment
from wms.services.delivery_dispatch import assign_drivers, dispatch_plan

pytestmark = pytest.mark.postgresql


@pytest.fixture
def factory(demo_database_url):
    engine = make_engine(demo_database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _race(factory, plans: list[tuple[Any, int]]) -> list[dict[str, Any] | Conflict]:
    """Dispatch each (actor, plan id) in its own thread, all at once; each one's answer."""
    barrier = threading.Barrier(len(plans))

    def dispatch(actor, plan_id: int) -> dict[str, Any] | Conflict:  # type: ignore[no-untyped-def]
        uow = UnitOfWork(factory)
        barrier.wait()
        try:
            sent, _ = dispatch_plan(uow, actor, plan_id, outbound.key())
        except Conflict as error:
            return error
        return sent

    with ThreadPoolExecutor(len(plans)) as pool:
        futures = [pool.submit(dispatch, actor, plan_id) for actor, plan_id in plans]
        return [future.result() for future in futures]


def _split_plans(uow, first: tuple[Any, list[int], list[int]], second) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """Two drafts that share no parcel: each plans half of the waiting orders (the other half
    has its coordinates hidden while it plans). (actor, vehicle ids, driver ids) each."""
    with factory_of(uow)() as session:
        orders = sorted(
            session.scalars(select(Package.order_id).where(Package.tracking_number.like("PVK%")))
        )
        points = dict(
            (order_id, (lat, lon))
            for order_id, lat, lon in session.execute(
                select(Order.id, Order.delivery_latitude, Order.delivery_longitude).where(
                    Order.id.in_(orders)
                )
            )
        )
    halves = [orders[: len(orders) // 2], orders[len(orders) // 2 :]]
    made = []
    for (actor, vehicle_ids, driver_ids), hidden in zip(
        (first, second), reversed(halves), strict=True
    ):
        _hide(uow, hidden, points)
        made.append(d.plan(uow, actor, vehicle_ids=vehicle_ids, driver_ids=driver_ids))
        _hide(uow, hidden, points, back=True)
    return made[0], made[1]


def factory_of(uow: UnitOfWork):  # type: ignore[no-untyped-def]
    return uow._session_factory


def _hide(uow: UnitOfWork, order_ids: list[int], points, *, back: bool = False) -> None:  # type: ignore[no-untyped-def]
    with uow:
        for order_id in order_ids:
            latitude, longitude = points[order_id] if back else (None, None)
            uow.session.execute(
                update(Order)
                .where(Order.id == order_id)
                .values(delivery_latitude=latitude, delivery_longitude=longitude)
            )
        uow.commit()


def _out(factory) -> tuple[int, int]:
    """(dispatched stops, orders among them), over every plan."""
    with factory() as session:
        stops = session.scalar(
            select(func.count(DeliveryStop.id)).where(DeliveryStop.dispatched.is_(True))
        )
        orders = session.scalar(
            select(func.count(func.distinct(DeliveryStop.order_id))).where(
                DeliveryStop.dispatched.is_(True)
            )
        )
    return int(stops or 0), int(orders or 0)


def test_two_managers_dispatching_plans_that_share_parcels_one_wins(factory):
    uow = UnitOfWork(factory)
    manager, admin = outbound.actor(uow, MANAGER_KUL1), outbound.actor(uow, ADMIN)
    vans, drivers = d.vehicles(uow, manager), list(d.drivers(uow, manager).values())
    first = d.plan(
        uow,
        manager,
        vehicle_ids=[vans["Van 1 · Toyota Hiace"], vans["Van 2 · Nissan NV350"]],
        driver_ids=drivers[:2],
    )
    second = d.plan(
        uow,
        admin,
        vehicle_ids=[vans["Van 3 · Daihatsu Gran Max"], vans["Bike 1 · Honda Wave 125"]],
        driver_ids=drivers[2:4],
    )
    assert {s["order_id"] for s in d.stops(first)} & {s["order_id"] for s in d.stops(second)}
    answers = _race(factory, [(manager, first["id"]), (admin, second["id"])])
    won = [answer for answer in answers if isinstance(answer, dict)]
    lost = [answer for answer in answers if isinstance(answer, Conflict)]
    assert len(won) == 1 and len(lost) == 1
    assert "no longer waiting" in lost[0].message or "Another plan took" in lost[0].message
    stops, orders = _out(factory)
    assert stops == orders == won[0]["stops"]
    loser = first if won[0]["id"] == second["id"] else second
    assert d.check(uow, manager, loser["id"]).violations == ()


def test_two_plans_sending_the_same_van_out_the_same_day_one_wins(factory):
    uow = UnitOfWork(factory)
    manager, admin = outbound.actor(uow, MANAGER_KUL1), outbound.actor(uow, ADMIN)
    van = d.vehicles(uow, manager)["Van 1 · Toyota Hiace"]
    drivers = list(d.drivers(uow, manager).values())
    made, other = _split_plans(uow, (manager, [van], [drivers[0]]), (admin, [van], [drivers[1]]))
    assert not {s["order_id"] for s in d.stops(other)} & {s["order_id"] for s in d.stops(made)}
    answers = _race(factory, [(manager, made["id"]), (admin, other["id"])])
    won = [answer for answer in answers if isinstance(answer, dict)]
    lost = [answer for answer in answers if isinstance(answer, Conflict)]
    assert len(won) == 1 and len(lost) == 1
    assert "already out on plan" in lost[0].message or "Another plan took" in lost[0].message
    with factory() as session:
        out = session.scalar(
            select(func.count(DeliveryRoute.id)).where(
                DeliveryRoute.vehicle_id == van, DeliveryRoute.dispatched.is_(True)
            )
        )
    assert out == 1


def test_the_same_driver_on_two_plans_dispatched_at_once_goes_out_once(factory):
    uow = UnitOfWork(factory)
    manager, admin = outbound.actor(uow, MANAGER_KUL1), outbound.actor(uow, ADMIN)
    vans = d.vehicles(uow, manager)
    driver = next(iter(d.drivers(uow, manager).values()))
    made, other = _split_plans(
        uow,
        (manager, [vans["Van 1 · Toyota Hiace"]], [None]),
        (admin, [vans["Van 2 · Nissan NV350"]], [None]),
    )
    for actor, plan in ((manager, made), (admin, other)):
        used = d.used_routes(plan)[0]
        assign_drivers(
            uow, actor, plan["id"], [DriverAssignment(used["id"], driver)], outbound.key()
        )
    answers = _race(factory, [(manager, made["id"]), (admin, other["id"])])
    assert sorted(type(answer).__name__ for answer in answers) == ["Conflict", "dict"]
    with factory() as session:
        out = session.scalar(
            select(func.count(DeliveryRoute.id)).where(
                DeliveryRoute.driver_id == driver, DeliveryRoute.dispatched.is_(True)
            )
        )
    assert out == 1

"""Orders racing for the last units of a SKU: each unit is reserved for exactly one order.

Runs on both databases; on PostgreSQL the SKU row lock is what serialises the allocations."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from tests.api import SIAMFRUIT
from tests.outbound import actor, place_order
from wms.db.models import Sku, StockBalance
from wms.db.session import make_engine, make_session_factory
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.services import orders
from wms.services.ledger import audit_ledger

SKU = "SF-TAMARIND-250"


@pytest.fixture
def last_units(demo_database_url):
    """A session factory on a database where the SKU has nothing free but `units` units."""
    engine = make_engine(demo_database_url)
    factory = make_session_factory(engine)
    merchant = actor(UnitOfWork(factory), SIAMFRUIT)
    yield factory, merchant
    engine.dispose()


def _free_units(factory, fc_code: str = "KUL1") -> int:
    with factory() as session:
        sku_id = session.scalar(select(Sku.id).where(Sku.code == SKU))
        rows = session.execute(
            select(StockBalance.on_hand, StockBalance.reserved)
            .join(StockBalance.location)
            .where(StockBalance.sku_id == sku_id, StockBalance.fc_id == 1)
        ).all()
    return sum(on_hand - reserved for on_hand, reserved in rows)


def _take_all_but(factory, merchant: Actor, left: int) -> None:
    free = _free_units(factory)
    if free > left:
        place_order(UnitOfWork(factory), merchant, {SKU: free - left})
    assert _free_units(factory) == left


@pytest.mark.parametrize("threads", [2, 8])
def test_orders_racing_for_the_last_unit_one_gets_it(last_units, threads):
    factory, merchant = last_units
    _take_all_but(factory, merchant, 1)
    barrier = threading.Barrier(threads)
    results: list[dict] = []
    lock = threading.Lock()

    def race(number: int) -> None:
        uow = UnitOfWork(factory)
        barrier.wait()
        view = place_order(uow, merchant, {SKU: 1}, external_id=f"RACE-{threads}-{number}")
        with lock:
            results.append(view)

    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(race, n) for n in range(threads)]:
            future.result()
    statuses = sorted(view["status"] for view in results)
    assert statuses == ["allocated"] + ["backordered"] * (threads - 1)
    assert _free_units(factory) == 0
    assert audit_ledger(UnitOfWork(factory)) == []


def test_cancelling_an_order_frees_its_unit_for_the_next_retry(last_units):
    factory, merchant = last_units
    _take_all_but(factory, merchant, 1)
    uow = UnitOfWork(factory)
    winner = place_order(uow, merchant, {SKU: 1})
    loser = place_order(uow, merchant, {SKU: 1})
    assert (winner["status"], loser["status"]) == ("allocated", "backordered")
    orders.cancel_order(uow, merchant, winner["id"], "cancel-the-winner-1")
    staff = actor(uow, "manager.kul1@pavilion.test")
    retried, _ = orders.allocate_order(uow, staff, loser["id"], "retry-the-loser-1")
    assert retried["status"] == "allocated"
    assert audit_ledger(uow) == []

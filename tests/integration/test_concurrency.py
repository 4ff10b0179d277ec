"""Concurrent stock changes on the same balances are serialised: stock never goes negative,
nothing is lost, and the ledger stays equal to the balances. Runs on both databases; the
PostgreSQL run is the one that proves the row locks."""

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import sessionmaker

from wms.db.models import Location, Lot, Sku, StockBalance, User
from wms.db.session import make_engine, make_session_factory
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor, Role
from wms.domain.commands import AdjustStock, MoveStock
from wms.domain.errors import InsufficientStock
from wms.domain.stock import MovementReason
from wms.services.ledger import audit_ledger
from wms.services.stock import adjust_stock, move_stock

THREADS = 16
OPERATIONS_PER_THREAD = 12


@pytest.fixture
def shared_stock(demo_database_url):
    """One SKU's lot in one bin, an empty bin beside it, the admin actor and a session factory."""
    engine = make_engine(demo_database_url)
    factory = make_session_factory(engine)
    with factory() as session:
        balance = session.scalars(
            select(StockBalance)
            .join(Sku)
            .where(Sku.code == "SF-MANGO-200")
            .order_by(StockBalance.id)
        ).first()
        lot = session.get(Lot, balance.lot_id)
        empty = session.scalars(
            select(Location)
            .where(Location.zone_id == balance.location.zone_id, Location.id != balance.location_id)
            .where(~Location.id.in_(select(StockBalance.location_id)))
            .limit(1)
        ).one()
        admin = session.scalars(select(User).where(User.role == Role.ADMIN)).one()
        data = {
            "sku_id": balance.sku_id,
            "lot_number": lot.lot_number,
            "bins": (balance.location_id, empty.id),
            "start": balance.on_hand,
            "actor": Actor(user_id=admin.id, role=Role.ADMIN),
        }
    yield factory, data
    engine.dispose()


def _on_hand(factory: sessionmaker, sku_id: int) -> dict[int, int]:
    with factory() as session:
        rows = session.execute(
            select(StockBalance.location_id, StockBalance.on_hand).where(
                StockBalance.sku_id == sku_id
            )
        )
        return dict(rows.all())


def test_sixteen_threads_moving_and_counting_the_same_stock(shared_stock):
    factory, data = shared_stock
    a, b = data["bins"]
    before = sum(_on_hand(factory, data["sku_id"]).values())
    gained = []
    refused = []
    errors = []
    lock = threading.Lock()

    def worker(number: int) -> None:
        rng = random.Random(number)
        uow = UnitOfWork(factory)
        for step in range(OPERATIONS_PER_THREAD):
            key = f"race-{number}-{step}"
            try:
                if rng.random() < 0.7:
                    source, target = (a, b) if rng.random() < 0.5 else (b, a)
                    move_stock(
                        uow,
                        data["actor"],
                        MoveStock(
                            sku_id=data["sku_id"],
                            from_location_id=source,
                            to_location_id=target,
                            quantity=rng.randint(1, 9),
                            lot_number=data["lot_number"],
                        ),
                        key,
                    )
                else:
                    delta = rng.choice([-3, -2, -1, 1, 2, 3])
                    adjust_stock(
                        uow,
                        data["actor"],
                        AdjustStock(
                            location_id=rng.choice([a, b]),
                            sku_id=data["sku_id"],
                            reason=MovementReason.FOUND if delta > 0 else MovementReason.LOST,
                            delta=delta,
                            lot_number=data["lot_number"],
                        ),
                        key,
                    )
                    with lock:
                        gained.append(delta)
            except InsufficientStock:
                with lock:
                    refused.append(key)
            except Exception as error:
                with lock:
                    errors.append(repr(error))

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(worker, range(THREADS)))

    assert errors == []
    after = _on_hand(factory, data["sku_id"])
    assert all(quantity >= 0 for quantity in after.values())
    assert sum(after.values()) == before + sum(gained)
    assert audit_ledger(UnitOfWork(factory)) == []


def test_the_same_idempotency_key_from_eight_threads_moves_once(shared_stock):
    factory, data = shared_stock
    a, b = data["bins"]
    command = MoveStock(
        sku_id=data["sku_id"],
        from_location_id=a,
        to_location_id=b,
        quantity=4,
        lot_number=data["lot_number"],
    )
    barrier = threading.Barrier(8)

    def send(_: int):
        barrier.wait()
        return move_stock(UnitOfWork(factory), data["actor"], command, "one-key-many-senders")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(send, range(8)))
    movement_ids = {result["id"] for result, _ in results}
    assert len(movement_ids) == 1
    assert sorted(replayed for _, replayed in results) == [False] + [True] * 7
    assert _on_hand(factory, data["sku_id"])[b] == 4
    assert audit_ledger(UnitOfWork(factory)) == []


@pytest.mark.postgresql
def test_a_move_waits_for_the_row_lock_on_its_sku(shared_stock):
    factory, data = shared_stock
    a, b = data["bins"]
    holder = factory()
    holder.execute(select(Sku.id).where(Sku.id == data["sku_id"]).with_for_update())
    finished = threading.Event()

    def move() -> None:
        move_stock(
            UnitOfWork(factory),
            data["actor"],
            MoveStock(
                sku_id=data["sku_id"],
                from_location_id=a,
                to_location_id=b,
                quantity=1,
                lot_number=data["lot_number"],
            ),
            "waits-for-lock",
        )
        finished.set()

    thread = threading.Thread(target=move)
    thread.start()
    waiting = False
    with factory() as observer:
        for _ in range(600):  # up to 30 s: on a loaded machine the thread starts late
            waiting = (
                observer.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                ).scalar_one()
                > 0
            )
            if waiting:
                break
            finished.wait(0.05)
    assert waiting and not finished.is_set()
    holder.rollback()
    holder.close()
    assert finished.wait(10)
    thread.join()


def test_racing_creates_of_one_sku_code_make_one_sku_and_clean_conflicts(shared_stock):
    from wms.domain.commands import SkuDetails
    from wms.domain.errors import Conflict
    from wms.domain.identifiers import with_check_digit
    from wms.services.catalogue import create_sku

    factory, data = shared_stock
    with factory() as session:
        merchant_id = session.get(Sku, data["sku_id"]).merchant_id
    barrier = threading.Barrier(6)

    def create(number: int) -> str:
        details = SkuDetails(
            code="SF-RACE-1",
            gtin=with_check_digit(f"88519610009{number}"),
            name_en="Race",
            name_th="แข่ง",
            length_mm=1,
            width_mm=1,
            height_mm=1,
            weight_g=1,
            merchant_id=merchant_id,
        )
        barrier.wait()
        try:
            create_sku(UnitOfWork(factory), data["actor"], details)
        except Conflict as conflict:
            assert conflict.field == "code"
            return "conflict"
        return "created"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = sorted(pool.map(create, range(6)))
    assert outcomes == ["conflict"] * 5 + ["created"]

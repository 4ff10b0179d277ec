"""Stock ledger throughput: moves and counts through the use cases, against a bare baseline.

The baseline, run in the same process on the same database, does the least SQL a stock move
needs (update two balances, insert one movement) with no checks, locks or idempotency record.
The ratio shows what the ledger's guarantees cost. Also times the full ledger audit.

    .venv/bin/python bench/ledger.py [--moves 2000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select, update

from wms.db.base import utcnow
from wms.db.models import Location, Lot, StockBalance, StockMovement, User
from wms.db.session import make_engine, make_session_factory
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor, Role
from wms.domain.commands import AdjustStock, MoveStock
from wms.domain.stock import MovementReason
from wms.migrate import upgrade
from wms.services import demo
from wms.services.ledger import audit_ledger
from wms.services.stock import adjust_stock, move_stock


def _setup(url: str) -> tuple[UnitOfWork, Actor, StockBalance, int]:
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    uow = UnitOfWork(factory)
    demo.load(uow, if_empty=True)
    with factory() as session:
        balance = session.scalars(select(StockBalance).order_by(StockBalance.id)).first()
        assert balance is not None
        empty = session.scalars(
            select(Location.id)
            .where(Location.zone_id == balance.location.zone_id)
            .where(~Location.id.in_(select(StockBalance.location_id)))
            .limit(1)
        ).one()
        admin = session.scalars(select(User).where(User.role == Role.ADMIN)).one()
        session.expunge(balance)
    return uow, Actor(user_id=admin.id, role=Role.ADMIN), balance, empty


def _use_case_moves(
    uow: UnitOfWork, actor: Actor, balance: StockBalance, empty: int, n: int, lot: str | None
) -> float:
    start = time.perf_counter()
    for i in range(n):
        source, target = (
            (balance.location_id, empty) if i % 2 == 0 else (empty, balance.location_id)
        )
        move_stock(
            uow,
            actor,
            MoveStock(
                sku_id=balance.sku_id,
                from_location_id=source,
                to_location_id=target,
                quantity=1,
                lot_number=lot,
            ),
            f"bench-move-{time.monotonic_ns()}-{i}",
        )
    return time.perf_counter() - start


def _use_case_counts(
    uow: UnitOfWork, actor: Actor, balance: StockBalance, n: int, lot: str | None
) -> float:
    start = time.perf_counter()
    for i in range(n):
        reason, delta = (MovementReason.FOUND, 1) if i % 2 == 0 else (MovementReason.LOST, -1)
        adjust_stock(
            uow,
            actor,
            AdjustStock(
                location_id=balance.location_id,
                sku_id=balance.sku_id,
                reason=reason,
                delta=delta,
                lot_number=lot,
            ),
            f"bench-count-{time.monotonic_ns()}-{i}",
        )
    return time.perf_counter() - start


def _baseline_moves(uow: UnitOfWork, balance: StockBalance, n: int) -> float:
    """Bare SQL: one transaction per move, two balance updates, one movement row."""
    start = time.perf_counter()
    for _ in range(n):
        with uow:
            for change in (-1, 1):  # the source balance, then the destination balance
                uow.session.execute(
                    update(StockBalance)
                    .where(StockBalance.id == balance.id)
                    .values(on_hand=StockBalance.on_hand + change, updated_at=utcnow())
                )
            uow.session.execute(
                insert(StockMovement).values(
                    fc_id=balance.fc_id,
                    sku_id=balance.sku_id,
                    lot_id=balance.lot_id,
                    from_location_id=balance.location_id,
                    to_location_id=balance.location_id,
                    quantity=1,
                    reason=MovementReason.MOVE,
                    note="",
                    reference="bench-baseline",
                    created_at=utcnow(),
                )
            )
            uow.commit()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--moves", type=int, default=1000)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
        uow, actor, balance, empty = _setup(url)
        with uow:
            lot_row = uow.session.get(Lot, balance.lot_id) if balance.lot_id else None
            lot = lot_row.lot_number if lot_row else None
        n = args.moves
        baseline = _baseline_moves(uow, balance, n)
        moves = _use_case_moves(uow, actor, balance, empty, n, lot)
        counts = _use_case_counts(uow, actor, balance, n, lot)
        start = time.perf_counter()
        problems = audit_ledger(uow)
        audit_seconds = time.perf_counter() - start
        with uow:
            lines = uow.session.scalar(select(func.count()).select_from(StockMovement))
        kind = url.split(":", 1)[0]
        print(f"database: {kind}; {n} operations each")
        print(
            f"baseline (bare SQL)     {n / baseline:8.0f} moves/s   "
            f"{1000 * baseline / n:6.2f} ms each"
        )
        print(
            f"move_stock (use case)   {n / moves:8.0f} moves/s   {1000 * moves / n:6.2f} ms each"
            f"   ratio to baseline {moves / baseline:5.2f}x"
        )
        print(
            f"adjust_stock (use case) {n / counts:8.0f} counts/s  {1000 * counts / n:6.2f} ms each"
            f"   ratio to baseline {counts / baseline:5.2f}x"
        )
        print(
            f"ledger audit            {lines} movements in {audit_seconds * 1000:.0f} ms;"
            f" mismatches: {len(problems)}"
        )


if __name__ == "__main__":
    main()

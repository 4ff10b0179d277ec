"""The ledger is append-only, and the audit finds any balance that disagrees with it."""

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from tests.conftest import settings_for
from wms.app import create_app
from wms.db.models import StockBalance, StockMovement
from wms.services.ledger import audit_ledger


def test_demo_ledger_is_clean(uow):
    assert audit_ledger(uow) == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE stock_movements SET quantity = quantity + 1",
        "DELETE FROM stock_movements",
    ],
)
def test_movements_cannot_be_updated_or_deleted(connection, statement):
    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text(statement))
    savepoint.rollback()


def test_audit_names_a_balance_that_drifted_from_its_movements(uow):
    with uow:
        balance = uow.session.scalars(select(StockBalance).limit(1)).one()
        key = (balance.location_id, balance.sku_id, balance.lot_id)
        uow.session.execute(
            update(StockBalance)
            .where(StockBalance.id == balance.id)
            .values(on_hand=StockBalance.on_hand + 2)
        )
        uow.commit()
    problems = audit_ledger(uow)
    assert [(p.location_id, p.sku_id, p.lot_id) for p in problems] == [key]
    assert "ledger sums to" in problems[0].problem


def test_audit_finds_ledger_lines_without_a_balance(uow):
    with uow:
        balance = uow.session.scalars(select(StockBalance).limit(1)).one()
        uow.session.delete(balance)
        uow.commit()
    problems = audit_ledger(uow)
    assert len(problems) == 1 and "no balance row" in problems[0].problem


def test_audit_command_passes_on_the_demo_and_fails_after_tampering(demo_database_url):
    app = create_app(settings_for(demo_database_url))
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["wms", "audit"])
    assert clean.exit_code == 0, clean.output
    assert "ledger audit passed" in clean.output

    from wms.bootstrap import EXTENSION

    engine = app.extensions[EXTENSION].engine
    with engine.begin() as connection:
        connection.execute(
            update(StockBalance)
            .where(StockBalance.id == select(StockBalance.id).limit(1).scalar_subquery())
            .values(on_hand=StockBalance.on_hand - 1)
        )
    broken = runner.invoke(args=["wms", "audit"])
    assert broken.exit_code == 1
    assert "MISMATCH" in broken.output and "1 mismatch" in broken.output
    with engine.connect() as connection:
        assert connection.execute(select(StockMovement.id).limit(1)).first() is not None
    engine.dispose()


def test_unit_of_work_rolls_back_without_commit(uow):
    with uow:
        before = uow.session.scalar(select(StockBalance.on_hand).order_by(StockBalance.id).limit(1))
    with uow:
        first = uow.session.scalars(select(StockBalance).order_by(StockBalance.id).limit(1)).one()
        first.on_hand += 10
        uow.session.flush()
    with uow:
        after = uow.session.scalar(select(StockBalance.on_hand).order_by(StockBalance.id).limit(1))
    assert after == before

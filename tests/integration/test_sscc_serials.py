"""SSCC serials: allocated per FC under its GS1 company prefix and extension digit, in order,
each once, also when several workers take them at the same moment (both databases)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from labels import gs1
from wms.db.models import FulfillmentCenter
from wms.db.session import make_engine, make_session_factory
from wms.db.unit_of_work import UnitOfWork
from wms.domain.errors import InvalidInput
from wms.services.consignments import next_sscc


@pytest.fixture
def factory(demo_database_url):
    engine = make_engine(demo_database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _fc(session, code: str = "KUL1") -> FulfillmentCenter:
    fc = session.scalar(select(FulfillmentCenter).where(FulfillmentCenter.code == code))
    assert fc is not None
    return fc


def _take(factory, *, commit: bool = True, code: str = "KUL1") -> str:
    uow = UnitOfWork(factory)
    with uow:
        sscc = next_sscc(uow, _fc(uow.session, code))
        if commit:
            uow.commit()
    return sscc


def test_serials_follow_the_fc_prefix_and_extension_digit(factory):
    with factory() as session:
        fc = _fc(session)
        prefix, extension, last = (
            fc.gs1_company_prefix,
            fc.sscc_extension_digit,
            fc.last_sscc_serial,
        )
    assert prefix
    first, second = _take(factory), _take(factory)
    for number, sscc in ((last + 1, first), (last + 2, second)):
        assert gs1.sscc(sscc) == sscc  # 18 digits, right check digit
        assert sscc == gs1.make_sscc(extension, prefix, number)
        assert sscc[0] == str(extension) and sscc[1 : 1 + len(prefix)] == prefix


def _serial(factory, sscc: str) -> int:
    with factory() as session:
        prefix = _fc(session).gs1_company_prefix or ""
    return int(sscc[1 + len(prefix) : 17])


def test_a_rolled_back_serial_was_never_stored_and_the_next_commit_moves_on(factory):
    kept = _take(factory)
    _take(factory, commit=False)
    after = _take(factory)
    assert _serial(factory, after) == _serial(factory, kept) + 1
    expected = _serial(factory, after)
    with factory() as session:
        assert _fc(session).last_sscc_serial == expected


@pytest.mark.parametrize("threads", [8])
def test_workers_taking_serials_at_once_never_get_the_same_one(factory, threads):
    barrier = threading.Barrier(threads)
    taken: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        for _ in range(5):
            sscc = _take(factory)
            with lock:
                taken.append(sscc)

    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(worker) for _ in range(threads)]:
            future.result()
    assert len(taken) == threads * 5
    assert len(set(taken)) == len(taken)
    serials = sorted(_serial(factory, sscc) for sscc in taken)
    assert serials == list(range(serials[0], serials[0] + len(serials)))  # no gaps, no repeats


def test_an_fc_without_a_prefix_cannot_generate_sscc(factory):
    with factory() as session:
        fc = _fc(session)
        fc.gs1_company_prefix = None
        session.commit()
    with pytest.raises(InvalidInput) as error:
        _take(factory)
    assert error.value.field == "sscc"

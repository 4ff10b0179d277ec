"""Fixtures: one demo database per session, a rolled-back transaction per test.

The suite runs on SQLite by default and on PostgreSQL when WMS_TEST_DATABASE_URL is set
(the README's test command does both). Tests marked `postgresql` are deselected on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.databases import Databases
from wms.app import create_app
from wms.db.session import make_engine
from wms.db.unit_of_work import UnitOfWork
from wms.migrate import upgrade
from wms.services import auth, demo
from wms.settings import Settings, load_settings

DEMO_EMAILS = [email for _, email in demo.demo_logins()]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that need PostgreSQL are deselected (not skipped) on the SQLite run."""
    if not _on_postgresql():
        keep = [item for item in items if "postgresql" not in item.keywords]
        dropped = [item for item in items if "postgresql" in item.keywords]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = keep


def _on_postgresql() -> bool:
    from tests.databases import postgresql_url

    return postgresql_url() is not None


def settings_for(database_url: str, **changes: Any) -> Settings:
    """Test settings pointing at `database_url`, independent of the caller's environment."""
    return load_settings(environ={}, env="test", database_url=database_url, **changes)


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Databases:
    return Databases(tmp_path_factory.mktemp("databases"))


@pytest.fixture(scope="session")
def demo_template(databases: Databases) -> Iterator[tuple[str, dict[str, str]]]:
    """A migrated database with the demo and a bearer token per demo user, built once."""
    url = databases.new()
    upgrade(url)
    engine = make_engine(url)
    uow = UnitOfWork(sessionmaker(bind=engine, expire_on_commit=False))
    demo.load(uow)
    from datetime import timedelta

    tokens = {
        email: auth.issue_token(uow, email, demo.DEMO_PASSWORD, "tests", timedelta(days=2))["token"]
        for email in DEMO_EMAILS
    }
    engine.dispose()
    yield url, tokens
    databases.drop(url)


@pytest.fixture(scope="session")
def database_url(databases: Databases, demo_template: tuple[str, dict[str, str]]) -> Iterator[str]:
    """The demo database that per-test transactions run in (a copy: the template stays idle,
    as PostgreSQL copies only databases nobody is connected to)."""
    url = databases.new(template=demo_template[0])
    yield url
    databases.drop(url)


@pytest.fixture(scope="session")
def demo_tokens(demo_template: tuple[str, dict[str, str]]) -> dict[str, str]:
    """Bearer tokens of the demo users, by email."""
    return demo_template[1]


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        if transaction.is_active:
            transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions whose commits are savepoints inside the test's transaction."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def uow(session_factory: sessionmaker[Session]) -> UnitOfWork:
    return UnitOfWork(session_factory)


@pytest.fixture
def app(database_url: str, session_factory: sessionmaker[Session]) -> Flask:
    return create_app(settings_for(database_url), session_factory=session_factory)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def demo_database_url(
    databases: Databases, demo_template: tuple[str, dict[str, str]]
) -> Iterator[str]:
    """A database of its own with the demo loaded, for tests whose work really commits."""
    url = databases.new(template=demo_template[0])
    yield url
    databases.drop(url)


@pytest.fixture
def empty_database_url(databases: Databases) -> Iterator[str]:
    """A new database with no tables at all."""
    url = databases.new()
    yield url
    databases.drop(url)


@pytest.fixture
def api_as(client: FlaskClient, demo_tokens: dict[str, str]):  # type: ignore[no-untyped-def]
    """`api_as(email)` calls the API with that demo user's bearer token."""
    from tests.api import Api

    return lambda email: Api(client, demo_tokens[email])

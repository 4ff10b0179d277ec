"""The composition root: builds the engine and session factory, and hands out units of work."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from wms.db.session import make_engine, make_session_factory
from wms.db.unit_of_work import UnitOfWork
from wms.settings import Settings

EXTENSION = "wms"


@dataclass
class Wiring:
    """What the app was built with: its settings and its database."""

    settings: Settings
    session_factory: sessionmaker[Session]
    engine: Engine | None = None

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)


def wire(settings: Settings, session_factory: sessionmaker[Session] | None = None) -> Wiring:
    """Wiring for the settings; an engine is made (lazily: it connects on first use) if needed."""
    if session_factory is not None:
        return Wiring(settings, session_factory)
    engine = make_engine(settings.database_url, echo=settings.sql_echo)
    return Wiring(settings, make_session_factory(engine), engine)


def wiring() -> Wiring:
    """The current app's wiring."""
    found: Wiring = current_app.extensions[EXTENSION]
    return found


def new_uow() -> UnitOfWork:
    """A fresh unit of work for the current request."""
    return wiring().uow()

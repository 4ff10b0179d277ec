"""The composition root: builds the engine and session factory, and hands out units of work."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from labels.fonts import DEFAULT_SEARCH_DIRS, FontFiles, configure_fonts
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


def configure_label_fonts(settings: Settings) -> None:
    """Point the label library at the configured fonts (system fonts when none are set)."""
    dirs = [d for d in settings.label_font_dirs.split(":") if d]
    if not (dirs or settings.label_latin_font or settings.label_thai_font):
        return
    latin = (
        FontFiles(settings.label_latin_font, settings.label_latin_bold_font or None)
        if settings.label_latin_font
        else None
    )
    thai = (
        FontFiles(settings.label_thai_font, settings.label_thai_bold_font or None)
        if settings.label_thai_font
        else None
    )
    search = [*dirs, *DEFAULT_SEARCH_DIRS] if dirs else None
    configure_fonts(search, latin=latin, thai=thai)


def wire(settings: Settings, session_factory: sessionmaker[Session] | None = None) -> Wiring:
    """Wiring for the settings; an engine is made (lazily: it connects on first use) if needed."""
    configure_label_fonts(settings)
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

"""Throw-away test databases on SQLite files or on the PostgreSQL server under test."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ENV = "WMS_TEST_DATABASE_URL"


def postgresql_url() -> str | None:
    """The PostgreSQL database the suite runs against, or None for the SQLite run."""
    return os.environ.get(PG_ENV) or None


class Databases:
    """Creates, clones and drops databases of one kind for one test session."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.server_url = postgresql_url()

    @property
    def kind(self) -> str:
        return "postgresql" if self.server_url else "sqlite"

    def _admin(self):  # type: ignore[no-untyped-def]
        assert self.server_url is not None
        return create_engine(self.server_url, isolation_level="AUTOCOMMIT")

    def new(self, template: str | None = None) -> str:
        """A new empty database (or a copy of `template`), as a URL."""
        name = f"wms_t_{uuid.uuid4().hex[:12]}"
        if self.server_url is None:
            path = self.scratch / f"{name}.sqlite3"
            if template is not None:
                source = make_url(template).database
                assert source is not None
                shutil.copyfile(source, path)
            return f"sqlite:///{path}"
        engine = self._admin()
        with engine.connect() as connection:
            clause = f" TEMPLATE {make_url(template).database}" if template else ""
            connection.execute(text(f"CREATE DATABASE {name}{clause}"))
        engine.dispose()
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
            return
        engine = self._admin()
        with engine.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {parsed.database} WITH (FORCE)"))
        engine.dispose()

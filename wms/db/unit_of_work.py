"""The unit of work: one transaction, committed only when the use case says so."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from wms.domain.errors import Conflict


class UnitOfWork:
    """Opens a session on entry; rolls back on exit unless `commit()` was called."""

    session: Session

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def flush_unique(self, message: str, field: str) -> None:
        """Flush; a unique constraint hit by a concurrent writer becomes a Conflict on `field`."""
        try:
            self.session.flush()
        except IntegrityError as error:
            self.session.rollback()
            raise Conflict(message, field) from error

"""Pages of query results."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from wms.domain.errors import InvalidInput

T = TypeVar("T")
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    page_size: int = 50

    def __post_init__(self) -> None:
        if self.page < 1:
            raise InvalidInput("Pages start at 1.", "page")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(f"Page size must be between 1 and {MAX_PAGE_SIZE}.", "page_size")


def paginate(
    session: Session,
    query: Select[Any],
    page: PageRequest,
    view: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """One page of `query` as views, with the total count of matching rows."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows: Sequence[Any] = session.scalars(
        query.limit(page.page_size).offset((page.page - 1) * page.page_size)
    ).all()
    return {
        "items": [view(row) for row in rows],
        "page": page.page,
        "page_size": page.page_size,
        "total": total,
        "pages": (total + page.page_size - 1) // page.page_size,
    }

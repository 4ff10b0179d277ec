"""The discrepancy queue: what receiving found, until a manager resolves it."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import select

from wms.db.base import utcnow
from wms.db.models import Discrepancy
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor, Role
from wms.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from wms.services.outbox import emit
from wms.services.paging import PageRequest, paginate
from wms.services.views import discrepancy_view


class Resolution(enum.StrEnum):
    """How a manager settles a discrepancy."""

    ACCEPTED = "accepted"  # the count stands; stock is as received
    CLAIM_RAISED = "claim_raised"  # the carrier or the merchant's forwarder is claimed against
    RETURN_TO_MERCHANT = "return_to_merchant"  # the goods go back to Thailand
    WRITTEN_OFF = "written_off"  # unfit goods destroyed (a stock adjustment follows)


def list_discrepancies(
    uow: UnitOfWork,
    actor: Actor,
    page: PageRequest,
    *,
    fc_id: int | None = None,
    consignment_id: int | None = None,
    open_only: bool = True,
) -> dict[str, Any]:
    """Discrepancies the actor may see: merchants their own, warehouse people their FCs'."""
    with uow:
        query = select(Discrepancy).order_by(Discrepancy.created_at, Discrepancy.id)
        if actor.is_merchant:
            query = query.where(Discrepancy.merchant_id == actor.merchant_id)
        elif not actor.is_admin:
            query = query.where(Discrepancy.fc_id.in_(actor.fc_ids))
        if fc_id is not None:
            query = query.where(Discrepancy.fc_id == fc_id)
        if consignment_id is not None:
            query = query.where(Discrepancy.consignment_id == consignment_id)
        if open_only:
            query = query.where(Discrepancy.resolved_at.is_(None))
        return paginate(uow.session, query, page, discrepancy_view)


def resolve_discrepancy(
    uow: UnitOfWork, actor: Actor, discrepancy_id: int, resolution: Resolution, note: str
) -> dict[str, Any]:
    """Close a discrepancy with how it was settled; the merchant is told through the outbox."""
    if actor.role not in (Role.ADMIN, Role.MANAGER):
        raise PermissionDenied("Managers resolve discrepancies.")
    if len(note) > 1000:
        raise InvalidInput("At most 1,000 characters.", "note")
    with uow:
        discrepancy = uow.session.get(Discrepancy, discrepancy_id)
        if discrepancy is None or not actor.works_in(discrepancy.fc_id):
            raise NotFound("No such discrepancy.", "discrepancy_id")
        locked = uow.session.scalar(
            select(Discrepancy).where(Discrepancy.id == discrepancy.id).with_for_update()
        )
        assert locked is not None
        if locked.resolved_at is not None:
            raise Conflict(f"Already resolved as {locked.resolution}.", "discrepancy_id")
        locked.resolution = resolution.value
        locked.resolution_note = note.strip()
        locked.resolved_by = actor.user_id
        locked.resolved_at = utcnow()
        view = discrepancy_view(locked)
        emit(uow, "consignment.discrepancy_resolved", locked.merchant_id, view)
        uow.commit()
        return view

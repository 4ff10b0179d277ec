"""The ledger audit: every balance must equal the sum of its movements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, select, union_all

from wms.db.models import Allocation, Location, StockBalance, StockMovement
from wms.db.unit_of_work import UnitOfWork
from wms.domain.orders import OPEN_ALLOCATIONS

Key = tuple[int, int, int | None]


@dataclass(frozen=True)
class Mismatch:
    """One place where the balances and the ledger disagree."""

    location_id: int
    sku_id: int
    lot_id: int | None
    problem: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "location_id": self.location_id,
            "sku_id": self.sku_id,
            "lot_id": self.lot_id,
            "problem": self.problem,
        }


def audit_ledger(uow: UnitOfWork) -> list[Mismatch]:
    """Check the whole ledger: balance = Σ in − Σ out, never negative, reserved ≤ on hand, and
    reserved = the units of open allocations (reserved or picked, not yet shipped) there."""
    with uow:
        incoming = select(
            StockMovement.to_location_id.label("location_id"),
            StockMovement.sku_id,
            StockMovement.lot_id,
            StockMovement.quantity.label("signed"),
        ).where(StockMovement.to_location_id.is_not(None))
        outgoing = select(
            StockMovement.from_location_id.label("location_id"),
            StockMovement.sku_id,
            StockMovement.lot_id,
            (literal(0) - StockMovement.quantity).label("signed"),
        ).where(StockMovement.from_location_id.is_not(None))
        lines = union_all(incoming, outgoing).subquery()
        sums: dict[Key, int] = {
            (row.location_id, row.sku_id, row.lot_id): int(row.total)
            for row in uow.session.execute(
                select(
                    lines.c.location_id,
                    lines.c.sku_id,
                    lines.c.lot_id,
                    func.sum(lines.c.signed).label("total"),
                ).group_by(lines.c.location_id, lines.c.sku_id, lines.c.lot_id)
            )
        }
        held: dict[Key, int] = {
            (row.location_id, row.sku_id, row.lot_id): int(row.total)
            for row in uow.session.execute(
                select(
                    Allocation.location_id,
                    Allocation.sku_id,
                    Allocation.lot_id,
                    func.sum(Allocation.quantity).label("total"),
                )
                .where(Allocation.status.in_(OPEN_ALLOCATIONS))
                .group_by(Allocation.location_id, Allocation.sku_id, Allocation.lot_id)
            )
        }
        problems: list[Mismatch] = []
        balances = uow.session.execute(
            select(StockBalance, Location.fc_id.label("location_fc")).join(
                Location, Location.id == StockBalance.location_id
            )
        )
        seen: set[Key] = set()
        for balance, location_fc in balances:
            key = (balance.location_id, balance.sku_id, balance.lot_id)
            if key in seen:
                problems.append(Mismatch(*key, "two balance rows for one bin, SKU and lot"))
            seen.add(key)
            ledger = sums.get(key, 0)
            if balance.on_hand != ledger:
                problems.append(
                    Mismatch(*key, f"on hand {balance.on_hand} but the ledger sums to {ledger}")
                )
            if balance.on_hand < 0:
                problems.append(Mismatch(*key, f"negative on hand {balance.on_hand}"))
            if balance.reserved < 0 or balance.reserved > balance.on_hand:
                problems.append(
                    Mismatch(*key, f"reserved {balance.reserved} outside 0..{balance.on_hand}")
                )
            if balance.reserved != held.get(key, 0):
                problems.append(
                    Mismatch(
                        *key,
                        f"reserved {balance.reserved} but open allocations hold {held.get(key, 0)}",
                    )
                )
            if balance.fc_id != location_fc:
                problems.append(Mismatch(*key, "balance FC differs from its bin's FC"))
        for key, total in sums.items():
            if key not in seen and total != 0:
                problems.append(Mismatch(*key, f"no balance row but the ledger sums to {total}"))
        for key, total in held.items():
            if key not in seen:
                problems.append(Mismatch(*key, f"no balance row but allocations hold {total}"))
        return problems

"""Move tasks for the floor: put received stock away, or re-slot a SKU to a better pick face."""

from __future__ import annotations

import enum


class TaskKind(enum.StrEnum):
    PUTAWAY = "putaway"
    RESLOT = "reslot"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class PlanStatus(enum.StrEnum):
    """A re-slotting plan: proposed for review, released as tasks, or discarded."""

    PROPOSED = "proposed"
    RELEASED = "released"
    DISCARDED = "discarded"

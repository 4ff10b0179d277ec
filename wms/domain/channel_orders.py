"""Marketplace orders in the WMS's words: webhook hints, what intake does with each marketplace
state, which carrier collects marketplace parcels, and whether a shop's stock drifted.

A webhook is a *hint*: it says an order changed; the order itself is then read from the
marketplace by id. Polling each shop's order list catches what webhooks missed.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time


class HintStatus(enum.StrEnum):
    """Where a stored webhook hint stands."""

    PENDING = "pending"  # to be read (or read again after a failure)
    DONE = "done"  # the order it names was read and taken in
    IGNORED = "ignored"  # names no order, or a shop the WMS does not act for
    PARKED = "parked"  # the marketplace refused to give the order for good: the reason is kept


class ShipmentPush(enum.StrEnum):
    """Whether the marketplace has been told that its order's parcel left the FC."""

    WAITING = "waiting"  # not shipped yet, or shipped and to be told (retried after failures)
    PUSHED = "pushed"  # told once; never again
    PARKED = "parked"  # refused for good: the reason is kept
    NOT_OURS = "not_ours"  # the WMS did not fulfil the order: nothing to tell


class DriftKind(enum.StrEnum):
    """How a marketplace's quantity differs from what the WMS wants it to show."""

    NONE = "none"
    ABOVE = "above"  # shows more than the WMS wants: overselling risk, corrected at once
    BELOW = "below"  # shows less: may be an order not taken in yet, corrected when it stays


@dataclass(frozen=True)
class CarrierChoice:
    """An FC carrier as the choice of a marketplace order's carrier sees it."""

    id: int
    code: str
    own_fleet: bool
    cutoff_local: time


def marketplace_carrier(
    marketplace: str, carriers: Sequence[CarrierChoice]
) -> CarrierChoice | None:
    """The carrier that collects a marketplace order's parcel at its FC.

    1. A carrier whose code is the marketplace's name in capitals (SHOPEE, LAZADA, TIKTOK): the
       FC's set-up for the marketplace's own logistics pick-up.
    2. Otherwise the FC's parcel carrier (not its own delivery fleet) with the latest daily
       cut-off, then by code: the one with the most time to pack the day's marketplace orders.
    3. Otherwise the own fleet with the latest cut-off; None if the FC has no carrier at all.
    """
    wanted = marketplace.upper()
    for carrier in carriers:
        if carrier.code == wanted:
            return carrier
    ranked = sorted(carriers, key=lambda c: (c.own_fleet, -_minutes(c.cutoff_local), c.code))
    return ranked[0] if ranked else None


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def drift(shown: int, wanted: int) -> DriftKind:
    """How the marketplace's quantity compares with what the WMS wants it to show."""
    if shown > wanted:
        return DriftKind.ABOVE
    if shown < wanted:
        return DriftKind.BELOW
    return DriftKind.NONE

"""FEFO allocation: which bins and lots an order line's units are reserved from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class StockOption:
    """Units of one SKU and lot in one bin that are free to reserve."""

    balance_id: int
    location_code: str
    lot_number: str | None
    expiry_date: date | None
    available: int
    pickable: bool
    pick_sequence: int


@dataclass(frozen=True)
class Reservation:
    """So many units to reserve from one option."""

    option: StockOption
    quantity: int


def earliest_acceptable_expiry(ship_date: date, min_remaining_days: int) -> date:
    """A lot must still have this many days of shelf life on the day the parcel ships."""
    return ship_date + timedelta(days=max(min_remaining_days, 0))


def acceptable(option: StockOption, ship_date: date, min_remaining_days: int) -> bool:
    """Stock without an expiry date always qualifies; dated stock must last long enough."""
    if option.expiry_date is None:
        return True
    return option.expiry_date >= earliest_acceptable_expiry(ship_date, min_remaining_days)


def fefo_order(option: StockOption) -> tuple[date, bool, int, int, str]:
    """First expiry first; then pick faces before reserve, then walking order, then fuller bins."""
    return (
        option.expiry_date or date.max,
        not option.pickable,
        option.pick_sequence,
        -option.available,
        option.location_code,
    )


def plan_reservations(
    options: list[StockOption], quantity: int, ship_date: date, min_remaining_days: int
) -> list[Reservation]:
    """Reserve up to `quantity` units first-expiry-first-out; fewer when stock runs short."""
    wanted = quantity
    plan: list[Reservation] = []
    for option in sorted(options, key=fefo_order):
        if wanted <= 0:
            break
        if option.available <= 0 or not acceptable(option, ship_date, min_remaining_days):
            continue
        take = min(wanted, option.available)
        plan.append(Reservation(option, take))
        wanted -= take
    return plan

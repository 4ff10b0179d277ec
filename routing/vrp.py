"""Last-mile delivery routing as plain data: the problem the solver takes and the plan it gives.

A `Problem` is a capacitated vehicle routing problem with time windows (CVRPTW) for one depot
(the FC): travel distances and times between locations, the stops to serve (demand in each
capacity dimension, a time window for the start of service, a service time, and a penalty for
leaving the stop out, or none if it must be served) and the vehicles that can serve them
(capacity per dimension, a shift, a maximum route duration, a fixed cost when used and a cost
per unit of distance). Units are the caller's: the app uses metres and seconds, the benchmark
files their own units.

A `Plan` is the solver's answer: one `Route` per vehicle used, with every visit's arrival,
start of service, departure and the load still on board, and the stops left out with the
reason. `routing.vrp_check.evaluate` builds the times and totals of a plan from the problem in
floating point, so a plan always says what its routes really do.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Matrix = Sequence[Sequence[float]] | np.ndarray
"""A square matrix, row = from, column = to, indexed by location."""


class ProblemError(ValueError):
    """A problem that cannot be solved as given (a field is missing, negative, inconsistent)."""


class Objective(enum.StrEnum):
    """What the solver minimises."""

    VEHICLES = "vehicles"
    """Fewest vehicles first, then the least cost."""
    DISTANCE = "distance"
    """The least cost: each used vehicle's fixed cost plus its cost per unit of distance (with
    no fixed costs and unit costs per distance, the total distance)."""


@dataclass(frozen=True)
class TimeWindow:
    """An interval of time [open, close]."""

    open: float
    close: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.open) and math.isfinite(self.close)):
            raise ProblemError("a time window must have finite open and close times")
        if self.close < self.open:
            raise ProblemError(f"time window closes ({self.close}) before it opens ({self.open})")


@dataclass(frozen=True)
class Stop:
    """A place to serve: a delivery of `demand` at matrix row/column `location`.

    Service starts within `window` (if any) and lasts `service_time`. A stop with a `penalty`
    may be left out at that cost; one without must be served.
    """

    id: str
    location: int
    demand: tuple[float, ...] = ()
    window: TimeWindow | None = None
    service_time: float = 0.0
    penalty: float | None = None


@dataclass(frozen=True)
class Vehicle:
    """A vehicle of the fleet, based at the depot.

    It leaves the depot no earlier than `shift.open` and is back by `shift.close`; a route
    lasts at most `max_duration` (from leaving to returning, waiting included). Using it costs
    `fixed_cost`, and every unit of distance `cost_per_distance`.
    """

    id: str
    capacity: tuple[float, ...] = ()
    shift: TimeWindow | None = None
    max_duration: float | None = None
    fixed_cost: float = 0.0
    cost_per_distance: float = 1.0


@dataclass(frozen=True)
class Problem:
    """A CVRPTW: who is where, what each needs, and the fleet that serves them from the depot.

    `dimensions` names the capacity dimensions (e.g. ("kg", "litres", "parcels")); every stop's
    demand and every vehicle's capacity has one value per dimension.
    """

    distances: Matrix
    durations: Matrix
    stops: tuple[Stop, ...]
    vehicles: tuple[Vehicle, ...]
    depot: int = 0
    dimensions: tuple[str, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        distances = _square(self.distances, "distances")
        durations = _square(self.durations, "durations")
        if durations.shape != distances.shape:
            raise ProblemError("distances and durations must have the same size")
        object.__setattr__(self, "distances", distances)
        object.__setattr__(self, "durations", durations)
        size = distances.shape[0]
        if not 0 <= self.depot < size:
            raise ProblemError(f"depot {self.depot} is not a location of the matrices")
        if not self.vehicles:
            raise ProblemError("vehicles: at least one vehicle is needed")
        _unique([stop.id for stop in self.stops], "stop")
        _unique([vehicle.id for vehicle in self.vehicles], "vehicle")
        width = len(self.dimensions)
        for stop in self.stops:
            _check_stop(stop, size, width, self.depot)
        for vehicle in self.vehicles:
            _check_vehicle(vehicle, width)

    @property
    def distance_matrix(self) -> np.ndarray:
        """The distances as a float array."""
        return np.asarray(self.distances, dtype=float)

    @property
    def duration_matrix(self) -> np.ndarray:
        """The travel times as a float array."""
        return np.asarray(self.durations, dtype=float)

    def stop(self, stop_id: str) -> Stop:
        """The stop with that id; KeyError if there is none."""
        return self._stops_by_id[stop_id]

    def vehicle(self, vehicle_id: str) -> Vehicle:
        """The vehicle with that id; KeyError if there is none."""
        return self._vehicles_by_id[vehicle_id]

    @property
    def _stops_by_id(self) -> dict[str, Stop]:
        cached: dict[str, Stop] | None = self.__dict__.get("_stop_index")
        if cached is None:
            cached = {stop.id: stop for stop in self.stops}
            object.__setattr__(self, "_stop_index", cached)
        return cached

    @property
    def _vehicles_by_id(self) -> dict[str, Vehicle]:
        cached: dict[str, Vehicle] | None = self.__dict__.get("_vehicle_index")
        if cached is None:
            cached = {vehicle.id: vehicle for vehicle in self.vehicles}
            object.__setattr__(self, "_vehicle_index", cached)
        return cached


@dataclass(frozen=True)
class Visit:
    """One stop of a route: when the vehicle arrives, starts serving, leaves, and what is left
    on board after the delivery."""

    stop_id: str
    arrival: float
    start: float
    departure: float
    load_after: tuple[float, ...]


@dataclass(frozen=True)
class Route:
    """The trip of one vehicle from the depot and back."""

    vehicle_id: str
    visits: tuple[Visit, ...]
    leave: float
    back: float
    distance: float
    load: tuple[float, ...]
    cost: float

    @property
    def duration(self) -> float:
        """From leaving the depot to being back, waiting included."""
        return self.back - self.leave

    @property
    def stop_ids(self) -> tuple[str, ...]:
        """The stops in the order they are served."""
        return tuple(visit.stop_id for visit in self.visits)


class UnservedReason(enum.StrEnum):
    """Why a stop is left out of the plan."""

    OVER_CAPACITY = "over_capacity"
    """Its demand exceeds what any vehicle can carry."""
    OUT_OF_HOURS = "out_of_hours"
    """No vehicle can reach it within its window and be back at the depot within its shift."""
    TOO_FAR = "too_far"
    """Going there and back takes longer than any vehicle's maximum route duration."""
    FLEET_FULL = "fleet_full"
    """It fits a vehicle on its own, but the fleet has no room or time left for it."""


REASON_TEXT: dict[UnservedReason, str] = {
    UnservedReason.OVER_CAPACITY: "its demand exceeds every vehicle's capacity",
    UnservedReason.OUT_OF_HOURS: (
        "no vehicle can reach it within its time window and return within its shift"
    ),
    UnservedReason.TOO_FAR: (
        "the trip there and back is longer than every vehicle's maximum route duration"
    ),
    UnservedReason.FLEET_FULL: "the fleet has no capacity or time left for it",
}


@dataclass(frozen=True)
class Unserved:
    """A stop left out of the plan, with the reason and, for capacity, the dimension."""

    stop_id: str
    reason: UnservedReason
    detail: str = ""

    @property
    def message(self) -> str:
        """The reason in words."""
        text = REASON_TEXT[self.reason]
        return f"{text} ({self.detail})" if self.detail else text


@dataclass(frozen=True)
class Plan:
    """Routes for the vehicles used and the stops left out; totals over the routes."""

    routes: tuple[Route, ...]
    unserved: tuple[Unserved, ...] = ()
    penalty: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def vehicles(self) -> int:
        """How many vehicles the plan uses."""
        return len(self.routes)

    @property
    def distance(self) -> float:
        """The total distance driven."""
        return math.fsum(route.distance for route in self.routes)

    @property
    def cost(self) -> float:
        """The routes' costs (fixed and per distance), without penalties."""
        return math.fsum(route.cost for route in self.routes)

    def sequences(self) -> dict[str, list[str]]:
        """Stop ids in order, by vehicle id."""
        return {route.vehicle_id: list(route.stop_ids) for route in self.routes}


def _square(matrix: Matrix, name: str) -> np.ndarray:
    try:
        array = np.array(matrix, dtype=float)
    except (TypeError, ValueError):
        raise ProblemError(f"{name}: must be a square matrix of numbers") from None
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] == 0:
        raise ProblemError(f"{name}: must be a square matrix of numbers")
    if not np.all(np.isfinite(array)):
        raise ProblemError(f"{name}: every entry must be a finite number")
    if np.any(array < 0):
        raise ProblemError(f"{name}: entries cannot be negative")
    array.setflags(write=False)
    return array


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ProblemError(f"{what} id {item!r} appears twice")
        seen.add(item)


def _check_stop(stop: Stop, size: int, width: int, depot: int) -> None:
    where = f"stop {stop.id!r}"
    if not 0 <= stop.location < size or stop.location == depot:
        raise ProblemError(f"{where}: location {stop.location} is not a customer location")
    if len(stop.demand) != width:
        raise ProblemError(f"{where}: demand needs {width} values, one per dimension")
    if any(not math.isfinite(value) or value < 0 for value in stop.demand):
        raise ProblemError(f"{where}: demand must be finite and not negative")
    if not math.isfinite(stop.service_time) or stop.service_time < 0:
        raise ProblemError(f"{where}: service time must be finite and not negative")
    if stop.penalty is not None and (not math.isfinite(stop.penalty) or stop.penalty < 0):
        raise ProblemError(f"{where}: penalty must be finite and not negative")


def _check_vehicle(vehicle: Vehicle, width: int) -> None:
    where = f"vehicle {vehicle.id!r}"
    if len(vehicle.capacity) != width:
        raise ProblemError(f"{where}: capacity needs {width} values, one per dimension")
    if any(not math.isfinite(value) or value < 0 for value in vehicle.capacity):
        raise ProblemError(f"{where}: capacity must be finite and not negative")
    if vehicle.max_duration is not None and (
        not math.isfinite(vehicle.max_duration) or vehicle.max_duration <= 0
    ):
        raise ProblemError(f"{where}: maximum duration must be a positive number")
    for name in ("fixed_cost", "cost_per_distance"):
        value = getattr(vehicle, name)
        if not math.isfinite(value) or value < 0:
            raise ProblemError(f"{where}: {name.replace('_', ' ')} must not be negative")

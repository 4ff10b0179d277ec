"""A day's deliveries from an FC as a routing problem, and the clock it is stated in.

Distances are in metres and times in seconds since local midnight of the delivery day (the
FC's timezone); capacities in kilograms, litres and parcels. The road network gives the
matrices; `routing.vrp` takes the rest as plain data.
"""

from __future__ import annotations

import time as timer
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from routing.road_network import Point, RoadNetwork, RoadNetworkError
from routing.vrp import Problem, Stop, TimeWindow, Vehicle
from wms.domain.deliveries import CAPACITY_DIMENSIONS, seconds_of_day, stop_service_seconds
from wms.domain.errors import ExternalFailure


@dataclass(frozen=True)
class RoadSetup:
    """Where road distances come from, and how long the driver spends at a door."""

    network: RoadNetwork
    name: str
    stop_seconds: float = 180.0
    parcel_seconds: float = 30.0

    def service_seconds(self, parcels: int) -> float:
        return stop_service_seconds(self.stop_seconds, self.parcel_seconds, parcels)


@dataclass(frozen=True)
class DayClock:
    """Times of one delivery day at an FC, as seconds since its local midnight."""

    day: date
    timezone: str

    @property
    def midnight(self) -> datetime:
        return datetime.combine(self.day, time(0), tzinfo=ZoneInfo(self.timezone))

    def seconds(self, moment: time) -> float:
        """A local time of day on the delivery day."""
        return float(seconds_of_day(moment))

    def at(self, seconds: float) -> datetime:
        """The moment (UTC) so many seconds after local midnight."""
        return (self.midnight + timedelta(seconds=round(seconds))).astimezone(UTC)

    def since_midnight(self, moment: datetime) -> float:
        """Seconds from local midnight to `moment`."""
        return (moment - self.midnight).total_seconds()


@dataclass(frozen=True)
class DeliveryPoint:
    """A delivery as the planner sees it: where, when (seconds), how long, how much."""

    key: str
    latitude: float
    longitude: float
    window: tuple[float, float] | None
    service_s: float
    demand: tuple[float, float, float]


@dataclass(frozen=True)
class FleetVehicle:
    """A chosen vehicle as the planner sees it: capacities, shift (seconds), costs."""

    key: str
    capacity: tuple[float, float, float]
    shift: tuple[float, float]
    max_duration_s: float
    fixed_cost: float
    cost_per_km: float


@dataclass(frozen=True)
class Matrices:
    """Road metres and seconds between the depot (row 0) and the points, in order."""

    metres: np.ndarray
    seconds: np.ndarray
    unreachable: tuple[str, ...] = ()
    """Keys of points the road network could not route to or from (left out of the matrices)."""


def road_matrices(
    setup: RoadSetup, depot: tuple[float, float], points: Sequence[DeliveryPoint]
) -> Matrices:
    """The matrices for the depot and the points. Points the network cannot reach are left
    out and named; a network that fails altogether is an ExternalFailure naming it."""
    kept = list(points)
    unreachable: list[str] = []
    for _attempt in range(2):
        places = [Point(*depot), *(Point(p.latitude, p.longitude) for p in kept)]
        try:
            metres, seconds = setup.network.matrices(places)
        except RoadNetworkError as error:
            cut_off = {index - 1 for index in error.unreachable if index > 0}
            if not cut_off or 0 in error.unreachable:
                raise ExternalFailure(f"No road distances: {error}", "road_network") from None
            unreachable += [kept[index].key for index in sorted(cut_off)]
            kept = [point for index, point in enumerate(kept) if index not in cut_off]
            continue
        except ValueError as error:
            raise ExternalFailure(f"No road distances: {error}", "road_network") from None
        return Matrices(np.asarray(metres), np.asarray(seconds), tuple(unreachable))
    raise ExternalFailure(f"No road distances: {setup.name} kept refusing points.", "road_network")


def left_out_penalty(vehicles: Sequence[FleetVehicle], metres: np.ndarray) -> float:
    """A cost of leaving a delivery out that is more than any vehicle costs to serve it alone,
    so the planner leaves out only what no route can take."""
    farthest = float(metres[0].max() + metres[:, 0].max()) if metres.size else 0.0
    per_metre = max((vehicle.cost_per_km / 1000 for vehicle in vehicles), default=0.0)
    fixed = max((vehicle.fixed_cost for vehicle in vehicles), default=0.0)
    return 10.0 * (fixed + per_metre * farthest) + 1.0


def build_problem(
    name: str,
    matrices: Matrices,
    points: Sequence[DeliveryPoint],
    vehicles: Sequence[FleetVehicle],
) -> Problem:
    """The routing problem: location i + 1 is the i-th point (row 0 the depot)."""
    penalty = left_out_penalty(vehicles, matrices.metres)
    stops = tuple(
        Stop(
            id=point.key,
            location=index,
            demand=point.demand,
            window=TimeWindow(*point.window) if point.window else None,
            service_time=point.service_s,
            penalty=penalty,
        )
        for index, point in enumerate(points, start=1)
    )
    fleet = tuple(
        Vehicle(
            id=vehicle.key,
            capacity=vehicle.capacity,
            shift=TimeWindow(*vehicle.shift),
            max_duration=vehicle.max_duration_s,
            fixed_cost=vehicle.fixed_cost,
            cost_per_distance=vehicle.cost_per_km / 1000,
        )
        for vehicle in vehicles
    )
    return Problem(
        distances=matrices.metres,
        durations=matrices.seconds,
        stops=stops,
        vehicles=fleet,
        depot=0,
        dimensions=CAPACITY_DIMENSIONS,
        name=name,
    )


def timed(work: float) -> int:
    """Milliseconds since `work` (a perf_counter reading)."""
    return round((timer.perf_counter() - work) * 1000)

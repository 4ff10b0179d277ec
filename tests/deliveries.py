"""Set-ups for delivery tests: the demo's own fleet, plans made through the use cases, and every
stored plan checked again with routing.vrp_check."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from routing.road_network import GreatCircleNetwork
from routing.vrp_check import Evaluation, evaluate
from tests import outbound
from wms.db.unit_of_work import UnitOfWork
from wms.domain.actors import Actor
from wms.domain.deliveries import PlanObjective
from wms.services import deliveries, fleet
from wms.services.deliveries import ChosenVehicle, PlanRequest
from wms.services.delivery_problem import RoadSetup

ROADS = RoadSetup(GreatCircleNetwork(1.3, 30.0), "great-circle distance x 1.3 at 30 km/h")
TIMEZONES = {"KUL1": "Asia/Kuala_Lumpur", "CGK1": "Asia/Jakarta"}


def tomorrow(fc_code: str = "KUL1") -> date:
    """The day after today in the FC's calendar (plans for it do not depend on the clock)."""
    return datetime.now(UTC).astimezone(ZoneInfo(TIMEZONES[fc_code])).date() + timedelta(days=1)


def fc_id(uow: UnitOfWork, fc_code: str = "KUL1") -> int:
    found, _, _ = outbound.ids(uow, fc_code, "PVL", "SIAMFRUIT")
    return found


def vehicles(uow: UnitOfWork, actor: Actor, fc_code: str = "KUL1") -> dict[str, int]:
    """The FC's active vehicles by name."""
    return {v["name"]: v["id"] for v in fleet.list_vehicles(uow, actor, fc_id(uow, fc_code))}


def drivers(uow: UnitOfWork, actor: Actor, fc_code: str = "KUL1") -> dict[str, int]:
    """The FC's drivers by name."""
    return {d["name"]: d["id"] for d in fleet.list_drivers(uow, actor, fc_id(uow, fc_code))}


def plan(
    uow: UnitOfWork,
    actor: Actor,
    *,
    fc_code: str = "KUL1",
    vehicle_ids: list[int] | None = None,
    driver_ids: list[int | None] | None = None,
    objective: PlanObjective = PlanObjective.VEHICLES,
    day: date | None = None,
    roads: RoadSetup = ROADS,
    time_limit_s: float = 1.0,
) -> dict[str, Any]:
    """A draft plan of the FC's waiting parcels for tomorrow (every vehicle unless chosen)."""
    chosen = tuple(
        ChosenVehicle(vehicle, (driver_ids or [None] * len(vehicle_ids))[index])
        for index, vehicle in enumerate(vehicle_ids or [])
    )
    request = PlanRequest(
        fc_id=fc_id(uow, fc_code),
        delivery_date=day or tomorrow(fc_code),
        vehicles=chosen,
        objective=objective,
        time_limit_s=time_limit_s,
    )
    made, _ = deliveries.plan_deliveries(uow, actor, request, roads, outbound.key())
    return made


def check(uow: UnitOfWork, actor: Actor, plan_id: int) -> Evaluation:
    """The stored plan timed again from its own data by routing.vrp_check."""
    problem, sequences, unserved = deliveries.plan_problem(uow, actor, plan_id, ROADS)
    return evaluate(problem, sequences, unserved)


def stops(made: dict[str, Any]) -> list[dict[str, Any]]:
    """Every stop on a route of the plan, route by route in driving order."""
    return [stop for route in made["routes"] for stop in route["stops"]]


def used_routes(made: dict[str, Any]) -> list[dict[str, Any]]:
    return [route for route in made["routes"] if route["stops"]]


def route_named(made: dict[str, Any], vehicle: str) -> dict[str, Any]:
    (found,) = [route for route in made["routes"] if route["vehicle"]["name"] == vehicle]
    return found

"""The command line's delivery-routing commands: solve a benchmark file, check a solution.

`solve_file` reads a Solomon `.txt` or CVRPLIB `.vrp` file, solves it and returns the solution
object the command prints: the routes as lists of customer ids, the number of vehicles, the
distance. `check_file` verifies a solution against its instance with `routing.vrp_check`
alone (nothing of the solver), and returns its cost and every rule it breaks. A solution is
the solver's JSON (`{"routes": [[ids...], ...]}`, optionally with `"vehicle_ids"`) or a
CVRPLIB `.sol` file (`Route #1: 21 31 19 ...`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from routing.instance_files import InstanceError, read_text
from routing.vrp import Objective
from routing.vrp_check import evaluate
from routing.vrp_files import Arithmetic, BenchmarkInstance, read_instance
from routing.vrp_solver import NoSolution, SolveOptions, solve


def default_objective(path: Path) -> Objective:
    """Fewest vehicles for Solomon files; CVRPLIB's results are distances alone."""
    return Objective.DISTANCE if path.suffix.lower() == ".vrp" else Objective.VEHICLES


def solve_file(
    path: Path,
    time_limit_s: float,
    objective: Objective | None = None,
    arithmetic: Arithmetic = Arithmetic.EXACT,
    seed: int = 0,
    effort: int | None = None,
) -> dict[str, Any]:
    """The solution object of the instance in the file."""
    instance = read_instance(path, arithmetic)
    objective = objective or default_objective(path)
    options = SolveOptions(
        objective=objective, time_limit_s=time_limit_s, seed=seed, effort=effort
    )
    try:
        plan = solve(instance.problem, options)
    except NoSolution as error:
        raise InstanceError(f"{path}: {error}") from None
    return {
        "instance": instance.name,
        "objective": str(objective),
        "arithmetic": str(arithmetic),
        "vehicles": plan.vehicles,
        "distance": round(plan.distance, 6),
        "routes": [list(route.stop_ids) for route in plan.routes],
        "vehicle_ids": [route.vehicle_id for route in plan.routes],
        "unserved": [item.stop_id for item in plan.unserved],
        "seconds": plan.stats.get("seconds"),
    }


def check_file(
    instance_path: Path, solution_path: Path, arithmetic: Arithmetic = Arithmetic.EXACT
) -> dict[str, Any]:
    """The cost of the solution in the file and the rules it breaks (none if feasible)."""
    instance = read_instance(instance_path, arithmetic)
    routes, vehicle_ids = read_solution(solution_path)
    return check_routes(instance, routes, vehicle_ids)


def check_routes(
    instance: BenchmarkInstance, routes: list[list[str]], vehicle_ids: list[str] | None = None
) -> dict[str, Any]:
    """Check routes (customer ids in order) against the instance."""
    problem = instance.problem
    routes = [route for route in routes if route]
    violations: list[str] = []
    fleet = [vehicle.id for vehicle in problem.vehicles]
    if vehicle_ids is None:
        if len(routes) > len(fleet):
            violations.append(
                f"the solution uses {len(routes)} vehicles; the fleet has {len(fleet)}"
            )
        vehicle_ids = fleet[: len(routes)]
    elif len(vehicle_ids) != len(routes):
        raise InstanceError("vehicle_ids must name one vehicle per route")
    sequences: dict[str, list[str]] = {}
    for vehicle_id, route in zip(vehicle_ids, routes, strict=False):
        if vehicle_id in sequences:
            violations.append(f"vehicle {vehicle_id!r} has two routes")
            continue
        sequences[vehicle_id] = route
    evaluation = evaluate(problem, sequences)
    violations.extend(evaluation.violations)
    plan = evaluation.plan
    return {
        "instance": instance.name,
        "feasible": not violations,
        "vehicles": plan.vehicles,
        "distance": round(plan.distance, 6),
        "cost": round(plan.cost, 6),
        "violations": violations,
    }


def read_solution(path: Path) -> tuple[list[list[str]], list[str] | None]:
    """Routes (customer ids) and, if the file names them, the vehicle of each route."""
    text = read_text(path)
    if path.suffix.lower() == ".sol":
        return _cvrplib_routes(text, path), None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InstanceError(f"{path}: not valid JSON ({error.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("routes"), list):
        raise InstanceError(f'{path}: a solution is a JSON object with a "routes" list')
    routes: list[list[str]] = []
    for number, route in enumerate(data["routes"], start=1):
        if not isinstance(route, list) or not all(
            isinstance(item, str | int) and not isinstance(item, bool) for item in route
        ):
            raise InstanceError(f"{path}: route {number} must be a list of customer ids")
        routes.append([str(item) for item in route])
    vehicle_ids = data.get("vehicle_ids")
    if vehicle_ids is not None and (
        not isinstance(vehicle_ids, list) or not all(isinstance(v, str) for v in vehicle_ids)
    ):
        raise InstanceError(f"{path}: vehicle_ids must be a list of vehicle ids")
    return routes, vehicle_ids


def _cvrplib_routes(text: str, path: Path) -> list[list[str]]:
    routes: list[list[str]] = []
    for line in text.splitlines():
        head, colon, tail = line.partition(":")
        if colon and head.strip().lower().startswith("route"):
            ids = tail.split()
            if not all(item.isdigit() for item in ids):
                raise InstanceError(f"{path}: {head.strip()} holds something other than ids")
            routes.append(ids)
    if not routes:
        raise InstanceError(f"{path}: no 'Route #n:' lines")
    return routes


def gap(value: float, best_known: float) -> float:
    """How far above the best known a value is, in percent."""
    if best_known <= 0 or not math.isfinite(value):
        return math.nan
    return 100.0 * (value / best_known - 1.0)


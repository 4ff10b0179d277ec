"""Solve a delivery `Problem` (CVRPTW): the fewest vehicles, or the least cost.

How (each choice measured by bench/vrp.py; the README gives the figures):

1. Screening: a stop no vehicle can serve on its own (demand over every capacity, window out of
   reach within every shift, there and back longer than every maximum duration) is left out
   with that reason before the search; a stop without a penalty that cannot be served raises
   `NoSolution`.
2. Integers: times, costs and loads are scaled to integers (exactly when the data allow, e.g.
   one-decimal distances by 10). Travel times and demands are rounded up and windows, shifts,
   durations and capacities down, so a plan feasible in integers is feasible in the real
   numbers; `routing.vrp_check.evaluate` re-checks every plan in floating point.
3. A first solution from OR-Tools' routing solver (parallel cheapest insertion), every stop
   optional (a stop without a penalty costs more to leave out than any plan), so there is
   always one.
4. Objective "vehicles": a short ruin-and-recreate search over the whole fleet
   (`presearch_share` of the time), then ejection-pool route minimisation
   (`routing.fleet_reduction`) takes routes out while the stops still fit, for up to
   `fleet_share` of the time; the distance phase then keeps to the vehicles left.
5. Distance: SISR-style ruin and recreate with simulated annealing (`routing.ruin_recreate`),
   optionally polished by OR-Tools' guided local search. OR-Tools' own metaheuristics (its
   guided local search, or its iterated local search with SISR ruin) can replace it
   (`Strategy.metaheuristic`); the benchmark compares them.

The first solve in a process loads the compiled searches from numba's cache (the first on a
machine compiles them, some seconds); that is not counted in the time limit.

With `effort` set, every phase stops after that many steps rather than by the clock, so the
same problem, seed and effort give the same plan on every run. The seed seeds the compiled
searches and permutes the order of the stops (OR-Tools breaks ties by it).
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.graph.python import linear_sum_assignment

from routing import fleet_reduction, ruin_recreate
from routing.fleet_reduction import reduce_routes
from routing.route_state import SearchInstance, route_cost_on, vehicle_kinds
from routing.ruin_recreate import RecreateSettings, improve_routes
from routing.vrp import (
    Objective,
    Plan,
    Problem,
    ProblemError,
    Stop,
    TimeWindow,
    Unserved,
    UnservedReason,
    Vehicle,
)
from routing.vrp_check import evaluate

FIRST_SOLUTION = routing_enums_pb2.FirstSolutionStrategy
METAHEURISTIC = routing_enums_pb2.LocalSearchMetaheuristic


class NoSolution(ValueError):
    """No plan serves every stop that must be served; the message says which and why."""


@dataclass(frozen=True)
class Strategy:
    """How the search runs (the defaults are the measured best; bench/vrp.py tries others)."""

    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    """An OR-Tools first solution strategy."""
    metaheuristic: str = "SISR"
    """SISR (the compiled ruin and recreate of `routing.ruin_recreate`), ILS (OR-Tools'
    iterated local search with its SISR ruin), or an OR-Tools local search metaheuristic:
    GUIDED_LOCAL_SEARCH, SIMULATED_ANNEALING, TABU_SEARCH."""
    recreate: RecreateSettings = field(default_factory=RecreateSettings)
    """The knobs of SISR."""
    fleet_reduction: bool = True
    """With the objective "vehicles", minimise the routes first (`routing.fleet_reduction`)."""
    fleet_share: float = 0.4
    """The share of the time limit the route minimisation may take."""
    presearch_share: float = 0.15
    """With the objective "vehicles" and SISR: the share of the time limit for SISR over the
    whole fleet before the route minimisation (which then starts from shorter routes)."""
    max_ejected: int = 3
    """The most stops the route minimisation ejects to insert one."""
    smallest_first: bool = True
    """The route minimisation takes out one of the shortest routes rather than any route
    (on the 16 Solomon R/RC instances: 1.75 vehicles above the best known, mean of 4 seeds,
    against 2.5 for any route, mean of 2)."""
    polish_share: float = 0.0
    """The share of the time left after the search for OR-Tools' guided local search from its
    best solution."""
    ils_removed: int = 20
    """ILS: the average number of visits the ruin removes."""
    ils_temperatures: tuple[float, float] | None = (0.3, 0.01)
    """ILS: simulated annealing's first and last temperature as fractions of the mean arc
    cost; None lets OR-Tools choose (0.1 and 0.001 of a sampled mean)."""


@dataclass(frozen=True)
class SolveOptions:
    """What to minimise, for how long, and how."""

    objective: Objective = Objective.VEHICLES
    time_limit_s: float = 5.0
    seed: int = 0
    effort: int | None = None
    """Steps per search phase; when set, the plan no longer depends on the clock."""
    strategy: Strategy = field(default_factory=Strategy)


def solve(problem: Problem, options: SolveOptions | None = None) -> Plan:
    """The best plan found within the time limit; NoSolution if a must-serve stop cannot be."""
    options = options or SolveOptions()
    if not math.isfinite(options.time_limit_s) or options.time_limit_s <= 0:
        raise ValueError("the time limit must be a positive number of seconds")
    warm_up()
    began = time.perf_counter()
    deadline = began + options.time_limit_s
    left_out = screen(problem)
    refused = [item for item in left_out if problem.stop(item.stop_id).penalty is None]
    if refused:
        first = refused[0]
        raise NoSolution(f"stop {first.stop_id!r} cannot be served: {first.message}")
    excluded = {item.stop_id for item in left_out}
    candidates = [stop for stop in problem.stops if stop.id not in excluded]
    if options.seed:
        random.Random(options.seed).shuffle(candidates)  # noqa: S311 - search order only
    stats: dict[str, object] = {"screened_out": len(left_out)}
    if not candidates:
        return _finish(problem, {}, left_out, stats, began)
    model = _IntegerModel.build(problem, candidates)
    strategy = options.strategy
    vehicles = list(range(len(problem.vehicles)))
    routes = _first_solution(model, vehicles, options, deadline)
    stats["first_vehicles"] = sum(1 for route in routes if route)
    stats["first_seconds"] = round(time.perf_counter() - began, 3)
    # Fewer routes first: for the fewest vehicles, and for the least cost when vehicles cost
    # something to use (ruin and recreate seldom empties a route).
    fixed_costs = any(vehicle.fixed_cost > 0 for vehicle in problem.vehicles)
    fleet_first = strategy.fleet_reduction and (
        options.objective == Objective.VEHICLES or fixed_costs
    )
    fallback: list[list[int]] | None = None
    if fleet_first and strategy.metaheuristic == "SISR" and strategy.presearch_share > 0:
        # A good layout first: the route minimisation then has shorter routes to work on.
        presearch_end = min(deadline, began + strategy.presearch_share * options.time_limit_s)
        routes = _ruin_and_recreate(
            model, routes, list(range(len(problem.vehicles))), presearch_end, options, stats,
            "presearch",
        )
        stats["presearch_vehicles"] = sum(1 for route in routes if route)
        if options.objective == Objective.DISTANCE:
            fallback = routes
    if fleet_first:
        share = strategy.presearch_share + strategy.fleet_share
        fleet_deadline = min(deadline, began + share * options.time_limit_s)
        reduced = reduce_routes(
            model.search_instance(options.objective),
            routes,
            deadline=fleet_deadline,
            seed=options.seed,
            max_steps=options.effort,
            max_ejected=strategy.max_ejected,
            smallest_first=strategy.smallest_first,
        )
        routes = reduced.routes
        stats["fleet_steps"] = reduced.pool_steps
        stats["fleet_seconds"] = round(reduced.seconds, 3)
        stats["fleet_vehicles"] = reduced.vehicles
    if fleet_first:
        # The distance phase keeps to the vehicles the fleet phase left (for the least cost,
        # the pre-search's plan over the whole fleet stays in the running).
        vehicles = [index for index, route in enumerate(routes) if route]
    search_end = deadline - strategy.polish_share * max(deadline - time.perf_counter(), 0.0)
    if strategy.metaheuristic == "SISR":
        routes = _ruin_and_recreate(model, routes, vehicles, search_end, options, stats, "search")
        routes = [routes[vehicle] for vehicle in vehicles]
    else:
        routes = [routes[index] for index in vehicles]
        improved = _improve(model, vehicles, routes, options, search_end)
        if improved is not None:
            routes = improved
    if strategy.polish_share > 0:
        polished = _improve(
            model,
            vehicles,
            routes,
            replace(options, strategy=replace(strategy, metaheuristic="GUIDED_LOCAL_SEARCH")),
            deadline,
        )
        if polished is not None:
            routes = polished
    fleet: list[list[int]] = [[] for _ in problem.vehicles]
    for vehicle, route in zip(vehicles, routes, strict=True):
        fleet[vehicle] = route
    instance = model.search_instance(options.objective)
    if fallback is not None and _plan_cost(instance, fallback) < _plan_cost(instance, fleet):
        fleet = fallback
    fleet = cheapest_vehicles(instance, fleet)
    sequences = {
        problem.vehicles[vehicle].id: [model.stops[node - 1].id for node in route]
        for vehicle, route in enumerate(fleet)
        if route
    }
    served = {stop_id for stop_ids in sequences.values() for stop_id in stop_ids}
    missing = [stop for stop in candidates if stop.id not in served]
    for stop in missing:
        if stop.penalty is None:
            raise NoSolution(
                f"stop {stop.id!r} cannot be served: the fleet has no capacity or time left for it"
            )
    left_out = left_out + [Unserved(stop.id, UnservedReason.FLEET_FULL) for stop in missing]
    return _finish(problem, sequences, left_out, stats, began)


def cheapest_vehicles(instance: SearchInstance, fleet: list[list[int]]) -> list[list[int]]:
    """The same routes (node lists by vehicle), each on the vehicle that runs it for least
    (fixed cost and cost per distance) among those that can: an assignment problem, solved
    exactly. A fleet of alike vehicles is returned as it is."""
    kinds = vehicle_kinds(instance)
    used = [vehicle for vehicle, route in enumerate(fleet) if route]
    if len(set(kinds.tolist())) == 1 or not used:
        return fleet
    groups: dict[int, list[int]] = {}
    for vehicle in sorted(range(len(fleet)), key=lambda v: (not fleet[v], v)):
        groups.setdefault(int(kinds[vehicle]), []).append(vehicle)
    candidates = [vehicle for group in groups.values() for vehicle in group[: len(used)]]
    assignment = linear_sum_assignment.SimpleLinearSumAssignment()
    for left, vehicle in enumerate(used):
        for right, other in enumerate(candidates):
            cost = route_cost_on(instance, fleet[vehicle], other)
            if cost is not None:
                assignment.add_arc_with_cost(left, right, cost)
    for left in range(len(used), len(candidates)):
        for right in range(len(candidates)):
            assignment.add_arc_with_cost(left, right, 0)
    if assignment.solve() != assignment.OPTIMAL:
        return fleet
    moved: list[list[int]] = [[] for _ in fleet]
    for left, vehicle in enumerate(used):
        moved[candidates[assignment.right_mate(left)]] = fleet[vehicle]
    return moved


def _plan_cost(instance: SearchInstance, fleet: list[list[int]]) -> int:
    """Routes' costs on their vehicles plus the penalties of the nodes left out."""
    served = {node for route in fleet for node in route}
    left_out = [node for node in range(1, instance.size) if node not in served]
    total = int(instance.penalty[left_out].sum())
    for vehicle, route in enumerate(fleet):
        if route:
            cost = route_cost_on(instance, route, vehicle)
            total += cost if cost is not None else SAFE_INTEGER
    return total


def _ruin_and_recreate(
    model: _IntegerModel,
    routes: list[list[int]],
    vehicles: list[int],
    deadline: float,
    options: SolveOptions,
    stats: dict[str, object],
    phase: str,
) -> list[list[int]]:
    """Routes by vehicle (the whole fleet) after SISR with only `vehicles` usable."""
    usable = np.zeros(len(routes), dtype=np.bool_)
    usable[vehicles] = True
    result = improve_routes(
        model.search_instance(options.objective),
        routes,
        usable,
        deadline=deadline,
        seed=options.seed,
        max_iterations=options.effort,
        settings=options.strategy.recreate,
    )
    stats[f"{phase}_iterations"] = result.iterations
    stats[f"{phase}_accepted"] = result.accepted
    return result.routes


def warm_up() -> None:
    """Load the compiled searches from numba's cache, compiling them if they are not there."""
    fleet_reduction.warm_up()
    ruin_recreate.warm_up()


def screen(problem: Problem) -> list[Unserved]:
    """Stops that no vehicle of the fleet can serve even on its own, with the reason."""
    durations = problem.duration_matrix
    depot = problem.depot
    out: list[Unserved] = []
    for stop in problem.stops:
        fits = [v for v in problem.vehicles if _carries(v, stop)]
        if not fits:
            worst = max(
                range(len(problem.dimensions)),
                key=lambda d: stop.demand[d] - max(v.capacity[d] for v in problem.vehicles),
            )
            out.append(Unserved(stop.id, UnservedReason.OVER_CAPACITY, problem.dimensions[worst]))
            continue
        there = float(durations[depot, stop.location])
        back = float(durations[stop.location, depot])
        in_time = [v for v in fits if _reachable(v, stop, there, back)]
        if not in_time:
            out.append(Unserved(stop.id, UnservedReason.OUT_OF_HOURS))
            continue
        if not any(
            v.max_duration is None or there + stop.service_time + back <= v.max_duration
            for v in in_time
        ):
            out.append(Unserved(stop.id, UnservedReason.TOO_FAR))
    return out


def _carries(vehicle: Vehicle, stop: Stop) -> bool:
    return all(need <= room for need, room in zip(stop.demand, vehicle.capacity, strict=True))


def _reachable(vehicle: Vehicle, stop: Stop, there: float, back: float) -> bool:
    opens = vehicle.shift.open if vehicle.shift else 0.0
    closes = vehicle.shift.close if vehicle.shift else math.inf
    start = opens + there
    if stop.window is not None:
        if start > stop.window.close:
            return False
        start = max(start, stop.window.open)
    return start + stop.service_time + back <= closes


def _finish(
    problem: Problem,
    sequences: dict[str, list[str]],
    left_out: list[Unserved],
    stats: dict[str, object],
    began: float,
) -> Plan:
    evaluation = evaluate(problem, sequences, left_out)
    if not evaluation.feasible:
        raise AssertionError(
            "the solver's plan fails the floating-point check: " + "; ".join(evaluation.violations)
        )
    plan = evaluation.plan
    stats["seconds"] = round(time.perf_counter() - began, 3)
    return replace(plan, unserved=_explain(problem, plan), stats=stats)


def _explain(problem: Problem, plan: Plan) -> tuple[Unserved, ...]:
    """The fleet-full stops' reasons made precise: which capacity ran out, or the time."""
    explained: list[Unserved] = []
    for item in plan.unserved:
        if item.reason != UnservedReason.FLEET_FULL or not plan.routes:
            explained.append(item)
            continue
        stop = problem.stop(item.stop_id)
        short = [
            name
            for d, name in enumerate(problem.dimensions)
            if all(
                route.load[d] + stop.demand[d] > problem.vehicle(route.vehicle_id).capacity[d]
                for route in plan.routes
            )
        ]
        unused = len(problem.vehicles) - len(plan.routes)
        if short and unused == 0:
            detail = "no vehicle has " + " or ".join(short) + " left"
        elif unused == 0:
            detail = "no route has time for it"
        else:
            detail = ""
        explained.append(replace(item, detail=detail))
    return tuple(explained)


@dataclass
class _IntegerModel:
    """The problem in integers, node 0 the depot and node i the (i-1)th candidate stop."""

    problem: Problem
    stops: list[Stop]
    travel: np.ndarray
    distance: np.ndarray
    opens: np.ndarray
    closes: np.ndarray
    demand: np.ndarray
    capacity: np.ndarray
    shift_open: np.ndarray
    shift_close: np.ndarray
    max_duration: np.ndarray
    arc_cost: list[np.ndarray]
    cost_class: list[int]
    fixed_cost: np.ndarray
    penalty: np.ndarray
    vehicle_weight: int
    drop_base: int
    must: dict[Objective, int]
    timed: bool

    @classmethod
    def build(cls, problem: Problem, stops: Sequence[Stop]) -> _IntegerModel:
        locations = [problem.depot, *(stop.location for stop in stops)]
        durations = problem.duration_matrix[np.ix_(locations, locations)]
        distances = problem.distance_matrix[np.ix_(locations, locations)]
        service = np.array([0.0, *(stop.service_time for stop in stops)])
        vehicles = problem.vehicles
        windows = [stop.window for stop in stops]
        shifts = [vehicle.shift for vehicle in vehicles]
        limits = [vehicle.max_duration for vehicle in vehicles]
        timed = any(windows) or any(shifts) or any(limit is not None for limit in limits)
        time_values = [durations.ravel(), service]
        time_values += [np.array([w.open, w.close]) for w in windows if w]
        time_values += [np.array([s.open, s.close]) for s in shifts if s]
        time_values += [np.array([limit]) for limit in limits if limit is not None]
        scale_t = _scale(np.concatenate(time_values))
        travel = _up((durations + service[:, None]) * scale_t)
        horizon_real = _horizon(durations, service, windows, shifts)
        horizon = _down(np.array([horizon_real * scale_t]))[0]
        opens = np.zeros(len(locations), dtype=np.int64)
        closes = np.full(len(locations), horizon, dtype=np.int64)
        for node, window in enumerate(windows, start=1):
            if window is not None:
                opens[node] = _up(np.array([window.open * scale_t]))[0]
                closes[node] = _down(np.array([window.close * scale_t]))[0]
        shift_open = np.array(
            [_up(np.array([s.open * scale_t]))[0] if s else 0 for s in shifts], dtype=np.int64
        )
        shift_close = np.array(
            [_down(np.array([s.close * scale_t]))[0] if s else horizon for s in shifts],
            dtype=np.int64,
        )
        no_limit = np.int64(1) << np.int64(50)
        max_duration = np.array(
            [
                _down(np.array([limit * scale_t]))[0] if limit is not None else no_limit
                for limit in limits
            ],
            dtype=np.int64,
        )
        width = len(problem.dimensions)
        demand = np.zeros((len(locations), width), dtype=np.int64)
        capacity = np.zeros((len(vehicles), width), dtype=np.int64)
        for d in range(width):
            needs = np.array([0.0, *(stop.demand[d] for stop in stops)])
            rooms = np.array([vehicle.capacity[d] for vehicle in vehicles])
            scale_d = _scale(np.concatenate([needs, rooms]))
            demand[:, d] = _up(needs * scale_d)
            capacity[:, d] = _down(rooms * scale_d)
        rates = sorted({vehicle.cost_per_distance for vehicle in vehicles})
        cost_values = [distances.ravel() * rate for rate in rates]
        cost_values.append(np.array([vehicle.fixed_cost for vehicle in vehicles]))
        cost_values.append(np.array([stop.penalty or 0.0 for stop in stops]))
        scale_c = _scale(np.concatenate(cost_values))
        arc_cost = [_round(distances * rate * scale_c) for rate in rates]
        cost_class = [rates.index(vehicle.cost_per_distance) for vehicle in vehicles]
        fixed_cost = _round(np.array([vehicle.fixed_cost * scale_c for vehicle in vehicles]))
        scaled = np.array([0.0, *((stop.penalty or 0.0) * scale_c for stop in stops)])
        if scaled.max() >= SAFE_INTEGER:
            raise ProblemError(_too_large(stops, scaled.max() / scale_c))
        penalty = _round(scaled)
        largest_arc = max(int(matrix.max()) for matrix in arc_cost)
        # Python integers: checked against int64 below before anything is handed over.
        bound = largest_arc * (len(locations) + len(vehicles)) + int(fixed_cost.sum())
        vehicle_weight = bound + 1
        drop_base = len(vehicles) * vehicle_weight + bound + 1
        must = {
            Objective.VEHICLES: len(stops) * (drop_base + int(penalty.max()))
            + len(vehicles) * vehicle_weight
            + bound
            + 1,
            Objective.DISTANCE: bound + int(penalty.sum()) + 1,
        }
        if max(must.values()) * (len(stops) + 1) >= SAFE_INTEGER:
            raise ProblemError(_too_large(stops, float(penalty.max()) / scale_c))
        return cls(
            problem=problem,
            stops=list(stops),
            travel=travel,
            distance=distances,
            opens=opens,
            closes=closes,
            demand=demand,
            capacity=capacity,
            shift_open=shift_open,
            shift_close=shift_close,
            max_duration=max_duration,
            arc_cost=arc_cost,
            cost_class=cost_class,
            fixed_cost=fixed_cost,
            penalty=penalty,
            vehicle_weight=vehicle_weight,
            drop_base=drop_base,
            must=must,
            timed=timed,
        )

    def mean_arc_cost(self) -> float:
        """The mean cost of an arc, in the model's integer units."""
        return float(np.mean([matrix.mean() for matrix in self.arc_cost]))

    def search_instance(self, objective: Objective) -> SearchInstance:
        """The arrays of the compiled searches, with the objective's costs and penalties."""
        fixed = self.fixed_cost.copy()
        if objective == Objective.VEHICLES:
            fixed += self.vehicle_weight
        penalty = np.array(
            [self.drop_cost(node, objective) for node in range(len(self.stops) + 1)],
            dtype=np.int64,
        )
        return SearchInstance(
            travel=self.travel,
            opens=self.opens,
            closes=self.closes,
            demand=self.demand,
            shift_open=self.shift_open,
            shift_close=self.shift_close,
            max_duration=self.max_duration,
            capacity=self.capacity,
            arc_cost=np.stack(self.arc_cost),
            cost_class=np.array(self.cost_class, dtype=np.int64),
            fixed_cost=fixed,
            penalty=penalty,
        )

    def drop_cost(self, node: int, objective: Objective) -> int:
        """What leaving the node out costs: its penalty (with the objective "vehicles", more
        than any number of vehicles as well), or for a must-serve node more than leaving out
        every other node."""
        if node == 0:
            return 0
        if self.stops[node - 1].penalty is None:
            return self.must[objective]
        if objective == Objective.VEHICLES:
            return self.drop_base + int(self.penalty[node])
        return int(self.penalty[node])

    def routing_model(
        self, vehicles: Sequence[int], objective: Objective, served: set[int] | None = None
    ) -> tuple[pywrapcp.RoutingModel, pywrapcp.RoutingIndexManager]:
        """An OR-Tools model over the given vehicles (indexes into the problem's fleet).

        Every stop is optional, at its penalty (or at more than any plan costs, if it must be
        served), except the must-serve stops among `served` nodes, which the model requires.
        """
        size = len(self.stops) + 1
        manager = pywrapcp.RoutingIndexManager(size, len(vehicles), 0)
        model = pywrapcp.RoutingModel(manager)
        classes: dict[int, int] = {}
        for slot, vehicle in enumerate(vehicles):
            cost_class = self.cost_class[vehicle]
            if cost_class not in classes:
                classes[cost_class] = model.RegisterTransitMatrix(
                    self.arc_cost[cost_class].tolist()
                )
            model.SetArcCostEvaluatorOfVehicle(classes[cost_class], slot)
            fixed = int(self.fixed_cost[vehicle])
            if objective == Objective.VEHICLES:
                fixed += self.vehicle_weight
            model.SetFixedCostOfVehicle(fixed, slot)
        for d in range(self.demand.shape[1]):
            callback = model.RegisterUnaryTransitVector(self.demand[:, d].tolist())
            model.AddDimensionWithVehicleCapacity(
                callback, 0, [int(self.capacity[v, d]) for v in vehicles], True, f"load{d}"
            )
        if self.timed:
            horizon = int(max(self.closes.max(), self.shift_close.max()))
            callback = model.RegisterTransitMatrix(self.travel.tolist())
            model.AddDimension(callback, horizon, horizon, False, "time")
            clock = model.GetDimensionOrDie("time")
            for node in range(1, size):
                clock.CumulVar(manager.NodeToIndex(node)).SetRange(
                    int(self.opens[node]), int(self.closes[node])
                )
            for slot, vehicle in enumerate(vehicles):
                opens, closes = int(self.shift_open[vehicle]), int(self.shift_close[vehicle])
                clock.CumulVar(model.Start(slot)).SetRange(opens, closes)
                clock.CumulVar(model.End(slot)).SetRange(opens, closes)
                limit = int(self.max_duration[vehicle])
                if limit < (1 << 50):
                    clock.SetSpanUpperBoundForVehicle(limit, slot)
        for node, stop in enumerate(self.stops, start=1):
            if stop.penalty is None and served is not None and node in served:
                continue
            cost = self.drop_cost(node, objective)
            model.AddDisjunction([manager.NodeToIndex(node)], cost)
        return model, manager


def _first_solution(
    model: _IntegerModel, vehicles: list[int], options: SolveOptions, deadline: float
) -> list[list[int]]:
    routing, manager = model.routing_model(vehicles, options.objective)
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = getattr(
        FIRST_SOLUTION, options.strategy.first_solution
    )
    parameters.local_search_metaheuristic = METAHEURISTIC.GREEDY_DESCENT
    parameters.solution_limit = 1
    _time_limit(parameters, deadline)
    solution = routing.SolveWithParameters(parameters)
    if solution is None:
        return [[] for _ in vehicles]
    return _routes(routing, manager, solution)


def _improve(
    model: _IntegerModel,
    vehicles: list[int],
    routes: list[list[int]],
    options: SolveOptions,
    deadline: float,
) -> list[list[int]] | None:
    if not vehicles:
        return None
    served = {node for route in routes for node in route}
    routing, manager = model.routing_model(vehicles, options.objective, served)
    strategy = options.strategy
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = getattr(FIRST_SOLUTION, strategy.first_solution)
    if options.effort is not None:
        parameters.solution_limit = options.effort
    _time_limit(parameters, deadline)
    if strategy.metaheuristic == "ILS":
        parameters.local_search_metaheuristic = METAHEURISTIC.GREEDY_DESCENT
        _iterated_local_search(parameters, strategy, model.mean_arc_cost())
    else:
        parameters.local_search_metaheuristic = getattr(METAHEURISTIC, strategy.metaheuristic)
    best = _BestSolution(routing, manager)
    routing.AddAtSolutionCallback(best.record)
    if strategy.metaheuristic == "ILS":
        # The iterated local search builds its own first solution: an arc evaluator that
        # costs nothing along the given routes makes it rebuild them (a solution hint is
        # not kept, and locks would pin the routes for good).
        arcs = {(0, route[0]) for route in routes if route}
        arcs |= {pair for route in routes for pair in itertools.pairwise(route)}
        arcs |= {(route[-1], 0) for route in routes if route}
        node = manager.IndexToNode
        routing.SetFirstSolutionEvaluator(lambda i, j: 0 if (node(i), node(j)) in arcs else 1)
        parameters.first_solution_strategy = FIRST_SOLUTION.EVALUATOR_STRATEGY
    routing.CloseModelWithParameters(parameters)
    start = routing.ReadAssignmentFromRoutes(
        [[manager.NodeToIndex(node) for node in route] for route in routes], True
    )
    if start is not None:
        best.offer(start.ObjectiveValue(), routes)
    if strategy.metaheuristic == "ILS":
        routing.SolveWithIteratedLocalSearch(parameters)
    elif start is not None:
        routing.SolveFromAssignmentWithParameters(start, parameters)
    return best.routes


class _BestSolution:
    """The cheapest solution the search met (OR-Tools' iterated local search may end on a
    worse one than it started from)."""

    def __init__(
        self, routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager
    ) -> None:
        self.routing = routing
        self.manager = manager
        self.cost: int | None = None
        self.routes: list[list[int]] | None = None

    def offer(self, cost: int, routes: list[list[int]]) -> None:
        """Keep these routes if they cost less than the best so far."""
        if self.cost is None or cost < self.cost:
            self.cost = cost
            self.routes = routes

    def record(self) -> None:
        """At a solution of the search: keep it if it is the cheapest so far."""
        cost = self.routing.CostVar().Value()
        if self.cost is not None and cost >= self.cost:
            return
        routing = self.routing
        routes: list[list[int]] = []
        for slot in range(routing.vehicles()):
            index = routing.NextVar(routing.Start(slot)).Value()
            route: list[int] = []
            while not routing.IsEnd(index):
                route.append(self.manager.IndexToNode(index))
                index = routing.NextVar(index).Value()
            routes.append(route)
        self.offer(cost, routes)

def _iterated_local_search(
    parameters: pywrapcp.RoutingSearchParameters, strategy: Strategy, mean_arc: float
) -> None:
    search = parameters.iterated_local_search_parameters
    search.perturbation_strategy = 1  # RUIN_AND_RECREATE
    ruin_recreate = search.ruin_recreate_parameters
    del ruin_recreate.ruin_strategies[:]
    ruin = ruin_recreate.ruin_strategies.add()
    ruin.sisr.max_removed_sequence_size = 10
    ruin.sisr.avg_num_removed_visits = strategy.ils_removed
    ruin.sisr.bypass_factor = 0.01
    ruin_recreate.recreate_strategy.heuristic = FIRST_SOLUTION.LOCAL_CHEAPEST_INSERTION
    search.improve_perturbed_solution = False
    annealing = search.reference_solution_acceptance_strategy.simulated_annealing
    annealing.cooling_schedule_strategy = 1  # EXPONENTIAL
    if strategy.ils_temperatures is None:
        annealing.automatic_temperatures = True
    else:
        annealing.initial_temperature = strategy.ils_temperatures[0] * mean_arc
        annealing.final_temperature = strategy.ils_temperatures[1] * mean_arc
    search.best_solution_acceptance_strategy.greedy_descent.SetInParent()


def _time_limit(parameters: pywrapcp.RoutingSearchParameters, deadline: float) -> None:
    left = max(deadline - time.perf_counter(), 0.01)
    parameters.time_limit.FromMilliseconds(max(int(left * 1000), 10))


def _routes(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    solution: pywrapcp.Assignment,
) -> list[list[int]]:
    routes: list[list[int]] = []
    for slot in range(routing.vehicles()):
        index = solution.Value(routing.NextVar(routing.Start(slot)))
        route: list[int] = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        routes.append(route)
    return routes


SAFE_INTEGER = 2**61
"""Costs and penalties in the integer model stay below this (int64 with room for sums)."""


def _too_large(stops: Sequence[Stop], largest: float) -> str:
    return (
        f"stop penalties are too large for the solver: the largest is {largest:g}; with "
        f"{len(stops)} stops keep them below about {_safe_penalty(len(stops)):g} (a penalty "
        "only needs to exceed what serving the stop could cost)"
    )


def _safe_penalty(stops: int) -> float:
    return SAFE_INTEGER / (10.0 * (stops + 1) ** 2)


def _scale(values: np.ndarray) -> float:
    """A power of ten that makes the values whole, or one that resolves them finely."""
    values = np.abs(values[np.isfinite(values)])
    for power in (1.0, 10.0, 100.0, 1000.0):
        scaled = values * power
        if np.all(np.abs(scaled - np.rint(scaled)) <= 1e-6 * np.maximum(1.0, scaled)):
            return power
    positive = values[values > 0]
    typical = float(np.median(positive)) if positive.size else 1.0
    power = 10.0 ** math.ceil(math.log10(max(1e4 / typical, 1.0)))
    return min(power, 1e6)


def _up(values: np.ndarray) -> np.ndarray:
    return np.ceil(np.asarray(values) - 1e-6).astype(np.int64)


def _down(values: np.ndarray) -> np.ndarray:
    return np.floor(np.asarray(values) + 1e-6).astype(np.int64)


def _round(values: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(values)).astype(np.int64)


def _horizon(
    durations: np.ndarray,
    service: np.ndarray,
    windows: Sequence[TimeWindow | None],
    shifts: Sequence[TimeWindow | None],
) -> float:
    """A time by which any route is over: the latest shift end, or every stop in a row."""
    if shifts and all(shift is not None for shift in shifts):
        return max(shift.close for shift in shifts if shift is not None)
    closes = [window.close for window in windows if window is not None]
    closes += [shift.close for shift in shifts if shift is not None]
    longest = float(durations.max()) * len(service) + float(service.sum())
    return max([*closes, 0.0]) + longest

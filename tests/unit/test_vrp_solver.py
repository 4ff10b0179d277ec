"""The delivery route solver: optimal on small instances, feasible on every plan it returns,
honest about what it leaves out, reproducible with an effort limit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.vrp import (
    Objective,
    Plan,
    Problem,
    ProblemError,
    Stop,
    TimeWindow,
    UnservedReason,
    Vehicle,
)
from routing.vrp_check import evaluate
from routing.vrp_solver import NoSolution, SolveOptions, Strategy, solve
from tests.vrp_exact import optimum, random_tiny


def check_plan(problem: Problem, plan: Plan) -> None:
    """The plan re-checked from scratch: feasible, every stop served once or left out, and the
    plan's figures equal the recomputed ones."""
    evaluation = evaluate(problem, plan.sequences(), plan.unserved)
    assert evaluation.violations == ()
    served = [stop_id for route in plan.routes for stop_id in route.stop_ids]
    left_out = [item.stop_id for item in plan.unserved]
    assert len(served) == len(set(served))
    assert sorted(served + left_out) == sorted(stop.id for stop in problem.stops)
    assert plan.distance == pytest.approx(evaluation.plan.distance)
    assert plan.cost == pytest.approx(evaluation.plan.cost)
    for route in plan.routes:
        vehicle = problem.vehicle(route.vehicle_id)
        for carried, room in zip(route.load, vehicle.capacity, strict=True):
            assert carried <= room + 1e-9
        for visit in route.visits:
            window = problem.stop(visit.stop_id).window
            if window is not None:
                assert window.open - 1e-9 <= visit.start <= window.close + 1e-9
        if vehicle.shift is not None:
            assert route.leave >= vehicle.shift.open - 1e-9
            assert route.back <= vehicle.shift.close + 1e-9
        if vehicle.max_duration is not None:
            assert route.duration <= vehicle.max_duration + 1e-9


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("objective", list(Objective))
def test_finds_the_proved_optimum_of_small_instances(seed, objective):
    tiny = random_tiny(seed)
    problem = tiny.problem()
    plan = solve(problem, SolveOptions(objective=objective, time_limit_s=2.0, effort=3000))
    check_plan(problem, plan)
    vehicles, distance = optimum(tiny, fewest_vehicles=objective == Objective.VEHICLES)
    if objective == Objective.VEHICLES:
        assert plan.vehicles == vehicles
    assert plan.distance == pytest.approx(distance, rel=1e-6)


def test_fewest_vehicles_and_shortest_distance_are_different_plans():
    # Seed 1's optimum: 2 vehicles and 358.0, or 3 vehicles and 275.7.
    tiny = random_tiny(1)
    problem = tiny.problem()
    fewest = solve(problem, SolveOptions(objective=Objective.VEHICLES, time_limit_s=2, effort=3000))
    shortest = solve(
        problem, SolveOptions(objective=Objective.DISTANCE, time_limit_s=2, effort=3000)
    )
    assert (fewest.vehicles, round(fewest.distance, 1)) == (2, 358.0)
    assert (shortest.vehicles, round(shortest.distance, 1)) == (3, 275.7)


def test_the_same_seed_and_effort_give_the_same_plan():
    problem = random_problem(np.random.default_rng(7), 40)
    options = SolveOptions(objective=Objective.VEHICLES, time_limit_s=30, seed=3, effort=400)
    first = solve(problem, options)
    second = solve(problem, options)
    assert first.sequences() == second.sequences()
    check_plan(problem, first)


def test_route_minimisation_takes_vehicles_out_that_the_first_solution_used():
    problem = random_problem(np.random.default_rng(11), 60, fleet=20, windows=0.0)
    plan = solve(problem, SolveOptions(objective=Objective.VEHICLES, time_limit_s=3, effort=2000))
    check_plan(problem, plan)
    total = sum(stop.demand[0] for stop in problem.stops)
    # Capacity alone needs ceil(total / 100) vehicles; the plan uses no more than one extra.
    assert plan.vehicles <= math.ceil(total / 100.0) + 1
    assert plan.stats["fleet_vehicles"] <= plan.stats["first_vehicles"]


def test_stops_that_no_vehicle_can_serve_are_left_out_with_the_reason():
    matrix = line_matrix([0, 10, 20, 30, 500])
    stops = (
        Stop("fits", 1, (5.0,), penalty=100.0),
        Stop("too-heavy", 2, (50.0,), penalty=100.0),
        Stop("too-late", 3, (1.0,), window=TimeWindow(0.0, 5.0), penalty=100.0),
        Stop("too-far", 4, (1.0,), penalty=100.0),
    )
    vehicles = (Vehicle("van", (20.0,), shift=TimeWindow(0.0, 2000.0), max_duration=300.0),)
    problem = Problem(matrix, matrix, stops, vehicles, dimensions=("kg",))
    plan = solve(problem, SolveOptions(time_limit_s=5, effort=2000))
    check_plan(problem, plan)
    assert plan.sequences() == {"van": ["fits"]}
    reasons = {item.stop_id: (item.reason, item.detail) for item in plan.unserved}
    assert reasons == {
        "too-heavy": (UnservedReason.OVER_CAPACITY, "kg"),
        "too-late": (UnservedReason.OUT_OF_HOURS, ""),
        "too-far": (UnservedReason.TOO_FAR, ""),
    }


def test_a_full_fleet_leaves_the_cheapest_stop_out_and_says_why():
    matrix = line_matrix([0, 10, 11, 12])
    stops = (
        Stop("a", 1, (8.0,), penalty=1000.0),
        Stop("b", 2, (8.0,), penalty=10.0),
        Stop("c", 3, (8.0,), penalty=1000.0),
    )
    vehicles = (Vehicle("van", (16.0,)),)
    problem = Problem(matrix, matrix, stops, vehicles, dimensions=("kg",))
    for objective in Objective:
        plan = solve(problem, SolveOptions(objective=objective, time_limit_s=5, effort=2000))
        check_plan(problem, plan)
        assert sorted(plan.sequences()["van"]) == ["a", "c"]
        (left,) = plan.unserved
        assert (left.stop_id, left.reason) == ("b", UnservedReason.FLEET_FULL)
        assert (
            left.message == "the fleet has no capacity or time left for it (no vehicle has kg left)"
        )


def test_a_stop_that_must_be_served_but_cannot_raises_no_solution():
    matrix = line_matrix([0, 10, 20])
    stops = (Stop("a", 1, (5.0,)), Stop("b", 2, (50.0,)))
    problem = Problem(matrix, matrix, stops, (Vehicle("van", (20.0,)),), dimensions=("kg",))
    with pytest.raises(NoSolution, match="stop 'b' cannot be served: its demand exceeds"):
        solve(problem, SolveOptions(time_limit_s=5, effort=2000))


def test_distance_objective_weighs_fixed_and_per_distance_costs_of_a_mixed_fleet():
    matrix = line_matrix([0, 10, 12, 14])
    stops = tuple(Stop(f"s{i}", i, (10.0,)) for i in (1, 2, 3))
    # The truck carries everything but costs 5 per unit of distance; two bikes cost 1 each.
    vehicles = (
        Vehicle("truck", (30.0,), cost_per_distance=5.0),
        Vehicle("bike-1", (20.0,), fixed_cost=3.0),
        Vehicle("bike-2", (20.0,), fixed_cost=3.0),
    )
    problem = Problem(matrix, matrix, stops, vehicles, dimensions=("kg",))
    cheapest = solve(
        problem, SolveOptions(objective=Objective.DISTANCE, time_limit_s=5, effort=2000)
    )
    check_plan(problem, cheapest)
    assert set(cheapest.sequences()) == {"bike-1", "bike-2"}
    assert cheapest.cost == pytest.approx(3 + 3 + 2 * 10 + 2 * 14)
    fewest = solve(problem, SolveOptions(objective=Objective.VEHICLES, time_limit_s=5, effort=2000))
    check_plan(problem, fewest)
    assert set(fewest.sequences()) == {"truck"}


def test_each_route_runs_on_the_cheapest_vehicle_that_can_run_it():
    # One small parcel: the motorbike (fixed 2, 0.5 per unit) serves it for less than the van
    # (fixed 10, 1.0 per unit), whichever objective counts.
    matrix = line_matrix([0, 10])
    stops = (Stop("parcel", 1, (2.0,)),)
    vehicles = (
        Vehicle("van", (100.0,), fixed_cost=10.0, cost_per_distance=1.0),
        Vehicle("bike", (5.0,), fixed_cost=2.0, cost_per_distance=0.5),
    )
    problem = Problem(matrix, matrix, stops, vehicles, dimensions=("kg",))
    for objective in Objective:
        plan = solve(problem, SolveOptions(objective=objective, time_limit_s=5, effort=500))
        check_plan(problem, plan)
        assert plan.sequences() == {"bike": ["parcel"]}
        assert plan.cost == pytest.approx(2 + 0.5 * 20)


def test_least_cost_with_fixed_costs_is_no_dearer_than_fewest_vehicles():
    # A mixed fleet with fixed costs: the least-cost plan may use more vehicles, never cost more.
    problem = random_problem(np.random.default_rng(11), 40, windows=0.5, mixed=True)
    fewest = solve(problem, SolveOptions(objective=Objective.VEHICLES, time_limit_s=5, effort=3000))
    cheapest = solve(
        problem, SolveOptions(objective=Objective.DISTANCE, time_limit_s=5, effort=3000)
    )
    check_plan(problem, fewest)
    check_plan(problem, cheapest)
    assert cheapest.cost <= fewest.cost + 1e-6


def test_penalties_too_large_for_the_integer_model_are_refused_with_the_limit():
    matrix = line_matrix([0, 10, 20])
    stops = (Stop("a", 1, (1.0,), penalty=1e30), Stop("b", 2, (1.0,)))
    problem = Problem(matrix, matrix, stops, (Vehicle("van", (20.0,)),), dimensions=("kg",))
    with pytest.raises(ProblemError, match=r"stop penalties are too large.*keep them below"):
        solve(problem, SolveOptions(time_limit_s=5, effort=500))
    # A large but representable penalty is accepted and served.
    stops = (Stop("a", 1, (1.0,), penalty=1e9), Stop("b", 2, (1.0,)))
    problem = Problem(matrix, matrix, stops, (Vehicle("van", (20.0,)),), dimensions=("kg",))
    plan = solve(problem, SolveOptions(time_limit_s=5, effort=500))
    check_plan(problem, plan)
    assert plan.unserved == ()


def test_shifts_and_maximum_durations_bound_every_route():
    matrix = line_matrix([0, 20, 21, 40, 41])
    stops = tuple(Stop(f"s{i}", i, (1.0,), service_time=5.0, penalty=1e6) for i in range(1, 5))
    vehicles = (
        Vehicle("early", (10.0,), shift=TimeWindow(0.0, 100.0)),
        Vehicle("short", (10.0,), shift=TimeWindow(50.0, 500.0), max_duration=80.0),
    )
    problem = Problem(matrix, matrix, stops, vehicles, dimensions=("kg",))
    plan = solve(problem, SolveOptions(objective=Objective.DISTANCE, time_limit_s=5, effort=2000))
    check_plan(problem, plan)
    assert plan.unserved == ()
    routes = plan.sequences()
    # All four take 102, over the early shift's 100; the short vehicle's 80 allows s1 and s2
    # but nothing farther. The shortest split: s1 alone (40) and the other three (82).
    assert routes["short"] == ["s1"]
    assert sorted(routes["early"]) == ["s2", "s3", "s4"]
    assert plan.distance == pytest.approx(122.0)


def test_irrational_travel_times_never_make_a_late_plan():
    # Stops on a circle of radius 10: sqrt distances, windows closing exactly on the arrival.
    angles = np.linspace(0, 2 * np.pi, 9)[:-1]
    points = np.vstack([[0.0, 0.0], np.column_stack([10 * np.cos(angles), 10 * np.sin(angles)])])
    matrix = np.sqrt(((points[:, None] - points[None]) ** 2).sum(-1))
    stops = tuple(
        Stop(f"s{i}", i, (1.0,), window=TimeWindow(0.0, float(matrix[0, i])), penalty=100.0)
        for i in range(1, 9)
    )
    problem = Problem(matrix, matrix, stops, (Vehicle("van", (100.0,)),), dimensions=("kg",))
    plan = solve(problem, SolveOptions(objective=Objective.DISTANCE, time_limit_s=5, effort=2000))
    check_plan(problem, plan)
    assert plan.vehicles == 1


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(
    seed=st.integers(0, 10_000),
    size=st.integers(1, 35),
    windows=st.sampled_from([0.0, 0.5, 1.0]),
    objective=st.sampled_from(list(Objective)),
)
def test_every_plan_keeps_every_rule(seed, size, windows, objective):
    rng = np.random.default_rng(seed)
    problem = random_problem(rng, size, windows=windows, mixed=True, penalties=True)
    plan = solve(problem, SolveOptions(objective=objective, time_limit_s=5, effort=300))
    check_plan(problem, plan)
    for item in plan.unserved:
        assert item.message


def test_each_search_method_keeps_every_rule():
    problem = random_problem(np.random.default_rng(5), 30, mixed=True, penalties=True)
    for metaheuristic in ("SISR", "ILS", "GUIDED_LOCAL_SEARCH"):
        for objective in Objective:
            strategy = Strategy(metaheuristic=metaheuristic, polish_share=0.2)
            plan = solve(
                problem, SolveOptions(objective=objective, time_limit_s=0.5, strategy=strategy)
            )
            check_plan(problem, plan)


def test_a_time_limit_that_is_not_positive_is_refused():
    problem = random_tiny(0).problem()
    for limit in (0.0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match="time limit"):
            solve(problem, SolveOptions(time_limit_s=limit))


def line_matrix(positions: list[float]) -> np.ndarray:
    """Distances between points on a line."""
    array = np.asarray(positions, dtype=float)
    return np.abs(array[:, None] - array[None, :])


def random_problem(
    rng: np.random.Generator,
    size: int,
    fleet: int = 12,
    windows: float = 0.5,
    mixed: bool = False,
    penalties: bool = False,
) -> Problem:
    """Customers around a depot; `windows` of them with a time window; optionally a mixed
    fleet (two capacity dimensions, shifts, maximum durations, costs) and optional stops."""
    points = rng.uniform(-50, 50, size=(size + 1, 2))
    points[0] = 0.0
    matrix = np.sqrt(((points[:, None] - points[None]) ** 2).sum(-1))
    stops = []
    for i in range(1, size + 1):
        window = None
        if rng.random() < windows:
            opens = float(rng.uniform(0, 300))
            window = TimeWindow(opens, opens + float(rng.uniform(30, 200)))
        stops.append(
            Stop(
                f"s{i}",
                i,
                (float(rng.integers(1, 30)), float(rng.uniform(0, 5)))
                if mixed
                else (float(rng.integers(1, 30)),),
                window=window,
                service_time=float(rng.integers(0, 10)),
                penalty=float(rng.uniform(50, 500)) if penalties else None,
            )
        )
    if mixed:
        vehicles = tuple(
            Vehicle(
                f"v{k}",
                (float(rng.choice([60, 100, 150])), float(rng.choice([10, 20]))),
                shift=TimeWindow(float(rng.uniform(0, 50)), float(rng.uniform(400, 600))),
                max_duration=float(rng.uniform(200, 500)) if rng.random() < 0.5 else None,
                fixed_cost=float(rng.choice([0, 20, 50])),
                cost_per_distance=float(rng.choice([1.0, 1.5])),
            )
            for k in range(fleet)
        )
        dimensions: tuple[str, ...] = ("kg", "litres")
    else:
        vehicles = tuple(
            Vehicle(f"v{k}", (100.0,), shift=TimeWindow(0.0, 1000.0)) for k in range(fleet)
        )
        dimensions = ("kg",)
    return Problem(matrix, matrix, tuple(stops), vehicles, dimensions=dimensions)

"""Delivery routes: our solver against VROOM (pyvroom) on Solomon VRPTW and CVRPLIB X instances.

Runs every instance of ../shared/bench-data/solomon and ../shared/bench-data/cvrp with the same
time limit per instance (default 5 s, one core) through our solver and, in the same run, through
VROOM at its highest exploration level on one thread with the same timeout. Three parts:

* Solomon, hierarchical objective (fewest vehicles, then distance; double-precision distances):
  vehicles and distance against the best known (bks_vehicles, bks_distance), for both solvers.
  Solutions compare as (vehicles, distance): the summary gives the total number of vehicles
  (CNV), the mean distance gap, the mean gap where the fleet equals the best known, and how
  many instances each solver wins.
* Solomon, distance only (every arc cut to one decimal, the convention of dist_only_bks).
* CVRPLIB X (distance, edges rounded to integers, the BKS convention).

Every solution, ours and VROOM's, is verified with the independent checker
(`routing.vrp_commands.check_routes`, floating point) before it is counted; a solution that
breaks a rule counts as a failure. VROOM works in integers, so its matrices are the same
scaled integers ours are (times rounded up), and its routes are re-checked in the real numbers.

`--compare` instead measures the solver's own choices on the same instances (OR-Tools with its
defaults, with a better first solution, its iterated local search, our route minimisation,
our ruin and recreate, a final polish), one row per choice.

    .venv/bin/python bench/vrp.py [--time-limit 5] [--only R101,X-n101-k25] [--jobs 1]
    .venv/bin/python bench/vrp.py --compare [--parts vehicles,distance,cvrp]

VROOM comes from the `bench` extra: `.venv/bin/pip install -e '.[bench]'`.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from routing.vrp import Objective
from routing.vrp_commands import check_routes, gap
from routing.vrp_files import Arithmetic, BenchmarkInstance, read_instance
from routing.vrp_solver import SolveOptions, Strategy, solve, warm_up

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "bench-data"
GOAL_DISTANCE_GAP = 1.5
GOAL_CVRP_GAP = 3.0
VROOM_SCALE = {"exact": 1000, "truncated": 10, "cvrplib": 1}


@dataclass(frozen=True)
class Case:
    """One instance under one objective, with its best-known result."""

    part: str
    name: str
    path: Path
    objective: Objective
    arithmetic: Arithmetic
    bks_vehicles: int
    bks_distance: float


@dataclass
class Outcome:
    """What one solver did on one case (checked)."""

    vehicles: int = 0
    distance: float = math.nan
    seconds: float = math.nan
    feasible: bool = False
    note: str = ""

    def gap(self, case: Case) -> float:
        return gap(self.distance, case.bks_distance) if self.feasible else math.nan


@dataclass
class Row:
    """A case and each solver's outcome."""

    case: Case
    outcomes: dict[str, Outcome] = field(default_factory=dict)


def cases(parts: Sequence[str], only: set[str] | None) -> list[Case]:
    """The benchmark's cases for the chosen parts, in file order."""
    solomon = DATA / "solomon"
    cvrp = DATA / "cvrp"
    if not solomon.is_dir() or not cvrp.is_dir():
        sys.exit(f"benchmark data not found under {DATA} (see ../shared/bench-data/README.md)")
    found: list[Case] = []
    with (solomon / "bks.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    for part in parts:
        if part in ("vehicles", "distance"):
            for row in rows:
                if only and row["instance"] not in only:
                    continue
                hierarchical = part == "vehicles"
                vehicles_column = "bks_vehicles" if hierarchical else "dist_only_vehicles_in_file"
                found.append(
                    Case(
                        part=part,
                        name=row["instance"],
                        path=solomon / f"{row['instance']}.txt",
                        objective=Objective.VEHICLES if hierarchical else Objective.DISTANCE,
                        arithmetic=Arithmetic.EXACT if hierarchical else Arithmetic.TRUNCATED,
                        bks_vehicles=int(row[vehicles_column]),
                        bks_distance=float(
                            row["bks_distance"] if hierarchical else row["dist_only_bks"]
                        ),
                    )
                )
        elif part == "cvrp":
            with (cvrp / "bks.csv").open() as handle:
                for row in csv.DictReader(handle):
                    if only and row["instance"] not in only:
                        continue
                    found.append(
                        Case(
                            part=part,
                            name=row["instance"],
                            path=cvrp / f"{row['instance']}.vrp",
                            objective=Objective.DISTANCE,
                            arithmetic=Arithmetic.EXACT,
                            bks_vehicles=int(row["bks_routes"]),
                            bks_distance=float(row["bks_cost"]),
                        )
                    )
    return found


def run_ours(case: Case, time_limit: float, strategy: Strategy, seed: int) -> Outcome:
    """Our solver on the case, its plan checked independently."""
    warm_up()
    instance = read_instance(case.path, case.arithmetic)
    began = time.perf_counter()
    plan = solve(
        instance.problem,
        SolveOptions(
            objective=case.objective, time_limit_s=time_limit, seed=seed, strategy=strategy
        ),
    )
    seconds = time.perf_counter() - began
    routes = [list(route.stop_ids) for route in plan.routes]
    return _checked(instance, routes, [route.vehicle_id for route in plan.routes], seconds)


def run_vroom(case: Case, time_limit: float) -> Outcome:
    """VROOM on the case (same integers as ours), its routes checked independently."""
    import vroom

    instance = read_instance(case.path, case.arithmetic)
    problem = instance.problem
    key = "cvrplib" if case.part == "cvrp" else str(case.arithmetic)
    scale = VROOM_SCALE[key]
    distances = problem.distance_matrix
    durations = np.ceil(problem.duration_matrix * scale - 1e-6).astype(np.int64)
    costs = np.rint(distances * scale).astype(np.int64)
    request = vroom.Input()
    request.set_durations_matrix("car", durations.tolist())
    request.set_costs_matrix("car", costs.tolist())
    fixed = int(costs.max()) * len(distances) if case.objective == Objective.VEHICLES else 0
    for number, vehicle in enumerate(problem.vehicles, start=1):
        settings: dict[str, object] = {
            "start": 0,
            "end": 0,
            "capacity": [int(c) for c in vehicle.capacity],
            "costs": vroom.VehicleCosts(fixed=fixed, per_hour=3600),
        }
        if vehicle.shift is not None:
            settings["time_window"] = vroom.TimeWindow(
                math.ceil(vehicle.shift.open * scale), math.floor(vehicle.shift.close * scale)
            )
        request.add_vehicle(vroom.Vehicle(number, **settings))
    for stop in problem.stops:
        job: dict[str, object] = {"location": stop.location, "delivery": [int(stop.demand[0])]}
        if stop.window is not None:
            job["time_windows"] = [
                vroom.TimeWindow(
                    math.ceil(stop.window.open * scale), math.floor(stop.window.close * scale)
                )
            ]
        if stop.service_time:
            job["default_service"] = math.ceil(stop.service_time * scale)
        request.add_job(vroom.Job(stop.location, **job))
    began = time.perf_counter()
    solution = request.solve(
        exploration_level=5, nb_threads=1, timeout=datetime.timedelta(seconds=time_limit)
    )
    seconds = time.perf_counter() - began
    table = solution.routes
    jobs = table[table["type"] == "job"]
    ids = {stop.location: stop.id for stop in problem.stops}
    routes = [
        [ids[int(location)] for location in group["location_index"]]
        for _, group in jobs.groupby("vehicle_id", sort=False)
    ]
    return _checked(instance, routes, None, seconds)


def _checked(
    instance: BenchmarkInstance,
    routes: list[list[str]],
    vehicle_ids: list[str] | None,
    seconds: float,
) -> Outcome:
    report = check_routes(instance, routes, vehicle_ids)
    return Outcome(
        vehicles=report["vehicles"],
        distance=report["distance"],
        seconds=seconds,
        feasible=report["feasible"],
        note="; ".join(report["violations"][:2]),
    )


SOLVERS: dict[str, Callable[[Case, float, Strategy, int], Outcome]] = {
    "ours": run_ours,
    "vroom": lambda case, limit, _strategy, _seed: run_vroom(case, limit),
}


def _job(arguments: tuple[str, Case, float, Strategy, int]) -> tuple[str, Outcome]:
    solver, case, limit, strategy, seed = arguments
    try:
        return solver, SOLVERS[solver](case, limit, strategy, seed)
    except Exception as error:  # a failed run is a result to print
        return solver, Outcome(note=f"{type(error).__name__}: {error}")


def run_all(
    selected: list[Case],
    solvers: dict[str, Strategy],
    limit: float,
    jobs: int,
    seed: int,
) -> list[Row]:
    """Every solver on every case (solver names map to strategies; "vroom" ignores its)."""
    rows = [Row(case) for case in selected]
    work = [
        (row_index, name, (name if name in SOLVERS else "ours", case, limit, strategy, seed))
        for row_index, case in enumerate(selected)
        for name, strategy in solvers.items()
    ]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(_job, [item[2] for item in work]))
    else:
        results = [_job(item[2]) for item in work]
    for (row_index, name, _), (_, outcome) in zip(work, results, strict=True):
        rows[row_index].outcomes[name] = outcome
        _progress(rows[row_index].case, name, outcome)
    return rows


def _progress(case: Case, name: str, outcome: Outcome) -> None:
    status = "ok" if outcome.feasible else f"FAILED {outcome.note}"
    print(
        f"  {case.part:8s} {case.name:11s} {name:14s} veh {outcome.vehicles:3d} "
        f"dist {outcome.distance:10.2f} gap {outcome.gap(case):6.2f} % "
        f"{outcome.seconds:5.2f} s {status}",
        file=sys.stderr,
        flush=True,
    )


def print_part(part: str, rows: list[Row], names: list[str]) -> dict[str, dict[str, float]]:
    """The table of one part and its summary figures per solver."""
    rows = [row for row in rows if row.case.part == part]
    if not rows:
        return {}
    title = {
        "vehicles": "Solomon, fewest vehicles then distance (double precision)",
        "distance": "Solomon, distance only (arcs cut to one decimal)",
        "cvrp": "CVRPLIB X, distance (edges rounded)",
    }[part]
    print(f"\n## {title}\n")
    header = ["instance", "best known"]
    for name in names:
        header += [f"{name} veh", f"{name} distance", f"{name} gap", f"{name} s"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        case = row.case
        cells = [case.name, f"{case.bks_vehicles} / {case.bks_distance:.2f}"]
        for name in names:
            outcome = row.outcomes[name]
            if not outcome.feasible:
                cells += ["—", f"failed ({outcome.note})", "—", f"{outcome.seconds:.1f}"]
                continue
            extra = outcome.vehicles - case.bks_vehicles
            mark = f" (+{extra})" if extra > 0 and part == "vehicles" else ""
            cells += [
                f"{outcome.vehicles}{mark}",
                f"{outcome.distance:.2f}",
                f"{outcome.gap(case):+.2f} %",
                f"{outcome.seconds:.1f}",
            ]
        print("| " + " | ".join(cells) + " |")
    summary: dict[str, dict[str, float]] = {}
    for name in names:
        outcomes = [row.outcomes[name] for row in rows]
        feasible = [o for o in outcomes if o.feasible]
        gaps = [o.gap(row.case) for row, o in zip(rows, outcomes, strict=True) if o.feasible]
        same_fleet = [
            o.gap(row.case)
            for row, o in zip(rows, outcomes, strict=True)
            if o.feasible and o.vehicles == row.case.bks_vehicles
        ]
        summary[name] = {
            "feasible": len(feasible),
            "instances": len(outcomes),
            "vehicles": float(sum(o.vehicles for o in feasible)),
            "extra_vehicles": float(
                sum(
                    o.vehicles - row.case.bks_vehicles
                    for row, o in zip(rows, outcomes, strict=True)
                    if o.feasible
                )
            ),
            "mean_gap": statistics.fmean(gaps) if gaps else math.nan,
            "mean_gap_same_fleet": statistics.fmean(same_fleet) if same_fleet else math.nan,
            "same_fleet": float(len(same_fleet)),
            "mean_seconds": statistics.fmean(o.seconds for o in outcomes),
        }
    print()
    bks_vehicles = sum(row.case.bks_vehicles for row in rows)
    for name in names:
        figures = summary[name]
        line = (
            f"- {name}: feasible {figures['feasible']:.0f}/{figures['instances']:.0f}, "
            f"mean gap {figures['mean_gap']:+.2f} %, mean time {figures['mean_seconds']:.2f} s"
        )
        if part == "vehicles":
            line += (
                f", vehicles {figures['vehicles']:.0f} (best known {bks_vehicles}, "
                f"{figures['extra_vehicles']:+.0f}), mean gap where the fleet equals the best "
                f"known {figures['mean_gap_same_fleet']:+.2f} % "
                f"({figures['same_fleet']:.0f} instances)"
            )
        print(line)
    if part == "vehicles" and len(names) >= 2:
        first, second = names[0], names[1]
        wins = ties = losses = 0
        for row in rows:
            a, b = row.outcomes[first], row.outcomes[second]
            key_a = (a.vehicles, round(a.distance, 2)) if a.feasible else (math.inf, math.inf)
            key_b = (b.vehicles, round(b.distance, 2)) if b.feasible else (math.inf, math.inf)
            wins += key_a < key_b
            ties += key_a == key_b
            losses += key_a > key_b
        print(
            f"- lexicographic (vehicles, then distance), {first} against {second}: "
            f"{wins} better, {ties} equal, {losses} worse"
        )
    return summary


def print_goals(summaries: dict[str, dict[str, dict[str, float]]]) -> None:
    """The issue's goals, met or not."""
    print("\n## Goals\n")
    everything = [
        figures
        for part in summaries.values()
        for name, figures in part.items()
        if name == "ours"
    ]
    if everything:
        feasible = sum(f["feasible"] for f in everything)
        total = sum(f["instances"] for f in everything)
        print(f"- a feasible solution on every instance: {feasible:.0f}/{total:.0f} "
              f"{'met' if feasible == total else 'NOT met'}")
    hierarchical = summaries.get("vehicles", {})
    if "ours" in hierarchical and "vroom" in hierarchical:
        ours, theirs = hierarchical["ours"], hierarchical["vroom"]
        better = (ours["vehicles"], ours["mean_gap"]) <= (theirs["vehicles"], theirs["mean_gap"])
        print(
            f"- hierarchical, no worse than VROOM as (vehicles, mean gap): ours "
            f"({ours['vehicles']:.0f}, {ours['mean_gap']:+.2f} %) against VROOM "
            f"({theirs['vehicles']:.0f}, {theirs['mean_gap']:+.2f} %): "
            f"{'met' if better else 'NOT met'}"
        )
    distance = summaries.get("distance", {}).get("ours")
    if distance:
        met = distance["mean_gap"] <= GOAL_DISTANCE_GAP
        print(
            f"- distance-only mean gap <= {GOAL_DISTANCE_GAP} %: {distance['mean_gap']:.2f} % "
            f"{'met' if met else 'NOT met'}"
        )
    cvrp = summaries.get("cvrp", {}).get("ours")
    if cvrp:
        met = cvrp["mean_gap"] <= GOAL_CVRP_GAP
        print(
            f"- CVRPLIB X mean gap <= {GOAL_CVRP_GAP} %: {cvrp['mean_gap']:.2f} % "
            f"{'met' if met else 'NOT met'}"
        )
    for part, figures in summaries.items():
        if "ours" in figures and "vroom" in figures:
            ratio = figures["ours"]["mean_seconds"] / figures["vroom"]["mean_seconds"]
            print(f"- {part}: our mean time / VROOM's = {ratio:.2f}")


CHOICES: dict[str, Strategy] = {
    "OR-Tools defaults (cheapest arc, GLS)": Strategy(
        first_solution="PATH_CHEAPEST_ARC",
        metaheuristic="GUIDED_LOCAL_SEARCH",
        fleet_reduction=False,
    ),
    "parallel cheapest insertion + GLS": Strategy(
        metaheuristic="GUIDED_LOCAL_SEARCH", fleet_reduction=False
    ),
    "OR-Tools ILS (SISR ruin, annealing)": Strategy(metaheuristic="ILS", fleet_reduction=False),
    "route minimisation + OR-Tools ILS": Strategy(metaheuristic="ILS"),
    "route minimisation + GLS": Strategy(metaheuristic="GUIDED_LOCAL_SEARCH"),
    "our ruin and recreate alone": Strategy(fleet_reduction=False),
    "route minimisation + ruin and recreate (default)": Strategy(),
    "the default + 20 % GLS polish": Strategy(polish_share=0.2),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--time-limit", type=float, default=5.0, help="seconds per instance")
    parser.add_argument("--only", default="", help="comma-separated instance names")
    parser.add_argument(
        "--parts", default="vehicles,distance,cvrp", help="vehicles, distance, cvrp"
    )
    parser.add_argument("--jobs", type=int, default=1, help="instances solved at once")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compare", action="store_true", help="measure the solver's choices")
    parser.add_argument("--no-vroom", action="store_true", help="skip VROOM")
    arguments = parser.parse_args()
    parts = [part.strip() for part in arguments.parts.split(",") if part.strip()]
    only = {name.strip() for name in arguments.only.split(",") if name.strip()} or None
    selected = cases(parts, only)
    warm_up()
    if arguments.compare:
        solvers = dict(CHOICES)
    else:
        solvers = {"ours": Strategy()}
        if not arguments.no_vroom:
            try:
                import vroom  # noqa: F401
            except ImportError:
                sys.exit("VROOM is not installed: .venv/bin/pip install -e '.[bench]'")
            solvers["vroom"] = Strategy()
    print(
        f"# Delivery routes: {len(selected)} cases, {arguments.time_limit:g} s each, "
        f"{arguments.jobs} at a time, seed {arguments.seed}"
    )
    began = time.perf_counter()
    rows = run_all(selected, solvers, arguments.time_limit, arguments.jobs, arguments.seed)
    names = list(solvers)
    if arguments.compare:
        print_choices(rows, names, parts)
    else:
        summaries = {part: print_part(part, rows, names) for part in parts}
        print_goals(summaries)
    print(f"\n(wall time {time.perf_counter() - began:.0f} s)")


def print_choices(rows: list[Row], names: list[str], parts: list[str]) -> None:
    """One row per choice: per part, failures, vehicles above the best known and mean gap."""
    print("\n## The solver's choices\n")
    header = ["choice"]
    for part in parts:
        header += [f"{part} feasible", f"{part} extra vehicles", f"{part} mean gap"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in names:
        cells = [name]
        for part in parts:
            chosen = [row for row in rows if row.case.part == part]
            outcomes = [(row.case, row.outcomes[name]) for row in chosen]
            feasible = [(case, o) for case, o in outcomes if o.feasible]
            extra = sum(o.vehicles - case.bks_vehicles for case, o in feasible)
            gaps = [o.gap(case) for case, o in feasible]
            cells += [
                f"{len(feasible)}/{len(outcomes)}",
                f"{extra:+d}" if part == "vehicles" else "—",
                f"{statistics.fmean(gaps):+.2f} %" if gaps else "—",
            ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

"""Wave planning: total walking of the planned picker trips against the two baselines.

Runs the batch instances of ../shared/bench-data/picking/batch (FORMAT.md there): for each, the
planner (`routing.batching.plan_wave`, single-item orders apart as by default), one order per
trip, and first-come-first-served batching (orders in file order, each cart filled until the
next order does not fit), all routed by the same router. Every solution printed is checked
with `batch_cost` (every order once, cart limits, every line once) and its walking recomputed
from its sequence. Then whether the goals hold: walking at most 0.75 × first-come-first-served
on every instance, and the 5,000-order wave planned within 60 s.

    .venv/bin/python bench/waves.py [--only o200] [--time-limit 60] [--mixed] [DATA_DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any

from routing.batching import (
    WavePlan,
    batch_cost,
    first_come_first_served,
    load_batch_instance,
    one_order_per_trip,
    plan_to_solution,
    plan_wave,
)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "bench-data" / "picking" / "batch"
GOAL_RATIO = 0.75
GOAL_ORDERS = 5000
GOAL_SECONDS = 60.0


def checked(data: dict[str, Any], plan: WavePlan, name: str) -> float:
    """The plan's walking as the checker computes it from the solution; it must match."""
    walking = batch_cost(data, plan_to_solution(plan))
    if not math.isclose(walking, plan.total_m, rel_tol=1e-9, abs_tol=1e-6):
        raise SystemExit(f"{name}: the checker walks {walking:.3f} m, the plan says {plan.total_m}")
    return walking


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "data", nargs="?", type=Path, default=DATA, help="folder of batch instances"
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="TEXT",
        help="run only instances whose file name contains TEXT (repeatable)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=60.0, help="plan_wave's time limit, seconds"
    )
    parser.add_argument(
        "--mixed",
        action="store_true",
        help="also plan with single-item orders mixed in (separate_single_items=False)",
    )
    args = parser.parse_args()

    files = sorted(args.data.glob("*.json"))
    files = [f for f in files if not args.only or any(text in f.name for text in args.only)]
    files.sort(key=lambda f: len(json.loads(f.read_text())["orders"]))
    if not files:
        raise SystemExit(f"no instance in {args.data} matches {args.only}")

    print(
        "walking in metres, all trips routed by pick_path.plan_route; every solution checked;"
        " planning time includes routing"
    )
    header = (
        f"{'instance':<28} {'orders':>6} {'trips':>5} {'plan m':>9} {'1/trip m':>9}"
        f" {'trips':>5} {'FCFS m':>9} {'trips':>5} {'plan/FCFS':>9} {'plan/1':>7} {'plan s':>7}"
    )
    if args.mixed:
        header += f" {'mixed m':>9} {'mixed/FCFS':>10} {'mixed s':>7}"
    print(header)
    ratios: dict[str, float] = {}
    big_waves: dict[str, float] = {}
    for path in files:
        data = json.loads(path.read_text())
        name = str(data.get("name", path.stem))
        graph, orders, cart = load_batch_instance(data)
        plan = plan_wave(graph, orders, cart, time_limit_s=args.time_limit)
        single = one_order_per_trip(graph, orders, cart)
        fcfs = first_come_first_served(graph, orders, cart)
        walking = checked(data, plan, f"{name} plan")
        single_m = checked(data, single, f"{name} one order per trip")
        fcfs_m = checked(data, fcfs, f"{name} first-come-first-served")
        ratios[name] = walking / fcfs_m
        if len(orders) >= GOAL_ORDERS:
            big_waves[name] = plan.planning_s
        row = (
            f"{name:<28} {len(orders):>6} {len(plan.trips):>5} {walking:>9.0f}"
            f" {single_m:>9.0f} {len(single.trips):>5} {fcfs_m:>9.0f} {len(fcfs.trips):>5}"
            f" {walking / fcfs_m:>9.3f} {walking / single_m:>7.3f} {plan.planning_s:>7.2f}"
        )
        if args.mixed:
            start = time.perf_counter()
            mixed = plan_wave(
                graph, orders, cart, time_limit_s=args.time_limit, separate_single_items=False
            )
            mixed_m = checked(data, mixed, f"{name} mixed plan")
            row += f" {mixed_m:>9.0f} {mixed_m / fcfs_m:>10.3f} {time.perf_counter() - start:>7.2f}"
        print(row, flush=True)

    worst = max(ratios, key=ratios.__getitem__)
    met = ratios[worst] <= GOAL_RATIO
    print(
        f"goal: walking <= {GOAL_RATIO} x first-come-first-served on every instance:"
        f" {'met' if met else 'NOT met'} (worst {ratios[worst]:.3f}, {worst})"
    )
    if big_waves:
        slowest = max(big_waves, key=big_waves.__getitem__)
        fast = big_waves[slowest] <= GOAL_SECONDS
        print(
            f"goal: a {GOAL_ORDERS:,}-order wave planned in <= {GOAL_SECONDS:.0f} s on one core:"
            f" {'met' if fast else 'NOT met'} ({big_waves[slowest]:.1f} s, {slowest})"
        )
    else:
        print(f"goal: a {GOAL_ORDERS:,}-order wave in <= {GOAL_SECONDS:.0f} s: not run here")


if __name__ == "__main__":
    main()

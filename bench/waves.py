"""Wave planning: total walking of the planned trips against one order per trip and
first-come-first-served batching, all routed by the same router, and the planning time.

Runs the batch instances of ../shared/bench-data/picking/batch (FORMAT.md); every solution is
checked and costed by `routing.batching.batch_cost` from the instance file itself.

    .venv/bin/python bench/waves.py [--only o200] [--time-limit 60] [DATA_DIR]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from routing import batching

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "bench-data" / "picking" / "batch"
GOAL_RATIO = 0.75
GOAL_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DATA)
    parser.add_argument("--only", action="append", default=[], help="a part of instance names")
    parser.add_argument("--time-limit", type=float, default=GOAL_SECONDS)
    args = parser.parse_args()
    files = sorted(args.data.glob("*.json"))
    if args.only:
        files = [f for f in files if any(part in f.name for part in args.only)]
    print(
        f"{'instance':36} {'orders':>6} {'trips':>5} {'planned m':>10} {'one/trip m':>10} "
        f"{'FCFS m':>9} {'/FCFS':>6} {'/one':>6} {'plan s':>7} {'FCFS s':>7}"
    )
    ratios: list[float] = []
    largest: tuple[int, float] = (0, 0.0)
    for file in files:
        data = json.loads(file.read_text())
        graph, orders, cart = batching.load_batch_instance(data)
        started = time.perf_counter()
        planned = batching.plan_wave(graph, orders, cart, time_limit_s=args.time_limit)
        plan_s = time.perf_counter() - started
        started = time.perf_counter()
        fcfs = batching.first_come_first_served(graph, orders, cart)
        fcfs_s = time.perf_counter() - started
        alone = batching.one_order_per_trip(graph, orders, cart)
        costs = [
            batching.batch_cost(data, batching.plan_to_solution(plan))
            for plan in (planned, fcfs, alone)
        ]
        ratio = costs[0] / costs[1]
        ratios.append(ratio)
        if len(orders) > largest[0]:
            largest = (len(orders), plan_s)
        print(
            f"{file.stem:36} {len(orders):6d} {len(planned.trips):5d} {costs[0]:10.0f} "
            f"{costs[2]:10.0f} {costs[1]:9.0f} {ratio:6.3f} {costs[0] / costs[2]:6.3f} "
            f"{plan_s:7.1f} {fcfs_s:7.1f}",
            flush=True,
        )
    if not ratios:
        print("no instances found")
        return
    worst = max(ratios)
    print(
        f"goal: walking <= {GOAL_RATIO} x FCFS on every instance: worst {worst:.3f} -> "
        + ("holds" if worst <= GOAL_RATIO else "misses")
    )
    print(
        f"goal: the {largest[0]}-order wave planned in <= {GOAL_SECONDS:.0f} s: "
        f"{largest[1]:.1f} s -> " + ("holds" if largest[1] <= GOAL_SECONDS else "misses")
    )


if __name__ == "__main__":
    main()

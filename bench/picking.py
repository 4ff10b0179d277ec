"""Pick paths: our routes against the exact optimum, S-shape, largest gap and in-process baselines.

Solves every route instance of the picking benchmark (bench-data/picking/route, FORMAT.md) with
`plan_route` and prints, per size and layout: how many routes are proved optimal, the mean gap
to the reference optimum (reference.csv, up to 12 picks), the mean ratio of our length to the
reference S-shape and largest-gap lengths (single-block layouts) and our time per route. Then,
run in the same process on the same routes, the gap of other routers to ours: the matrix router
(`route_from_matrix`, "auto": Held–Karp up to 13 spots, else iterated local search then
OR-Tools from its tour — what graphs not made by a `GridLayout`, such as the app's, get) and its
time; the iterated local search alone on the same matrix and its time; OR-Tools' routing solver
alone (path-cheapest-arc then guided local search for --ortools-ms); nearest neighbour. Then
what the OR-Tools step of the matrix router did above 13 spots (how often it ran, shortened the
local search's tour, was cut by time). Last, the goals: mean gap <= 1 %, >= 15 % shorter than
S-shape on average, 60-pick routes within 100 ms (ours, and the matrix router's median).

    .venv/bin/python bench/picking.py [DIR] [--time-limit 0.1] [--ortools-ms 50]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from routing.aisle_graph import DEPOT, GridLayout
from routing.pick_path import (
    EXACT_MAX_POINTS,
    largest_gap,
    plan_route,
    route_from_matrix,
    s_shape,
)

DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared/bench-data/picking/route"
GAP_GOAL = 0.01
SSHAPE_GOAL = 0.15
MS_GOAL_60 = 100.0


@dataclass(frozen=True)
class Result:
    name: str
    picks: int
    layout: str
    length_m: float
    optimal: bool
    seconds: float
    matrix_m: float
    matrix_seconds: float
    matrix_method: str
    matrix_timed_out: bool
    local_m: float
    local_seconds: float
    nearest_m: float
    ortools_m: float
    optimum_m: float | None
    sshape_m: float | None
    largest_gap_m: float | None


def _float(text: str) -> float | None:
    return float(text) if text else None


def solve_all(folder: Path, time_limit_s: float, ortools_s: float) -> list[Result]:
    with (folder / "reference.csv").open(newline="") as handle:
        reference = {row["instance"]: row for row in csv.DictReader(handle)}
    results: list[Result] = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text())
        layout = GridLayout.from_json(data["layout"])
        keys = [layout.slot_key(pick) for pick in data["picks"]]
        graph = layout.graph()  # built once per layout, as an app would
        if not results:
            plan_route(graph, keys, time_limit_s)  # warm-up: imports and first allocations
        started = time.perf_counter()
        route = plan_route(graph, keys, time_limit_s)
        seconds = time.perf_counter() - started
        matrix = graph.matrix([DEPOT, *keys])
        started = time.perf_counter()
        by_matrix = route_from_matrix(matrix, time_limit_s)
        matrix_seconds = time.perf_counter() - started
        started = time.perf_counter()
        by_local_search = route_from_matrix(matrix, time_limit_s, method="local_search")
        local_seconds = time.perf_counter() - started
        row = reference.get(path.stem, {})
        if layout.blocks == 1 and row.get("sshape_m"):
            # Our own S-shape and largest gap must agree with the reference's.
            assert abs(s_shape(layout, keys) - float(row["sshape_m"])) < 1e-6, path.stem
            assert abs(largest_gap(layout, keys) - float(row["largest_gap_m"])) < 1e-6, path.stem
        results.append(
            Result(
                name=path.stem,
                picks=len(keys),
                layout=f"{layout.aisles}a×{layout.blocks}k",
                length_m=route.length_m,
                optimal=route.optimal,
                seconds=seconds,
                matrix_m=by_matrix.length_m,
                matrix_seconds=matrix_seconds,
                matrix_method=by_matrix.method,
                matrix_timed_out=by_matrix.timed_out,
                local_m=by_local_search.length_m,
                local_seconds=local_seconds,
                nearest_m=plan_route(graph, keys, method="nearest").length_m,
                ortools_m=plan_route(graph, keys, ortools_s, method="ortools").length_m,
                optimum_m=_float(row.get("optimum_m", "")),
                sshape_m=_float(row.get("sshape_m", "")),
                largest_gap_m=_float(row.get("largest_gap_m", "")),
            )
        )
    return results


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def _pct(value: float | None, width: int = 8) -> str:
    return f"{value * 100:{width}.2f}%" if value is not None else f"{'–':>{width + 1}}"


def _ratio(value: float | None, width: int = 7) -> str:
    return f"{value:{width}.3f}" if value is not None else f"{'–':>{width}}"


def _line(label: str, group: list[Result]) -> str:
    gaps = [r.length_m / r.optimum_m - 1 for r in group if r.optimum_m]
    to_sshape = [r.length_m / r.sshape_m for r in group if r.sshape_m]
    to_gap = [r.length_m / r.largest_gap_m for r in group if r.largest_gap_m]
    ms = [r.seconds * 1000 for r in group]
    proved = sum(r.optimal for r in group)
    matrix_gap = [r.matrix_m / r.length_m - 1 for r in group]
    matrix_ms = [r.matrix_seconds * 1000 for r in group]
    local_gap = [r.local_m / r.length_m - 1 for r in group]
    local_ms = [r.local_seconds * 1000 for r in group]
    ortools_gap = [r.ortools_m / r.length_m - 1 for r in group]
    nearest_gap = [r.nearest_m / r.length_m - 1 for r in group]
    return (
        f"{label:<16} {len(group):>4} {proved:>6} {_pct(_mean(gaps), 7)}"
        f" {_ratio(_mean(to_sshape))} {_ratio(_mean(to_gap))}"
        f" {statistics.fmean(ms):7.1f} {statistics.median(ms):7.1f} {max(ms):7.1f} |"
        f" {_pct(_mean(matrix_gap), 6)} {statistics.median(matrix_ms):7.1f} {max(matrix_ms):7.1f}"
        f" {_pct(_mean(local_gap), 6)} {statistics.median(local_ms):7.1f}"
        f" {_pct(_mean(ortools_gap), 6)} {_pct(_mean(nearest_gap), 6)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--time-limit", type=float, default=0.1, help="seconds per route (cap)")
    parser.add_argument(
        "--ortools-ms", type=float, default=50.0, help="the OR-Tools baseline's time per route"
    )
    args = parser.parse_args()
    results = solve_all(args.folder, args.time_limit, args.ortools_ms / 1000)

    print(f"pick paths: {len(results)} instances from {args.folder}")
    print(
        f"plan_route time limit {args.time_limit:g} s; OR-Tools GLS baseline {args.ortools_ms:g} ms"
    )
    print(
        "ratios: our length / theirs (below 1: ours shorter); gaps: theirs / ours - 1; one core\n"
    )
    header = (
        f"{'size / layout':<16} {'inst':>4} {'proved':>6} {'gap opt':>8} {'/Sshape':>7}"
        f" {'/L-gap':>7} {'ms mean':>7} {'ms med':>7} {'ms max':>7} |"
        f" {'matrix':>7} {'ms med':>7} {'ms max':>7} {'LS':>7} {'ms med':>7}"
        f" {'ORTools':>7} {'NN':>7}"
    )
    bar = header.index("|")
    print(f"{'ours: plan_route':^{bar}}| {'others, same routes: gap to ours, their time'}")
    print(f"{'':{bar}}| matrix: route_from_matrix auto (app graphs); LS: local search alone")
    print(header)
    print("-" * len(header))
    groups: dict[tuple[int, str], list[Result]] = defaultdict(list)
    for result in results:
        groups[(result.picks, result.layout)].append(result)
    for (picks, layout), group in sorted(groups.items()):
        print(_line(f"n={picks:<3} {layout}", group))
    print("-" * len(header))
    by_size: dict[int, list[Result]] = defaultdict(list)
    for result in results:
        by_size[result.picks].append(result)
    for picks, group in sorted(by_size.items()):
        print(_line(f"n={picks}", group))
    print(_line("all", results))

    gaps = [r.length_m / r.optimum_m - 1 for r in results if r.optimum_m]
    saving = [1 - r.length_m / r.sshape_m for r in results if r.sshape_m]
    sixty = [r.seconds * 1000 for r in results if r.picks == 60]
    mean_gap, mean_saving = _mean(gaps), _mean(saving)
    print()
    if mean_gap is not None:
        verdict = "holds" if mean_gap <= GAP_GOAL else "MISSED"
        print(
            f"goal: mean gap to the optimum <= {GAP_GOAL:.0%}: {mean_gap:.2%} over {len(gaps)}"
            f" instances -> {verdict}"
        )
    if mean_saving is not None:
        verdict = "holds" if mean_saving >= SSHAPE_GOAL else "MISSED"
        print(
            f"goal: >= {SSHAPE_GOAL:.0%} shorter than S-shape on average: {mean_saving:.1%} over"
            f" {len(saving)} single-block instances -> {verdict}"
        )
    if sixty:
        verdict = "holds" if max(sixty) <= MS_GOAL_60 else "MISSED"
        print(
            f"goal: 60-pick routes <= {MS_GOAL_60:.0f} ms: median {statistics.median(sixty):.1f}"
            f" ms, max {max(sixty):.1f} ms over {len(sixty)} -> {verdict}"
        )
    big = [r for r in results if r.matrix_method != "exact"]
    if big:
        print(
            f"the matrix router (app graphs), {len(big)} routes above {EXACT_MAX_POINTS} spots"
            " (gap to ours, time per route):"
        )
        for label, metres, seconds in (
            ("local search + OR-Tools (auto)", [r.matrix_m for r in big], "matrix_seconds"),
            ("local search alone", [r.local_m for r in big], "local_seconds"),
        ):
            gap = statistics.fmean(m / r.length_m - 1 for m, r in zip(metres, big, strict=True))
            for picks in sorted({r.picks for r in big}):
                ms = [getattr(r, seconds) * 1000 for r in big if r.picks == picks]
                gaps = [
                    m / r.length_m - 1 for m, r in zip(metres, big, strict=True) if r.picks == picks
                ]
                print(
                    f"  {label:<31} n={picks:<3} gap {statistics.fmean(gaps):6.2%}"
                    f"  median {statistics.median(ms):5.1f} ms  max {max(ms):5.1f} ms"
                )
            print(f"  {label:<31} all   gap {gap:6.2%}")
        ran = [r for r in big if r.matrix_method == "local_search+ortools"]
        shorter = sum(r.matrix_m < r.local_m - 1e-6 for r in ran)
        longer = sum(r.matrix_m > r.local_m + 1e-6 for r in ran)
        cut = ", ".join(
            f"{sum(r.matrix_timed_out for r in big if r.picks == picks)} of"
            f" {sum(r.picks == picks for r in big)} at n={picks}"
            for picks in sorted({r.picks for r in big})
        )
        print(
            f"  the OR-Tools step ran on {len(ran)} of {len(big)} routes: shorter than local search"
            f" alone on {shorter}, longer on {longer}; a time limit cut the search short on {cut}"
        )
        sixty = [r.matrix_seconds * 1000 for r in big if r.picks == 60]
        if sixty:
            verdict = "holds" if statistics.median(sixty) <= MS_GOAL_60 else "MISSED"
            print(
                f"goal: matrix router 60-pick median <= {MS_GOAL_60:.0f} ms:"
                f" {statistics.median(sixty):.1f} ms -> {verdict}"
            )
    total = sum(r.length_m for r in results)
    print(f"\nbaselines in this process, total walking over {len(results)} routes:")
    for name, metres in (
        ("ours (plan_route)", total),
        ("matrix router", sum(r.matrix_m for r in results)),
        ("local search alone", sum(r.local_m for r in results)),
        ("OR-Tools GLS alone", sum(r.ortools_m for r in results)),
        ("nearest neighbour", sum(r.nearest_m for r in results)),
    ):
        print(f"  {name:<20} {metres:9.0f} m   ours / it = {total / metres:.3f}")


if __name__ == "__main__":
    main()

"""Re-slotting: walking saved by the plan against the current assignment and greedy ABC.

Generates a seeded FC (parallel aisles, dispatch mid-front, ambient and chilled aisles, a hazmat
corner, three bin sizes by level, golden-zone levels) and SKUs with Pareto-like pick rates, put
away on arrival in random order to a near free face. Expected walking is picks per day times the
round trip to dispatch. Plans with no move limit and with --max-moves; the move-limited plan is
also set against a move-limited greedy rule. Yardsticks for the pruned model: the exact optimum
over every SKU-face pair (min-cost flow) and a Lagrangian lower bound under the move limit.

    .venv/bin/python bench/slotting.py [--seed 7] [--time-limit 10] [--bins 2000] [--skus 1500]
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections import defaultdict

import numpy as np
from ortools.graph.python import min_cost_flow

from routing.slotting import (
    PickFace,
    SlottedSku,
    expected_walking,
    fits,
    greedy_abc,
    plan_slotting,
)

AISLES = 10
SIDES = 2
LEVELS = 4
GOLDEN_LEVELS = (2, 3)
AISLE_SPACING_M = 3.0
BAY_WIDTH_M = 1.3
FRONT_GAP_M = 4.0
CHILLED_AISLES = (0, 1)
HAZMAT_AISLE, HAZMAT_BAYS = AISLES - 1, 8
# Bin sizes: (volume cm3, max weight g).
SMALL, MEDIUM, LARGE = (18_000, 15_000), (48_000, 40_000), (120_000, 300_000)


def make_faces(bins: int, rng: random.Random) -> list[PickFace]:
    """Pick faces in parallel aisles; dispatch sits mid-front, so mirrored aisles tie."""
    bays = math.ceil(bins / (AISLES * SIDES * LEVELS))
    dispatch_x = (AISLES - 1) * AISLE_SPACING_M / 2
    faces: list[PickFace] = []
    for aisle in range(AISLES):
        for bay in range(bays):
            distance = round(
                abs(aisle * AISLE_SPACING_M - dispatch_x) + FRONT_GAP_M + (bay + 0.5) * BAY_WIDTH_M,
                2,
            )
            hazmat = aisle == HAZMAT_AISLE and bay >= bays - HAZMAT_BAYS
            temperature = "chilled" if aisle in CHILLED_AISLES else "ambient"
            for _side in range(SIDES):
                for level in range(1, LEVELS + 1):
                    if level == 1:
                        size = LARGE
                    elif level in GOLDEN_LEVELS:
                        size = SMALL if rng.random() < 0.25 else MEDIUM
                    else:
                        size = MEDIUM if rng.random() < 0.3 else SMALL
                    faces.append(
                        PickFace(
                            id=len(faces) + 1,
                            distance_m=distance,
                            temperature=temperature,
                            volume_cm3=size[0],
                            max_weight_g=size[1],
                            golden_zone=level in GOLDEN_LEVELS,
                            hazmat=hazmat,
                        )
                    )
    return faces[:bins]


def make_skus(count: int, faces: list[PickFace], rng: random.Random) -> list[SlottedSku]:
    """SKUs with Pareto-like pick rates, put away on arrival (random order) near dispatch."""
    specs = []
    for sku_id in range(1, count + 1):
        draw = rng.random()
        temperature, hazardous = ("chilled", False) if draw < 0.15 else ("ambient", draw > 0.97)
        size = rng.random()
        high = SMALL[0] if size < 0.55 else MEDIUM[0] if size < 0.88 else LARGE[0]
        low = 1_000 if high == SMALL[0] else SMALL[0] if high == MEDIUM[0] else MEDIUM[0]
        volume = rng.randint(low, int(high * 0.95))
        weight = int(volume * rng.uniform(0.1, 0.8))
        picks = round(min(600.0, 0.3 * rng.paretovariate(1.16)), 2)
        probe = SlottedSku(sku_id, picks, temperature, volume, weight, None, hazardous)
        if not any(fits(probe, face) for face in faces):  # a small FC may lack the zone
            temperature, hazardous, volume, weight = "ambient", False, 1_000, 500
        specs.append((sku_id, picks, temperature, volume, weight, hazardous))
    by_zone: dict[tuple[str, bool], list[PickFace]] = defaultdict(list)
    for face in sorted(faces, key=lambda f: (f.distance_m, f.id)):
        by_zone[face.temperature, face.hazmat].append(face)
    taken: set[int] = set()
    current: dict[int, int | None] = {}
    arrivals = list(specs)
    rng.shuffle(arrivals)
    for sku_id, _picks, temperature, volume, weight, hazardous in arrivals:
        if rng.random() < 0.03:  # just received, not slotted yet
            current[sku_id] = None
            continue
        probe = SlottedSku(sku_id, 0.0, temperature, volume, weight, None, hazardous)
        free = [
            f.id for f in by_zone[temperature, hazardous] if f.id not in taken and fits(probe, f)
        ][:5]
        current[sku_id] = None
        if free:
            current[sku_id] = rng.choice(free)
            taken.add(current[sku_id])
    return [
        SlottedSku(sku_id, picks, temperature, volume, weight, current[sku_id], hazardous)
        for sku_id, picks, temperature, volume, weight, hazardous in specs
    ]


def greedy_within(skus: list[SlottedSku], faces: list[PickFace], max_moves: int) -> dict[int, int]:
    """A move-limited rule of thumb: fastest SKU first, bring it to the nearest face that fits
    and is nearer than its own, either free or held by a slower SKU that fits its face (a swap,
    two moves), until the moves run out. A SKU moves at most once."""
    holder = {s.current_face: s for s in skus if s.current_face is not None}
    where = {s.id: s.current_face for s in skus if s.current_face is not None}
    reserve_m = max(face.distance_m for face in faces)
    by_id = {face.id: face for face in faces}
    ordered = sorted(faces, key=lambda f: (f.distance_m, not f.golden_zone, f.volume_cm3, f.id))
    moved: set[int] = set()
    for sku in sorted(skus, key=lambda s: (-s.picks_per_day, s.id)):
        if len(moved) >= max_moves:
            break
        if sku.id in moved:
            continue
        own = where.get(sku.id)
        here = reserve_m if own is None else by_id[own].distance_m
        for face in ordered:
            if face.distance_m >= here:
                break
            if not fits(sku, face):
                continue
            other = holder.get(face.id)
            if other is None:
                holder.pop(own, None)
            elif (
                own is None
                or other.id in moved
                or other.picks_per_day >= sku.picks_per_day
                or not fits(other, by_id[own])
                or len(moved) + 2 > max_moves
            ):
                continue
            else:
                holder[own], where[other.id] = other, own
                moved.add(other.id)
            holder[face.id], where[sku.id] = sku, face.id
            moved.add(sku.id)
            break
    return where


class FullFlow:
    """Every SKU-face pair as a min-cost flow, walking in millimetres: the exact optimum with
    no move limit, and a Lagrangian lower bound with one."""

    def __init__(self, skus: list[SlottedSku], faces: list[PickFace]) -> None:
        n, m = len(skus), len(faces)
        distance = np.array([f.distance_m for f in faces])
        volume = np.array([f.volume_cm3 for f in faces])
        weight = np.array([f.max_weight_g for f in faces])
        temperature = np.array([f.temperature for f in faces])
        hazmat = np.array([f.hazmat for f in faces])
        index = {f.id: i for i, f in enumerate(faces)}
        self.sink = n + m
        tails, heads, costs, moved = [], [], [], []
        for i, sku in enumerate(skus):
            ok = np.flatnonzero(
                (temperature == sku.temperature)
                & (hazmat == sku.hazardous)
                & (volume >= sku.volume_cm3)
                & (weight >= sku.weight_g)
            )
            move = np.ones(len(ok), dtype=np.int64)
            arc_heads, arc_costs = n + ok, np.rint(2000 * sku.picks_per_day * distance[ok])
            if sku.current_face is None:  # may stay in reserve
                move = np.append(move, 0)
                arc_heads = np.append(arc_heads, self.sink)
                arc_costs = np.append(arc_costs, round(2000 * sku.picks_per_day * distance.max()))
            else:
                move[ok == index[sku.current_face]] = 0
            tails.append(np.full(len(arc_heads), i))
            heads.append(arc_heads)
            costs.append(arc_costs)
            moved.append(move)
        tails.append(np.arange(n, n + m))
        heads.append(np.full(m, self.sink))
        costs.append(np.zeros(m))
        moved.append(np.zeros(m, dtype=np.int64))
        self.tails = np.concatenate(tails).astype(np.int32)
        self.heads = np.concatenate(heads).astype(np.int32)
        self.costs = np.concatenate(costs).astype(np.int64)
        self.moved = np.concatenate(moved)
        self.supplies = np.zeros(n + m + 1, dtype=np.int64)
        self.supplies[:n] = 1
        self.supplies[self.sink] = -n

    def solve(self, price: int) -> tuple[int, int]:
        """Walking (mm/day) and moves of the best plan with every move priced."""
        network = min_cost_flow.SimpleMinCostFlow()
        network.add_arcs_with_capacity_and_unit_cost(
            self.tails,
            self.heads,
            np.ones(len(self.tails), dtype=np.int64),
            self.costs + price * self.moved,
        )
        network.set_nodes_supplies(np.arange(len(self.supplies), dtype=np.int32), self.supplies)
        if network.solve() != network.OPTIMAL:
            raise RuntimeError("min-cost flow found no assignment")
        flows = network.flows(np.arange(len(self.tails), dtype=np.int32))
        return int(flows @ self.costs), int(flows @ self.moved)

    def bound(self, max_moves: int) -> float:
        """Lower bound (m/day) on walking with at most `max_moves` moves: the best
        walking + price * (moves - max_moves) over a bisection of the price."""
        best, low, high = 0.0, 0, int(self.costs.max()) + 1
        while high - low > max(1, low // 200):
            price = (low + high) // 2
            walking, moves = self.solve(price)
            best = max(best, walking + price * (moves - max_moves))
            low, high = (price, high) if moves > max_moves else (low, price)
        return best / 1000


def _row(name: str, walking: float, current: float, greedy: float, moves: str, notes: str) -> str:
    """One line of the table: walking and the saving against both baselines."""
    vs_current, vs_greedy = current - walking, greedy - walking
    percent_current = 100 * vs_current / max(current, 1e-9)
    percent_greedy = 100 * vs_greedy / max(greedy, 1e-9)
    return (
        f"{name:<30} {walking:10.0f} {vs_current:9.0f} {percent_current:6.1f}%"
        f" {vs_greedy:9.0f} {percent_greedy:6.1f}% {moves:>6}  {notes}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated FC and solver")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per plan")
    parser.add_argument("--bins", type=int, default=2000, help="pick faces")
    parser.add_argument("--skus", type=int, default=1500)
    parser.add_argument("--max-moves", type=int, default=200, help="the move-limited run")
    parser.add_argument("--workers", type=int, default=1, help="CP-SAT search workers")
    parser.add_argument(
        "--no-yardstick", action="store_true", help="skip the min-cost flow on every pair"
    )
    args = parser.parse_args()

    rng = random.Random(args.seed)
    faces = make_faces(args.bins, rng)
    skus = make_skus(args.skus, faces, rng)
    current = {s.id: s.current_face for s in skus if s.current_face is not None}
    start = time.perf_counter()
    greedy = greedy_abc(skus, faces)
    greedy_seconds = time.perf_counter() - start
    limited_rule = greedy_within(skus, faces, args.max_moves)
    current_m = expected_walking(current, skus, faces)
    greedy_m = expected_walking(greedy, skus, faces)
    rule_m = expected_walking(limited_rule, skus, faces)
    dropped = sum(1 for s in current if s not in greedy)

    def changed(assignment: dict[int, int]) -> str:
        return str(sum(1 for s, f in assignment.items() if current.get(s) != f))

    chilled = sum(f.temperature == "chilled" for f in faces)
    print(
        f"FC: {len(faces)} pick faces ({chilled} chilled, {sum(f.hazmat for f in faces)} hazmat,"
        f" {sum(f.golden_zone for f in faces)} golden zone), {len(skus)} SKUs"
        f" ({len(skus) - len(current)} without a face), {sum(s.picks_per_day for s in skus):.0f}"
        f" picks/day; seed {args.seed}, time limit {args.time_limit:g} s, {args.workers} worker(s)"
    )
    print(
        "walking = picks/day x round trip to dispatch; a SKU without a face counts as the farthest"
    )
    print(
        f"{'assignment':<30} {'walk m/day':>10} {'saving vs current':>17}"
        f" {'saving vs greedy':>17} {'moves':>6}  notes"
    )
    print(f"{'current':<30} {current_m:10.0f} {'':>17} {'':>17} {0:>6}")
    print(
        _row(
            "greedy ABC",
            greedy_m,
            current_m,
            greedy_m,
            changed(greedy),
            f"{greedy_seconds:.2f} s; {dropped} slotted SKU(s) left without a face",
        )
    )
    plan = plan_slotting(
        skus, faces, time_limit_s=args.time_limit, workers=args.workers, seed=args.seed
    )
    print(
        _row(
            "plan, no move limit",
            plan.planned_walking_m,
            current_m,
            greedy_m,
            str(len(plan.moves)),
            f"{plan.solve_seconds:.1f} s, {plan.status}",
        )
    )
    yardstick = None if args.no_yardstick else FullFlow(skus, faces)
    if yardstick is not None:
        start = time.perf_counter()
        optimum = yardstick.solve(0)[0] / 1000
        print(
            _row(
                "  optimum over every pair",
                optimum,
                current_m,
                greedy_m,
                "",
                f"{time.perf_counter() - start:.1f} s, min-cost flow, no pruning",
            )
        )
    print(
        _row(
            f"greedy rule, {args.max_moves} moves",
            rule_m,
            current_m,
            greedy_m,
            changed(limited_rule),
            "fastest first, to a free face or by a swap",
        )
    )
    limited = plan_slotting(
        skus,
        faces,
        time_limit_s=args.time_limit,
        max_moves=args.max_moves,
        workers=args.workers,
        seed=args.seed,
    )
    print(
        _row(
            f"plan, max {args.max_moves} moves",
            limited.planned_walking_m,
            current_m,
            greedy_m,
            str(len(limited.moves)),
            f"{limited.solve_seconds:.1f} s, {limited.status}",
        )
    )
    if yardstick is not None:
        start = time.perf_counter()
        bound = yardstick.bound(args.max_moves)
        print(
            _row(
                "  bound over every pair",
                bound,
                current_m,
                greedy_m,
                "",
                f"{time.perf_counter() - start:.1f} s, Lagrangian, no pruning",
            )
        )
    gain = rule_m - limited.planned_walking_m
    percent_gain = 100 * gain / max(rule_m, 1e-9)
    kept = limited.saving_m / plan.saving_m if plan.saving_m else 0.0
    print(
        f"at {args.max_moves} moves the plan walks {gain:.0f} m/day less than the greedy rule"
        f" ({percent_gain:.1f}%) and keeps {100 * kept:.0f}% of the unlimited plan's"
        f" saving with {len(limited.moves)} of its {len(plan.moves)} moves"
    )


if __name__ == "__main__":
    main()

"""Re-slotting: reassign SKUs to pick faces to cut the expected daily walking to dispatch.

Expected walking, the one measure used everywhere here (plans, baselines, bench):

    sum over SKUs of picks_per_day * 2 * distance_m      (one round trip per pick)

where `distance_m` is the one-way distance from dispatch to the SKU's pick face. A SKU with no
pick face is picked from reserve, costed as the farthest pick face of the FC: a low estimate of
a reserve trip, so giving a SKU a face never looks worse than leaving it in reserve.

Rules of a valid assignment: one SKU per pick face and at most one face per SKU; a SKU fits a
face only with the same temperature class, within the face's volume and weight, and with the
hazmat rule (hazardous SKUs only in hazmat faces, and hazmat faces only for hazardous SKUs). A
plan keeps every SKU that has a face in a face; SKUs without one may be given one.

The model: faces alike in zone, distance, capacity and golden flag form one group; each SKU
either stays or moves to one of a few candidate groups (the nearest that fit it, the nearest
with free faces, and those around its greedy and its current face). One CP-SAT boolean per
option, exactly one per SKU, no group over its faces, at most `max_moves` moves; integer costs
put walking first, then fewer moves, then fast SKUs in the golden zone. Without a binding move
limit that model is a transportation problem, solved exactly as a min-cost flow. With one, the
flow prices each move (Lagrangian relaxation): that gives plans on both sides of the limit and
a lower bound, and when a gap is left CP-SAT searches from the best plan so far.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

TEMPERATURES = frozenset({"ambient", "chilled", "frozen"})

# Candidate pruning: each SKU may move to the faces nearest dispatch that fit it, to faces around
# the one the greedy rule gives it, and to faces around its current one (counted in faces).
_NEAREST_FACES = 32
_GREEDY_WINDOW_FACES = 64
_CURRENT_WINDOW_FACES = 16
_NEAREST_FREE_FACES = 64
# Above this many options CP-SAT on one worker measured no progress on the whole model.
_WHOLE_MODEL_MAX_OPTIONS = 10_000

# Integer objective: walking in millimetres per day dominates, then one unit per move (a move
# must save walking), then a golden-zone tie-break that puts faster SKUs at waist height.
_UNITS_PER_M = 1000
_WALK_WEIGHT = 64
_MOVE_WEIGHT = 32
_GOLDEN_WEIGHT = 31


@dataclass(frozen=True)
class PickFace:
    """A pickable bin; `distance_m` is the one-way walking distance from dispatch to it."""

    id: int
    distance_m: float
    temperature: str
    volume_cm3: int
    max_weight_g: int
    golden_zone: bool = False
    hazmat: bool = False


@dataclass(frozen=True)
class SlottedSku:
    """A SKU to slot: its pick rate, the space its pick-face stock needs, and where it is now."""

    id: int
    picks_per_day: float
    temperature: str
    volume_cm3: int
    weight_g: int
    current_face: int | None
    hazardous: bool = False


@dataclass(frozen=True)
class SlotMove:
    """One SKU to move from its face (None: from reserve) to another face."""

    sku_id: int
    from_face: int | None
    to_face: int


@dataclass(frozen=True)
class SlottingPlan:
    """A proposed assignment, the moves that realise it, and the walking it saves per day.

    `assignment` holds the SKUs that have a face in the plan (SKUs left in reserve are absent).
    `moves` are ordered so that a face is emptied before a SKU moves into it; only a cycle of
    moves (a swap) needs a staging spot, for the first move of the cycle. `status` is "optimal"
    when the plan is proved best among the candidate faces the model offers each SKU,
    "feasible" when the time limit came first, and "unchanged" when no move is worth making.
    `solve_seconds` is the wall time of the whole planning.
    """

    assignment: dict[int, int]
    moves: tuple[SlotMove, ...]
    current_walking_m: float
    planned_walking_m: float
    saving_m: float
    saving_ratio: float
    status: str
    solve_seconds: float


def fits(sku: SlottedSku, face: PickFace) -> bool:
    """Whether the SKU may sit in the face: temperature, volume, weight and the hazmat rule."""
    return (
        sku.temperature == face.temperature
        and sku.hazardous == face.hazmat
        and sku.volume_cm3 <= face.volume_cm3
        and sku.weight_g <= face.max_weight_g
    )


def expected_walking(
    assignment: Mapping[int, int], skus: Iterable[SlottedSku], faces: Iterable[PickFace]
) -> float:
    """Expected metres walked per day: picks per day times the round trip to each SKU's face.

    SKUs missing from the assignment are picked from reserve, costed as the farthest face.
    """
    face_by_id = {face.id: face for face in faces}
    reserve_m = max((face.distance_m for face in face_by_id.values()), default=0.0)
    total = 0.0
    for sku in skus:
        face_id = assignment.get(sku.id)
        if face_id is None:
            total += 2.0 * sku.picks_per_day * reserve_m
            continue
        face = face_by_id.get(face_id)
        if face is None:
            raise ValueError(f"SKU {sku.id} is assigned to face {face_id}, which is not a face")
        total += 2.0 * sku.picks_per_day * face.distance_m
    return total


def greedy_abc(skus: Sequence[SlottedSku], faces: Sequence[PickFace]) -> dict[int, int]:
    """Baseline: fastest SKU first, each to the nearest free face that fits it.

    Ignores the current assignment. Ties in distance go to golden-zone faces, then to the
    smallest face that fits. SKUs for which no free face fits are left out (picked from reserve).
    """
    _validate(skus, faces)
    return _greedy(skus, faces)


def plan_slotting(
    skus: Sequence[SlottedSku],
    faces: Sequence[PickFace],
    *,
    time_limit_s: float = 10.0,
    max_moves: int | None = None,
    workers: int = 1,
    seed: int = 0,
) -> SlottingPlan:
    """A re-slotting plan that cuts expected walking within the rules, changing at most
    `max_moves` SKUs' faces when given; never worse than the current assignment nor than the
    greedy ABC baseline (when that baseline keeps every slotted SKU and respects `max_moves`).

    `time_limit_s` bounds the whole planning; a plan the flow proves optimal usually takes
    well under a second. Deterministic for a given seed with one worker unless the wall clock
    cuts in first: CP-SAT also stops after `time_limit_s` units of its deterministic time.
    """
    start = time.perf_counter()
    _validate(skus, faces)
    if not math.isfinite(time_limit_s) or time_limit_s <= 0:
        raise ValueError(f"time_limit_s must be a positive number of seconds, not {time_limit_s}")
    if max_moves is not None and max_moves < 0:
        raise ValueError(f"max_moves must be zero or more, not {max_moves}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    deadline = start + time_limit_s

    current = {sku.id: sku.current_face for sku in skus if sku.current_face is not None}
    greedy = _greedy(skus, faces)
    model = _SlottingModel(skus, faces, greedy)
    baselines = [current]
    if _keeps_slotted(greedy, current) and _allowed(greedy, current, max_moves):
        baselines.append(greedy)
    choices = [c for c in map(model.choice_of, baselines) if c is not None]
    limited, over, bound = model.within_moves(max_moves, deadline)
    incumbent = min(*choices, limited, key=model.objective)
    proved = model.objective(incumbent) <= bound
    # The move limit left a gap the flow cannot close: CP-SAT searches from the best plan so
    # far, first re-deciding only the SKUs that move on either side of the limit, then, on
    # models small enough for it to help, every SKU.
    neighbourhood = {i for i, (a, b) in enumerate(zip(incumbent, over, strict=True)) if a or b}
    rounds: list[set[int] | None] = [neighbourhood]
    if model.size <= _WHOLE_MODEL_MAX_OPTIONS:
        rounds.append(None)
    for free in rounds:
        if proved or time.perf_counter() >= deadline:
            break
        choice, proved = model.solve(
            incumbent,
            bound=bound,
            free=free,
            max_moves=max_moves,
            deadline=deadline,
            time_limit_s=time_limit_s,
            workers=workers,
            seed=seed,
        )
        if choice is not None and model.objective(choice) <= model.objective(incumbent):
            incumbent = choice
    assignment = model.assignment_of(incumbent)

    # Costs are rounded to the millimetre in the model: check the baselines in metres.
    planned_m = expected_walking(assignment, skus, faces)
    for baseline in baselines:
        walking = expected_walking(baseline, skus, faces)
        if walking < planned_m - 1e-6:
            assignment, planned_m, proved = baseline, walking, False
    moves = _ordered_moves(assignment, current, skus)
    current_m = expected_walking(current, skus, faces)
    if not moves:
        assignment, planned_m = dict(current), current_m
    saving = current_m - planned_m
    status = "unchanged" if not moves else "optimal" if proved else "feasible"
    return SlottingPlan(
        assignment=dict(sorted(assignment.items())),
        moves=moves,
        current_walking_m=current_m,
        planned_walking_m=planned_m,
        saving_m=saving,
        saving_ratio=saving / current_m if current_m > 0 else 0.0,
        status=status,
        solve_seconds=time.perf_counter() - start,
    )


def _validate(skus: Sequence[SlottedSku], faces: Sequence[PickFace]) -> None:
    """Raise ValueError naming the first thing wrong with the input."""
    face_by_id: dict[int, PickFace] = {}
    for face in faces:
        if face.id in face_by_id:
            raise ValueError(f"face id {face.id} appears more than once")
        if face.temperature not in TEMPERATURES:
            raise ValueError(
                f"face {face.id}: temperature {face.temperature!r} is not one of "
                f"{', '.join(sorted(TEMPERATURES))}"
            )
        if not math.isfinite(face.distance_m) or face.distance_m < 0:
            raise ValueError(f"face {face.id}: distance_m must be a finite number >= 0")
        if face.volume_cm3 <= 0 or face.max_weight_g <= 0:
            raise ValueError(f"face {face.id}: volume_cm3 and max_weight_g must be positive")
        face_by_id[face.id] = face
    seen: set[int] = set()
    occupant: dict[int, int] = {}
    for sku in skus:
        if sku.id in seen:
            raise ValueError(f"SKU id {sku.id} appears more than once")
        seen.add(sku.id)
        if sku.temperature not in TEMPERATURES:
            raise ValueError(
                f"SKU {sku.id}: temperature {sku.temperature!r} is not one of "
                f"{', '.join(sorted(TEMPERATURES))}"
            )
        if not math.isfinite(sku.picks_per_day) or sku.picks_per_day < 0:
            raise ValueError(f"SKU {sku.id}: picks_per_day must be a finite number >= 0")
        if sku.volume_cm3 < 0 or sku.weight_g < 0:
            raise ValueError(f"SKU {sku.id}: volume_cm3 and weight_g must not be negative")
        if sku.current_face is not None:
            face = face_by_id.get(sku.current_face)
            if face is None:
                raise ValueError(
                    f"SKU {sku.id}: current_face {sku.current_face} is not a known face"
                )
            if sku.current_face in occupant:
                raise ValueError(
                    f"face {sku.current_face} holds both SKU {occupant[sku.current_face]} "
                    f"and SKU {sku.id}: one SKU per face"
                )
            if not fits(sku, face):
                raise ValueError(
                    f"SKU {sku.id} sits in face {face.id}, which does not fit it "
                    "(temperature, volume, weight or hazmat)"
                )
            occupant[sku.current_face] = sku.id
        elif not any(fits(sku, face) for face in faces):
            raise ValueError(f"SKU {sku.id} fits no face (temperature, volume, weight, hazmat)")


def _face_order(face: PickFace) -> tuple[float, bool, int, int, int]:
    """Nearest first; at equal distance golden zone first, then the smallest face."""
    return (face.distance_m, not face.golden_zone, face.volume_cm3, face.max_weight_g, face.id)


def _sku_order(sku: SlottedSku) -> tuple[float, int]:
    """Fastest first."""
    return (-sku.picks_per_day, sku.id)


def _greedy(skus: Sequence[SlottedSku], faces: Sequence[PickFace]) -> dict[int, int]:
    """The greedy ABC rule on valid input."""
    buckets: dict[tuple[str, bool], list[PickFace]] = defaultdict(list)
    for face in faces:
        buckets[face.temperature, face.hazmat].append(face)
    for bucket in buckets.values():
        bucket.sort(key=_face_order)
    first_free = dict.fromkeys(buckets, 0)  # every face before this index is taken
    taken: set[int] = set()
    assignment: dict[int, int] = {}
    for sku in sorted(skus, key=_sku_order):
        key = (sku.temperature, sku.hazardous)
        bucket = buckets.get(key, [])
        index = first_free.get(key, 0)
        while index < len(bucket) and bucket[index].id in taken:
            index += 1
        first_free[key] = index
        for face in itertools.islice(bucket, index, None):
            if face.id not in taken and fits(sku, face):
                taken.add(face.id)
                assignment[sku.id] = face.id
                break
    return assignment


def _keeps_slotted(assignment: Mapping[int, int], current: Mapping[int, int]) -> bool:
    """Whether every SKU that has a face now still has one."""
    return all(sku_id in assignment for sku_id in current)


def _allowed(
    assignment: Mapping[int, int], current: Mapping[int, int], max_moves: int | None
) -> bool:
    """Whether the assignment changes at most `max_moves` SKUs' faces."""
    if max_moves is None:
        return True
    return sum(1 for s, f in assignment.items() if current.get(s) != f) <= max_moves


@dataclass
class _Group:
    """Interchangeable faces: same distance, zone, capacity and golden flag."""

    distance_m: float
    golden: bool
    faces: list[int]


@dataclass(frozen=True)
class _Option:
    """Where a SKU may end up: a group of faces (None: reserve), and whether that is a move."""

    group: int | None
    moved: bool
    cost: int


class _SlottingModel:
    """The re-slotting model over groups of interchangeable faces and pruned candidates.

    Each SKU takes exactly one option: stay in its current face (or in reserve, if it has no
    face), or move to one of its candidate groups. A group takes no more SKUs than it has faces,
    counting the SKUs that stay in it; with a move limit, at most that many options are moves.
    A choice is one option index per SKU, in the order of `skus`.
    """

    def __init__(
        self, skus: Sequence[SlottedSku], faces: Sequence[PickFace], anchors: Mapping[int, int]
    ) -> None:
        self.skus = sorted(skus, key=lambda sku: sku.id)
        by_key: dict[tuple[str, bool, float, bool, int, int], list[int]] = defaultdict(list)
        for face in sorted(faces, key=_face_order):
            key = (
                face.temperature,
                face.hazmat,
                face.distance_m,
                face.golden_zone,
                face.volume_cm3,
                face.max_weight_g,
            )
            by_key[key].append(face.id)
        self.groups: list[_Group] = []
        self.group_of_face: dict[int, int] = {}
        # Per zone and capacity, the groups nearest first.
        self.zone_lists: dict[tuple[str, bool], dict[tuple[int, int], list[int]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for key, face_ids in by_key.items():
            temperature, hazmat, distance, golden, volume, weight = key
            index = len(self.groups)
            self.groups.append(_Group(distance_m=distance, golden=golden, faces=face_ids))
            for face_id in face_ids:
                self.group_of_face[face_id] = index
            self.zone_lists[temperature, hazmat][volume, weight].append(index)
        occupied = {sku.current_face for sku in self.skus}
        self.free = [sum(f not in occupied for f in group.faces) for group in self.groups]
        self.reserve_m = max((face.distance_m for face in faces), default=0.0)
        self._fit_lists: dict[
            tuple[str, bool, frozenset[tuple[int, int]]], tuple[list[int], dict[int, int]]
        ] = {}
        ranked = sorted(self.skus, key=_sku_order)
        self.golden_penalty = {
            sku.id: round(_GOLDEN_WEIGHT * (len(ranked) - rank) / len(ranked))
            for rank, sku in enumerate(ranked)
        }
        self.options = [self._options(sku, anchors.get(sku.id)) for sku in self.skus]
        self._arcs: tuple[np.ndarray, ...] | None = None
        # Both solvers work in 64-bit integers (the flow scales costs by the node count).
        costs = [option.cost for options in self.options for option in options]
        nodes = len(self.skus) + len(self.groups) + 2
        if costs and (max(costs) * nodes >= 2**62 or sum(costs) >= 2**62):
            raise ValueError(
                "picks_per_day times distance_m is too large to cost in millimetres per day;"
                " check the units"
            )

    def _fitting_groups(self, sku: SlottedSku) -> tuple[list[int], dict[int, int]]:
        """The groups the SKU fits, nearest first, and the position of each in that list."""
        zone = (sku.temperature, sku.hazardous)
        capacities = frozenset(
            (volume, weight)
            for volume, weight in self.zone_lists.get(zone, {})
            if sku.volume_cm3 <= volume and sku.weight_g <= weight
        )
        key = (*zone, capacities)
        if key not in self._fit_lists:
            lists = self.zone_lists[zone]
            fitting = sorted(
                (g for capacity in capacities for g in lists[capacity]),
                key=lambda g: (self.groups[g].distance_m, not self.groups[g].golden, g),
            )
            self._fit_lists[key] = (fitting, {g: i for i, g in enumerate(fitting)})
        return self._fit_lists[key]

    def _window(self, fitting: list[int], around: int, size: int) -> list[int]:
        """Groups on both sides of position `around` covering about `size` faces each way."""
        chosen = [fitting[around]]
        for step in (-1, 1):
            covered, position = 0, around + step
            while 0 <= position < len(fitting) and covered < size:
                chosen.append(fitting[position])
                covered += len(self.groups[fitting[position]].faces)
                position += step
        return chosen

    def _options(self, sku: SlottedSku, anchor_face: int | None) -> list[_Option]:
        """Staying put first, then the candidate groups the SKU may move to."""
        fitting, position = self._fitting_groups(sku)
        chosen: set[int] = set()
        covered = 0
        for g in fitting:
            if covered >= _NEAREST_FACES:
                break
            chosen.add(g)
            covered += len(self.groups[g].faces)
        covered = 0
        for g in fitting:
            if covered >= _NEAREST_FREE_FACES:
                break
            if self.free[g]:
                chosen.add(g)
                covered += self.free[g]
        for face_id, size in (
            (anchor_face, _GREEDY_WINDOW_FACES),
            (sku.current_face, _CURRENT_WINDOW_FACES),
        ):
            if face_id is not None:
                chosen.update(self._window(fitting, position[self.group_of_face[face_id]], size))
        if sku.current_face is None:
            options = [_Option(None, False, self._cost(sku, self.reserve_m, True, False))]
        else:
            here = self.group_of_face[sku.current_face]
            chosen.discard(here)
            group = self.groups[here]
            options = [_Option(here, False, self._cost(sku, group.distance_m, group.golden, False))]
        for g in sorted(chosen):
            group = self.groups[g]
            options.append(_Option(g, True, self._cost(sku, group.distance_m, group.golden, True)))
        return options

    def _cost(self, sku: SlottedSku, distance_m: float, golden: bool, moved: bool) -> int:
        """Integer objective term for the SKU at that distance."""
        walk = round(2 * _UNITS_PER_M * sku.picks_per_day * distance_m)
        return (
            _WALK_WEIGHT * walk
            + (_MOVE_WEIGHT if moved else 0)
            + (0 if golden else self.golden_penalty[sku.id])
        )

    @property
    def size(self) -> int:
        """Number of options (the model's booleans)."""
        return sum(len(options) for options in self.options)

    def objective(self, choice: Sequence[int]) -> int:
        """The model's objective for a choice."""
        return sum(options[c].cost for options, c in zip(self.options, choice, strict=True))

    def moves(self, choice: Sequence[int]) -> int:
        """How many SKUs the choice moves."""
        return sum(options[c].moved for options, c in zip(self.options, choice, strict=True))

    def choice_of(self, assignment: Mapping[int, int]) -> list[int] | None:
        """The choice that realises a face assignment, None if the model cannot express it."""
        choice = []
        for sku, options in zip(self.skus, self.options, strict=True):
            face_id = assignment.get(sku.id)
            group = None if face_id is None else self.group_of_face[face_id]
            index = next((i for i, o in enumerate(options) if o.group == group), None)
            if index is None:
                return None
            choice.append(index)
        return choice

    def assignment_of(self, choice: Sequence[int]) -> dict[int, int]:
        """Faces for a choice: SKUs that stay keep theirs, movers take the free ones in order."""
        assignment: dict[int, int] = {}
        movers: list[tuple[int, int]] = []
        for sku, options, c in zip(self.skus, self.options, choice, strict=True):
            option = options[c]
            if option.moved and option.group is not None:
                movers.append((sku.id, option.group))
            elif sku.current_face is not None:
                assignment[sku.id] = sku.current_face
        occupied = set(assignment.values())
        free = {
            g: iter([f for f in group.faces if f not in occupied])
            for g, group in enumerate(self.groups)
        }
        for sku_id, g in movers:
            assignment[sku_id] = next(free[g])
        return assignment

    def _network(self) -> tuple[np.ndarray, ...]:
        """Arcs of the flow network: SKU -> group -> sink, or SKU -> sink to stay in reserve."""
        n, sink = len(self.skus), len(self.skus)
        rows = [
            (i, index, sink if o.group is None else n + 1 + o.group, o.cost, o.moved)
            for i, options in enumerate(self.options)
            for index, o in enumerate(options)
        ]
        sku, index, head, cost, moved = np.array(rows, dtype=np.int64).reshape(-1, 5).T
        return sku, index, head, cost, moved

    def flow(self, move_price: int) -> list[int]:
        """The best choice with `move_price` added to every move, ignoring any move limit:
        a min-cost flow, exact because the model without a move limit is a transportation
        problem (SKUs supply one unit each, groups take as many as they have faces)."""
        if self._arcs is None:
            self._arcs = self._network()
        sku, index, head, cost, moved = self._arcs
        n, groups = len(self.skus), len(self.groups)
        sizes = np.array([len(group.faces) for group in self.groups], dtype=np.int64)
        network = min_cost_flow.SimpleMinCostFlow()
        network.add_arcs_with_capacity_and_unit_cost(
            np.concatenate([sku, np.arange(n + 1, n + 1 + groups)]).astype(np.int32),
            np.concatenate([head, np.full(groups, n)]).astype(np.int32),
            np.concatenate([np.ones(len(sku), dtype=np.int64), sizes]),
            np.concatenate([cost + move_price * moved, np.zeros(groups, dtype=np.int64)]),
        )
        supplies = np.zeros(n + 1 + groups, dtype=np.int64)
        supplies[:n] = 1
        supplies[n] = -n
        network.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
        status = network.solve()
        if status != network.OPTIMAL:
            raise RuntimeError(f"min-cost flow failed with status {status}")
        used = network.flows(np.arange(len(sku), dtype=np.int32)) > 0
        choice = np.zeros(n, dtype=np.int64)
        choice[sku[used]] = index[used]
        return [int(c) for c in choice]

    def within_moves(
        self, max_moves: int | None, deadline: float
    ) -> tuple[list[int], list[int], int]:
        """Plans on both sides of the move limit, and a lower bound on any plan within it.

        Without a limit (or when the best plan fits it) the flow is exact. Otherwise every move
        is priced (Lagrangian relaxation) and the price bisected until the flow's plan fits.
        Returns the best plan found that fits, the plan at the highest price that still moved
        too many SKUs, and the bound: for any price p, flow(p) - p * max_moves is at most the
        limited optimum, so a plan that fits with exactly `max_moves` moves is optimal.
        """
        free_moves = self.flow(0)
        bound = self.objective(free_moves)
        if max_moves is None or self.moves(free_moves) <= max_moves:
            return free_moves, free_moves, bound
        fits_limit, over = [0] * len(self.skus), free_moves  # everything stays; no limit
        low, high = (
            0,
            1
            + max(
                (options[0].cost - o.cost for options in self.options for o in options[1:]),
                default=0,
            ),
        )
        while high - low > 1 and time.perf_counter() < deadline:
            price = (low + high) // 2
            choice = self.flow(price)
            moves, value = self.moves(choice), self.objective(choice)
            bound = max(bound, value + price * (moves - max_moves))
            if moves > max_moves:
                low, over = price, choice
                continue
            high = price
            if value < self.objective(fits_limit):
                fits_limit = choice
            if moves == max_moves:
                break
        return fits_limit, over, bound

    def solve(
        self,
        hint: Sequence[int],
        *,
        bound: int,
        free: set[int] | None,
        max_moves: int | None,
        deadline: float,
        time_limit_s: float,
        workers: int,
        seed: int,
    ) -> tuple[list[int] | None, bool]:
        """CP-SAT's best choice from the hint (None if it found none), and whether it is proved
        optimal. With `free`, only those SKUs may leave their hinted option."""
        model = cp_model.CpModel()
        taken: list[list[tuple[int, cp_model.IntVar]]] = []
        into: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        moved: list[cp_model.IntVar] = []
        terms: list[tuple[cp_model.IntVar, int]] = []
        for i, options in enumerate(self.options):
            row = []
            for index, option in enumerate(options):
                if free is not None and i not in free and index != hint[i]:
                    continue
                var = model.new_bool_var(f"x{i}_{index}")
                row.append((index, var))
                terms.append((var, option.cost))
                if option.group is not None:
                    into[option.group].append(var)
                if option.moved:
                    moved.append(var)
                model.add_hint(var, hint[i] == index)
            model.add_exactly_one(var for _, var in row)
            taken.append(row)
        for g, variables in into.items():
            if len(variables) > len(self.groups[g].faces):
                model.add(sum(variables) <= len(self.groups[g].faces))
        if max_moves is not None and len(moved) > max_moves:
            model.add(sum(moved) <= max_moves)
        objective = cp_model.LinearExpr.weighted_sum(*zip(*terms, strict=True))
        model.add(objective >= bound)
        model.minimize(objective)

        solver = cp_model.CpSolver()
        # The deterministic limit keeps runs repeatable; the wall-clock one keeps the promise.
        solver.parameters.max_time_in_seconds = max(deadline - time.perf_counter(), 0.05)
        solver.parameters.max_deterministic_time = time_limit_s
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, False
        choice = [next(index for index, var in row if solver.boolean_value(var)) for row in taken]
        whole_model = free is None and status == cp_model.OPTIMAL
        return choice, whole_model or self.objective(choice) <= bound


def _ordered_moves(
    assignment: Mapping[int, int], current: Mapping[int, int], skus: Sequence[SlottedSku]
) -> tuple[SlotMove, ...]:
    """The moves, each after the move that empties its target face where there is one."""
    moves = {
        sku.id: SlotMove(sku.id, current.get(sku.id), assignment[sku.id])
        for sku in sorted(skus, key=lambda sku: sku.id)
        if sku.id in assignment and assignment[sku.id] != current.get(sku.id)
    }
    occupant = {face_id: sku_id for sku_id, face_id in current.items()}
    ordered: list[SlotMove] = []
    done: set[int] = set()
    for sku_id in moves:
        chain: list[int] = []
        walker: int | None = sku_id
        # Follow "target face is held by a SKU that moves too" until the chain ends or loops.
        while walker is not None and walker in moves and walker not in done:
            done.add(walker)
            chain.append(walker)
            walker = occupant.get(moves[walker].to_face)
        ordered.extend(moves[s] for s in reversed(chain))
    return tuple(ordered)

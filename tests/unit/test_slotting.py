from __future__ import annotations

import dataclasses
import math
import random

import pytest

from routing.slotting import (
    PickFace,
    SlotMove,
    SlottedSku,
    expected_walking,
    fits,
    greedy_abc,
    plan_slotting,
)


def face(face_id, distance, temperature="ambient", volume=100, weight=100, **flags):
    return PickFace(face_id, distance, temperature, volume, weight, **flags)


def sku(sku_id, picks, current, temperature="ambient", volume=10, weight=10, **flags):
    return SlottedSku(sku_id, picks, temperature, volume, weight, current, **flags)


def random_fc(rng, n_faces, n_skus):
    """Faces in three zones with mixed sizes; SKUs put away in random order to a fitting face."""
    faces = []
    for face_id in range(1, n_faces + 1):
        zone = rng.random()
        faces.append(
            PickFace(
                id=face_id,
                distance_m=round(rng.uniform(3, 60), 1) if rng.random() < 0.7 else 10.0,
                temperature="chilled" if zone < 0.2 else "ambient",
                volume_cm3=rng.choice((20, 50, 120)),
                max_weight_g=rng.choice((30, 200)),
                golden_zone=rng.random() < 0.4,
                hazmat=zone > 0.9,
            )
        )
    skus, taken = [], set()
    for sku_id in range(1, n_skus + 1):
        zone = rng.random()
        candidate = SlottedSku(
            id=sku_id,
            picks_per_day=round(rng.paretovariate(1.2), 2),
            temperature="chilled" if zone < 0.2 else "ambient",
            volume_cm3=rng.randint(1, 110),
            weight_g=rng.randint(1, 150),
            current_face=None,
            hazardous=zone > 0.92,
        )
        free = [f.id for f in faces if f.id not in taken and fits(candidate, f)]
        if not any(fits(candidate, f) for f in faces):
            continue
        current = rng.choice(free) if free and rng.random() < 0.9 else None
        if current is not None:
            taken.add(current)
        skus.append(
            SlottedSku(
                sku_id,
                candidate.picks_per_day,
                candidate.temperature,
                candidate.volume_cm3,
                candidate.weight_g,
                current,
                candidate.hazardous,
            )
        )
    return skus, faces


def brute_force(skus, faces, max_moves=None):
    """Least walking over every valid assignment, by enumeration."""
    best = math.inf

    def extend(index, assignment, used, moves):
        nonlocal best
        if max_moves is not None and moves > max_moves:
            return
        if index == len(skus):
            best = min(best, expected_walking(assignment, skus, faces))
            return
        item = skus[index]
        if item.current_face is None:
            extend(index + 1, assignment, used, moves)
        for f in faces:
            if f.id not in used and fits(item, f):
                assignment[item.id] = f.id
                extend(index + 1, assignment, used | {f.id}, moves + (f.id != item.current_face))
                del assignment[item.id]

    extend(0, {}, frozenset(), 0)
    return best


def assert_valid(plan, skus, faces, max_moves=None):
    by_face = {f.id: f for f in faces}
    by_sku = {s.id: s for s in skus}
    assert len(set(plan.assignment.values())) == len(plan.assignment), "one SKU per face"
    for sku_id, face_id in plan.assignment.items():
        assert fits(by_sku[sku_id], by_face[face_id]), (sku_id, face_id)
    for s in skus:
        if s.current_face is not None:
            assert s.id in plan.assignment, f"SKU {s.id} lost its face"
    changed = {
        s.id for s in skus if s.id in plan.assignment and plan.assignment[s.id] != s.current_face
    }
    assert {m.sku_id for m in plan.moves} == changed
    assert len(plan.moves) == len(changed)
    for move in plan.moves:
        assert move.from_face == by_sku[move.sku_id].current_face
        assert move.to_face == plan.assignment[move.sku_id]
    if max_moves is not None:
        assert len(plan.moves) <= max_moves
    current = {s.id: s.current_face for s in skus if s.current_face is not None}
    assert plan.current_walking_m == pytest.approx(expected_walking(current, skus, faces))
    assert plan.planned_walking_m == pytest.approx(expected_walking(plan.assignment, skus, faces))
    assert plan.saving_m == pytest.approx(plan.current_walking_m - plan.planned_walking_m)
    assert plan.planned_walking_m <= plan.current_walking_m + 1e-9
    assert plan.status in {"optimal", "feasible", "unchanged"}
    assert (plan.status == "unchanged") == (not plan.moves)


def test_expected_walking_is_picks_times_the_round_trip():
    faces = [face(1, 5.0), face(2, 20.0)]
    skus = [sku(1, 10, 1), sku(2, 3, 2)]
    assert expected_walking({1: 1, 2: 2}, skus, faces) == pytest.approx(10 * 2 * 5 + 3 * 2 * 20)


def test_a_sku_without_a_face_is_costed_at_the_farthest_face():
    faces = [face(1, 5.0), face(2, 20.0)]
    skus = [sku(1, 10, None)]
    assert expected_walking({}, skus, faces) == pytest.approx(10 * 2 * 20)


def test_greedy_gives_the_fastest_sku_the_nearest_face_that_fits():
    faces = [face(1, 9.0), face(2, 3.0, volume=5), face(3, 4.0), face(4, 6.0)]
    skus = [sku(1, 1, 1), sku(2, 50, 4), sku(3, 8, 3, volume=2)]
    assert greedy_abc(skus, faces) == {2: 3, 3: 2, 1: 4}


@pytest.mark.parametrize("seed", range(12))
def test_finds_the_optimum_of_a_tiny_instance(seed):
    skus, faces = random_fc(random.Random(seed), n_faces=7, n_skus=5)
    plan = plan_slotting(skus, faces)
    assert_valid(plan, skus, faces)
    assert plan.planned_walking_m == pytest.approx(brute_force(skus, faces), abs=0.01)
    assert plan.status in {"optimal", "unchanged"}


# Many of these leave a gap between the priced-move flow and its bound that CP-SAT must close
# (seeds 134, 141 and 156 with one move, for instance, where the best move is neither side's).
@pytest.mark.parametrize(("seed", "max_moves"), [(s, m) for s in range(100, 160) for m in (1, 2)])
def test_finds_the_optimum_of_a_tiny_instance_under_a_move_limit(seed, max_moves):
    skus, faces = random_fc(random.Random(seed), n_faces=7, n_skus=6)
    plan = plan_slotting(skus, faces, max_moves=max_moves)
    assert_valid(plan, skus, faces, max_moves)
    assert plan.planned_walking_m == pytest.approx(brute_force(skus, faces, max_moves), abs=0.01)


@pytest.mark.parametrize("seed", range(6))
def test_never_breaks_a_rule_nor_walks_more_than_current_or_greedy(seed):
    skus, faces = random_fc(random.Random(seed), n_faces=80, n_skus=60)
    plan = plan_slotting(skus, faces)
    assert_valid(plan, skus, faces)
    greedy = greedy_abc(skus, faces)
    if all(s.id in greedy for s in skus if s.current_face is not None):
        assert plan.planned_walking_m <= expected_walking(greedy, skus, faces) + 1e-6


@pytest.mark.parametrize(("seed", "max_moves"), [(1, 0), (2, 3), (3, 10), (4, 25)])
def test_moves_at_most_the_limit(seed, max_moves):
    skus, faces = random_fc(random.Random(seed), n_faces=80, n_skus=60)
    unlimited = plan_slotting(skus, faces)
    plan = plan_slotting(skus, faces, max_moves=max_moves)
    assert_valid(plan, skus, faces, max_moves)
    assert plan.planned_walking_m >= unlimited.planned_walking_m - 1e-6
    if max_moves == 0:
        assert plan.status == "unchanged"
        assert plan.saving_m == 0


def test_a_short_time_limit_still_gives_a_valid_plan_no_worse_than_current():
    skus, faces = random_fc(random.Random(5), n_faces=300, n_skus=240)
    plan = plan_slotting(skus, faces, max_moves=20, time_limit_s=0.05)
    assert_valid(plan, skus, faces, max_moves=20)


@pytest.mark.parametrize(("n_faces", "seed", "max_moves"), [(300, 9, 30), (80, 6, 1), (80, 3, 10)])
def test_same_seed_same_plan(n_faces, seed, max_moves):
    skus, faces = random_fc(random.Random(seed), n_faces=n_faces, n_skus=n_faces * 3 // 4)
    first = plan_slotting(skus, faces, max_moves=max_moves, seed=3)
    second = plan_slotting(skus, faces, max_moves=max_moves, seed=3)
    assert first == dataclasses.replace(second, solve_seconds=first.solve_seconds)


def test_leaves_an_optimal_assignment_unchanged():
    faces = [face(1, 2.0), face(2, 4.0), face(3, 8.0)]
    skus = [sku(1, 30, 1), sku(2, 20, 2), sku(3, 10, 3)]
    plan = plan_slotting(skus, faces)
    assert plan.status == "unchanged"
    assert plan.moves == ()
    assert plan.assignment == {1: 1, 2: 2, 3: 3}
    assert plan.saving_m == 0
    assert plan.saving_ratio == 0


def test_does_not_move_a_sku_when_no_walking_is_saved_not_even_for_the_golden_zone():
    faces = [face(1, 5.0, golden_zone=True), face(2, 5.0), face(3, 9.0)]
    skus = [sku(1, 10, 2), sku(2, 1, 1)]
    plan = plan_slotting(skus, faces)
    assert plan.status == "unchanged"
    assert plan.assignment == {1: 2, 2: 1}


def test_keeps_temperature_capacity_and_hazmat_apart():
    faces = [
        face(1, 1.0, temperature="chilled"),
        face(2, 2.0, hazmat=True),
        face(3, 3.0, volume=5),
        face(4, 4.0, weight=5),
        face(5, 50.0),
        face(6, 60.0, hazmat=True),
        face(7, 70.0, temperature="chilled"),
    ]
    skus = [
        sku(1, 100, 5, volume=10, weight=10),
        sku(2, 90, 6, hazardous=True),
        sku(3, 1, 7, temperature="chilled"),
    ]
    plan = plan_slotting(skus, faces)
    assert plan.assignment == {1: 5, 2: 2, 3: 1}
    assert_valid(plan, skus, faces)


def test_slots_a_new_sku_and_swaps_in_the_right_order():
    faces = [face(1, 2.0), face(2, 30.0), face(3, 40.0)]
    skus = [sku(1, 1, 1), sku(2, 80, 2), sku(3, 50, None)]
    plan = plan_slotting(skus, faces)
    assert plan.assignment == {1: 3, 2: 1, 3: 2}
    # Face 1 is emptied before SKU 2 moves in, face 2 before SKU 3 does.
    assert plan.moves == (SlotMove(1, 1, 3), SlotMove(2, 2, 1), SlotMove(3, None, 2))
    # SKU 3 had no face: it counted as picked from the farthest face (40 m).
    assert plan.current_walking_m == pytest.approx(2 * (1 * 2 + 80 * 30 + 50 * 40))
    assert plan.planned_walking_m == pytest.approx(2 * (1 * 40 + 80 * 2 + 50 * 30))


def test_moves_are_ordered_so_a_face_is_empty_before_a_sku_moves_in_except_in_a_cycle():
    skus, faces = random_fc(random.Random(21), n_faces=80, n_skus=70)
    plan = plan_slotting(skus, faces)
    holder = {s.current_face: s.id for s in skus if s.current_face is not None}
    pending = {m.sku_id for m in plan.moves}
    for move in plan.moves:
        occupant = holder.get(move.to_face)
        if occupant is not None:
            # Only a SKU that is still to move may be in the way: a cycle, staged once.
            assert occupant in pending
        pending.discard(move.sku_id)
        if move.from_face is not None and holder.get(move.from_face) == move.sku_id:
            del holder[move.from_face]
        holder[move.to_face] = move.sku_id
    assert {s: f for f, s in holder.items()} == plan.assignment


def test_fast_movers_take_the_golden_zone_at_equal_distance():
    faces = [face(1, 5.0), face(2, 5.0, golden_zone=True), face(3, 5.0), face(4, 50.0)]
    skus = [sku(1, 2, None), sku(2, 40, None), sku(3, 1, None)]
    plan = plan_slotting(skus, faces)
    assert set(plan.assignment.values()) == {1, 2, 3}
    assert plan.assignment[2] == 2


def test_a_sku_whose_only_free_face_is_the_farthest_stays_in_reserve():
    faces = [face(1, 5.0), face(2, 50.0)]
    skus = [sku(1, 9, 1), sku(2, 1, None)]
    plan = plan_slotting(skus, faces)
    assert plan.status == "unchanged"
    assert plan.assignment == {1: 1}


@pytest.mark.parametrize(
    ("skus", "faces", "message"),
    [
        ([sku(1, 1, None)], [face(1, 1.0), face(1, 2.0)], "face id 1 appears more than once"),
        ([sku(1, 1, None), sku(1, 2, None)], [face(1, 1.0)], "SKU id 1 appears more than once"),
        ([sku(1, 1, 9)], [face(1, 1.0)], "current_face 9 is not a known face"),
        ([sku(1, 1, 1), sku(2, 1, 1)], [face(1, 1.0)], "face 1 holds both SKU 1 and SKU 2"),
        ([sku(1, 1, 1, volume=500)], [face(1, 1.0)], "SKU 1 sits in face 1, which does not fit"),
        ([sku(1, 1, None, hazardous=True)], [face(1, 1.0)], "SKU 1 fits no face"),
        ([sku(1, 1, None, temperature="warm")], [face(1, 1.0)], "temperature 'warm'"),
        ([sku(1, 1, None)], [face(1, 1.0, temperature="cold")], "face 1: temperature 'cold'"),
        ([sku(1, -2, None)], [face(1, 1.0)], "SKU 1: picks_per_day"),
        ([sku(1, math.nan, None)], [face(1, 1.0)], "SKU 1: picks_per_day"),
        ([sku(1, 1, None)], [face(1, math.inf)], "face 1: distance_m"),
        ([sku(1, 1, None)], [face(1, 1.0, volume=0)], "face 1: volume_cm3"),
        ([sku(1, 1, None, weight=-1)], [face(1, 1.0)], "SKU 1: volume_cm3 and weight_g"),
    ],
)
def test_refuses_bad_input_naming_the_problem(skus, faces, message):
    with pytest.raises(ValueError, match=message):
        plan_slotting(skus, faces)
    with pytest.raises(ValueError, match=message):
        greedy_abc(skus, faces)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_moves": -1}, "max_moves"),
        ({"time_limit_s": 0}, "time_limit_s"),
        ({"workers": 0}, "workers"),
    ],
)
def test_refuses_bad_options(options, message):
    with pytest.raises(ValueError, match=message):
        plan_slotting([sku(1, 1, None)], [face(1, 1.0)], **options)


def test_refuses_numbers_too_large_to_cost_exactly():
    with pytest.raises(ValueError, match="too large"):
        plan_slotting([sku(1, 1e12, 1)], [face(1, 1.0e6), face(2, 2.0)])


def test_an_empty_fc_needs_no_plan():
    assert plan_slotting([], []).status == "unchanged"
    plan = plan_slotting([], [face(1, 1.0)])
    assert plan.status == "unchanged"
    assert plan.assignment == {}
    assert plan.current_walking_m == 0

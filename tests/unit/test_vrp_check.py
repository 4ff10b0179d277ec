"""The plan checker: schedules worked out by hand, and every broken rule named."""

from __future__ import annotations

import pytest

from routing.vrp import Problem, ProblemError, Stop, TimeWindow, UnservedReason, Vehicle
from routing.vrp_check import evaluate, time_route

# Depot at 0, stops at 10, 20 and 50 on a line; a van that may leave at 100.
MATRIX = [[abs(a - b) for b in (0, 10, 20, 50)] for a in (0, 10, 20, 50)]


def problem(**vehicle: object) -> Problem:
    stops = (
        Stop("a", 1, (3.0, 1.0), window=TimeWindow(150.0, 160.0), service_time=5.0),
        Stop("b", 2, (4.0, 1.0), window=TimeWindow(100.0, 300.0), service_time=5.0),
        Stop("c", 3, (2.0, 1.0), service_time=10.0, penalty=40.0),
    )
    van = Vehicle(
        "van",
        **{"capacity": (10.0, 5.0), "shift": TimeWindow(100.0, 400.0), **vehicle},  # type: ignore[arg-type]
    )
    return Problem(MATRIX, MATRIX, stops, (van,), dimensions=("kg", "parcels"))


def test_a_route_is_timed_as_early_as_it_can_be_and_leaves_as_late_as_waiting_allows():
    route, broken = time_route(problem(), problem().vehicle("van"), ["a", "b", "c"])
    assert broken == []
    # Leaving at 100, the van would wait at a from 110 to 150: it leaves at 140 instead.
    assert route.leave == 140.0
    assert [(v.arrival, v.start, v.departure) for v in route.visits] == [
        (150.0, 150.0, 155.0),
        (165.0, 165.0, 170.0),
        (200.0, 200.0, 210.0),
    ]
    assert route.back == 260.0
    assert route.duration == 120.0
    assert route.distance == 10 + 10 + 30 + 50
    assert route.load == (9.0, 3.0)
    assert [v.load_after for v in route.visits] == [(6.0, 2.0), (2.0, 1.0), (0.0, 0.0)]
    assert route.cost == 100.0


def test_leaving_later_never_pushes_a_stop_past_its_window():
    # b first: leaving at 100 it starts b at 120, reaches a at 135 and waits until 150.
    route, broken = time_route(problem(), problem().vehicle("van"), ["b", "a"])
    assert broken == []
    # Leaving 15 later absorbs that wait and keeps every start within its window.
    assert route.leave == 115.0
    assert [v.start for v in route.visits] == [135.0, 150.0]
    assert route.back == 165.0


def test_costs_are_the_fixed_cost_plus_the_rate_per_distance():
    costly = problem(fixed_cost=25.0, cost_per_distance=0.5)
    route, _ = time_route(costly, costly.vehicle("van"), ["c"])
    assert route.cost == pytest.approx(25.0 + 0.5 * 100)


def test_every_broken_rule_is_named():
    tight = problem(capacity=(8.0, 5.0), shift=TimeWindow(100.0, 200.0), max_duration=60.0)
    evaluation = evaluate(tight, {"van": ["b", "a", "c", "zz"], "truck": ["a"]})
    assert not evaluation.feasible
    # b at 135 (after leaving at 115), a at 150, c at 195, back at 255.
    assert evaluation.violations == (
        "stop 'zz' (vehicle 'van') is not a stop",
        "vehicle 'van': back at 255, after its shift ends (200)",
        "vehicle 'van': the route lasts 140, over its maximum 60",
        "vehicle 'van': carries 9 kg, over its capacity 8",
        "vehicle 'truck' is not in the fleet",
    )


def test_a_late_start_and_a_stop_served_twice_are_violations():
    evaluation = evaluate(problem(), {"van": ["c", "a", "c"]})
    assert evaluation.violations[0] == ("stop 'c' is served twice (vehicles 'van' and 'van')")
    # c at 150 to 160, then a at 200: no waiting to absorb, so the van leaves at 100.
    assert "vehicle 'van': stop 'a' starts at 200, after its window closes (160)" in (
        evaluation.violations
    )
    assert "stop 'b' must be served but is not" in evaluation.violations


def test_stops_left_out_carry_their_penalty():
    evaluation = evaluate(problem(), {"van": ["a", "b"]})
    assert evaluation.feasible
    (left,) = evaluation.plan.unserved
    assert (left.stop_id, left.reason) == ("c", UnservedReason.FLEET_FULL)
    assert evaluation.plan.penalty == 40.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"distances": [[0, 1], [1]]}, "distances: must be a square matrix"),
        ({"durations": [[0, -1], [1, 0]]}, "durations: entries cannot be negative"),
        ({"stops": (Stop("a", 0),)}, "stop 'a': location 0 is not a customer location"),
        ({"stops": (Stop("a", 1, (1.0,)),)}, "stop 'a': demand needs 0 values"),
        ({"stops": (Stop("a", 1), Stop("a", 1))}, "stop id 'a' appears twice"),
        ({"vehicles": ()}, "vehicles: at least one vehicle is needed"),
        (
            {"vehicles": (Vehicle("v", max_duration=0.0),)},
            "maximum duration must be a positive number",
        ),
        ({"depot": 5}, "depot 5 is not a location"),
    ],
)
def test_bad_problems_are_refused_naming_the_field(change, message):
    fields = {
        "distances": [[0, 1], [1, 0]],
        "durations": [[0, 1], [1, 0]],
        "stops": (Stop("a", 1),),
        "vehicles": (Vehicle("v"),),
    }
    fields.update(change)
    with pytest.raises(ProblemError, match=message):
        Problem(**fields)  # type: ignore[arg-type]


def test_a_window_that_closes_before_it_opens_is_refused():
    with pytest.raises(ProblemError, match="closes"):
        TimeWindow(10.0, 5.0)

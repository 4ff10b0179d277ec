from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from routing.aisle_graph import DEPOT, GridLayout, RackAisle, build_graph

# Three aisles 3 m apart, two blocks of four 1 m bays, 2 m cross aisles: cross aisles at
# y = 0, 6 and 12; bay b of block k stands at y = 6k + 1.5 + b.
SMALL = GridLayout(
    aisles=3,
    blocks=2,
    bays_per_block=4,
    bay_m=1.0,
    aisle_pitch_m=3.0,
    cross_aisle_m=2.0,
    depot_x_m=0.0,
)


def key(aisle, block, bay):
    return SMALL.slot_key({"aisle": aisle, "block": block, "bay": bay, "side": "L"})


@pytest.mark.parametrize(
    ("a", "b", "metres"),
    [
        # Same aisle and block: straight along the aisle.
        (key(1, 0, 0), key(1, 0, 3), 3.0),
        # Neighbouring aisles, near the front: out to the front cross aisle, across, back in.
        (key(0, 0, 0), key(1, 0, 0), 1.5 + 3.0 + 1.5),
        # Neighbouring aisles, near the back: through the middle cross aisle.
        (key(0, 0, 3), key(1, 0, 3), 1.5 + 3.0 + 1.5),
        # Mid-aisle: both ways round cost the same.
        (key(0, 0, 1), key(1, 0, 2), 2.5 + 3.0 + 3.5),
        # Across blocks: up to the middle cross aisle, two aisles across, into the back block.
        (key(0, 0, 3), key(2, 1, 0), 1.5 + 6.0 + 1.5),
        # Same aisle, back-to-back blocks: straight through the middle cross aisle.
        (key(1, 0, 3), key(1, 1, 0), 3.0),
        # From the depot (front, x = 0) to the back corner.
        (DEPOT, key(2, 1, 3), 6.0 + 10.5),
        (DEPOT, key(0, 0, 0), 1.5),
    ],
)
def test_grid_distances_match_hand_computed_walks(a, b, metres):
    graph = SMALL.graph()
    assert graph.distance(a, b) == pytest.approx(metres)
    assert graph.distance(b, a) == pytest.approx(metres)


def test_depot_between_aisles_walks_along_the_front_cross_aisle():
    layout = GridLayout(3, 1, 4, 1.0, 3.0, 2.0, depot_x_m=4.5)
    graph = layout.graph()
    assert graph.distance(DEPOT, "a0-k0-b0") == pytest.approx(4.5 + 1.5)
    assert graph.distance(DEPOT, "a2-k0-b3") == pytest.approx(1.5 + 4.5)
    assert graph.point(DEPOT) == (4.5, 0.0)


def test_matrix_agrees_with_distance_and_handles_repeats_and_the_depot():
    graph = SMALL.graph()
    keys = [DEPOT, key(0, 0, 0), key(2, 1, 3), key(0, 0, 0), key(1, 1, 2), DEPOT]
    matrix = graph.matrix(keys)
    assert matrix.shape == (6, 6)
    assert matrix.dtype == np.float64
    for (i, a), (j, b) in itertools.product(enumerate(keys), repeat=2):
        assert matrix[i, j] == pytest.approx(graph.distance(a, b))
    assert matrix[1, 3] == 0.0
    assert matrix[0, 5] == 0.0
    np.testing.assert_allclose(matrix, matrix.T)


def test_distances_obey_the_triangle_inequality():
    graph = SMALL.graph()
    matrix = graph.matrix(list(graph.keys()))
    through = (matrix[:, :, None] + matrix[None, :, :]).min(axis=1)
    assert (matrix <= through + 1e-9).all()


def test_slot_key_and_points_follow_the_format():
    assert key(2, 1, 3) == "a2-k1-b3"
    assert SMALL.slot_key({"aisle": 2, "block": 1, "bay": 3, "side": "R"}) == "a2-k1-b3"
    assert SMALL.graph().point("a2-k1-b3") == (6.0, 6.0 + 1.0 + 3.5)
    with pytest.raises(ValueError, match="aisle"):
        SMALL.slot_key({"aisle": 3, "block": 0, "bay": 0})
    with pytest.raises(ValueError, match="bay"):
        SMALL.slot_key({"aisle": 0, "block": 0, "bay": -1})
    with pytest.raises(KeyError, match="a9-k0-b0"):
        SMALL.graph().distance(DEPOT, "a9-k0-b0")


def test_layout_from_json_reads_the_format_and_names_bad_fields():
    data = {
        "aisles": 10,
        "blocks": 1,
        "bays_per_block": 30,
        "bay_m": 1.0,
        "aisle_pitch_m": 3.0,
        "cross_aisle_m": 2,
        "depot": {"x_m": 0.0},
    }
    layout = GridLayout.from_json(data)
    assert layout == GridLayout(10, 1, 30, 1.0, 3.0, 2.0, 0.0)
    with pytest.raises(ValueError, match=r"layout\.blocks"):
        GridLayout.from_json({**data, "blocks": 0})
    with pytest.raises(ValueError, match=r"layout\.bay_m"):
        GridLayout.from_json({k: v for k, v in data.items() if k != "bay_m"})
    with pytest.raises(ValueError, match=r"layout\.depot"):
        GridLayout.from_json({**data, "depot": {}})
    with pytest.raises(ValueError, match=r"layout\.aisle_pitch_m"):
        GridLayout.from_json({**data, "aisle_pitch_m": "3"})


def app_like_graph():
    """Block A: aisles at x = 0 and 3, racking from y = 2 to 10. Block B further right and
    deeper: aisles at x = 10 and 13, racking from y = 6 to 14. Dispatch in front at (5, -2).

    With 2 m cross aisles: A's front cross aisle (y = 1) is the main aisle; B's front cross
    aisle is at y = 5, its aisles extended down to the main aisle; A's back one at y = 11, B's
    at y = 15 (not joined: the blocks' ends differ).
    """
    aisles = [
        RackAisle("A1", 0.0, 2.0, 10.0),
        RackAisle("A2", 3.0, 2.0, 10.0),
        RackAisle("B1", 10.0, 6.0, 14.0),
        RackAisle("B2", 13.0, 6.0, 14.0),
    ]
    bins = {
        "A1-03": ("A1", 3.0),
        "A2-10": ("A2", 10.0),
        "A1-09": ("A1", 9.0),
        "B1-08": ("B1", 8.0),
        "B2-14": ("B2", 14.0),
        "B2-13": ("B2", 13.0),
    }
    return build_graph(aisles, bins, depot=(5.0, -2.0), cross_aisle_m=2.0)


@pytest.mark.parametrize(
    ("a", "b", "metres"),
    [
        # Dispatch up to the main aisle (3), along it (5), up the aisle (2).
        (DEPOT, "A1-03", 3 + 5 + 2),
        # Dispatch to B: main aisle to x = 10, up the extended aisle to y = 8.
        (DEPOT, "B1-08", 3 + 5 + 7),
        # Same aisle.
        ("B2-13", "B2-14", 1),
        # Within block A through its back cross aisle (y = 11): 2 + 3 + 1.
        ("A1-09", "A2-10", 2 + 3 + 1),
        # A to B only by the front: down to y = 1, across 13 m, up to y = 14.
        ("A1-03", "B2-14", 2 + 13 + 13),
        # Within block B through its back cross aisle (y = 15): 7 + 3 + 1.
        ("B1-08", "B2-14", 7 + 3 + 1),
    ],
)
def test_build_graph_walks_an_app_like_two_block_layout(a, b, metres):
    graph = app_like_graph()
    assert graph.distance(a, b) == pytest.approx(metres)
    matrix = graph.matrix([a, b])
    assert matrix[0, 1] == pytest.approx(metres)


def test_build_graph_draws_its_floor_plan():
    graph = app_like_graph()
    segments = graph.segments()
    kinds = {segment.kind for segment in segments}
    assert kinds == {"aisle", "cross", "link"}
    # Every aisle is walkable a cross aisle's half-width beyond its racking.
    aisle_lines = [s for s in segments if s.kind == "aisle"]
    assert ((0.0, 1.0), (0.0, 11.0)) in [(s.start, s.end) for s in aisle_lines]
    assert graph.point("B1-08") == (10.0, 8.0)
    assert graph.point(DEPOT) == (5.0, -2.0)
    assert set(graph.keys()) == {DEPOT, "A1-03", "A2-10", "A1-09", "B1-08", "B2-14", "B2-13"}


def test_build_graph_rejects_bins_outside_their_aisle():
    aisles = [RackAisle("A1", 0.0, 2.0, 10.0)]
    with pytest.raises(ValueError, match="outside aisle 'A1'"):
        build_graph(aisles, {"X": ("A1", 12.0)}, depot=(0.0, 0.0))
    with pytest.raises(ValueError, match="'Z9'"):
        build_graph(aisles, {"X": ("Z9", 3.0)}, depot=(0.0, 0.0))
    with pytest.raises(ValueError, match="twice"):
        build_graph(aisles * 2, {}, depot=(0.0, 0.0))


def test_build_graph_of_a_grid_walks_like_the_grid_layout():
    layout = GridLayout(6, 2, 5, 1.0, 3.0, 2.0, depot_x_m=4.0)
    aisles, bins = [], {}
    for aisle, block in itertools.product(range(layout.aisles), range(layout.blocks)):
        start = layout.cross_y(block) + layout.cross_aisle_m / 2
        name = f"A{aisle}K{block}"
        aisles.append(RackAisle(name, layout.aisle_x(aisle), start, start + 5.0))
        for bay in range(layout.bays_per_block):
            bins[f"a{aisle}-k{block}-b{bay}"] = (name, layout.bay_y(block, bay))
    built = build_graph(aisles, bins, depot=(4.0, 0.0), cross_aisle_m=2.0)
    keys = list(layout.graph().keys())
    np.testing.assert_allclose(built.matrix(keys), layout.graph().matrix(keys))


def test_side_by_side_blocks_with_the_same_ends_share_cross_aisles():
    # Like the demo FC: blocks at x = 10..13 and 40..43 with the same racking depth; the back
    # cross aisle runs across the open floor between them.
    aisles = [RackAisle(f"A{x}", float(x), 4.0, 20.0) for x in (10, 13, 40, 43)]
    bins = {"near": ("A13", 19.0), "far": ("A40", 19.0)}
    graph = build_graph(aisles, bins, depot=(25.0, 0.0))
    assert graph.distance("near", "far") == pytest.approx(2 + 27 + 2)
    assert graph.distance(DEPOT, "far") == pytest.approx(3 + 15 + 16)


# --- walking paths, for drawing --------------------------------------------------------------


def polyline_length(points):
    return sum(math.dist(p, q) for p, q in itertools.pairwise(points))


def on_segment(point, segment):
    """Whether the point lies on the segment (within a micrometre)."""
    (x0, y0), (x1, y1) = segment.start, segment.end
    x, y = point
    along = math.dist(segment.start, point) + math.dist(point, segment.end)
    return abs(along - math.dist(segment.start, segment.end)) < 1e-6 and (
        min(x0, x1) - 1e-6 <= x <= max(x0, x1) + 1e-6
        and min(y0, y1) - 1e-6 <= y <= max(y0, y1) + 1e-6
    )


def assert_walks_along_the_lines(graph, points):
    """Every piece of the polyline lies along one walkable line: never through racking."""
    segments = graph.segments()
    for p, q in itertools.pairwise(points):
        assert p != q
        assert p[0] == pytest.approx(q[0]) or p[1] == pytest.approx(q[1]), (p, q)
        assert any(on_segment(p, s) and on_segment(q, s) for s in segments), (p, q)


@pytest.mark.parametrize(
    ("a", "b", "points"),
    [
        # Same aisle: straight along it.
        (key(1, 0, 0), key(1, 0, 3), [(3.0, 1.5), (3.0, 4.5)]),
        # Neighbouring aisles near the front: out to the front cross aisle, across, back in.
        (key(0, 0, 0), key(1, 0, 0), [(0.0, 1.5), (0.0, 0.0), (3.0, 0.0), (3.0, 1.5)]),
        # Near the back of the block: through the middle cross aisle (y = 6).
        (key(0, 0, 3), key(1, 0, 3), [(0.0, 4.5), (0.0, 6.0), (3.0, 6.0), (3.0, 4.5)]),
        # Across blocks: up to the middle cross aisle, past aisle 1's junction, into block 1.
        (
            key(0, 0, 3),
            key(2, 1, 0),
            [(0.0, 4.5), (0.0, 6.0), (3.0, 6.0), (6.0, 6.0), (6.0, 7.5)],
        ),
        # Same aisle, back-to-back blocks: straight across the middle cross aisle.
        (key(1, 0, 3), key(1, 1, 0), [(3.0, 4.5), (3.0, 6.0), (3.0, 7.5)]),
        # The depot stands where aisle 0 meets the front cross aisle: no repeated point.
        (DEPOT, key(0, 0, 2), [(0.0, 0.0), (0.0, 3.5)]),
        (key(2, 1, 3), key(2, 1, 3), [(6.0, 10.5)]),
    ],
)
def test_grid_paths_follow_hand_drawn_walks(a, b, points):
    graph = SMALL.graph()
    path = graph.path(a, b)
    np.testing.assert_allclose(path, points, atol=1e-9)
    assert polyline_length(path) == pytest.approx(graph.distance(a, b), abs=1e-6)
    assert_walks_along_the_lines(graph, path)


@pytest.mark.parametrize(
    ("a", "b", "points"),
    [
        # Dispatch up to the main aisle, along it (past the junction of aisle A2), up aisle A1.
        (DEPOT, "A1-03", [(5.0, -2.0), (5.0, 1.0), (3.0, 1.0), (0.0, 1.0), (0.0, 3.0)]),
        # Block A to block B only by the main aisle, then up B1's extension and into B1.
        (
            "A1-03",
            "B1-08",
            [(0.0, 3.0), (0.0, 1.0), (3.0, 1.0), (5.0, 1.0), (10.0, 1.0), (10.0, 5.0), (10.0, 8.0)],
        ),
        # Within block B by its back cross aisle (y = 15).
        ("B1-08", "B2-14", [(10.0, 8.0), (10.0, 15.0), (13.0, 15.0), (13.0, 14.0)]),
        # Within block A by its back cross aisle (y = 11).
        ("A1-09", "A2-10", [(0.0, 9.0), (0.0, 11.0), (3.0, 11.0), (3.0, 10.0)]),
    ],
)
def test_app_like_paths_follow_hand_drawn_walks(a, b, points):
    graph = app_like_graph()
    path = graph.path(a, b)
    np.testing.assert_allclose(path, points, atol=1e-9)
    assert polyline_length(path) == pytest.approx(graph.distance(a, b), abs=1e-6)
    assert_walks_along_the_lines(graph, path)


def three_block_fc():
    """Three blocks of different depths side by side, a bin every metre of every aisle."""
    aisles = [RackAisle(f"L{x}", float(x), 2.0, 14.0) for x in (0, 3, 6)]
    aisles += [RackAisle(f"M{x}", float(x), 5.0, 25.0) for x in (12, 15)]
    aisles += [RackAisle(f"R{x}", float(x), 2.0, 14.0) for x in (22, 25, 28)]
    bins = {
        f"{a.key}-{y}": (a.key, float(y))
        for a in aisles
        for y in range(int(a.y_start), int(a.y_end) + 1)
    }
    return build_graph(aisles, bins, depot=(14.0, -3.0))


@pytest.mark.parametrize(
    "make", [SMALL.graph, app_like_graph, three_block_fc], ids=lambda f: f.__name__
)
def test_every_path_is_as_long_as_the_distance_and_walks_along_the_lines(make):
    graph = make()
    keys = list(graph.keys())
    if len(keys) > 40:
        keys = [DEPOT, *np.random.default_rng(5).choice(keys[1:], 39, replace=False).tolist()]
    for a, b in itertools.product(keys, repeat=2):
        path = graph.path(a, b)
        assert path[0] == pytest.approx(graph.point(a))
        assert path[-1] == pytest.approx(graph.point(b))
        assert polyline_length(path) == pytest.approx(graph.distance(a, b), abs=1e-6), (a, b)
        assert_walks_along_the_lines(graph, path)


def test_tour_path_walks_from_the_depot_through_the_keys_in_order_and_back():
    graph = app_like_graph()
    stops = ["B2-13", "A1-09", "B1-08", "A1-03"]
    path = graph.tour_path(stops)
    depot = graph.point(DEPOT)
    assert path[0] == depot
    assert path[-1] == depot
    assert_walks_along_the_lines(graph, path)
    matrix = graph.matrix([DEPOT, *stops, DEPOT])
    legs = sum(matrix[i, i + 1] for i in range(len(stops) + 1))
    assert polyline_length(path) == pytest.approx(legs, abs=1e-6)
    # The stops are passed in the order given.
    at = [path.index(graph.point(stop)) for stop in stops]
    assert at == sorted(at)
    assert graph.tour_path([]) == [depot]

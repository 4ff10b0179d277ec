"""Road distances: great-circle distances against independent formulas, and the OSRM client
against a local server that speaks OSRM's table protocol (tests/fake_osrm.py), in one request
and in blocks, with unreachable points, refusals and a server that is down or broken."""

from __future__ import annotations

import json
import math
import random
import time
import urllib.error
import urllib.request

import numpy as np
import pytest

from routing.road_network import (
    EARTH_RADIUS_M,
    GreatCircleNetwork,
    OsrmNetwork,
    Point,
    RoadNetworkError,
    great_circle_m,
)
from tests.fake_osrm import Coordinate, FakeOsrm, closed_port

KUALA_LUMPUR = Point(3.1390, 101.6869)
SHAH_ALAM = Point(3.0733, 101.5185)


def law_of_cosines_m(a: Point, b: Point) -> float:
    """The great-circle distance by the spherical law of cosines (not the haversine)."""
    lat_a, lon_a = math.radians(a.latitude), math.radians(a.longitude)
    lat_b, lon_b = math.radians(b.latitude), math.radians(b.longitude)
    cosine = math.sin(lat_a) * math.sin(lat_b)
    cosine += math.cos(lat_a) * math.cos(lat_b) * math.cos(lon_b - lon_a)
    return EARTH_RADIUS_M * math.acos(max(-1.0, min(1.0, cosine)))


def chord_m(a: Point, b: Point) -> float:
    """The great-circle distance from the straight chord between the two points in 3-D (well
    conditioned for short distances, unlike the law of cosines)."""

    def unit(p: Point) -> np.ndarray:
        lat, lon = math.radians(p.latitude), math.radians(p.longitude)
        return np.array(
            [math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)]
        )

    chord = float(np.linalg.norm(unit(a) - unit(b)))
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, chord / 2))


def klang_valley(count: int, seed: int = 7) -> list[Point]:
    """Distinct delivery points around Kuala Lumpur, on whole millionths of a degree (what the
    client sends), so the fake's coordinates are exactly the points'."""
    rng = random.Random(seed)
    seen: set[tuple[float, float]] = set()
    points: list[Point] = []
    while len(points) < count:
        lat = round(rng.uniform(2.85, 3.35), 6)
        lon = round(rng.uniform(101.35, 101.85), 6)
        if (lat, lon) not in seen:
            seen.add((lat, lon))
            points.append(Point(lat, lon))
    return points


def lon_lat(points: list[Point]) -> list[Coordinate]:
    return [(p.longitude, p.latitude) for p in points]


def as_array(table: list[list[float | None]]) -> np.ndarray:
    return np.array([[math.nan if v is None else v for v in row] for row in table])


def fake_matrices(fake: FakeOsrm, points: list[Point]) -> tuple[np.ndarray, np.ndarray]:
    """The fake server's own full (metres, seconds) for `points`, in one piece."""
    distances, durations = fake.full_table(lon_lat(points))
    return as_array(distances), as_array(durations)


def get(url: str) -> tuple[int, dict]:
    """Status and JSON body of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local http)
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


# --- great circle --------------------------------------------------------------------------


def test_kuala_lumpur_to_shah_alam_is_the_great_circle_distance():
    expected = law_of_cosines_m(KUALA_LUMPUR, SHAH_ALAM)
    assert 20_000 < expected < 20_150  # about 20.07 km as the crow flies
    assert great_circle_m(KUALA_LUMPUR, SHAH_ALAM) == pytest.approx(expected, rel=1e-9)


def test_a_quarter_meridian_and_half_the_equator():
    quarter = math.pi * EARTH_RADIUS_M / 2
    assert great_circle_m(Point(0, 0), Point(90, 0)) == pytest.approx(quarter, rel=1e-12)
    assert great_circle_m(Point(-90, 45), Point(90, -120)) == pytest.approx(2 * quarter, rel=1e-12)
    assert great_circle_m(Point(0, -90), Point(0, 90)) == pytest.approx(2 * quarter, rel=1e-12)
    assert great_circle_m(SHAH_ALAM, SHAH_ALAM) == 0.0


def test_distances_across_the_antimeridian_go_the_short_way():
    # One degree of longitude on the equator, across 180°.
    one_degree = math.pi * EARTH_RADIUS_M / 180
    assert great_circle_m(Point(0, 179.5), Point(0, -179.5)) == pytest.approx(one_degree)


def test_the_matrices_are_great_circle_times_road_factor_at_the_speed():
    points = [*klang_valley(12), Point(-6.2, 106.8), Point(13.75, 100.5)]
    metres, seconds = GreatCircleNetwork(road_factor=1.4, speed_kmh=36.0).matrices(points)
    assert metres.shape == seconds.shape == (14, 14)
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            assert metres[i, j] == pytest.approx(1.4 * chord_m(a, b), rel=1e-9, abs=1e-6)
    np.testing.assert_allclose(seconds, metres / 10.0)  # 36 km/h is 10 m/s
    assert np.array_equal(metres, metres.T)
    assert np.all(np.diag(metres) == 0) and np.all(np.diag(seconds) == 0)


def test_the_default_network_is_1_3_times_the_great_circle_at_30_kmh():
    metres, seconds = GreatCircleNetwork().matrices([KUALA_LUMPUR, SHAH_ALAM])
    crow = law_of_cosines_m(KUALA_LUMPUR, SHAH_ALAM)
    assert metres[0, 1] == metres[1, 0] == pytest.approx(1.3 * crow)
    assert seconds[0, 1] == pytest.approx(1.3 * crow / (30 / 3.6))


def test_no_points_and_one_point():
    empty_m, empty_s = GreatCircleNetwork().matrices([])
    assert empty_m.shape == empty_s.shape == (0, 0)
    one_m, one_s = GreatCircleNetwork().matrices([SHAH_ALAM])
    assert one_m.tolist() == one_s.tolist() == [[0.0]]


def test_a_thousand_points_take_well_under_a_second():
    points = klang_valley(1_000)
    started = time.perf_counter()
    metres, seconds = GreatCircleNetwork().matrices(points)
    elapsed = time.perf_counter() - started
    assert metres.shape == seconds.shape == (1_000, 1_000)
    assert elapsed < 0.5, f"{elapsed:.3f} s"
    assert metres[3, 977] == pytest.approx(1.3 * chord_m(points[3], points[977]))
    assert np.array_equal(metres, metres.T)


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        (90.5, 101.0, "latitude"),
        (-91, 101.0, "latitude"),
        (math.nan, 101.0, "latitude"),
        ("3.1", 101.0, "latitude"),
        (True, 101.0, "latitude"),
        (3.1, 180.01, "longitude"),
        (3.1, -200, "longitude"),
        (3.1, math.inf, "longitude"),
        (3.1, None, "longitude"),
    ],
)
def test_a_point_outside_the_globe_names_its_field(latitude, longitude, field):
    with pytest.raises(ValueError, match=field):
        Point(latitude, longitude)


def test_points_on_the_edges_of_the_globe_are_fine():
    assert Point(90, 180) == Point(90.0, 180.0)
    assert Point(-90, -180).latitude == -90.0


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"road_factor": 0.9}, "road_factor"),
        ({"road_factor": math.nan}, "road_factor"),
        ({"speed_kmh": 0.0}, "speed_kmh"),
        ({"speed_kmh": -30.0}, "speed_kmh"),
        ({"speed_kmh": math.inf}, "speed_kmh"),
    ],
)
def test_great_circle_settings_are_checked(arguments, field):
    with pytest.raises(ValueError, match=field):
        GreatCircleNetwork(**arguments)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"base_url": "ftp://osrm.example"}, "base_url"),
        ({"base_url": "osrm.example:5000"}, "base_url"),
        ({"base_url": "http://osrm.example/?x=1"}, "base_url"),
        ({"profile": ""}, "profile"),
        ({"profile": "car/../x"}, "profile"),
        ({"timeout_s": 0.0}, "timeout_s"),
        ({"max_table_size": 1}, "max_table_size"),
        ({"max_table_size": 50.0}, "max_table_size"),
    ],
)
def test_osrm_settings_are_checked(arguments, field):
    with pytest.raises(ValueError, match=field):
        OsrmNetwork(**{"base_url": "http://osrm.example:5000", **arguments})


# --- the fake server is as strict as OSRM ---------------------------------------------------


def test_the_fake_refuses_latitude_and_longitude_swapped():
    with FakeOsrm() as fake:
        status, body = get(f"{fake.base_url}/table/v1/driving/3.139,101.6869;3.0733,101.5185")
    assert status == 400
    assert body == {"code": "InvalidOptions", "message": "Coordinates are invalid"}


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("/table/v1/driving/101.6,3.1;101.5,3.0?annotations=speed", "InvalidQuery"),
        ("/table/v1/driving/101.6,3.1;101.5,3.0?fallback_speed=10", "InvalidQuery"),
        ("/table/v1/driving/101.6,3.1;101.5?sources=0", "InvalidQuery"),
        ("/table/v1/driving/101.6,3.1;101.5,3.0?sources=0;x", "InvalidQuery"),
        ("/table/v1/driving/101.6,3.1;101.5,3.0?sources=2", "InvalidOptions"),
        ("/table/v1/driving/101.6,3.1", "InvalidOptions"),
        ("/route/v1/driving/101.6,3.1;101.5,3.0", "InvalidService"),
        ("/table/v2/driving/101.6,3.1;101.5,3.0", "InvalidVersion"),
    ],
)
def test_the_fake_refuses_what_osrm_refuses(target, code):
    with FakeOsrm() as fake:
        status, body = get(fake.base_url + target)
    assert (status, body["code"]) == (400, code)


def test_the_fake_answers_only_the_annotations_asked_for():
    with FakeOsrm() as fake:
        status, body = get(f"{fake.base_url}/table/v1/driving/101.6,3.1;101.5,3.0.json?sources=1")
    assert status == 200
    assert body["code"] == "Ok" and "distances" not in body
    assert len(body["durations"]) == 1 and body["durations"][0][1] == 0.0
    assert body["sources"][0]["location"] == [101.5, 3.0]


# --- the OSRM client ------------------------------------------------------------------------


def test_a_small_table_is_one_request_with_longitude_first():
    points = klang_valley(5)
    with FakeOsrm() as fake:
        metres, seconds = OsrmNetwork(fake.base_url, profile="car").matrices(points)
    (request,) = fake.requests
    assert request.profile == "car"
    assert request.coordinates == tuple(lon_lat(points))
    assert request.annotations == {"duration", "distance"}
    assert request.sources is None and request.destinations is None
    first = points[0]
    assert f"/{first.longitude:.6f},{first.latitude:.6f};" in request.target
    expected_m, expected_s = fake_matrices(fake, points)
    assert np.array_equal(metres, expected_m) and np.array_equal(seconds, expected_s)
    assert not np.array_equal(metres, metres.T)  # the fake's roads are one-way-ish
    assert metres.dtype == seconds.dtype == np.float64


def test_250_points_are_asked_in_blocks_and_assembled_exactly():
    points = klang_valley(250)
    with FakeOsrm(max_table_size=100) as fake:
        metres, seconds = OsrmNetwork(fake.base_url, max_table_size=100).matrices(points)
    expected_m, expected_s = fake_matrices(fake, points)
    assert np.array_equal(metres, expected_m)
    assert np.array_equal(seconds, expected_s)
    assert len(fake.requests) == 25  # 5 x 5 blocks of 50 sources x 50 destinations
    assert all(len(r.coordinates) <= 100 for r in fake.requests)
    # Every pair of points was asked exactly once.
    asked = [
        (r.coordinates[s], r.coordinates[d])
        for r in fake.requests
        for s in r.source_indices
        for d in r.destination_indices
    ]
    assert len(asked) == len(set(asked)) == 250 * 250


@pytest.mark.parametrize(("count", "max_table_size"), [(101, 100), (7, 2), (12, 3), (13, 6)])
def test_any_size_of_table_and_block_is_assembled_exactly(count, max_table_size):
    points = klang_valley(count, seed=count)
    with FakeOsrm(max_table_size=max_table_size) as fake:
        network = OsrmNetwork(fake.base_url, max_table_size=max_table_size)
        metres, seconds = network.matrices(points)
    expected_m, expected_s = fake_matrices(fake, points)
    assert np.array_equal(metres, expected_m) and np.array_equal(seconds, expected_s)
    assert all(2 <= len(r.coordinates) <= max_table_size for r in fake.requests)


def test_no_points_and_one_point_need_no_server():
    network = OsrmNetwork(f"http://127.0.0.1:{closed_port()}")
    assert network.matrices([])[0].shape == (0, 0)
    metres, seconds = network.matrices([SHAH_ALAM])
    assert metres.tolist() == seconds.tolist() == [[0.0]]


def test_unreachable_points_are_named_by_index():
    points = klang_valley(8)
    with FakeOsrm() as fake:
        fake.islands = {lon_lat(points)[2], lon_lat(points)[5]}
        with pytest.raises(RoadNetworkError) as caught:
            OsrmNetwork(fake.base_url).matrices(points)
    assert caught.value.unreachable == (2, 5)
    message = str(caught.value)
    assert fake.base_url in message
    assert "points 2 (" in message and ", 5 (" in message
    assert "pair" not in message


def test_unreachable_points_are_found_across_blocks():
    points = klang_valley(30)
    with FakeOsrm(max_table_size=10) as fake:
        fake.islands = {lon_lat(points)[3], lon_lat(points)[27]}
        with pytest.raises(RoadNetworkError) as caught:
            OsrmNetwork(fake.base_url, max_table_size=10).matrices(points)
    assert caught.value.unreachable == (3, 27)


def test_a_point_that_can_be_left_but_not_reached_is_unreachable():
    points = klang_valley(6)
    coordinates = lon_lat(points)
    with FakeOsrm() as fake:
        fake.closed = {(coordinates[i], coordinates[4]) for i in range(6) if i != 4}
        with pytest.raises(RoadNetworkError) as caught:
            OsrmNetwork(fake.base_url).matrices(points)
    assert caught.value.unreachable == (4,)


def test_a_few_missing_pairs_are_an_error_naming_the_pairs():
    points = klang_valley(6)
    coordinates = lon_lat(points)
    with FakeOsrm() as fake:
        fake.closed = {(coordinates[1], coordinates[4])}
        with pytest.raises(RoadNetworkError) as caught:
            OsrmNetwork(fake.base_url).matrices(points)
    assert caught.value.unreachable == ()
    assert "pair 1 -> 4" in str(caught.value)


def test_a_server_that_is_down_is_a_road_network_error():
    base_url = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(RoadNetworkError, match="could not be reached") as caught:
        OsrmNetwork(base_url, timeout_s=0.5).matrices(klang_valley(3))
    assert base_url in str(caught.value)
    assert caught.value.unreachable == ()


def test_a_server_that_does_not_answer_in_time_is_a_road_network_error():
    with FakeOsrm() as fake:
        fake.stalled = True
        with pytest.raises(RoadNetworkError, match=r"no answer within 0\.2 s"):
            OsrmNetwork(fake.base_url, timeout_s=0.2).matrices(klang_valley(3))


def test_an_http_500_is_a_road_network_error():
    with FakeOsrm() as fake:
        fake.reply = (500, b"upstream exploded")
        with pytest.raises(RoadNetworkError, match="HTTP 500") as caught:
            OsrmNetwork(fake.base_url).matrices(klang_valley(3))
    assert "upstream exploded" in str(caught.value)


@pytest.mark.parametrize(
    "body",
    [
        b"<html>proxy login</html>",
        b"",
        b'{"code": "Ok", "durations": [[0, NaN], [1, 0]], "distances": [[0, 1], [1, 0]]}',
    ],
)
def test_an_answer_that_is_not_json_is_a_road_network_error(body):
    with FakeOsrm() as fake:
        fake.reply = (200, body)
        with pytest.raises(RoadNetworkError, match="not JSON"):
            OsrmNetwork(fake.base_url).matrices(klang_valley(3))


@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        ([1, 2, 3], "not an object"),
        ({"code": "NoTable", "message": "No table found"}, "NoTable"),
        ({"code": "Ok", "durations": [[0, 1], [1, 0]]}, "distances are not a 3 x 3 matrix"),
        (
            {"code": "Ok", "durations": [[0] * 3] * 3, "distances": [[0, "1", 2]] * 3},
            "not numbers",
        ),
        ({"code": "Ok", "durations": [[0, -1, 2]] * 3, "distances": [[0] * 3] * 3}, "negative"),
    ],
)
def test_an_answer_of_the_wrong_shape_is_a_road_network_error(document, complaint):
    with FakeOsrm() as fake:
        fake.reply = (200, json.dumps(document).encode())
        with pytest.raises(RoadNetworkError, match=complaint):
            OsrmNetwork(fake.base_url).matrices(klang_valley(3))


def test_a_table_too_big_for_the_server_says_so():
    with FakeOsrm(max_table_size=10) as fake:
        with pytest.raises(RoadNetworkError, match="TooBig") as caught:
            OsrmNetwork(fake.base_url, max_table_size=100).matrices(klang_valley(20))
        assert len(fake.requests) == 1
    assert "max_table_size=100" in str(caught.value)
    assert "HTTP 400" in str(caught.value)

"""The plan's map: north up, east right, everything inside the drawing, the FC where it is,
each route a line from the FC through its stops in order and back, in its own colour."""

from wms.web.delivery_map import MARGIN, WIDTH, delivery_map, route_colour


def _stop(stop_id, sequence, latitude, longitude, route_id=1):
    return {
        "id": stop_id,
        "sequence": sequence,
        "recipient_name": f"R{stop_id}",
        "arrival_at": "2026-12-05T01:00:00+00:00",
        "latitude": latitude,
        "longitude": longitude,
        "route_id": route_id,
    }


PLAN = {
    "depot": {"latitude": 3.0553, "longitude": 101.5265},
    "routes": [
        {
            "id": 11,
            "number": 1,
            "vehicle": {"name": "Van 1"},
            "stops": [_stop(1, 1, 3.16, 101.71), _stop(2, 2, 3.12, 101.62)],
        },
        {"id": 12, "number": 2, "vehicle": {"name": "Bike 1"}, "stops": []},
        {
            "id": 13,
            "number": 3,
            "vehicle": {"name": "Van 2"},
            "stops": [_stop(3, 1, 2.92, 101.66, 13)],
        },
    ],
    "left_out_stops": [
        _stop(4, None, 3.04, 101.45, None),
        {**_stop(5, None, None, None, None)},
    ],
}


def test_north_is_up_and_east_is_right_inside_the_drawing():
    figure = delivery_map(PLAN)
    klcc = figure.routes[0]["stops"][0]
    cyberjaya = figure.routes[1]["stops"][0]
    klang = figure.left_out[0]
    assert klcc["y"] < figure.depot[1] < cyberjaya["y"]  # north of the FC, south of it
    assert klang["x"] < figure.depot[0] < klcc["x"]  # west of the FC, east of it
    points = [figure.depot, *((s["x"], s["y"]) for r in figure.routes for s in r["stops"])]
    points += [(s["x"], s["y"]) for s in figure.left_out]
    for x, y in points:
        assert MARGIN - 0.1 <= x <= WIDTH - MARGIN + 0.1
        assert MARGIN - 0.1 <= y <= figure.height - MARGIN + 0.1


def test_a_route_runs_from_the_fc_through_its_stops_in_order_and_back_in_its_colour():
    figure = delivery_map(PLAN)
    assert [route["number"] for route in figure.routes] == [1, 3]  # the idle bike has no line
    first = figure.routes[0]
    corners = [tuple(map(float, pair.split(","))) for pair in first["points"].split()]
    assert corners[0] == corners[-1] == figure.depot
    assert corners[1:-1] == [(s["x"], s["y"]) for s in first["stops"]]
    assert first["colour"] == route_colour(1) != route_colour(3) == figure.routes[1]["colour"]
    # A left-out delivery with no coordinates is not drawn.
    assert [s["id"] for s in figure.left_out] == [4]


def test_distances_keep_their_proportions_and_the_scale_bar_says_how_far():
    figure = delivery_map(PLAN)
    # About 0.24 degrees north-south between KLCC and Cyberjaya, 0.05 east-west: the map keeps
    # the same scale both ways (east-west shrunk by the cosine of the latitude).
    klcc, cyberjaya = figure.routes[0]["stops"][0], figure.routes[1]["stops"][0]
    north_south = cyberjaya["y"] - klcc["y"]
    east_west = klcc["x"] - cyberjaya["x"]
    assert abs(east_west / north_south - 0.05 * 0.9986 / 0.24) < 0.01
    pixels_per_km = north_south / (0.24 * 111.32)
    scale = figure.scale
    assert abs((scale["x2"] - scale["x1"]) - scale["km"] * pixels_per_km) < 1
    assert scale["km"] in (5, 10, 20)

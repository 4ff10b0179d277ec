"""A delivery plan drawn as a map in SVG units: the FC, the stops as dots and each route as a
coloured line, projected from latitude and longitude (no map tiles: the page draws it all)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

WIDTH = 960.0
MAX_HEIGHT = 640.0
MARGIN = 28.0
EARTH_KM_PER_DEGREE = 111.32
ROUTE_COLOURS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
)
SCALE_STEPS_KM = (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)

Point = tuple[float, float]


def route_colour(number: int) -> str:
    """The colour of a route (by its number in the plan), the same on the map and the legend."""
    return ROUTE_COLOURS[(number - 1) % len(ROUTE_COLOURS)]


@dataclass(frozen=True)
class MapFigure:
    """The map in SVG units (y down): the depot, each used route's line and stops, the
    left-out deliveries that have a place, and a scale bar."""

    width: float
    height: float
    depot: Point
    routes: list[dict[str, Any]]
    left_out: list[dict[str, Any]]
    scale: dict[str, Any]


class _Projection:
    """Equirectangular around the middle latitude, fitted into the map's width and height."""

    def __init__(self, points: list[Point]) -> None:
        latitudes = [lat for lat, _ in points]
        longitudes = [lon for _, lon in points]
        self.middle = (min(latitudes) + max(latitudes)) / 2
        shrink = math.cos(math.radians(self.middle))
        self.west, self.north = min(longitudes), max(latitudes)
        span_x = max((max(longitudes) - self.west) * shrink, 1e-4)
        span_y = max(self.north - min(latitudes), 1e-4)
        self.scale = min((WIDTH - 2 * MARGIN) / span_x, (MAX_HEIGHT - 2 * MARGIN) / span_y)
        self.shrink = shrink
        self.height = round(span_y * self.scale + 2 * MARGIN, 1)
        self.offset_x = (WIDTH - 2 * MARGIN - span_x * self.scale) / 2

    def __call__(self, latitude: float, longitude: float) -> Point:
        x = MARGIN + self.offset_x + (longitude - self.west) * self.shrink * self.scale
        y = MARGIN + (self.north - latitude) * self.scale
        return round(x, 1), round(y, 1)

    def pixels_per_km(self) -> float:
        return self.scale / EARTH_KM_PER_DEGREE


def _scale_bar(projection: _Projection, height: float) -> dict[str, Any]:
    per_km = projection.pixels_per_km()
    km = next((step for step in SCALE_STEPS_KM if step * per_km >= WIDTH / 8), SCALE_STEPS_KM[-1])
    length = round(km * per_km, 1)
    return {"x1": MARGIN, "x2": round(MARGIN + length, 1), "y": round(height - 10, 1), "km": km}


def delivery_map(plan: dict[str, Any]) -> MapFigure:
    """Project the plan of `deliveries.plan_view` onto the map."""
    depot_point = (plan["depot"]["latitude"], plan["depot"]["longitude"])
    located = [
        stop
        for stop in [*(s for r in plan["routes"] for s in r["stops"]), *plan["left_out_stops"]]
        if stop["latitude"] is not None
    ]
    projection = _Projection([depot_point, *((s["latitude"], s["longitude"]) for s in located)])
    depot = projection(*depot_point)
    routes = []
    for route in plan["routes"]:
        if not route["stops"]:
            continue
        stops = [
            {
                "id": stop["id"],
                "sequence": stop["sequence"],
                "recipient": stop["recipient_name"],
                "arrival_at": stop["arrival_at"],
                "x": x,
                "y": y,
            }
            for stop in route["stops"]
            for x, y in [projection(stop["latitude"], stop["longitude"])]
        ]
        corners = [depot, *((stop["x"], stop["y"]) for stop in stops), depot]
        routes.append(
            {
                "id": route["id"],
                "number": route["number"],
                "vehicle": route["vehicle"]["name"],
                "colour": route_colour(route["number"]),
                "points": " ".join(f"{x},{y}" for x, y in corners),
                "stops": stops,
            }
        )
    left_out = [
        {"id": stop["id"], "recipient": stop["recipient_name"], "x": x, "y": y}
        for stop in plan["left_out_stops"]
        if stop["latitude"] is not None
        for x, y in [projection(stop["latitude"], stop["longitude"])]
    ]
    return MapFigure(
        width=WIDTH,
        height=projection.height,
        depot=depot,
        routes=routes,
        left_out=left_out,
        scale=_scale_bar(projection, projection.height),
    )

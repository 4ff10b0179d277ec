"""The walking graph of an FC: its pick zones' aisles and the dispatch point, for routing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from routing.aisle_graph import DEPOT, AisleGraph, RackAisle, build_graph
from wms.db.models import Location, Zone
from wms.db.unit_of_work import UnitOfWork
from wms.domain.catalogue import ZonePurpose
from wms.services.putaway import dispatch_point

PICK_PURPOSES = (ZonePurpose.STORAGE, ZonePurpose.HIGH_VALUE, ZonePurpose.HAZMAT)


@dataclass(frozen=True)
class FloorPlan:
    """The graph, and the outline of the racking for drawing."""

    graph: AisleGraph
    aisles: tuple[RackAisle, ...]


_cache: dict[tuple[int, int, int], FloorPlan] = {}


def floor_plan(uow: UnitOfWork, fc_id: int) -> FloorPlan:
    """The FC's walking graph; bins are keyed by their code. Rebuilt when bins change."""
    stamp = uow.session.execute(
        select(func.count(Location.id), func.coalesce(func.max(Location.id), 0)).where(
            Location.fc_id == fc_id
        )
    ).one()
    cache_key = (fc_id, int(stamp[0]), int(stamp[1]))
    cached = _cache.get(cache_key)
    if cached is not None:
        return cached
    rows = uow.session.execute(
        select(Location.code, Location.aisle, Location.x, Location.y, Zone.code)
        .join(Zone, Zone.id == Location.zone_id)
        .where(Location.fc_id == fc_id, Zone.purpose.in_(PICK_PURPOSES))
    ).all()
    by_aisle: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    for code, aisle, x, y, zone_code in rows:
        key = f"{zone_code}-{aisle}"
        by_aisle[key].append((code, x, y))
    aisles = tuple(
        RackAisle(
            key=key,
            x=sum(x for _, x, _ in spots) / len(spots),
            y_start=min(y for _, _, y in spots),
            y_end=max(y for _, _, y in spots),
        )
        for key, spots in sorted(by_aisle.items())
    )
    bins = {code: (key, y) for key, spots in by_aisle.items() for code, _, y in spots}
    graph = build_graph(aisles, bins, dispatch_point(uow, fc_id)) if aisles else None
    if graph is None:
        raise LookupError("The FC has no pick zones to route in.")
    plan = FloorPlan(graph, aisles)
    if len(_cache) > 16:
        _cache.clear()
    _cache[cache_key] = plan
    return plan


def drawing(plan: FloorPlan, route: list[str]) -> dict[str, Any]:
    """Plain data for an SVG of the floor with one trip's route: lines, racks, stops."""
    points = [plan.graph.point(DEPOT)] + [plan.graph.point(code) for code in route]
    xs = [x for segment in plan.graph.segments() for x in (segment.start[0], segment.end[0])]
    ys = [y for segment in plan.graph.segments() for y in (segment.start[1], segment.end[1])]
    xs += [x for x, _ in points]
    ys += [y for _, y in points]
    walked = plan.graph.tour_path(route)
    return {
        "bounds": [min(xs), min(ys), max(xs), max(ys)],
        "segments": [
            {"start": list(segment.start), "end": list(segment.end), "kind": segment.kind}
            for segment in plan.graph.segments()
        ],
        "racks": [
            {"key": aisle.key, "x": aisle.x, "y_start": aisle.y_start, "y_end": aisle.y_end}
            for aisle in plan.aisles
        ],
        "depot": list(points[0]),
        "stops": [
            {"code": code, "x": x, "y": y} for code, (x, y) in zip(route, points[1:], strict=True)
        ],
        # The walk itself, along the aisles: dispatch, every stop in order, and back.
        "path": [list(point) for point in walked],
    }

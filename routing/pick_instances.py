"""The picking benchmark's files (bench-data/picking/FORMAT.md) as plain data, and its solutions.

A route instance is one picker tour on a rectangular layout: `{"name", "layout", "picks"}`; its
solution is `{"sequence": [pick ids in walking order]}`. A batch instance (`"orders"` instead of
`"picks"`) is read by `routing.batching`. Bad input raises `InstanceError`, a `ValueError`
whose message names the file or field at fault.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routing.aisle_graph import DEPOT, GridLayout
from routing.instance_files import InstanceError, read_json
from routing.pick_path import Route, plan_route, tour_length


@dataclass(frozen=True)
class Pick:
    """One pick of a route instance at a location of the layout (`key`: `GridLayout.slot_key`)."""

    id: str
    key: str
    aisle: int
    block: int
    bay: int
    side: str


@dataclass(frozen=True)
class RouteInstance:
    """A route instance: the layout and the picks of one picker tour."""

    name: str
    layout: GridLayout
    picks: tuple[Pick, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        """The location key of every pick, in file order."""
        return tuple(pick.key for pick in self.picks)


def instance_kind(data: Mapping[str, Any]) -> str:
    """ "route" (it has picks) or "batch" (it has orders); InstanceError otherwise."""
    if "picks" in data:
        return "route"
    if "orders" in data:
        return "batch"
    raise InstanceError('not a picking instance: it has neither "picks" nor "orders"')


def parse_route_instance(data: Mapping[str, Any]) -> RouteInstance:
    """A route instance from its JSON object; InstanceError naming the field on bad input."""
    if not isinstance(data, Mapping):
        raise InstanceError("a route instance must be a JSON object")
    name = data.get("name", "")
    if not isinstance(name, str):
        raise InstanceError("name must be a string")
    if "layout" not in data:
        raise InstanceError("layout is missing")
    try:
        layout = GridLayout.from_json(data["layout"])
    except ValueError as error:
        raise InstanceError(str(error)) from None
    raw_picks = data.get("picks")
    if not isinstance(raw_picks, list):
        raise InstanceError("picks must be a list")
    picks: list[Pick] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_picks):
        where = f"picks[{number}]"
        if not isinstance(raw, Mapping):
            raise InstanceError(f"{where} must be an object")
        pick_id = raw.get("id")
        if not isinstance(pick_id, str) or not pick_id:
            raise InstanceError(f"{where}.id must be a non-empty string")
        if pick_id in seen:
            raise InstanceError(f"{where}.id {pick_id!r} appears twice")
        seen.add(pick_id)
        side = raw.get("side", "L")
        if side not in ("L", "R"):
            raise InstanceError(f'{where}.side must be "L" or "R", not {side!r}')
        try:
            key = layout.slot_key(raw)
        except ValueError as error:
            raise InstanceError(f"{where}: {error}") from None
        picks.append(Pick(pick_id, key, raw["aisle"], raw["block"], raw["bay"], side))
    return RouteInstance(name, layout, tuple(picks))


def load_route_instance(path: str | Path) -> RouteInstance:
    """The route instance in a FORMAT.md JSON file."""
    data = read_json(path)
    try:
        return parse_route_instance(data)
    except InstanceError as error:
        raise InstanceError(f"{path}: {error}") from None


def solve_route_instance(instance: RouteInstance, time_limit_s: float = 0.1) -> Route:
    """The pick path of the instance (`order` indexes `instance.picks`)."""
    return plan_route(instance.layout.graph(), instance.keys, time_limit_s)


def route_solution(instance: RouteInstance, route: Route) -> dict[str, list[str]]:
    """The FORMAT.md solution object of a route: {"sequence": [pick ids in walking order]}."""
    return {"sequence": [instance.picks[i].id for i in route.order]}


def sequence_length(instance: RouteInstance, sequence: Sequence[str]) -> float:
    """Metres walked by a solution's sequence; InstanceError unless it names every pick once."""
    position = {pick.id: i for i, pick in enumerate(instance.picks)}
    order: list[int] = []
    for pick_id in sequence:
        if pick_id not in position:
            raise InstanceError(f"sequence names {pick_id!r}, which is not a pick")
        order.append(position[pick_id])
    if len(set(order)) != len(order):
        raise InstanceError("sequence names a pick more than once")
    if len(order) != len(instance.picks):
        missing = sorted(set(position) - set(sequence))
        raise InstanceError(f"sequence misses {len(missing)} picks, such as {missing[0]!r}")
    if not order:
        return 0.0
    graph = instance.layout.graph()
    matrix = graph.matrix([DEPOT, *instance.keys])
    return tour_length(matrix, [i + 1 for i in order])

"""Walking distances in a warehouse of parallel aisles joined by cross aisles.

A warehouse is modelled as a graph of walkable centre lines: junction nodes (where an aisle meets
a cross aisle, the ends of lines, the depot) joined by straight edges, with every pick location
(a key) placed somewhere along one edge. Pickers walk along centre lines only and pick both sides
of an aisle from its centre line, so the walking distance between two keys is:

* on the same edge: the distance along it;
* otherwise: out of the edge through one of its two end nodes, the shortest way between junctions,
  and in through one of the other edge's end nodes (the shorter of the four combinations).

Two builders make such graphs: `GridLayout` (the rectangular layout of the picking benchmark,
`bench-data/picking/FORMAT.md`) and `build_graph` (the racking of an FC as plain data). The
depot (the pick/pack station, where every trip starts and ends) is the key `DEPOT` in both.
Distances are metres.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

DEPOT: str = "DEPOT"

# Coordinates are compared after rounding to this many decimals of a metre (a tenth of a mm).
_ROUND = 4


@dataclass(frozen=True)
class Segment:
    """A walkable straight line of the floor plan, for drawing: `kind` is "aisle", "cross"
    (a cross aisle or the main front aisle) or "link" (a connector, such as an aisle extended
    to the main aisle or the way from the depot)."""

    start: tuple[float, float]
    end: tuple[float, float]
    kind: str


class AisleGraph:
    """Shortest walking distances between named points of a warehouse's walkable lines.

    Built by `GridLayout.graph()` or `build_graph()`; the constructor takes the raw graph:
    `nodes` are junction coordinates, `edges` join two nodes by a straight walkable line (its
    length is the straight-line distance, `kinds` says what it is), and `places` put each key
    on an edge at an offset (metres) from the edge's first node. `depot_node` is the node where
    the depot stands; the key `DEPOT` refers to it. `layout` is the grid layout the graph was
    built from, if any (`GridLayout.graph()` sets it; pick paths use it to route exactly).

    `path` and `tour_path` give the walks themselves, as polylines for drawing.
    """

    def __init__(
        self,
        nodes: Sequence[tuple[float, float]],
        edges: Sequence[tuple[int, int]],
        places: Mapping[str, tuple[int, float]],
        depot_node: int,
        kinds: Sequence[str] | None = None,
        layout: GridLayout | None = None,
    ) -> None:
        if not 0 <= depot_node < len(nodes):
            raise ValueError(f"depot node {depot_node} is not a node")
        if DEPOT in places:
            raise ValueError(f"{DEPOT!r} is reserved for the depot")
        self._nodes = np.array(nodes, dtype=np.float64).reshape(-1, 2)
        self._edges = np.array(edges, dtype=np.int64).reshape(-1, 2)
        self.layout: GridLayout | None = layout
        self._kinds = tuple(kinds) if kinds is not None else ("aisle",) * len(self._edges)
        if len(self._kinds) != len(self._edges):
            raise ValueError("one kind per edge")
        if len(self._edges) and (self._edges.min() < 0 or self._edges.max() >= len(nodes)):
            raise ValueError("an edge refers to a node that does not exist")
        ends = self._nodes[self._edges]
        self._edge_length = np.hypot(ends[:, 1, 0] - ends[:, 0, 0], ends[:, 1, 1] - ends[:, 0, 1])
        self._between = _all_pairs(len(nodes), self._edges, self._edge_length)

        count = len(places) + 1
        self._index: dict[str, int] = {DEPOT: 0}
        self._edge_of = np.full(count, -1, dtype=np.int64)
        self._first = np.full(count, depot_node, dtype=np.int64)
        self._second = np.full(count, depot_node, dtype=np.int64)
        self._to_first = np.zeros(count)
        self._to_second = np.zeros(count)
        self._xy = np.empty((count, 2))
        self._xy[0] = self._nodes[depot_node]
        for i, (key, (edge, offset)) in enumerate(places.items(), start=1):
            if not 0 <= edge < len(self._edges):
                raise ValueError(f"key {key!r} is on edge {edge}, which does not exist")
            length = float(self._edge_length[edge])
            if not -1e-9 <= offset <= length + 1e-9:
                raise ValueError(f"key {key!r} lies off its edge ({offset} m on {length} m)")
            offset = min(max(offset, 0.0), length)
            u, v = self._edges[edge]
            self._index[key] = i
            self._edge_of[i] = edge
            self._first[i], self._second[i] = u, v
            self._to_first[i], self._to_second[i] = offset, length - offset
            share = offset / length if length > 0 else 0.0
            self._xy[i] = self._nodes[u] + share * (self._nodes[v] - self._nodes[u])
        if np.isinf(self._between[depot_node, self._first]).any():
            unreachable = [
                k
                for k, i in self._index.items()
                if np.isinf(self._between[depot_node, self._first[i]])
            ]
            raise ValueError(f"not reachable from the depot: {', '.join(unreachable[:5])}")

    def keys(self) -> tuple[str, ...]:
        """Every key of the graph, the depot first."""
        return tuple(self._index)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def point(self, key: str) -> tuple[float, float]:
        """Where the key stands, (x, y) in metres, for drawing."""
        x, y = self._xy[self._position(key)]
        return float(x), float(y)

    def segments(self) -> list[Segment]:
        """The walkable lines of the floor plan, for drawing."""
        return [
            Segment(
                (float(self._nodes[u, 0]), float(self._nodes[u, 1])),
                (float(self._nodes[v, 0]), float(self._nodes[v, 1])),
                kind,
            )
            for (u, v), kind in zip(self._edges.tolist(), self._kinds, strict=True)
        ]

    def distance(self, a: str, b: str) -> float:
        """Metres of shortest walking between two keys."""
        i, j = self._position(a), self._position(b)
        if i == j:
            return 0.0
        if self._edge_of[i] >= 0 and self._edge_of[i] == self._edge_of[j]:
            return float(abs(self._to_first[i] - self._to_first[j]))
        between = self._between
        best = math.inf
        for node_i, walk_i in (
            (self._first[i], self._to_first[i]),
            (self._second[i], self._to_second[i]),
        ):
            for node_j, walk_j in (
                (self._first[j], self._to_first[j]),
                (self._second[j], self._to_second[j]),
            ):
                best = min(best, walk_i + between[node_i, node_j] + walk_j)
        return float(best)

    def path(self, a: str, b: str) -> list[tuple[float, float]]:
        """The points (x, y) in metres of a shortest walk from key `a` to key `b`, both ends
        included: where the walk turns or passes a junction of the walkable lines, without
        consecutive repeats. Its length is `distance(a, b)`; each piece lies along one line of
        `segments()`."""
        i, j = self._position(a), self._position(b)
        points = [self._xy[i]]
        if self._edge_of[i] < 0 or self._edge_of[i] != self._edge_of[j]:
            between = self._between
            walk, node_i, node_j = math.inf, -1, -1
            for out, walk_i in (
                (self._first[i], self._to_first[i]),
                (self._second[i], self._to_second[i]),
            ):
                for into, walk_j in (
                    (self._first[j], self._to_first[j]),
                    (self._second[j], self._to_second[j]),
                ):
                    total = walk_i + between[out, into] + walk_j
                    if total < walk:
                        walk, node_i, node_j = total, int(out), int(into)
            points.extend(self._nodes[self._node_path(node_i, node_j)])
        points.append(self._xy[j])
        return _without_repeats(points)

    def tour_path(self, keys: Sequence[str]) -> list[tuple[float, float]]:
        """The points of the walk from the depot through `keys` in the given order and back to
        the depot: the `path` of each leg, joined."""
        stops = [DEPOT, *keys, DEPOT]
        points: list[tuple[float, float]] = []
        for a, b in itertools.pairwise(stops):
            points.extend(self.path(a, b))
        return _without_repeats(points)

    def matrix(self, keys: Sequence[str]) -> np.ndarray:
        """Shortest walking in metres between every pair of keys (float64, len × len).

        Keys may repeat (their distance is 0); `DEPOT` is allowed. Costs O(distinct keys²).
        """
        positions = np.array([self._position(key) for key in keys], dtype=np.int64)
        if len(positions) == 0:
            return np.zeros((0, 0))
        distinct, inverse = np.unique(positions, return_inverse=True)
        first, second = self._first[distinct], self._second[distinct]
        to_first, to_second = self._to_first[distinct], self._to_second[distinct]
        between = self._between
        best = to_first[:, None] + between[np.ix_(first, first)] + to_first[None, :]
        np.minimum(
            best, to_first[:, None] + between[np.ix_(first, second)] + to_second[None, :], out=best
        )
        np.minimum(
            best, to_second[:, None] + between[np.ix_(second, first)] + to_first[None, :], out=best
        )
        np.minimum(
            best,
            to_second[:, None] + between[np.ix_(second, second)] + to_second[None, :],
            out=best,
        )
        edge = self._edge_of[distinct]
        same = (edge[:, None] == edge[None, :]) & (edge[:, None] >= 0)
        along = np.abs(to_first[:, None] - to_first[None, :])
        best = np.where(same, np.minimum(best, along), best)
        np.fill_diagonal(best, 0.0)
        return best[np.ix_(inverse.ravel(), inverse.ravel())]

    def _position(self, key: str) -> int:
        try:
            return self._index[key]
        except KeyError:
            raise KeyError(f"unknown location key {key!r}") from None

    @functools.cached_property
    def _next_hop(self) -> np.ndarray:
        """next_hop[u, v]: the node after u on a shortest walk from node u to node v (found when
        a path is first asked for, so that graphs only routed on never pay for it)."""
        return _all_pairs_with_next_hops(len(self._nodes), self._edges, self._edge_length)[1]

    def _node_path(self, start: int, end: int) -> list[int]:
        """The junction nodes of a shortest walk from node `start` to node `end`, both included."""
        next_hop = self._next_hop
        nodes = [start]
        while nodes[-1] != end:
            nodes.append(int(next_hop[nodes[-1], end]))
            if nodes[-1] < 0 or len(nodes) > len(self._nodes):
                raise RuntimeError(f"no walk from node {start} to node {end}")
        return nodes


def _without_repeats(points: Iterable[Any]) -> list[tuple[float, float]]:
    """The points as (x, y) floats, each point equal to the one before it left out."""
    out: list[tuple[float, float]] = []
    for x, y in points:
        point = (float(x), float(y))
        if not out or math.dist(out[-1], point) > 1e-9:
            out.append(point)
    return out


def _edge_table(count: int, edges: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """count × count: the length of the shortest edge between two nodes, 0 from a node to
    itself, inf between nodes no edge joins."""
    between = np.full((count, count), np.inf)
    np.fill_diagonal(between, 0.0)
    for (u, v), length in zip(edges.tolist(), lengths.tolist(), strict=True):
        if length < between[u, v]:
            between[u, v] = between[v, u] = length
    return between


def _all_pairs(count: int, edges: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Shortest distances between all nodes (Floyd–Warshall, one numpy pass per node)."""
    between = _edge_table(count, edges, lengths)
    for k in range(count):
        np.minimum(between, between[:, k, None] + between[None, k, :], out=between)
    return between


def _all_pairs_with_next_hops(
    count: int, edges: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The distances of `_all_pairs` (the same floats) and, for every pair of nodes (u, v), the
    node after u on a shortest walk to v (-1 when v cannot be reached)."""
    between = _edge_table(count, edges, lengths)
    next_hop = np.where(np.isfinite(between), np.arange(count)[None, :], -1)
    for k in range(count):
        through = between[:, k, None] + between[None, k, :]
        shorter = through < between
        np.copyto(between, through, where=shorter)
        np.copyto(next_hop, next_hop[:, k, None], where=shorter)
    return between, next_hop


# --- the benchmark's rectangular layout -----------------------------------------------------


@dataclass(frozen=True)
class GridLayout:
    """The picking benchmark's rectangular layout (FORMAT.md).

    `aisles` parallel aisles at x = i * aisle_pitch_m, split into `blocks` blocks by
    blocks + 1 cross aisles at y = j * (bays_per_block * bay_m + cross_aisle_m); cross aisle 0
    is the front, where the depot stands at x = depot_x_m.
    """

    aisles: int
    blocks: int
    bays_per_block: int
    bay_m: float
    aisle_pitch_m: float
    cross_aisle_m: float
    depot_x_m: float

    def __post_init__(self) -> None:
        for name in ("aisles", "blocks", "bays_per_block"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"layout.{name} must be a whole number of at least 1, not {value!r}"
                )
        for name in ("bay_m", "aisle_pitch_m", "cross_aisle_m", "depot_x_m"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                raise ValueError(f"layout.{name} must be a number, not {value!r}")
        for name in ("bay_m", "aisle_pitch_m"):
            if getattr(self, name) <= 0:
                raise ValueError(f"layout.{name} must be positive")
        if self.cross_aisle_m < 0:
            raise ValueError("layout.cross_aisle_m must not be negative")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GridLayout:
        """The FORMAT.md "layout" object; ValueError naming the field on bad input."""
        if not isinstance(data, Mapping):
            raise ValueError("layout must be an object")
        fields: dict[str, Any] = {}
        for name in (
            "aisles",
            "blocks",
            "bays_per_block",
            "bay_m",
            "aisle_pitch_m",
            "cross_aisle_m",
        ):
            if name not in data:
                raise ValueError(f"layout.{name} is missing")
            fields[name] = data[name]
        depot = data.get("depot")
        if not isinstance(depot, Mapping) or "x_m" not in depot:
            raise ValueError("layout.depot.x_m is missing")
        fields["depot_x_m"] = depot["x_m"]
        for name in ("bay_m", "aisle_pitch_m", "cross_aisle_m", "depot_x_m"):
            value = fields[name]
            if isinstance(value, int) and not isinstance(value, bool):
                fields[name] = float(value)
        return cls(**fields)

    @property
    def block_m(self) -> float:
        """Distance between two neighbouring cross aisles (centre to centre)."""
        return self.bays_per_block * self.bay_m + self.cross_aisle_m

    def aisle_x(self, aisle: int) -> float:
        """x of an aisle's centre line."""
        return aisle * self.aisle_pitch_m

    def cross_y(self, cross: int) -> float:
        """y of a cross aisle's centre line (0 is the front)."""
        return cross * self.block_m

    def bay_y(self, block: int, bay: int) -> float:
        """y of a bay's pick position."""
        return self.cross_y(block) + self.cross_aisle_m / 2 + (bay + 0.5) * self.bay_m

    def slot_key(self, location: Mapping[str, Any]) -> str:
        """The key of a FORMAT.md location {"aisle", "block", "bay", "side"}, like "a3-k0-b12".

        Both sides of an aisle share a key (they are picked from the same spot).
        """
        if not isinstance(location, Mapping):
            raise ValueError("a location must be an object")
        values = []
        for name, limit in (
            ("aisle", self.aisles),
            ("block", self.blocks),
            ("bay", self.bays_per_block),
        ):
            value = location.get(name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"location.{name} must be a whole number, not {value!r}")
            if not 0 <= value < limit:
                raise ValueError(f"location.{name} {value} is out of range 0..{limit - 1}")
            values.append(value)
        aisle, block, bay = values
        return f"a{aisle}-k{block}-b{bay}"

    def parse_key(self, key: str) -> tuple[int, int, int]:
        """(aisle, block, bay) of a key made by `slot_key`; ValueError if it is not one."""
        parts = key.split("-")
        if len(parts) == 3 and [p[:1] for p in parts] == ["a", "k", "b"]:
            try:
                aisle, block, bay = (int(p[1:]) for p in parts)
            except ValueError:
                pass
            else:
                if key == self.slot_key({"aisle": aisle, "block": block, "bay": bay}):
                    return aisle, block, bay
        raise ValueError(f"{key!r} is not a location key of this layout")

    def graph(self) -> AisleGraph:
        """The walking graph of the layout, with a key for every bay (built once per layout)."""
        return _grid_graph(self)


@functools.lru_cache(maxsize=16)
def _grid_graph(layout: GridLayout) -> AisleGraph:
    crosses = layout.blocks + 1
    nodes: list[tuple[float, float]] = [
        (layout.aisle_x(i), layout.cross_y(j)) for i in range(layout.aisles) for j in range(crosses)
    ]
    depot_node = len(nodes)
    nodes.append((layout.depot_x_m, 0.0))
    edges: list[tuple[int, int]] = []
    kinds: list[str] = []
    places: dict[str, tuple[int, float]] = {}
    for i in range(layout.aisles):
        for k in range(layout.blocks):
            edge = len(edges)
            edges.append((i * crosses + k, i * crosses + k + 1))
            kinds.append("aisle")
            for bay in range(layout.bays_per_block):
                offset = layout.cross_aisle_m / 2 + (bay + 0.5) * layout.bay_m
                places[f"a{i}-k{k}-b{bay}"] = (edge, offset)
    for j in range(crosses):
        line = [i * crosses + j for i in range(layout.aisles)]
        if j == 0:
            line.append(depot_node)
        line.sort(key=lambda node: nodes[node][0])
        for u, v in itertools.pairwise(line):
            edges.append((u, v))
            kinds.append("cross")
    return AisleGraph(nodes, edges, places, depot_node, kinds, layout)


# --- an FC's racking as plain data ----------------------------------------------------------


@dataclass(frozen=True)
class RackAisle:
    """One aisle of racking: pick faces along a centre line at `x`, from `y_start` to `y_end`."""

    key: str
    x: float
    y_start: float
    y_end: float


def build_graph(
    aisles: Sequence[RackAisle],
    bins: Mapping[str, tuple[str, float]],
    depot: tuple[float, float],
    cross_aisle_m: float = 2.0,
) -> AisleGraph:
    """The walking graph of an FC's racking; `bins` maps a bin key to (aisle key, y along it).

    The rule, for racking laid out as blocks of parallel aisles (y grows away from the front):

    * each aisle is walkable along its x from y_start - cross_aisle_m/2 to y_end + cross_aisle_m/2;
    * aisles with the same y_start and y_end form one block, joined by a front cross aisle at
      y_start - cross_aisle_m/2 and a back one at y_end + cross_aisle_m/2, unless racking with
      other ends stands between them in x (then they form separate blocks); blocks side by side
      with the same ends thus share their cross aisles, across any open floor between them;
    * a main front aisle runs along the smallest front y of all blocks, from the leftmost to the
      rightmost aisle and on to the depot's x; the depot is joined to it straight along y;
    * a block whose front lies behind the main aisle has each of its aisles extended towards the
      front, to the first cross aisle met (another block's back cross aisle, or the main aisle);
    * lines that cross or touch meet in a junction (cross aisles at the same y merge).

    Bins must lie within their aisle's walkable length. Distances are those of `AisleGraph`.
    """
    if cross_aisle_m < 0:
        raise ValueError("cross_aisle_m must not be negative")
    if not aisles:
        raise ValueError("give at least one aisle")
    by_key: dict[str, RackAisle] = {}
    for aisle in aisles:
        if aisle.key in by_key:
            raise ValueError(f"aisle {aisle.key!r} appears twice")
        if aisle.y_end < aisle.y_start:
            raise ValueError(f"aisle {aisle.key!r} ends before it starts")
        by_key[aisle.key] = aisle
    half = cross_aisle_m / 2

    blocks = _blocks(aisles)

    # Horizontal lines (y, x0, x1) and vertical lines (x, y0, y1, kind, aisle key or None).
    horizontal: list[tuple[float, float, float]] = []
    vertical: list[tuple[float, float, float, str, str | None]] = []
    for block in blocks:
        front, back = block[0].y_start - half, block[0].y_end + half
        x0, x1 = block[0].x, block[-1].x
        horizontal.append((front, x0, x1))
        horizontal.append((back, x0, x1))
        for aisle in block:
            vertical.append((aisle.x, front, back, "aisle", aisle.key))
    main_y = min(block[0].y_start - half for block in blocks)
    all_x = [a.x for a in aisles] + [depot[0]]
    horizontal.append((main_y, min(all_x), max(all_x)))
    for number, block in enumerate(blocks):
        front = block[0].y_start - half
        if front <= main_y:
            continue
        # Lines of the other blocks and the main aisle (the block's own are 2n and 2n + 1).
        others = [line for i, line in enumerate(horizontal) if i // 2 != number]
        for aisle in block:
            below = max(y for y, x0, x1 in others if y <= front and x0 <= aisle.x <= x1)
            if below < front:
                vertical.append((aisle.x, below, front, "link", None))
    if depot[1] != main_y:
        vertical.append((depot[0], min(depot[1], main_y), max(depot[1], main_y), "link", None))

    horizontal = _merge_lines(horizontal)
    node_index: dict[tuple[float, float], int] = {}

    def node(x: float, y: float) -> int:
        spot = (round(x, _ROUND), round(y, _ROUND))
        if spot not in node_index:
            node_index[spot] = len(node_index)
        return node_index[spot]

    edges: list[tuple[int, int]] = []
    kinds: list[str] = []
    edge_set: set[tuple[int, int]] = set()
    aisle_edges: dict[str, list[tuple[float, float, int]]] = defaultdict(list)

    def add_line(points: Iterable[float], make: Any, kind: str, key: str | None) -> None:
        stops = sorted({round(p, _ROUND) for p in points})
        for a, b in itertools.pairwise(stops):
            u, v = make(a), make(b)
            if (u, v) in edge_set and key is None:
                continue
            edge_set.add((u, v))
            if key is not None:
                aisle_edges[key].append((a, b, len(edges)))
            edges.append((u, v))
            kinds.append(kind)

    for x, y0, y1, kind, key in vertical:
        stops = [y0, y1] + [y for y, a, b in horizontal if y0 <= y <= y1 and a <= x <= b]
        add_line(stops, lambda y, x=x: node(x, y), kind, key)
    for y, x0, x1 in horizontal:
        stops = [x0, x1] + [x for x, a, b, _, _ in vertical if x0 <= x <= x1 and a <= y <= b]
        if y == round(depot[1], _ROUND) and x0 <= depot[0] <= x1:
            stops.append(depot[0])
        add_line(stops, lambda x, y=y: node(x, y), "cross", None)
    depot_node = node(*depot)

    places: dict[str, tuple[int, float]] = {}
    for bin_key, (aisle_key, y) in bins.items():
        aisle = by_key.get(aisle_key)
        if aisle is None:
            raise ValueError(f"bin {bin_key!r} is in aisle {aisle_key!r}, which is not an aisle")
        if not aisle.y_start - half - 1e-9 <= y <= aisle.y_end + half + 1e-9:
            raise ValueError(f"bin {bin_key!r} at y={y} lies outside aisle {aisle_key!r}")
        for a, b, edge in aisle_edges[aisle_key]:
            if a - 1e-9 <= y <= b + 1e-9:
                places[bin_key] = (edge, min(max(y - a, 0.0), b - a))
                break
    coordinates = [spot for spot, _ in sorted(node_index.items(), key=lambda item: item[1])]
    return AisleGraph(coordinates, edges, places, depot_node, kinds)


def _blocks(aisles: Sequence[RackAisle]) -> list[list[RackAisle]]:
    """Aisles grouped into blocks: same ends, neighbours in x with no other racking between."""
    by_ends: dict[tuple[float, float], list[RackAisle]] = defaultdict(list)
    for aisle in aisles:
        by_ends[(aisle.y_start, aisle.y_end)].append(aisle)
    blocks: list[list[RackAisle]] = []
    for (start, end), group in sorted(by_ends.items()):
        group.sort(key=lambda a: a.x)
        others = [a.x for a in aisles if a.y_start <= end and a.y_end >= start and a not in group]
        blocks.append([group[0]])
        for left, right in itertools.pairwise(group):
            if right.x == left.x:
                raise ValueError(f"aisles {left.key!r} and {right.key!r} overlap")
            if any(left.x < x < right.x for x in others):
                blocks.append([right])
            else:
                blocks[-1].append(right)
    return blocks


def _merge_lines(lines: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Horizontal lines at the same y that overlap or touch, merged into one."""
    by_y: dict[float, list[tuple[float, float]]] = defaultdict(list)
    for y, x0, x1 in lines:
        by_y[round(y, _ROUND)].append((min(x0, x1), max(x0, x1)))
    merged: list[tuple[float, float, float]] = []
    for y, spans in sorted(by_y.items()):
        spans.sort()
        start, end = spans[0]
        for a, b in spans[1:]:
            if a <= end + 1e-9:
                end = max(end, b)
            else:
                merged.append((y, start, end))
                start, end = a, b
        merged.append((y, start, end))
    return merged

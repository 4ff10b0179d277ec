"""The arrays the compiled route searches work on: the instance in integers and a solution.

`SearchInstance` is a problem as the searches see it (node 0 the depot, integer times with the
service time folded into the travel time from a node, integer demands and capacities, arc
costs per vehicle). `RouteState` adds a solution (one route per vehicle, possibly empty) with
the per-route caches the kernels in `routing.search_kernels` keep up to date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from routing import search_kernels as kernels

NEIGHBOURS = 24
"""Stops next to which a moved stop is tried (the nearest ones by travel time)."""


@dataclass
class SearchInstance:
    """A routing problem in the searches' integer units.

    `travel[i, j]` is the service time at i plus the travel time to j; `opens`/`closes` bound
    the start of service at a node; `demand[i, d]` is what node i takes of dimension d. Per
    vehicle: `shift_open`, `shift_close`, `max_duration`, `capacity[v, d]`, its row of costs
    `arc_cost[cost_class[v]]` and its `fixed_cost`. `penalty[i]` is the cost of leaving node i
    out (a must-serve node's is larger than any solution's cost).
    """

    travel: np.ndarray
    opens: np.ndarray
    closes: np.ndarray
    demand: np.ndarray
    shift_open: np.ndarray
    shift_close: np.ndarray
    max_duration: np.ndarray
    capacity: np.ndarray
    arc_cost: np.ndarray
    cost_class: np.ndarray
    fixed_cost: np.ndarray
    penalty: np.ndarray

    @property
    def size(self) -> int:
        """Nodes, the depot included."""
        return int(self.travel.shape[0])

    @property
    def vehicles(self) -> int:
        """Vehicles of the fleet."""
        return int(self.shift_open.shape[0])


def vehicle_kinds(instance: SearchInstance) -> np.ndarray:
    """A number per vehicle, the same for vehicles that are alike in every respect (shift,
    duration, capacity, costs)."""
    kinds: dict[tuple[object, ...], int] = {}
    numbers = np.zeros(instance.vehicles, dtype=np.int64)
    for k in range(instance.vehicles):
        signature = (
            int(instance.shift_open[k]),
            int(instance.shift_close[k]),
            int(instance.max_duration[k]),
            tuple(int(v) for v in instance.capacity[k]),
            int(instance.cost_class[k]),
            int(instance.fixed_cost[k]),
        )
        numbers[k] = kinds.setdefault(signature, len(kinds))
    return numbers


def route_cost_on(instance: SearchInstance, route: list[int], vehicle: int) -> int | None:
    """What the route (nodes in order) costs on the vehicle (fixed cost and arcs), or None if
    the vehicle cannot run it: over capacity, a window missed, back after its shift, or over
    its maximum duration (the shortest schedule: leave as late as waiting allows)."""
    if np.any(instance.demand[route].sum(axis=0) > instance.capacity[vehicle]):
        return None
    travel = instance.travel
    clock = int(instance.shift_open[vehicle])
    waited = 0
    delay = None
    here = 0
    for node in route:
        arrival = clock + int(travel[here, node])
        start = max(arrival, int(instance.opens[node]))
        if start > instance.closes[node]:
            return None
        waited += start - arrival
        slack = int(instance.closes[node]) - start + waited
        delay = slack if delay is None else min(delay, slack)
        clock = start
        here = node
    back = clock + int(travel[here, 0])
    if back > instance.shift_close[vehicle]:
        return None
    leave = int(instance.shift_open[vehicle]) + max(min(waited, delay or 0), 0)
    if back - leave > instance.max_duration[vehicle]:
        return None
    table = instance.arc_cost[instance.cost_class[vehicle]]
    arcs = sum(int(table[a, b]) for a, b in zip([0, *route], [*route, 0], strict=True))
    return int(instance.fixed_cost[vehicle]) + arcs


@dataclass
class RouteState:
    """A solution of a `SearchInstance` and the caches of its routes."""

    instance: SearchInstance
    weights: np.ndarray
    neighbours: np.ndarray
    route_nodes: np.ndarray
    route_length: np.ndarray
    alive: np.ndarray
    forward: np.ndarray
    backward: np.ndarray
    load: np.ndarray
    route_of: np.ndarray
    position: np.ndarray
    pool: np.ndarray
    pool_size: np.ndarray
    failures: np.ndarray

    @classmethod
    def build(cls, instance: SearchInstance, routes: list[list[int]], seed: int) -> RouteState:
        """The state of `routes` (node lists by vehicle), with the random generator seeded."""
        size = instance.size
        vehicles = instance.vehicles
        travel = instance.travel
        count = min(NEIGHBOURS, max(size - 2, 1))
        order = np.argsort(travel + travel.T, axis=1, kind="stable")
        neighbours = np.empty((size, count), dtype=np.int64)
        for node in range(size):
            row = [int(other) for other in order[node] if other != node and other != 0]
            neighbours[node] = (row + [0] * count)[:count]
        capacity = instance.capacity
        typical = float(np.median(travel[travel > 0])) if np.any(travel > 0) else 1.0
        weights = np.array(
            [typical / max(float(capacity[:, d].max()), 1.0) for d in range(capacity.shape[1])],
            dtype=np.float64,
        )
        route_nodes = np.zeros((vehicles, size), dtype=np.int64)
        route_length = np.zeros(vehicles, dtype=np.int64)
        for vehicle, nodes in enumerate(routes):
            route_length[vehicle] = len(nodes)
            route_nodes[vehicle, : len(nodes)] = nodes
        state = cls(
            instance=instance,
            weights=weights,
            neighbours=neighbours,
            route_nodes=route_nodes,
            route_length=route_length,
            alive=route_length > 0,
            forward=np.zeros((vehicles, size + 2, 4 + capacity.shape[1]), dtype=np.int64),
            backward=np.zeros((vehicles, size + 2, 4), dtype=np.int64),
            load=np.zeros((vehicles, capacity.shape[1]), dtype=np.int64),
            route_of=np.full(size, -1, dtype=np.int64),
            position=np.zeros(size, dtype=np.int64),
            pool=np.zeros(size, dtype=np.int64),
            pool_size=np.zeros(1, dtype=np.int64),
            failures=np.ones(size, dtype=np.int64),
        )
        kernels.seed(seed)
        kernels.rebuild_all(state.net(), state.sol())
        return state

    def net(self) -> tuple[np.ndarray, ...]:
        """The instance's arrays as the kernels take them (`search_kernels`' `net`)."""
        instance = self.instance
        return (
            instance.travel,
            instance.opens,
            instance.closes,
            instance.demand,
            instance.shift_open,
            instance.shift_close,
            instance.max_duration,
            instance.capacity,
        )

    def sol(self) -> tuple[np.ndarray, ...]:
        """The solution's arrays as the kernels take them (`search_kernels`' `sol`)."""
        return (
            self.route_nodes,
            self.route_length,
            self.forward,
            self.backward,
            self.load,
            self.route_of,
            self.position,
        )

    def vehicles(self) -> int:
        """Vehicles with a non-empty route."""
        return int(np.count_nonzero(self.route_length))

    def routes(self) -> list[list[int]]:
        """Node lists by vehicle."""
        return [
            [int(node) for node in self.route_nodes[vehicle, : self.route_length[vehicle]]]
            for vehicle in range(len(self.route_length))
        ]

    def snapshot(self) -> tuple[np.ndarray, np.ndarray]:
        """The solution, to come back to."""
        return self.route_nodes.copy(), self.route_length.copy()

    def restore(self, snapshot: tuple[np.ndarray, np.ndarray]) -> None:
        """Go back to a snapshot's solution with an empty pool."""
        self.route_nodes[:] = snapshot[0]
        self.route_length[:] = snapshot[1]
        self.alive[:] = self.route_length > 0
        self.pool_size[0] = 0
        kernels.rebuild_all(self.net(), self.sol())


def tiny_instance() -> SearchInstance:
    """Three stops, three vehicles: enough to compile every kernel."""
    travel = np.array([[0, 4, 4, 4], [4, 0, 2, 3], [4, 2, 0, 2], [4, 3, 2, 0]], dtype=np.int64)
    return SearchInstance(
        travel=travel,
        opens=np.zeros(4, dtype=np.int64),
        closes=np.full(4, 100, dtype=np.int64),
        demand=np.ones((4, 1), dtype=np.int64),
        shift_open=np.zeros(3, dtype=np.int64),
        shift_close=np.full(3, 100, dtype=np.int64),
        max_duration=np.full(3, 100, dtype=np.int64),
        capacity=np.full((3, 1), 2, dtype=np.int64),
        arc_cost=travel[None, :, :].copy(),
        cost_class=np.zeros(3, dtype=np.int64),
        fixed_cost=np.zeros(3, dtype=np.int64),
        penalty=np.full(4, 1000, dtype=np.int64),
    )

"""Small delivery problems and their proved optimum, by enumeration (independent of `routing`).

Every subset of customers gets its best single route by trying every order (earliest-start
schedule, capacity, windows, the depot's closing time); subsets are then combined into the
cheapest partition for at most `fleet` identical vehicles, by dynamic programming over subsets.
Only for a handful of customers: the work grows as n! (orders) and 3^n (partitions).
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

from routing.vrp import Problem, Stop, TimeWindow, Vehicle


@dataclass(frozen=True)
class Customer:
    x: float
    y: float
    demand: float
    ready: float
    due: float
    service: float


@dataclass(frozen=True)
class Tiny:
    """A depot at (0, 0) open until `horizon`, customers, and `fleet` vehicles of `capacity`."""

    customers: tuple[Customer, ...]
    capacity: float
    fleet: int
    horizon: float

    def distance(self, a: int, b: int) -> float:
        pa = (0.0, 0.0) if a == 0 else (self.customers[a - 1].x, self.customers[a - 1].y)
        pb = (0.0, 0.0) if b == 0 else (self.customers[b - 1].x, self.customers[b - 1].y)
        return math.hypot(pa[0] - pb[0], pa[1] - pb[1])

    def problem(self) -> Problem:
        size = len(self.customers) + 1
        matrix = [[self.distance(a, b) for b in range(size)] for a in range(size)]
        stops = tuple(
            Stop(
                id=f"c{index}",
                location=index,
                demand=(c.demand,),
                window=TimeWindow(c.ready, c.due),
                service_time=c.service,
            )
            for index, c in enumerate(self.customers, start=1)
        )
        vehicles = tuple(
            Vehicle(id=f"v{k}", capacity=(self.capacity,), shift=TimeWindow(0.0, self.horizon))
            for k in range(self.fleet)
        )
        return Problem(matrix, matrix, stops, vehicles, dimensions=("units",))


def route_length(tiny: Tiny, order: tuple[int, ...]) -> float | None:
    """The length of the route through customers `order` (1-based), None if infeasible."""
    if sum(tiny.customers[i - 1].demand for i in order) > tiny.capacity + 1e-9:
        return None
    clock = 0.0
    length = 0.0
    here = 0
    for node in order:
        customer = tiny.customers[node - 1]
        step = tiny.distance(here, node)
        length += step
        clock = max(clock + step, customer.ready)
        if clock > customer.due + 1e-9:
            return None
        clock += customer.service
        here = node
    step = tiny.distance(here, 0)
    if clock + step > tiny.horizon + 1e-9:
        return None
    return length + step


def optimum(tiny: Tiny, fewest_vehicles: bool) -> tuple[int, float]:
    """(vehicles, distance) of the best solution: fewest vehicles then distance, or distance."""
    n = len(tiny.customers)
    best_route: dict[int, float] = {}
    for mask in range(1, 1 << n):
        members = tuple(i + 1 for i in range(n) if mask >> i & 1)
        lengths = [route_length(tiny, order) for order in itertools.permutations(members)]
        feasible = [value for value in lengths if value is not None]
        if feasible:
            best_route[mask] = min(feasible)
    full = (1 << n) - 1
    # best[mask][k]: shortest distance serving mask with exactly k routes.
    best: dict[tuple[int, int], float] = {(0, 0): 0.0}
    for mask in range(1, full + 1):
        low = mask & -mask
        rest = mask ^ low
        sub = rest
        while True:
            part = sub | low
            if part in best_route:
                for k in range(1, tiny.fleet + 1):
                    previous = best.get((mask ^ part, k - 1))
                    if previous is not None:
                        value = previous + best_route[part]
                        if value < best.get((mask, k), math.inf):
                            best[(mask, k)] = value
            if sub == 0:
                break
            sub = (sub - 1) & rest
    options = [(k, best[(full, k)]) for k in range(1, tiny.fleet + 1) if (full, k) in best]
    if not options:
        raise ValueError("no feasible solution")
    if fewest_vehicles:
        return min(options)
    return min(options, key=lambda item: (item[1], item[0]))


def random_tiny(seed: int, size: int = 7, fleet: int = 4) -> Tiny:
    """A random instance with windows tight enough to matter and a fleet that suffices."""
    rng = random.Random(seed)
    while True:
        customers = []
        for _ in range(size):
            # Two decimals, as a Solomon file writes them.
            x, y = round(rng.uniform(-50, 50), 2), round(rng.uniform(-50, 50), 2)
            ready = round(rng.uniform(0, 150), 2)
            customers.append(
                Customer(
                    x=x,
                    y=y,
                    demand=float(rng.randint(1, 10)),
                    ready=ready,
                    due=round(ready + rng.uniform(20, 120), 2),
                    service=float(rng.randint(0, 10)),
                )
            )
        tiny = Tiny(tuple(customers), capacity=20.0, fleet=fleet, horizon=400.0)
        if all(route_length(tiny, (i,)) is not None for i in range(1, size + 1)):
            return tiny

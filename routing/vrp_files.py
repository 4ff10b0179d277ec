"""Benchmark instance files as delivery problems: Solomon VRPTW `.txt` and CVRPLIB `.vrp`.

Solomon (1987): a depot and 100 customers with coordinates, demand, ready time, due date
(the latest start of service) and service time; a fleet of identical vehicles. Distances are
Euclidean and travel times equal distances. Two conventions exist for the arithmetic:
"exact" (double precision, the hierarchical best-known results) and "truncated" (every arc cut
to one decimal, the convention of the exact methods' distance-only results).

CVRPLIB (TSPLIB format, e.g. Uchoa et al.'s X set): coordinates, demands and one capacity;
EUC_2D distances rounded to the nearest integer; no time windows and no fleet limit (the
fleet here has one vehicle per customer, enough for any solution).

Customer ids are the files' own numbers, as strings. Unusable files raise `InstanceError`
naming the file and the problem.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from routing.instance_files import InstanceError, read_text
from routing.vrp import Problem, Stop, TimeWindow, Vehicle


class Arithmetic(enum.StrEnum):
    """How a Solomon file's distances are computed."""

    EXACT = "exact"
    TRUNCATED = "truncated"


@dataclass(frozen=True)
class BenchmarkInstance:
    """A benchmark file read as a problem, with the coordinates of its locations."""

    name: str
    kind: str
    problem: Problem
    coordinates: tuple[tuple[float, float], ...]


def read_instance(path: str | Path, arithmetic: Arithmetic = Arithmetic.EXACT) -> BenchmarkInstance:
    """The instance in a Solomon `.txt` or CVRPLIB `.vrp` file (chosen by the suffix)."""
    path = Path(path)
    text = read_text(path)
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return parse_solomon(text, path.stem, arithmetic, source=str(path))
    if suffix == ".vrp":
        return parse_cvrplib(text, path.stem, source=str(path))
    raise InstanceError(f"{path}: unknown instance format (expected a .txt or .vrp file)")


def parse_solomon(
    text: str,
    name: str,
    arithmetic: Arithmetic = Arithmetic.EXACT,
    source: str = "",
) -> BenchmarkInstance:
    """A Solomon VRPTW instance from the text of its file."""
    where = source or name
    lines = [line.split() for line in text.splitlines()]
    fleet: tuple[int, float] | None = None
    rows: list[list[float]] = []
    for number, words in enumerate(lines):
        if words[:1] == ["NUMBER"] and number + 1 < len(lines):
            values = _numbers(lines[number + 1], where, number + 2)
            if len(values) != 2:
                raise InstanceError(f"{where}: line {number + 2}: expected NUMBER and CAPACITY")
            fleet = (int(values[0]), values[1])
        elif len(words) == 7 and words[0].isdigit():
            rows.append(_numbers(words, where, number + 1))
    if fleet is None:
        raise InstanceError(f"{where}: no VEHICLE section (NUMBER, CAPACITY)")
    if len(rows) < 2:
        raise InstanceError(f"{where}: needs a depot and at least one customer")
    vehicles_count, capacity = fleet
    if vehicles_count < 1 or capacity <= 0:
        raise InstanceError(f"{where}: the fleet needs at least one vehicle and a capacity")
    coordinates = tuple((row[1], row[2]) for row in rows)
    distances = euclidean(coordinates)
    if arithmetic == Arithmetic.TRUNCATED:
        distances = np.floor(distances * 10.0 + 1e-9) / 10.0
    depot = rows[0]
    horizon = TimeWindow(depot[4], depot[5])
    stops = []
    for row in rows[1:]:
        customer = str(int(row[0]))
        if row[5] < row[4]:
            raise InstanceError(f"{where}: customer {customer}: due date before ready time")
        stops.append(
            Stop(
                id=customer,
                location=len(stops) + 1,
                demand=(row[3],),
                window=TimeWindow(row[4], row[5]),
                service_time=row[6],
            )
        )
    vehicles = tuple(
        Vehicle(id=f"v{number}", capacity=(capacity,), shift=horizon)
        for number in range(1, vehicles_count + 1)
    )
    problem = Problem(
        distances=distances,
        durations=distances,
        stops=tuple(stops),
        vehicles=vehicles,
        dimensions=("demand",),
        name=name,
    )
    return BenchmarkInstance(name, "solomon", problem, coordinates)


def parse_cvrplib(text: str, name: str, source: str = "") -> BenchmarkInstance:
    """A CVRPLIB (TSPLIB-format) CVRP instance with EUC_2D distances from its text."""
    where = source or name
    header: dict[str, str] = {}
    coordinates: dict[int, tuple[float, float]] = {}
    demands: dict[int, float] = {}
    depots: list[int] = []
    section = ""
    for number, words in _lines(text):
        keyword = words[0].rstrip(":").upper()
        if keyword in {"NODE_COORD_SECTION", "DEMAND_SECTION", "DEPOT_SECTION"}:
            section = keyword
        elif keyword == "EOF":
            break
        elif ":" in " ".join(words) and not words[0][0].isdigit() and words[0][0] != "-":
            key, _, value = " ".join(words).partition(":")
            header[key.strip().upper()] = value.strip()
            section = ""
        elif section == "NODE_COORD_SECTION":
            values = _numbers(words, where, number)
            if len(values) != 3:
                raise InstanceError(f"{where}: line {number}: expected id, x and y")
            coordinates[int(values[0])] = (values[1], values[2])
        elif section == "DEMAND_SECTION":
            values = _numbers(words, where, number)
            if len(values) != 2:
                raise InstanceError(f"{where}: line {number}: expected id and demand")
            demands[int(values[0])] = values[1]
        elif section == "DEPOT_SECTION":
            value = int(_numbers(words, where, number)[0])
            if value >= 0:
                depots.append(value)
    weight_type = header.get("EDGE_WEIGHT_TYPE", "")
    if weight_type != "EUC_2D":
        raise InstanceError(f"{where}: EDGE_WEIGHT_TYPE {weight_type or '(none)'} is not EUC_2D")
    try:
        capacity = float(header["CAPACITY"])
    except (KeyError, ValueError):
        raise InstanceError(f"{where}: no CAPACITY") from None
    if not coordinates or set(coordinates) != set(demands):
        raise InstanceError(f"{where}: every node needs coordinates and a demand")
    depot_id = depots[0] if depots else min(coordinates)
    if depot_id not in coordinates:
        raise InstanceError(f"{where}: the depot {depot_id} has no coordinates")
    order = [depot_id, *sorted(node for node in coordinates if node != depot_id)]
    points = tuple(coordinates[node] for node in order)
    distances = np.floor(euclidean(points) + 0.5)
    stops = tuple(
        Stop(id=str(node - 1 if depot_id == 1 else node), location=index, demand=(demands[node],))
        for index, node in enumerate(order[1:], start=1)
    )
    for stop in stops:
        if stop.demand[0] > capacity:
            raise InstanceError(f"{where}: customer {stop.id}'s demand exceeds the capacity")
    vehicles = tuple(
        Vehicle(id=f"v{number}", capacity=(capacity,)) for number in range(1, len(stops) + 1)
    )
    problem = Problem(
        distances=distances,
        durations=distances,
        stops=stops,
        vehicles=vehicles,
        dimensions=("demand",),
        name=name,
    )
    return BenchmarkInstance(name, "cvrplib", problem, points)


def euclidean(points: tuple[tuple[float, float], ...]) -> np.ndarray:
    """The matrix of straight-line distances between the points."""
    array = np.asarray(points, dtype=float)
    return np.sqrt(((array[:, None, :] - array[None, :, :]) ** 2).sum(axis=-1))


def _lines(text: str) -> Iterator[tuple[int, list[str]]]:
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if words:
            yield number, words


def _numbers(words: list[str], where: str, line: int) -> list[float]:
    try:
        values = [float(word) for word in words]
    except ValueError:
        found = " ".join(words)
        raise InstanceError(f"{where}: line {line}: expected numbers, found {found!r}") from None
    if not all(math.isfinite(value) for value in values):
        raise InstanceError(f"{where}: line {line}: numbers must be finite")
    return values

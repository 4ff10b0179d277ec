"""A local stand-in for an OSRM server's table service, for tests.

It listens on 127.0.0.1 on a free port, runs in a background thread while its `with` block
lasts, and records every request it parsed. It reads the URL as osrm-routed 5.x does
(`/table/v1/{profile}/{lon},{lat};...[.json]?annotations=...&sources=...&destinations=...`) and
refuses what osrm-routed refuses, with the same HTTP status (400) and codes, checked in the same
order as OSRM's table service and plugin:

- a path that is not `/{service}/{version}/{profile}/{query}`: `InvalidUrl`;
- a service other than `table`: `InvalidService`; a version other than `v1`: `InvalidVersion`;
- a query the grammar cannot parse (coordinates that are not `number,number` joined by `;`, an
  unknown option, a bad `annotations`/`sources`/`destinations` value): `InvalidQuery`, "Query
  string malformed close to position N";
- fewer than two coordinates, or a source/destination index out of range: `InvalidOptions`;
- a latitude outside -90..90 or a longitude outside -180..180 (for example latitude and
  longitude swapped): `InvalidOptions`, "Coordinates are invalid";
- sources x destinations above max_table_size squared (osrm-routed's `--max-table-size` rule):
  `TooBig`, "Too many table coordinates".

OSRM options the client never sends (bearings, radiuses, hints, fallback_speed, ...) are
refused here as unknown, an InvalidQuery.

Distances come from its own road model, independent of routing/road_network.py: a Manhattan
walk in metres over the coordinates (north-south, then east-west at the mean latitude's scale),
with a northbound part 10 % longer than southbound so the matrix is not symmetric, driven at
`speed_kmh`; both rounded to 0.1 as OSRM rounds them. Points listed in `islands` are cut off from
every other point and directed pairs in `closed` have no route: their entries are null.
"""

from __future__ import annotations

import http.server
import json
import math
import re
import socket
import threading
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

Coordinate = tuple[float, float]
"""(longitude, latitude) in degrees, as OSRM orders them."""

METRES_PER_DEGREE = 111_320.0
NORTHBOUND_FACTOR = 1.1

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_LOCATION = re.compile(rf"({_NUMBER}),({_NUMBER})")
_PATH = re.compile(r"/(?P<service>[^/]*)/(?P<version>[^/]*)/(?P<profile>[^/]+)/(?P<query>.*)")
_ANNOTATIONS = re.compile(r"(?:duration|distance)(?:,(?:duration|distance))*")
_INDICES = re.compile(r"all|\d+(?:;\d+)*")


class OsrmRefusal(Exception):
    """A request OSRM refuses: its code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TableRequest:
    """A table request as the fake parsed it."""

    target: str
    profile: str
    coordinates: tuple[Coordinate, ...]
    annotations: frozenset[str]
    sources: tuple[int, ...] | None
    """Indices into coordinates; None for all."""
    destinations: tuple[int, ...] | None

    @property
    def source_indices(self) -> tuple[int, ...]:
        return self.sources if self.sources is not None else tuple(range(len(self.coordinates)))

    @property
    def destination_indices(self) -> tuple[int, ...]:
        if self.destinations is not None:
            return self.destinations
        return tuple(range(len(self.coordinates)))


def parse_table_target(target: str) -> TableRequest:
    """The table request in a request target (path and query); OsrmRefusal if OSRM refuses it."""
    path = urllib.parse.unquote(target)
    match = _PATH.fullmatch(path)
    if match is None:
        raise OsrmRefusal("InvalidUrl", f"URL string malformed close to position {len(path)}: ")
    if match["service"] != "table":
        raise OsrmRefusal("InvalidService", f"Service {match['service']} not found!")
    if match["version"] != "v1":
        raise OsrmRefusal("InvalidVersion", f"Service {match['service']} not found!")
    offset = match.start("query")
    coordinates, position = _parse_coordinates(match["query"], offset)
    query = match["query"][position - offset :]
    if query.startswith(".json"):
        query, position = query[5:], position + 5
    options: dict[str, str] = {}
    if query:
        if not query.startswith("?"):
            raise _malformed(position)
        options = _parse_options(query[1:], position + 1)
    annotations = frozenset(options.get("annotations", "duration").split(","))
    return TableRequest(
        target=target,
        profile=match["profile"],
        coordinates=coordinates,
        annotations=annotations,
        sources=_indices(options.get("sources")),
        destinations=_indices(options.get("destinations")),
    )


def _parse_coordinates(query: str, offset: int) -> tuple[tuple[Coordinate, ...], int]:
    """The `lon,lat;lon,lat...` list at the start of `query`, and the position after it."""
    coordinates: list[Coordinate] = []
    position = 0
    while True:
        location = _LOCATION.match(query, position)
        if location is None:
            raise _malformed(offset + position)
        coordinates.append((float(location[1]), float(location[2])))
        position = location.end()
        if not query.startswith(";", position):
            return tuple(coordinates), offset + position
        position += 1


def _parse_options(text: str, offset: int) -> dict[str, str]:
    """The `name=value&...` options the table service takes; InvalidQuery for anything else."""
    grammar = {"annotations": _ANNOTATIONS, "sources": _INDICES, "destinations": _INDICES}
    options: dict[str, str] = {}
    position = offset
    for option in text.split("&"):
        name, equals, value = option.partition("=")
        if not equals or name not in grammar or not grammar[name].fullmatch(value):
            raise _malformed(position)
        options[name] = value
        position += len(option) + 1
    return options


def _indices(value: str | None) -> tuple[int, ...] | None:
    """A sources/destinations value: None for all."""
    if value is None or value == "all":
        return None
    return tuple(int(index) for index in value.split(";"))


def _malformed(position: int) -> OsrmRefusal:
    return OsrmRefusal("InvalidQuery", f"Query string malformed close to position {position}")


def road(a: Coordinate, b: Coordinate, speed_kmh: float) -> tuple[float, float]:
    """(metres, seconds) by the fake's road model from `a` to `b`, rounded to 0.1."""
    (lon_a, lat_a), (lon_b, lat_b) = a, b
    north_south = abs(lat_b - lat_a) * METRES_PER_DEGREE
    if lat_b > lat_a:
        north_south *= NORTHBOUND_FACTOR
    scale = math.cos(math.radians((lat_a + lat_b) / 2))
    east_west = abs(lon_b - lon_a) * METRES_PER_DEGREE * scale
    metres = north_south + east_west
    return round(metres, 1), round(metres / (speed_kmh / 3.6), 1)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    owner: FakeOsrm


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the fake records requests instead."""

    def do_GET(self) -> None:
        owner = self.server.owner
        if owner.stalled:
            owner._release.wait(timeout=5)
            return
        if owner.reply is not None:
            status, body = owner.reply
            self._send(status, body, "text/plain; charset=utf-8")
            return
        try:
            request = parse_table_target(self.path)
            with owner._lock:
                owner.requests.append(request)
            answer = owner.answer(request)
        except OsrmRefusal as refusal:
            self._json(400, {"code": refusal.code, "message": refusal.message})
            return
        self._json(200, answer)

    def _json(self, status: int, document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()
        self._send(status, body, "application/json; charset=UTF-8")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FakeOsrm:
    """An OSRM table service on 127.0.0.1 between __enter__ and __exit__.

    Set `islands` (coordinates cut off from all others) and `closed` (directed pairs without a
    route) for nulls, `reply` = (status, body) to answer every request with those bytes, or
    `stalled` to accept requests and never answer.
    """

    def __init__(self, max_table_size: int = 100, speed_kmh: float = 36.0) -> None:
        self.max_table_size = max_table_size
        self.speed_kmh = speed_kmh
        self.islands: set[Coordinate] = set()
        self.closed: set[tuple[Coordinate, Coordinate]] = set()
        self.reply: tuple[int, bytes] | None = None
        self.stalled = False
        self.requests: list[TableRequest] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.owner = self
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Self:
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def route(self, a: Coordinate, b: Coordinate) -> tuple[float, float] | None:
        """(metres, seconds) from `a` to `b`, or None where there is no route."""
        if a == b:
            return 0.0, 0.0
        if a in self.islands or b in self.islands or (a, b) in self.closed:
            return None
        return road(a, b, self.speed_kmh)

    def full_table(
        self, coordinates: Sequence[Coordinate]
    ) -> tuple[list[list[float | None]], list[list[float | None]]]:
        """(distances, durations) between all `coordinates`, as one unlimited request gives."""
        distances: list[list[float | None]] = []
        durations: list[list[float | None]] = []
        for a in coordinates:
            routes = [self.route(a, b) for b in coordinates]
            distances.append([None if r is None else r[0] for r in routes])
            durations.append([None if r is None else r[1] for r in routes])
        return distances, durations

    def answer(self, request: TableRequest) -> dict[str, Any]:
        """The JSON answer to a parsed request; OsrmRefusal where OSRM refuses it."""
        count = len(request.coordinates)
        if count < 2:
            raise OsrmRefusal("InvalidOptions", "Number of coordinates needs to be at least two.")
        indices = request.source_indices + request.destination_indices
        if any(index >= count for index in indices):
            raise OsrmRefusal("InvalidOptions", "")
        if not all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in request.coordinates):
            raise OsrmRefusal("InvalidOptions", "Coordinates are invalid")
        sources, destinations = request.source_indices, request.destination_indices
        if len(sources) * len(destinations) > self.max_table_size**2:
            raise OsrmRefusal("TooBig", "Too many table coordinates")
        routes = [
            [self.route(request.coordinates[s], request.coordinates[d]) for d in destinations]
            for s in sources
        ]
        answer: dict[str, Any] = {
            "code": "Ok",
            "sources": [_waypoint(request.coordinates[s]) for s in sources],
            "destinations": [_waypoint(request.coordinates[d]) for d in destinations],
        }
        if "duration" in request.annotations:
            answer["durations"] = [[None if r is None else r[1] for r in row] for row in routes]
        if "distance" in request.annotations:
            answer["distances"] = [[None if r is None else r[0] for r in row] for row in routes]
        return answer


def _waypoint(coordinate: Coordinate) -> dict[str, Any]:
    """A waypoint object, snapped exactly onto the input coordinate."""
    return {"hint": "", "distance": 0.0, "name": "", "location": list(coordinate)}


def closed_port() -> int:
    """A local port nothing listens on (it was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])

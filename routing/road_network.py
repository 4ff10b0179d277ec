"""Road distances and travel times between delivery points, for last-mile route planning.

A road network turns a list of points (latitude, longitude) into two square matrices, row =
from and column = to: metres by road and seconds of driving, with zeros on the diagonal.

- `GreatCircleNetwork` is the embedded default: the great-circle distance times a road factor,
  driven at an average speed. It needs nothing but the coordinates.
- `OsrmNetwork` asks an OSRM server's table service
  (http://project-osrm.org/docs/v5.24.0/api/#table-service) and splits large tables into
  blocks the server accepts.

Either gives a `RoadNetworkError` when it cannot give complete matrices, saying why; when some
points cannot be routed to or from, the error lists them in `unreachable`.
"""

from __future__ import annotations

import http.client
import itertools
import json
import math
import numbers
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
"""The mean Earth radius (IUGG), in metres."""

_COORDINATE_DECIMALS = 6
"""Decimals of a degree sent to OSRM: 6 is about 0.1 m, finer than any road snapping."""

_MAX_LISTED = 5
"""How many points or pairs an error message names before it says how many more."""


@dataclass(frozen=True)
class Point:
    """A place on Earth in degrees (WGS 84): latitude -90..90, longitude -180..180."""

    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "latitude", _degrees("latitude", self.latitude, 90.0))
        object.__setattr__(self, "longitude", _degrees("longitude", self.longitude, 180.0))


def _degrees(field: str, value: object, limit: float) -> float:
    """`value` as a float within [-limit, limit]; ValueError naming `field` otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{field} must be a number of degrees, got {value!r}")
    degrees = float(value)
    if not -limit <= degrees <= limit:
        raise ValueError(f"{field} must be between {-limit:g} and {limit:g} degrees, got {value!r}")
    return degrees


class RoadNetworkError(RuntimeError):
    """The road network could not give the matrices; the message says why."""

    unreachable: tuple[int, ...]
    """Indices of the points the network cannot route to or from (may be empty)."""

    def __init__(self, message: str, unreachable: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.unreachable = tuple(unreachable)


class RoadNetwork(Protocol):
    """Anything that gives road distances and travel times between points."""

    def matrices(self, points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
        """(metres, seconds) between every pair of `points`: square, row = from, zero diagonal."""
        ...


def great_circle_m(a: Point, b: Point) -> float:
    """The great-circle (haversine) distance between `a` and `b` in metres."""
    lat_a, lat_b = math.radians(a.latitude), math.radians(b.latitude)
    half_dlat = abs(lat_a - lat_b) / 2
    half_dlon = abs(math.radians(a.longitude) - math.radians(b.longitude)) / 2
    h = math.sin(half_dlat) ** 2 + math.cos(lat_a) * math.cos(lat_b) * math.sin(half_dlon) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def great_circle_matrix_m(points: Sequence[Point]) -> np.ndarray:
    """The great-circle distances in metres between every pair of `points` (symmetric)."""
    n = len(points)
    if n == 0:
        return np.zeros((0, 0))
    degrees = np.array([(p.latitude, p.longitude) for p in points], dtype=np.float64)
    lat, lon = np.radians(degrees[:, 0]), np.radians(degrees[:, 1])
    # abs() makes the half-angles, and so the matrix, exactly symmetric.
    h = np.abs(lon[:, None] - lon[None, :])
    h *= 0.5
    np.sin(h, out=h)
    np.square(h, out=h)
    cos_lat = np.cos(lat)
    h *= np.multiply.outer(cos_lat, cos_lat)  # one product per pair, so (i, j) == (j, i)
    sin_dlat = np.sin(np.abs(lat[:, None] - lat[None, :]) * 0.5)
    h += np.square(sin_dlat, out=sin_dlat)
    np.clip(h, 0.0, 1.0, out=h)
    np.sqrt(h, out=h)
    np.arcsin(h, out=h)
    h *= 2 * EARTH_RADIUS_M
    np.fill_diagonal(h, 0.0)
    return h


class GreatCircleNetwork:
    """The embedded default: great-circle distance x a road factor, at an average speed."""

    def __init__(self, road_factor: float = 1.3, speed_kmh: float = 30.0) -> None:
        if not (math.isfinite(road_factor) and road_factor >= 1.0):
            raise ValueError(f"road_factor must be a finite number >= 1, got {road_factor!r}")
        if not (math.isfinite(speed_kmh) and speed_kmh > 0.0):
            raise ValueError(f"speed_kmh must be a finite number > 0, got {speed_kmh!r}")
        self.road_factor = float(road_factor)
        self.speed_kmh = float(speed_kmh)

    def __repr__(self) -> str:
        return f"GreatCircleNetwork(road_factor={self.road_factor}, speed_kmh={self.speed_kmh})"

    def matrices(self, points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
        """(metres, seconds) between every pair of `points`: square, row = from, zero diagonal."""
        metres = great_circle_matrix_m(points)
        metres *= self.road_factor
        seconds = metres / (self.speed_kmh / 3.6)
        return metres, seconds


@dataclass(frozen=True)
class _Block:
    """One table request: the rows (sources) and columns (destinations) of the full matrix."""

    rows: range
    columns: range

    @property
    def coordinates(self) -> list[int]:
        """The points the request sends, by index in the full list."""
        if self.rows == self.columns:
            return list(self.rows)
        return [*self.rows, *self.columns]

    @property
    def whole(self) -> bool:
        """Whether the request is the full table of its coordinates (no sources/destinations)."""
        return self.rows == self.columns


def _blocks(n: int, max_table_size: int) -> Iterator[_Block]:
    """Blocks covering an n x n table, each sending at most `max_table_size` coordinates and at
    least two (OSRM refuses a table of one); a lone point's own block is left out (it is 0)."""
    if n <= max_table_size:
        if n >= 2:
            yield _Block(range(n), range(n))
        return
    size = max_table_size // 2
    chunks = [range(start, min(start + size, n)) for start in range(0, n, size)]
    for rows in chunks:
        for columns in chunks:
            if rows != columns or len(rows) >= 2:
                yield _Block(rows, columns)


class OsrmNetwork:
    """An OSRM server's table service (http://project-osrm.org/docs/v5.24.0/api/#table-service).

    `max_table_size` must not exceed the server's (osrm-routed `--max-table-size`, default 100):
    larger tables are asked in blocks of at most that many coordinates each. `timeout_s` limits
    each wait on the server.
    """

    def __init__(
        self,
        base_url: str,
        profile: str = "driving",
        timeout_s: float = 10.0,
        max_table_size: int = 100,
    ) -> None:
        self.base_url = _checked_base_url(base_url)
        if not profile or any(c in profile for c in "/?#;, ") or not profile.isprintable():
            raise ValueError(f"profile must be a single URL path segment, got {profile!r}")
        if not (math.isfinite(timeout_s) and timeout_s > 0.0):
            raise ValueError(f"timeout_s must be a finite number > 0, got {timeout_s!r}")
        if isinstance(max_table_size, bool) or not isinstance(max_table_size, int):
            raise ValueError(f"max_table_size must be an integer, got {max_table_size!r}")
        if max_table_size < 2:
            raise ValueError(f"max_table_size must be at least 2, got {max_table_size}")
        self.profile = profile
        self.timeout_s = float(timeout_s)
        self.max_table_size = max_table_size

    def __repr__(self) -> str:
        return (
            f"OsrmNetwork({self.base_url!r}, profile={self.profile!r}, "
            f"timeout_s={self.timeout_s}, max_table_size={self.max_table_size})"
        )

    def matrices(self, points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
        """(metres, seconds) between every pair of `points`: square, row = from, zero diagonal.

        RoadNetworkError if the server cannot be reached, refuses, answers something that is not
        a table, or has no route between some pair of points.
        """
        n = len(points)
        metres = np.full((n, n), np.nan)
        seconds = np.full((n, n), np.nan)
        for block in _blocks(n, self.max_table_size):
            block_metres, block_seconds = self._table(points, block)
            cells = np.ix_(block.rows, block.columns)
            metres[cells] = block_metres
            seconds[cells] = block_seconds
        np.fill_diagonal(metres, 0.0)
        np.fill_diagonal(seconds, 0.0)
        self._check_routes(points, np.isnan(metres) | np.isnan(seconds))
        return metres, seconds

    def _url(self, points: Sequence[Point], block: _Block) -> str:
        """The table request for `block` of `points`."""
        digits = _COORDINATE_DECIMALS
        coordinates = ";".join(
            f"{points[i].longitude:.{digits}f},{points[i].latitude:.{digits}f}"
            for i in block.coordinates
        )
        query = "annotations=duration,distance"
        if not block.whole:
            sources = ";".join(str(i) for i in range(len(block.rows)))
            destinations = ";".join(
                str(i) for i in range(len(block.rows), len(block.rows) + len(block.columns))
            )
            query += f"&sources={sources}&destinations={destinations}"
        profile = urllib.parse.quote(self.profile, safe="")
        return f"{self.base_url}/table/v1/{profile}/{coordinates}?{query}"

    def _table(self, points: Sequence[Point], block: _Block) -> tuple[np.ndarray, np.ndarray]:
        """(metres, seconds) of one block, NaN where the server has no route."""
        answer = self._get_json(self._url(points, block))
        if not isinstance(answer, dict):
            raise self._error(f"answered JSON that is not an object: {_snippet(answer)}")
        if answer.get("code") != "Ok":
            raise self._error(self._refused(answer))
        shape = (len(block.rows), len(block.columns))
        return (
            self._matrix(answer.get("distances"), "distances", shape),
            self._matrix(answer.get("durations"), "durations", shape),
        )

    def _get_json(self, url: str) -> Any:
        """The JSON document the server answers to GET `url`."""
        request = urllib.request.Request(  # noqa: S310 (the scheme was checked to be http(s))
            url, headers={"Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as error:
            raise self._error(self._http_failure(error)) from None
        except (OSError, http.client.HTTPException) as error:
            raise self._error(f"could not be reached: {self._reason(error)}") from error
        try:
            return json.loads(body, parse_constant=_no_constant)
        except ValueError:  # not UTF-8, not JSON, or NaN/Infinity, which JSON does not have
            raise self._error(f"answered something that is not JSON: {_snippet(body)}") from None

    def _http_failure(self, error: urllib.error.HTTPError) -> str:
        """What an HTTP error status says: OSRM's code and message when the body has them."""
        with error:
            try:
                body = error.read()
            except (OSError, http.client.HTTPException):
                body = b""
        status = f"HTTP {error.code} {error.reason}".rstrip()
        try:
            answer = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            answer = None
        if isinstance(answer, dict) and isinstance(answer.get("code"), str):
            return self._refused(answer, status)
        return f"answered {status}: {_snippet(body)}"

    def _refused(self, answer: dict[str, Any], status: str = "") -> str:
        """OSRM's refusal of a table request, with its code and message."""
        code, message = answer.get("code"), answer.get("message")
        text = f"refused the table request{f' ({status})' if status else ''}: code {code!r}"
        if message:
            text += f", {message!r}"
        if code == "TooBig":
            text += (
                f"; max_table_size={self.max_table_size} is more than the server's"
                " --max-table-size allows"
            )
        return text

    def _reason(self, error: BaseException) -> str:
        """Why the server could not be reached, in words."""
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        if isinstance(reason, TimeoutError):
            return f"no answer within {self.timeout_s:g} s"
        return str(reason) or type(reason).__name__

    def _matrix(self, value: object, name: str, shape: tuple[int, int]) -> np.ndarray:
        """The `name` matrix of an answer as floats, NaN for null (no route); error if it is not
        a matrix of that shape of non-negative numbers."""
        rows, columns = shape
        if not (
            isinstance(value, list)
            and len(value) == rows
            and all(isinstance(row, list) and len(row) == columns for row in value)
        ):
            raise self._error(
                f"answered a table whose {name} are not a {rows} x {columns} matrix "
                "(does the server support annotations=duration,distance?)"
            )
        allowed = {int, float, type(None)}
        kinds = set(map(type, itertools.chain.from_iterable(value)))
        if not kinds <= allowed:
            odd = sorted(kind.__name__ for kind in kinds - allowed)
            raise self._error(f"answered {name} with entries that are not numbers: {odd}")
        matrix = np.array(value, dtype=np.float64).reshape(shape)  # null becomes NaN
        if np.any(np.isinf(matrix) | (matrix < 0)):
            raise self._error(f"answered {name} with negative or infinite entries")
        return matrix

    def _check_routes(self, points: Sequence[Point], missing: np.ndarray) -> None:
        """RoadNetworkError naming the points and pairs without a route, if there are any."""
        if not missing.any():
            return
        others = len(points) - 1
        cut_off = (missing.sum(axis=1) == others) | (missing.sum(axis=0) == others)
        unreachable = [int(i) for i in np.flatnonzero(cut_off)]
        pairs = [
            (int(i), int(j))
            for i, j in zip(*np.nonzero(missing), strict=True)
            if not (cut_off[i] or cut_off[j])
        ]
        problems = []
        if unreachable:
            named = [f"{i} ({_where(points[i])})" for i in unreachable]
            problems.append(f"cannot route to or from {_plural('point', named)}")
        if pairs:
            named = [f"{i} -> {j}" for i, j in pairs]
            problems.append(f"has no route for {_plural('pair', named)} (from -> to, by index)")
        raise self._error(", and ".join(problems), unreachable)

    def _error(self, reason: str, unreachable: Sequence[int] = ()) -> RoadNetworkError:
        """An error saying that this server failed, and why."""
        return RoadNetworkError(f"OSRM server {self.base_url} {reason}", unreachable)


def _checked_base_url(base_url: str) -> str:
    """`base_url` without a trailing slash; ValueError unless it is an http(s) URL."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"base_url must be an http:// or https:// URL, got {base_url!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"base_url must not have a query or a fragment, got {base_url!r}")
    return base_url.rstrip("/")


def _no_constant(name: str) -> float:
    """Refuses NaN and Infinity, which Python's JSON reader would otherwise accept."""
    raise ValueError(f"{name} is not JSON")


def _where(point: Point) -> str:
    """A point as 'latitude, longitude'."""
    return f"{point.latitude:.6f}, {point.longitude:.6f}"


def _plural(noun: str, items: Sequence[str]) -> str:
    """'noun item' or 'nouns item, item, ...': the first few, and how many more."""
    shown = ", ".join(items[:_MAX_LISTED])
    rest = len(items) - _MAX_LISTED
    listed = f"{shown} and {rest} more" if rest > 0 else shown
    return f"{noun}{'s' if len(items) > 1 else ''} {listed}"


def _snippet(value: object, limit: int = 120) -> str:
    """The start of a body or value, for an error message."""
    text = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else repr(value)
    text = " ".join(text.split())
    if not text:
        return "(empty body)"
    return repr(text[:limit] + ("..." if len(text) > limit else ""))

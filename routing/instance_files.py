"""Instance and solution files: reading them, and the error that names what is wrong.

Shared by the picking instances (`routing.pick_instances`) and the delivery benchmarks
(`routing.vrp_files`, `routing.vrp_commands`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class InstanceError(ValueError):
    """An instance or solution file that cannot be used, and why."""


def read_text(path: str | Path) -> str:
    """The file's text; InstanceError if it is missing or unreadable."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstanceError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InstanceError(f"{path}: cannot read it ({error})") from None


def read_json(path: str | Path) -> dict[str, Any]:
    """The JSON object in the file; InstanceError if it is missing, unreadable or not an object."""
    path = Path(path)
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InstanceError(
            f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    if not isinstance(data, dict):
        raise InstanceError(f"{path}: the file must hold a JSON object")
    return data


def dumps_solution(solution: Mapping[str, Any]) -> str:
    """A solution object as JSON text (one line, ids as given)."""
    return json.dumps(solution, ensure_ascii=False, allow_nan=False)


def finite_time_limit(value: float) -> float:
    """A time limit in seconds, checked: a positive finite number."""
    if not math.isfinite(value) or value <= 0:
        raise InstanceError(f"the time limit must be a positive number of seconds, not {value}")
    return value

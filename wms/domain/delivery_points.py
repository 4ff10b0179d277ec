"""Where and when a parcel may be delivered: the point in degrees and the recipient's window."""

from __future__ import annotations

import math
from datetime import time

from wms.domain.errors import InvalidInput


def check_coordinates(
    latitude: float | None, longitude: float | None, prefix: str = ""
) -> tuple[float, float] | None:
    """A point in degrees (WGS 84), or None when neither is given; one without the other, or a
    value out of range, is refused naming the field."""
    if latitude is None and longitude is None:
        return None
    for name, value, limit in (("latitude", latitude, 90.0), ("longitude", longitude, 180.0)):
        field = f"{prefix}{name}"
        if value is None:
            raise InvalidInput("Give the latitude and the longitude together.", field)
        if isinstance(value, bool) or not math.isfinite(value) or not -limit <= value <= limit:
            raise InvalidInput(f"Degrees from {-limit:g} to {limit:g}.", field)
    assert latitude is not None and longitude is not None
    return float(latitude), float(longitude)


def check_window(
    opens: time | None, closes: time | None, prefix: str = "delivery_window_"
) -> tuple[time, time] | None:
    """A delivery window in the FC's local time of day (the recipient's slot), or None."""
    if opens is None and closes is None:
        return None
    if opens is None or closes is None:
        field = f"{prefix}open" if opens is None else f"{prefix}close"
        raise InvalidInput("Give the window's opening and closing times together.", field)
    if closes <= opens:
        raise InvalidInput("The window must close after it opens.", f"{prefix}close")
    return opens, closes

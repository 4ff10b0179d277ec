"""Kinds of things in the catalogue and the building: temperature classes, zone purposes."""

from __future__ import annotations

import enum


class TemperatureClass(enum.StrEnum):
    """Storage temperature a SKU needs, or a zone provides."""

    AMBIENT = "ambient"
    CHILLED = "chilled"
    FROZEN = "frozen"


class ZonePurpose(enum.StrEnum):
    """What a zone of an FC is used for."""

    STORAGE = "storage"
    HIGH_VALUE = "high_value"
    HAZMAT = "hazmat"
    RECEIVING = "receiving"
    QUARANTINE = "quarantine"
    STAGING = "staging"
    DISPATCH = "dispatch"


class LocationStatus(enum.StrEnum):
    """Whether a bin can take and give stock."""

    ACTIVE = "active"
    BLOCKED = "blocked"
    INACTIVE = "inactive"


class VelocityClass(enum.StrEnum):
    """How fast a SKU sells: A the fastest movers, C the slowest."""

    A = "A"
    B = "B"
    C = "C"

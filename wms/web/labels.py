"""Translated names of the codes the pages show: roles, zone purposes, temperature classes."""

from __future__ import annotations

from flask_babel import gettext as _


def role_label(role: str) -> str:
    labels = {
        "admin": _("Administrator"),
        "manager": _("FC manager"),
        "staff": _("Warehouse staff"),
        "merchant": _("Merchant"),
    }
    return labels.get(str(role), str(role))


def purpose_label(purpose: str) -> str:
    labels = {
        "storage": _("Storage"),
        "high_value": _("High-value cage"),
        "hazmat": _("Hazardous goods"),
        "receiving": _("Receiving"),
        "quarantine": _("Quarantine"),
        "staging": _("Staging"),
        "dispatch": _("Dispatch"),
    }
    return labels.get(purpose, purpose)


def temperature_label(temperature_class: str) -> str:
    labels = {
        "ambient": _("Ambient"),
        "chilled": _("Chilled"),
        "frozen": _("Frozen"),
    }
    return labels.get(temperature_class, temperature_class)

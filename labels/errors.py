"""The one error the label library raises for data it cannot put on a label."""

from __future__ import annotations


class InvalidLabelData(ValueError):
    """The label cannot be printed from this data: `field` names the value, the message why."""

    def __init__(self, message: str, field: str = "label") -> None:
        super().__init__(message)
        self.field = field

"""Pages of multi-page documents (customs papers, route sheets): a footer on every page."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas


class NumberedCanvas(Canvas):
    """A canvas that writes the document's name and 'Page X of Y' at the foot of every page,
    `margin` points in from the sides and half of it up from the bottom."""

    def __init__(
        self, *args: Any, footer: str, footer_font: str, margin: float, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._footer_font = footer_font
        self._margin = margin
        self._page_states: list[dict[str, Any]] = []

    def showPage(self) -> None:
        """Hold the page until the number of pages is known."""
        self._page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        """Write the footers, then the pages."""
        total = len(self._page_states)
        for number, state in enumerate(self._page_states, start=1):
            self.__dict__.update(state)
            self.setFont(self._footer_font, 7)
            self.setFillColor(colors.black)
            self.drawString(self._margin, self._margin / 2, self._footer)
            right = self._pagesize[0] - self._margin
            self.drawRightString(right, self._margin / 2, f"Page {number} of {total}")
            super().showPage()
        super().save()

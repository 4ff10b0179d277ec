"""Label media and printer resolutions: sizes in millimetres, positions in whole printer dots."""

from __future__ import annotations

from dataclasses import dataclass

from labels.errors import InvalidLabelData

MM_PER_INCH = 25.4
POINTS_PER_INCH = 72.0
RESOLUTIONS = (203, 300)


@dataclass(frozen=True)
class Media:
    """A label stock: its name and its size in millimetres, portrait."""

    name: str
    width_mm: float
    height_mm: float


MEDIA: dict[str, Media] = {
    media.name: media
    for media in (
        Media("4x6", 101.6, 152.4),
        Media("100x150", 100.0, 150.0),
        Media("100x180", 100.0, 180.0),
        Media("100x75", 100.0, 75.0),
        Media("A6", 105.0, 148.0),
        Media("A4", 210.0, 297.0),
    )
}
LABEL_MEDIA = ("4x6", "100x150", "100x180", "100x75", "A6")
"""The thermal label stocks every label kind prints on (A4 is for sheets of shelf strips)."""


def media_named(name: str, field: str = "media") -> Media:
    """The media of that name, or InvalidLabelData listing the known ones."""
    media = MEDIA.get(name)
    if media is None:
        raise InvalidLabelData(
            f"Unknown label media {name!r}; use one of {', '.join(MEDIA)}.", field
        )
    return media


def check_dpi(dpi: int, field: str = "dpi") -> int:
    """The resolution if a label printer has it (203 or 300 dots per inch)."""
    if dpi not in RESOLUTIONS:
        raise InvalidLabelData(f"Printers print at 203 or 300 dpi, not {dpi}.", field)
    return dpi


@dataclass(frozen=True)
class DotGrid:
    """A printer's dot grid: converts millimetres to whole dots and dots to PDF points."""

    dpi: int

    @property
    def dots_per_mm(self) -> float:
        return self.dpi / MM_PER_INCH

    def dots(self, mm: float) -> int:
        """The nearest whole number of dots to a length in millimetres."""
        return round(mm * self.dots_per_mm)

    def points(self, dots: int) -> float:
        """A whole number of dots as PDF points (1/72 inch)."""
        return dots * POINTS_PER_INCH / self.dpi

    def snap(self, points: float) -> float:
        """A length or position in points moved onto the nearest dot boundary."""
        return self.points(round(points * self.dpi / POINTS_PER_INCH))

    def module_dots(self, target_mm: float, minimum_mm: float = 0.0) -> int:
        """The whole dots per barcode module nearest to `target_mm`, at least `minimum_mm`."""
        dots = max(1, self.dots(target_mm))
        while dots / self.dots_per_mm < minimum_mm - 1e-9:
            dots += 1
        return dots

    def size(self, media: Media) -> tuple[int, int]:
        """The media's printable width and height in whole dots."""
        return self.dots(media.width_mm), self.dots(media.height_mm)

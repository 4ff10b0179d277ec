"""Reading printed labels back as a scanner and a thermal printer would: decode every barcode
on a 1-bit raster and measure its bars in printer dots."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import zxingcpp
from PIL import Image

REPORT_DIR = Path(os.environ.get("WMS_TEST_REPORTS", "test-reports")) / "labels"


@dataclass(frozen=True)
class Read:
    """One decoded barcode: AIM symbology identifier, data (GS kept), and its box in pixels."""

    symbology: str
    text: str
    left: int
    top: int
    right: int
    bottom: int


def read_barcodes(image: Image.Image, *, try_downscale: bool = True) -> list[Read]:
    """Every barcode zxing-cpp finds on the image, with GS1 separators as GS characters.

    `try_downscale=False` reads at the image's own resolution only, as a scanner reads paper:
    zxing's downscaled passes alias modules of a few dots (4-dot modules at 300 dpi can then
    misread, though rarely, past Code 128's check character)."""
    found = []
    for result in zxingcpp.read_barcodes(
        image, text_mode=zxingcpp.TextMode.Plain, try_downscale=try_downscale
    ):
        corners = result.position
        xs = [
            corners.top_left.x,
            corners.top_right.x,
            corners.bottom_left.x,
            corners.bottom_right.x,
        ]
        ys = [
            corners.top_left.y,
            corners.top_right.y,
            corners.bottom_left.y,
            corners.bottom_right.y,
        ]
        found.append(
            Read(result.symbology_identifier, result.text, min(xs), min(ys), max(xs), max(ys))
        )
    return found


def bar_runs(image: Image.Image, read: Read) -> list[int]:
    """Widths in pixels of the alternating bars and spaces across the middle of a linear code."""
    row = (read.top + read.bottom) // 2
    pixels = image.load()
    xs = range(max(0, read.left - 2), min(image.width, read.right + 3))
    dark = [pixels[x, row] == 0 for x in xs]
    first = dark.index(True)
    last = len(dark) - 1 - dark[::-1].index(True)
    runs: list[int] = []
    current, length = dark[first], 0
    for value in dark[first : last + 1]:
        if value == current:
            length += 1
        else:
            runs.append(length)
            current, length = value, 1
    runs.append(length)
    return runs


def module_width(runs: list[int]) -> int:
    """The narrowest element's width: one module, if every bar is a whole number of modules."""
    return math.gcd(*runs)


def save_report(image: Image.Image, name: str) -> Path:
    """Attach a rendered label to the test report directory."""
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    path = REPORT_DIR / f"{name}.png"
    image.save(path)
    return path

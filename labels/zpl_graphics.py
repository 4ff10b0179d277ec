"""Bitmaps and text for ZPL: ^GF graphic fields, text the printer cannot draw, font 0 widths.

Zebra's resident fonts have no Thai or Vietnamese letters, so such text is drawn with the
label fonts (FontSet) into a small PDF, rasterised at the printer's resolution and sent as a
^GF graphic field. Plain ASCII text stays scalable font 0, whose widths are estimated here so
the layouts can wrap and fit it.
"""

from __future__ import annotations

import base64
import io
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from PIL import Image, ImageOps
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen import canvas

from labels.fonts import SHAPING_LOCK, FontSet, register_fonts
from labels.media import DotGrid
from labels.raster import rasterise_pdf

GraphicEncoding = Literal["ascii", "z64"]
DEFAULT_ENCODING: GraphicEncoding = "z64"
TEXT_CACHE_SIZE = 512

# Advance of each printable ASCII character (space to tilde) in font 0, in hundredths of the
# font width, rounded up; measured on the zplkit renderer's font 0 strike.
# fmt: off
_FONT0_ADVANCE = (
    29, 29, 47, 47, 47, 91, 63, 29, 29, 29, 47, 91, 29, 91, 29, 29,
    47, 47, 47, 47, 47, 47, 47, 47, 47, 47, 29, 29, 100, 91, 100, 44,
    91, 57, 57, 54, 60, 50, 50, 60, 63, 29, 44, 57, 47, 75, 63, 57,
    57, 57, 60, 54, 50, 63, 54, 82, 57, 57, 50, 29, 47, 29, 50, 50,
    29, 47, 50, 44, 50, 47, 29, 50, 50, 25, 25, 44, 25, 75, 50, 47,
    50, 50, 35, 44, 29, 50, 44, 66, 44, 44, 38, 50, 50, 50, 100,
)
# fmt: on
# ^GF ASCII compression: counts 1-19 as G-Y and multiples of 20 (20-400) as g-z.
_SMALL_COUNTS = "GHIJKLMNOPQRSTUVWXY"
_LARGE_COUNTS = "ghijklmnopqrstuvwxyz"


def is_plain_text(text: str) -> bool:
    """Whether font 0 can draw the text: printable ASCII only."""
    return all(" " <= char <= "~" for char in text)


def font0_width(text: str, width: int) -> int:
    """The estimated width in dots of ASCII text in font 0 at a character width of `width`."""
    return -(-sum(_FONT0_ADVANCE[ord(char) - 32] for char in text) * width // 100)


def field_text(text: str) -> str:
    """Text for a ^FH field: the characters ZPL would take as commands written as _hh."""
    return "".join(
        f"_{ord(char):02X}" if char in "^~_" or ord(char) < 32 or ord(char) == 127 else char
        for char in text
    )


@dataclass(frozen=True)
class GraphicField:
    """A 1-bit bitmap as a ^GF command: its size in dots and the command itself."""

    width: int
    height: int
    command: str


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT with initial value 0 (XMODEM), as Zebra checks :Z64: data."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _count_code(count: int) -> str:
    """A repeat count in ^GF ASCII compression letters (for counts of 1 to 419 and beyond)."""
    code = ""
    while count >= 20:
        step = min(count // 20, 20)
        code += _LARGE_COUNTS[step - 1]
        count -= step * 20
    if count:
        code += _SMALL_COUNTS[count - 1]
    return code


def _compress_row(hex_row: str) -> str:
    """One row of hex digits in ^GF ASCII compression (runs as counts, zero tails as ',')."""
    stripped = hex_row.rstrip("0")
    if not stripped:
        return ","
    tail = "," if len(stripped) < len(hex_row) else ""
    out = []
    index = 0
    while index < len(stripped):
        end = index
        while end < len(stripped) and stripped[end] == stripped[index]:
            end += 1
        run = end - index
        out.append((_count_code(run) if run > 1 else "") + stripped[index])
        index = end
    return "".join(out) + tail


def ascii_compressed(raw: bytes, bytes_per_row: int) -> str:
    """Bitmap bytes in ZPL's ASCII hex compression, repeated rows as ':'."""
    rows = []
    previous = None
    for start in range(0, len(raw), bytes_per_row):
        row = raw[start : start + bytes_per_row]
        rows.append(":" if row == previous else _compress_row(row.hex().upper()))
        previous = row
    return "".join(rows)


def z64(raw: bytes) -> str:
    """Bitmap bytes as :Z64: data: zlib, base64 and the CRC of the base64 text."""
    encoded = base64.b64encode(zlib.compress(raw, 9))
    return f":Z64:{encoded.decode('ascii')}:{crc16_ccitt(encoded):04X}"


def graphic_field(image: Image.Image, encoding: GraphicEncoding = DEFAULT_ENCODING) -> GraphicField:
    """A 1-bit image (black = ink) as a ^GFA command."""
    ink = ImageOps.invert(image.convert("L")).convert("1", dither=Image.Dither.NONE)
    bytes_per_row = (ink.width + 7) // 8
    raw = ink.tobytes()
    data = z64(raw) if encoding == "z64" else ascii_compressed(raw, bytes_per_row)
    command = f"^GFA,{len(raw)},{len(raw)},{bytes_per_row},{data}"
    return GraphicField(ink.width, ink.height, command)


def _text_pdf(
    text: str, fonts: FontSet, size_pt: float, width_pt: float, lines: int, bold: bool
) -> tuple[bytes, int]:
    """A one-page PDF with the text set in `width_pt`, at most `lines` lines; and lines used."""
    leading = size_pt * 1.18
    face = fonts.latin
    style = ParagraphStyle(
        "zpl-text", fontName=face.bold if bold else face.regular, fontSize=size_pt, leading=leading
    )
    with SHAPING_LOCK:
        paragraph = fonts.paragraph(text, style)
        _, height = paragraph.wrap(width_pt, leading * 100)
        used = max(1, min(lines, round(height / leading)))
        page_height = used * leading
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=(width_pt, page_height))
        paragraph.drawOn(pdf, 0, page_height - height)
        pdf.showPage()
        pdf.save()
    return buffer.getvalue(), used


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def text_graphic(
    text: str,
    size: int,
    width: int,
    dpi: int,
    bold: bool = False,
    lines: int = 1,
    fonts: FontSet | None = None,
    encoding: GraphicEncoding = DEFAULT_ENCODING,
) -> GraphicField:
    """Text of any script, `size` dots per line, wrapped in `width` dots, as a graphic field.

    Lines beyond `lines` are cut off; the bitmap is trimmed to its ink on the right.
    """
    if fonts is None:
        fonts = register_fonts()
    grid = DotGrid(dpi)
    size_pt = grid.points(size) / 1.18
    pdf, _ = _text_pdf(text, fonts, size_pt, grid.points(width), lines, bold)
    image = rasterise_pdf(pdf, dpi)[0]
    ink = ImageOps.invert(image.convert("L")).getbbox()
    right = min(image.width, ink[2] + 1) if ink else 8
    return graphic_field(image.crop((0, 0, right, image.height)), encoding)

"""PDF pages as a thermal printer prints them: one bit per pixel at the printer's resolution.

Used to turn PDF documents (carrier waybills, shaped Thai text) into ZPL graphics, and by the
tests to read labels back the way a scanner sees the printed paper.
"""

from __future__ import annotations

import threading

import pypdfium2 as pdfium
from PIL import Image

from labels.errors import InvalidLabelData
from labels.media import POINTS_PER_INCH

# PDFium is not thread-safe; one document is rasterised at a time in a process.
_PDFIUM_LOCK = threading.Lock()
_THRESHOLD = 128


def rasterise_pdf(pdf: bytes, dpi: int, *, pages: int | None = None) -> list[Image.Image]:
    """Each page (or the first `pages`) as a 1-bit image: black where the printer burns a dot.

    Rendering is without anti-aliasing and thresholded at half grey, like a thermal driver.
    """
    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as error:
            raise InvalidLabelData(f"Not a readable PDF: {error}.", "document") from None
        try:
            count = len(document) if pages is None else min(pages, len(document))
            images = []
            for index in range(count):
                page = document[index]
                # PDFium fits the page to a bitmap of ceil(size × scale) pixels; asking for a
                # whole number of dots keeps the scale exact, so dots land where they were put.
                dots = round(page.get_width() * dpi / POINTS_PER_INCH)
                bitmap = page.render(
                    scale=(dots - 1e-6) / page.get_width(),
                    grayscale=True,
                    no_smoothtext=True,
                    no_smoothimage=True,
                    no_smoothpath=True,
                )
                grey = bitmap.to_pil().convert("L")
                images.append(grey.point(lambda v: 255 if v >= _THRESHOLD else 0, mode="1"))
                page.close()
            return images
        finally:
            document.close()


def pdf_page_count(pdf: bytes) -> int:
    """How many pages a PDF has; InvalidLabelData ("document") when PDFium cannot open it or
    it has no page."""
    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as error:
            raise InvalidLabelData(f"Not a readable PDF: {error}.", "document") from None
        try:
            count = len(document)
        finally:
            document.close()
    if count < 1:
        raise InvalidLabelData("The PDF has no pages.", "document")
    return count

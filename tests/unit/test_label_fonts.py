"""Label fonts come from the system by default and from the configuration when it names them;
a wrong setting stops the app at start-up with a message naming the font."""

from __future__ import annotations

import re

import pytest

from labels import fonts as label_fonts
from labels.content import SkuLabel
from labels.fonts import FontNotFoundError, register_fonts
from labels.media import MEDIA
from labels.pdf import label_pdf
from wms.bootstrap import configure_label_fonts
from wms.settings import load_settings

GARUDA = "/usr/share/fonts/truetype/tlwg/Garuda.ttf"


@pytest.fixture
def restore_font_defaults():
    saved = dict(label_fonts._defaults)
    yield
    label_fonts._defaults.update(saved)


def _font_names(pdf: bytes) -> str:
    """The PDF's bytes as text: font dictionaries (not compressed) name the embedded fonts."""
    return pdf.decode("latin-1")


def test_labels_use_the_system_fonts_by_default():
    assert register_fonts().thai.family == "Loma"
    pdf = label_pdf(
        [SkuLabel(sku="S1", description="มะม่วงอบแห้ง", gtin="8851234567898")], MEDIA["100x75"]
    )
    assert "Loma" in _font_names(pdf)


def test_configured_font_files_are_used_for_labels(restore_font_defaults):
    settings = load_settings(environ={}, label_thai_font=GARUDA)
    configure_label_fonts(settings)
    assert register_fonts().thai.family == "Garuda"
    pdf = label_pdf(
        [SkuLabel(sku="S1", description="มะม่วงอบแห้ง", gtin="8851234567898")], MEDIA["100x75"]
    )
    names = _font_names(pdf)
    assert "Garuda" in names and "Loma" not in names


def test_a_missing_configured_font_fails_at_start_up_naming_it(restore_font_defaults):
    settings = load_settings(environ={"WMS_LABEL_THAI_FONT": "/nowhere/Sarabun.ttf"})
    with pytest.raises(FontNotFoundError, match=re.escape("/nowhere/Sarabun.ttf")):
        configure_label_fonts(settings)
    # The defaults did not change: labels still print with the system fonts.
    assert register_fonts().thai.family == "Loma"

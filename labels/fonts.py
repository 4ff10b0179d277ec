"""Fonts for labels and documents: found on the system, registered with ReportLab once.

Two faces cover the text a Thai merchant's paperwork carries: a Latin face that also has the
Vietnamese letters (DejaVu Sans, or Noto Sans), and a Thai face that also has Latin digits and
punctuation (TLWG Loma, Garuda or Norasi from Debian's fonts-thai-tlwg, or a Noto Sans Thai that
has digits). `FontSet.paragraph` turns text in any mix of these scripts into a ReportLab
paragraph that draws the right glyphs (Thai shaped with HarfBuzz) and extracts as the same text.
"""

from __future__ import annotations

import os
import threading
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph

__all__ = [
    "DEFAULT_SEARCH_DIRS",
    "LATIN_FAMILIES",
    "SHAPING_LOCK",
    "THAI_FAMILIES",
    "FontFace",
    "FontFamily",
    "FontFiles",
    "FontNotFoundError",
    "FontSet",
    "ShapingUnavailableError",
    "configure_fonts",
    "contains_thai",
    "register_fonts",
]

DEFAULT_SEARCH_DIRS: tuple[str, ...] = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
)

# ReportLab's shaper adds glyphs to a font's shared tables while it draws; documents that shape
# text are built while holding this lock so that two threads never do that at once.
SHAPING_LOCK = threading.RLock()

THAI_BLOCK = range(0x0E00, 0x0E80)
_ASCII_NEEDED = "0123456789,./:-()#&"
_VIETNAMESE_NEEDED = "ĐđĂăÂâÊêÔôƠơƯưẠạẬậẾếỄễỆệỜờỮữ"
_LATIN_NEEDED = "AZaz" + _ASCII_NEEDED + _VIETNAMESE_NEEDED
_THAI_NEEDED = (
    "".join(chr(c) for c in range(0x0E01, 0x0E2F))  # consonants
    + "".join(chr(c) for c in range(0x0E30, 0x0E3B))  # vowels
    + "".join(chr(c) for c in range(0x0E40, 0x0E4F))  # leading vowels, tone marks, signs
)


class FontNotFoundError(LookupError):
    """No usable font file was found for a script; the message names the Debian package."""


class ShapingUnavailableError(RuntimeError):
    """Thai cannot be drawn right: ReportLab's shaper needs the `uharfbuzz` package."""


@dataclass(frozen=True)
class FontFamily:
    """A font family we know how to find: its file names and the Debian package that ships it."""

    name: str
    regular_file: str
    bold_file: str
    debian_package: str


@dataclass(frozen=True)
class FontFiles:
    """Explicit font files for one script (bold defaults to the regular file)."""

    regular: Path | str
    bold: Path | str | None = None


@dataclass(frozen=True)
class FontFace:
    """A registered face: the ReportLab font names of its weights and the files behind them."""

    family: str
    regular: str
    bold: str
    regular_path: Path
    bold_path: Path


# In order of preference. Debian's NotoSansThai (fonts-noto-core 20201225) has no digits, commas
# or slashes, so it only qualifies where a newer build is installed; the coverage check decides.
LATIN_FAMILIES: tuple[FontFamily, ...] = (
    FontFamily("DejaVu Sans", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "fonts-dejavu-core"),
    FontFamily("Noto Sans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "fonts-noto-core"),
)
THAI_FAMILIES: tuple[FontFamily, ...] = (
    FontFamily("Loma", "Loma.ttf", "Loma-Bold.ttf", "fonts-thai-tlwg"),
    FontFamily("Garuda", "Garuda.ttf", "Garuda-Bold.ttf", "fonts-thai-tlwg"),
    FontFamily("Norasi", "Norasi.ttf", "Norasi-Bold.ttf", "fonts-thai-tlwg"),
    FontFamily(
        "Noto Sans Thai", "NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf", "fonts-noto-core"
    ),
)


def contains_thai(text: str) -> bool:
    """Whether the text has any character of the Thai block."""
    return any(ord(char) in THAI_BLOCK for char in text)


def _escape(text: str) -> str:
    """Text made safe for ReportLab's paragraph markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _ActualTextParagraph(Paragraph):
    """A paragraph whose drawn glyphs are tagged with the text they stand for (PDF ActualText).

    Shaped Thai uses substitute glyphs (low tone marks, ญ without its tail, sara am split in two)
    that have no or a different Unicode value, so without the tag a PDF reader extracts the
    wrong characters. A paragraph that is split over frames loses the tag on its parts.
    """

    def __init__(
        self,
        text: str | None,
        style: ParagraphStyle,
        *args: object,
        actual_text: str = "",
        **kwargs: object,
    ) -> None:
        super().__init__(text, style, *args, **kwargs)
        self.actual_text = actual_text

    def draw(self) -> None:
        """Draw the paragraph inside a marked-content span carrying its text."""
        if not self.actual_text:
            super().draw()
            return
        utf16 = ("\ufeff" + self.actual_text).encode("utf-16-be").hex().upper()
        self.canv.addLiteral(f"/Span <</ActualText <{utf16}>>> BDC")
        super().draw()
        self.canv.addLiteral("EMC")


@dataclass(frozen=True)
class FontSet:
    """The registered faces for Latin (with Vietnamese) text and for Thai text."""

    latin: FontFace
    thai: FontFace

    def face_for(self, text: str) -> FontFace:
        """The face that has the glyphs for this text: Thai if it has any Thai, else Latin."""
        return self.thai if contains_thai(text) else self.latin

    def paragraph(self, text: str, style: ParagraphStyle) -> Paragraph:
        """A paragraph of any mix of Thai, Latin and Vietnamese text, normalised to NFC.

        Words (split at white space) with Thai letters are set in the Thai face and the rest in
        the style's font; the weight follows the style's font. Paragraphs with Thai are shaped
        and carry their text for extraction and copy-paste.
        """
        text = unicodedata.normalize("NFC", text)
        lines = text.splitlines() or [""]
        if not contains_thai(text):
            return Paragraph("<br/>".join(_escape(line) for line in lines), style)
        bold = style.fontName in (self.latin.bold, self.thai.bold)
        thai_font = self.thai.bold if bold else self.thai.regular
        marked_lines = []
        for line in lines:
            words = []
            for word in line.split():
                if contains_thai(word) and style.fontName != thai_font:
                    words.append(f'<font name="{thai_font}">{_escape(word)}</font>')
                else:
                    words.append(_escape(word))
            marked_lines.append(" ".join(words))
        markup = "<br/>".join(marked_lines)
        shaped = ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1)
        return _ActualTextParagraph(markup, shaped, actual_text=" ".join(text.split()))


_registry_lock = threading.Lock()
_fonts_by_path: dict[Path, TTFont] = {}
_font_sets: dict[tuple[object, ...], FontSet] = {}
_defaults: dict[str, object] = {"search_dirs": None, "latin": None, "thai": None}


def configure_fonts(
    search_dirs: Sequence[Path | str] | None = None,
    *,
    latin: FontFiles | None = None,
    thai: FontFiles | None = None,
) -> FontSet:
    """Set where `register_fonts()` looks by default (an app's configuration), and check it.

    Returns the font set those settings give, so a wrong setting fails at start-up with
    FontNotFoundError rather than when the first label prints.
    """
    font_set = register_fonts(search_dirs, latin=latin, thai=thai)
    with _registry_lock:
        _defaults.update(search_dirs=search_dirs, latin=latin, thai=thai)
    return font_set


def register_fonts(
    search_dirs: Sequence[Path | str] | None = None,
    *,
    latin: FontFiles | None = None,
    thai: FontFiles | None = None,
) -> FontSet:
    """Find, check and register the Latin and Thai faces; the same call returns the same set.

    Called with no arguments, it uses what `configure_fonts` set (the system's fonts if nothing).

    Families are looked for by file name under `search_dirs` (default: the usual Debian font
    directories), in the order of `LATIN_FAMILIES` and `THAI_FAMILIES`; explicit files take
    precedence. A face must cover its script (Vietnamese letters for Latin; Thai letters, Latin
    digits and punctuation for Thai). Raises FontNotFoundError naming the font and its package,
    and ShapingUnavailableError when `uharfbuzz` is not installed.
    """
    if search_dirs is None and latin is None and thai is None:
        search_dirs = _defaults["search_dirs"]  # type: ignore[assignment]
        latin = _defaults["latin"]  # type: ignore[assignment]
        thai = _defaults["thai"]  # type: ignore[assignment]
    dirs = tuple(str(d) for d in (DEFAULT_SEARCH_DIRS if search_dirs is None else search_dirs))
    key = (dirs, latin, thai)
    with _registry_lock:
        cached = _font_sets.get(key)
        if cached is not None:
            return cached
        index = _FileIndex(dirs)
        font_set = FontSet(
            latin=_resolve("Latin/Vietnamese", LATIN_FAMILIES, latin, index, _LATIN_NEEDED),
            thai=_resolve("Thai", THAI_FAMILIES, thai, index, _THAI_NEEDED + _ASCII_NEEDED),
        )
        if not pdfmetrics.getFont(font_set.thai.regular).shapable:
            raise ShapingUnavailableError(
                "Thai text needs HarfBuzz shaping in ReportLab: pip install uharfbuzz "
                "(the reportlab[shaping] extra)."
            )
        _font_sets[key] = font_set
        return font_set


class _FileIndex:
    """Font files by file name under some directories (the first directory wins)."""

    def __init__(self, dirs: Iterable[str]) -> None:
        self.dirs = [Path(os.path.expanduser(d)) for d in dirs]
        self._paths: dict[str, Path] | None = None

    def find(self, file_name: str) -> Path | None:
        """The first file of that name, or None."""
        if self._paths is None:
            self._paths = {}
            for directory in self.dirs:
                for root, subdirs, files in os.walk(directory):
                    subdirs.sort()
                    for name in sorted(files):
                        self._paths.setdefault(name, Path(root) / name)
        return self._paths.get(file_name)


def _resolve(
    script: str,
    families: Sequence[FontFamily],
    explicit: FontFiles | None,
    index: _FileIndex,
    needed: str,
) -> FontFace:
    """The first family (or the explicit files) that exists and covers the script, registered."""
    if explicit is not None:
        regular = Path(explicit.regular)
        bold = Path(explicit.bold) if explicit.bold is not None else regular
        for path in (regular, bold):
            if not path.is_file():
                raise FontNotFoundError(f"{script} font file {path} does not exist.")
        face = _register(regular.stem, regular, bold, needed)
        if isinstance(face, str):
            raise FontNotFoundError(f"{script} font {regular} {face}.")
        return face
    problems = []
    for family in families:
        regular_path = index.find(family.regular_file)
        if regular_path is None:
            problems.append(
                f"{family.name} ({family.regular_file}, Debian {family.debian_package})"
            )
            continue
        bold_path = index.find(family.bold_file) or regular_path
        face = _register(family.name, regular_path, bold_path, needed)
        if isinstance(face, FontFace):
            return face
        problems.append(f"{family.name} at {regular_path} {face}")
    first = families[0]
    raise FontNotFoundError(
        f"No usable {script} font in {', '.join(str(d) for d in index.dirs)}. Looked for: "
        f"{'; '.join(problems)}. Install the Debian package {first.debian_package} "
        f"(apt-get install {first.debian_package}) for {first.name}, or pass the font files."
    )


def _register(family: str, regular_path: Path, bold_path: Path, needed: str) -> FontFace | str:
    """Register both weights (once per file) if they cover `needed`; else say what is wrong."""
    fonts = []
    for path in (regular_path, bold_path):
        key = path.resolve()
        font = _fonts_by_path.get(key)
        if font is None:
            try:
                font = TTFont(_font_name(path), str(path))
            except TTFError as error:
                return f"cannot be used: {error}"
        missing = sorted({char for char in needed if ord(char) not in font.face.charToGlyph})
        if missing:
            return f"lacks {len(missing)} needed characters, e.g. {' '.join(missing[:8])}"
        if key not in _fonts_by_path:
            pdfmetrics.registerFont(font)
            _fonts_by_path[key] = font
        fonts.append(font.fontName)
    regular, bold = fonts
    pdfmetrics.registerFontFamily(
        regular, normal=regular, bold=bold, italic=regular, boldItalic=bold
    )
    return FontFace(family, regular, bold, regular_path, bold_path)


def _font_name(path: Path) -> str:
    """A ReportLab font name for a file, unique among the fonts registered so far."""
    name = f"Pavilion-{path.stem}"
    if name in pdfmetrics.getRegisteredFontNames():
        name = f"{name}-{zlib.crc32(str(path.resolve()).encode()):08x}"
    return name

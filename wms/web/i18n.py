"""Translations of the pages: the languages offered, compiled catalogs and the locale choice."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g, has_request_context, request, session

from wms.bootstrap import wiring

log = logging.getLogger(__name__)

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
SESSION_LOCALE = "locale"

# Each language in its own name, in the order the switch shows them.
LANGUAGE_NAMES: dict[str, str] = {
    "th": "ไทย",
    "en": "English",
    "ms": "Bahasa Melayu",
    "id": "Bahasa Indonesia",
    "vi": "Tiếng Việt",
}


def compile_catalogs(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile every .po catalog whose .mo is missing or older; returns the .mo files written.

    Fuzzy entries are left out, as gettext would. A catalog that cannot be written (a read-only
    install) is logged and skipped: its pages then fall back to English.
    """
    written: list[Path] = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        locale = po_path.parent.parent.name
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        # Write aside and rename, so a process reading the catalog never sees half a file.
        partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}.tmp")
        try:
            with partial.open("wb") as handle:
                write_mo(handle, catalog)
            os.replace(partial, mo_path)
        except OSError as error:
            log.warning("cannot compile %s: %s", po_path, error)
            partial.unlink(missing_ok=True)
            continue
        written.append(mo_path)
    return written


def offered_languages() -> list[tuple[str, str]]:
    """(code, own name) of each language the app is configured for, in switch order."""
    allowed = wiring().settings.locales
    ordered = [code for code in LANGUAGE_NAMES if code in allowed]
    ordered += [code for code in allowed if code not in LANGUAGE_NAMES]
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in ordered]


def select_locale() -> str:
    """The logged-in user's stored language, else the session's choice, else the browser's
    best match among the configured languages, else the default."""
    settings = wiring().settings
    allowed = settings.locales
    if not has_request_context():
        return settings.default_locale
    actor = g.get("actor")
    if actor is not None and actor.locale in allowed:
        return str(actor.locale)
    chosen = session.get(SESSION_LOCALE)
    if chosen in allowed:
        return str(chosen)
    best = request.accept_languages.best_match(allowed)
    return best or settings.default_locale

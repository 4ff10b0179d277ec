"""The translation catalogs: Thai is complete, no entry is fuzzy, placeholders survive."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from wms.settings import PROJECT_ROOT
from wms.web.i18n import LANGUAGE_NAMES, TRANSLATIONS_DIR, compile_catalogs

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# The same extraction as babel.cfg (pybabel extract -F babel.cfg -k lazy_gettext).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "N_": None}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
SOURCES = [PROJECT_ROOT / "wms" / "web", PROJECT_ROOT / "scanners"]


def catalog(locale: str) -> Catalog:
    with (TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def used_messages() -> dict[str, str | tuple[str, ...]]:
    """Every message the pages and the scanner pages ask to translate, keyed by its msgid."""
    found: dict[str, str | tuple[str, ...]] = {}
    for source in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(source), METHODS, keywords=KEYWORDS
        ):
            key = message[0] if isinstance(message, tuple | list) else message
            found[key] = tuple(message) if isinstance(message, tuple | list) else message
    return found


def test_the_pages_ask_for_many_messages():
    messages = used_messages()
    assert {"Log in", "Stock", "Expiry date", "Lot", "Wrong email or password."} <= set(messages)
    assert len(messages) > 80


def test_every_message_of_the_pages_has_a_thai_translation():
    thai = catalog("th")
    untranslated = []
    for key, message in used_messages().items():
        entry = thai.get(key)
        strings = entry.string if entry is not None else ""
        values = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or not all(value.strip() for value in values):
            untranslated.append(message)
    assert untranslated == []


def test_thai_catalog_uses_the_words_merchants_know():
    thai = catalog("th")
    assert thai.get("Log in").string == "เข้าสู่ระบบ"
    assert thai.get("Stock").string == "สต็อก"
    assert thai.get("Expiry date").string == "วันหมดอายุ"
    assert thai.get("Lot").string == "ล็อต"


@pytest.mark.parametrize("locale", sorted(set(LANGUAGE_NAMES) - {"en"}))
def test_catalog_has_no_fuzzy_entries_and_keeps_placeholders(locale: str):
    found = catalog(locale)
    assert not found.fuzzy, f"the {locale} catalog's header is marked fuzzy"
    entries = [message for message in found if message.id]
    assert entries, f"{locale} catalog is empty"
    assert [m.id for m in entries if m.fuzzy] == []
    for message in entries:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in strings:
            if string:
                assert set(PLACEHOLDER.findall(string)) == wanted, (locale, message.id, string)


@pytest.mark.parametrize("locale", sorted(set(LANGUAGE_NAMES) - {"en"}))
def test_catalog_knows_no_message_the_pages_no_longer_use(locale: str):
    stale = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(locale) if m.id}
    assert stale - set(used_messages()) == set()


def test_catalogs_compile_when_missing_or_older(tmp_path: Path):
    folder = tmp_path / "th" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "messages.po"
    po.write_bytes((TRANSLATIONS_DIR / "th" / "LC_MESSAGES" / "messages.po").read_bytes())

    assert compile_catalogs(tmp_path) == [folder / "messages.mo"]
    with (folder / "messages.mo").open("rb") as handle:
        assert read_mo(handle).get("Log in").string == "เข้าสู่ระบบ"
    assert compile_catalogs(tmp_path) == []  # up to date: nothing to do

    po.write_text(po.read_text(encoding="utf-8").replace("เข้าสู่ระบบ", "ล็อกอิน"), "utf-8")
    mo = folder / "messages.mo"
    stamp = mo.stat().st_mtime - 10
    os.utime(mo, (stamp, stamp))
    assert compile_catalogs(tmp_path) == [mo]
    with mo.open("rb") as handle:
        assert read_mo(handle).get("Log in").string == "ล็อกอิน"

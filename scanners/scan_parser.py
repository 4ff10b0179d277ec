"""Classify what a handheld scanner sent: an SSCC, a trade item, a bin location or plain text.

A library of its own: it imports the standard library and biip, nothing of the application.

`parse_scan()` takes the string a scanner typed or broadcast and returns a `Scan`, or raises
`ScanError` with a sentence a warehouse worker can act on. What it accepts:

* Surrounding whitespace, CR, LF and Tab (a keyboard-wedge suffix) are ignored; other control
  characters anywhere (ASCII 29 excepted, when it is a separator) are refused.
* An AIM symbology identifier (`]C1`, `]E0`, `]d2`, ...) may come first. When it is there it is
  trusted: GS1 symbologies (`]C1` GS1-128, `]d2` GS1 DataMatrix, `]Q3` GS1 QR, `]e0` DataBar,
  `]J1` DotCode) must carry GS1 element strings; `]E0` EAN-13/UPC-A (8 digits: UPC-E), `]E3`
  EAN-13 with an add-on (ignored), `]E4` EAN-8 and `]I1` ITF-14 must carry a GTIN; any other
  symbology (`]C0` Code 128, `]A0` Code 39, `]Q1` QR, ...) carries no GS1 data, so its content
  is a bin location, a GS1 Digital Link URL, or text, never a GTIN or SSCC.
* Without an identifier the content decides: `(AI)data` HRI; a bare 8, 12, 13 or 14-digit
  number is a GTIN (an 8-digit number whose EAN-8 check digit fails but whose UPC-E check digit
  holds is a UPC-E); 18 digits are an SSCC; a string led by an SSCC (`00` + 18 digits) or a GTIN
  (`01`/`02` + 14 digits), or holding a separator and starting with two digits, is a GS1 element
  string; then a GS1 Digital Link URL; then our bin-code pattern; anything else printable is
  text.
* The GS1 group separator (FNC1) may arrive as ASCII 29 or as any substitute listed in
  `separators` (a scanner rule that remaps GS to `~` or `|` for browsers).

Check digits (GTIN, SSCC, GLN) and dates (YYMMDD; day 00 is the month's last day) are verified.
A GTIN is always returned as a GTIN-14 (zero-padded), the form that compares equal whatever
barcode carried it; `gtin_variants()` gives the shorter spellings for lookups.

The lost-separator rule. When a separator is lost in transit, a variable-length field (lot,
serial, count) silently absorbs the fields after it: `(10)LOT2511A` + `(21)SN0001` arrives as
`10LOT2511A21SN0001` and reads as one lot. Only the last field of a separator-less scan can have
done so, and it is refused when, after at least one character of its own, the rest of its value
reads completely as further fields that the scan does not already hold, the first of which is

* a date (11, 13, 15, 16 or 17) with a real YYMMDD; or
* a lot (10) or serial (21) of at least 4 characters, starting right after a letter; or
* a count, starting right after a letter, where GS1 allows one: 37 beside a content GTIN (02),
  30 beside a variable-measure GTIN (01 starting with 9).

A lot like `2405211234` or `A1021B` passes (digits run on, or too short to be a serial), but a
legitimate lot like `AB21C001` is refused: the rule prefers keying in to a wrong lot in stock.
A separator-less scan whose data runs on unreadably past a variable-length field (`(37)24`
then `10LOT`, read as `(37)2410` + `LOT`) is refused as a lost separator too. A scan holding
any separator (even a leading one) proves the scanner passes separators through, and is taken
at face value; so is every scan when the caller says `separators_reliable=True` (e.g. Zebra
DataWedge intent output). HRI and Digital Link scans delimit their fields and are never
suspect.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from biip import ParseConfig, ParseError
from biip.checksums import gs1_standard_check_digit
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_element_strings import GS1ElementString
from biip.upc import Upc

__all__ = [
    "DEFAULT_LOCATION_PATTERN",
    "DIGITAL_LINK_SYMBOLOGIES",
    "GS1_SYMBOLOGIES",
    "GTIN_SYMBOLOGIES",
    "Scan",
    "ScanError",
    "ScanKind",
    "ScanProblem",
    "gtin_variants",
    "parse_scan",
]

DEFAULT_LOCATION_PATTERN: re.Pattern[str] = re.compile(
    r"^(?P<fc>[A-Z0-9]{3,8})-(?P<aisle>[A-Z0-9]{1,4})-(?P<bay>\d{2})-(?P<level>\d{2})"
    r"(?:-(?P<position>[A-Z]))?$"
)
"""Bin codes like `KUL1-A-03-02-B`: FC, aisle, 2-digit bay, 2-digit level, optional position.

As wide as the codes the WMS can generate (FC codes of 3 to 8 capitals or digits, aisles of 1
to 4); pass a narrower pattern to `parse_scan()` if an FC needs one.
"""


class ScanKind(enum.StrEnum):
    """What a scan identifies."""

    SSCC = "sscc"
    ITEM = "item"
    LOCATION = "location"
    TEXT = "text"


class ScanProblem(enum.StrEnum):
    """Why a scan was refused: a stable code a user interface can translate."""

    EMPTY = "empty"
    CONTROL_CHARACTER = "control_character"
    CHECK_DIGIT = "check_digit"
    INVALID_DATE = "invalid_date"
    SEPARATOR_LOST = "separator_lost"
    MALFORMED = "malformed"
    NO_IDENTIFIER = "no_identifier"
    CONFLICTING_FIELDS = "conflicting_fields"


class ScanError(ValueError):
    """A scan that cannot be used, with a message a warehouse worker understands."""

    def __init__(self, message: str, problem: ScanProblem) -> None:
        super().__init__(message)
        self.message = message
        self.problem = problem


@dataclass(frozen=True)
class Scan:
    """One classified scan; only the fields its kind and content give are set."""

    kind: ScanKind
    raw: str
    """Exactly as received, prefix, suffix and all."""
    symbology: str | None
    """The AIM symbology identifier, if the scanner sent one (e.g. `]C1`)."""
    sscc: str | None = None
    """18 digits, check digit verified (AI 00, or a bare 18-digit number)."""
    gtin: str | None = None
    """GTIN-14, zero-padded, check digit verified (AI 01, else AI 02, or a bare EAN/UPC)."""
    lot: str | None = None
    """AI 10."""
    expiry: date | None = None
    """AI 17 (use by / expiry); day 00 means the month's last day."""
    best_before: date | None = None
    """AI 15 (best before); kept apart from the expiry, the caller decides which one rules."""
    count: int | None = None
    """AI 37 (items in a logistic unit), else AI 30 (variable count)."""
    serial: str | None = None
    """AI 21."""
    location_code: str | None = None
    """The bin code, upper-cased, when the scan matched the location pattern."""
    text: str | None = None
    """The content of a text scan, without any symbology identifier."""
    elements: tuple[tuple[str, str], ...] = ()
    """Every GS1 field as (AI, value), in scan order, including those not mapped above."""

    @property
    def hri(self) -> str | None:
        """The GS1 fields in human-readable form, `(01)09501101530003(17)250630`, if any."""
        if not self.elements:
            return None
        return "".join(f"({ai}){value}" for ai, value in self.elements)


GS1_SYMBOLOGIES = frozenset({"C1", "d2", "Q3", "e0", "e1", "e2", "J1"})
"""AIM code + modifier of symbologies that carry GS1 element strings."""
GTIN_SYMBOLOGIES = frozenset({"E0", "E3", "E4", "I1"})
"""AIM code + modifier of symbologies that carry a bare GTIN (EAN/UPC, ITF-14)."""
DIGITAL_LINK_SYMBOLOGIES = frozenset({"Q0", "Q1", "Q2", "Q3", "Q4", "Q5", "d1", "d2"})
"""QR and DataMatrix variants that may carry a GS1 Digital Link URL."""

_AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_HRI_START = re.compile(r"^\(\d{2,4}\)")
_HRI_FIELD = re.compile(r"\((\d{2,4})\)([^()]*)")
_GS1_LEAD = re.compile(r"^(?:00\d{18}|0[12]\d{14})")
_URL = re.compile(r"^https?://", re.IGNORECASE)
_TRIMMED = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""White space a scan may be wrapped in: CR, LF, Tab, VT, FF and the Unicode spaces."""

_DATE_AIS = frozenset({"11", "12", "13", "15", "16", "17"})
_SWALLOWED_DATE_AIS = frozenset({"11", "13", "15", "16", "17"})
_SWALLOWED_TEXT_AIS = frozenset({"10", "21"})
_SWALLOWED_COUNT_AIS = frozenset({"30", "37"})
_MIN_SWALLOWED_TEXT = 4
_SEPARATOR_ADVICE = (
    "Set the scanner to send FNC1 as GS (or the agreed substitute), or key the data in."
)

_FIELD_NAMES = {
    "00": "SSCC",
    "01": "GTIN",
    "02": "content GTIN",
    "10": "lot",
    "11": "production date",
    "12": "due date",
    "13": "packaging date",
    "15": "best-before date",
    "16": "sell-by date",
    "17": "expiry date",
    "21": "serial number",
    "30": "count",
    "37": "count",
}


def parse_scan(
    raw: str,
    *,
    separators: Sequence[str] = ("\x1d",),
    location_pattern: re.Pattern[str] = DEFAULT_LOCATION_PATTERN,
    separators_reliable: bool = False,
) -> Scan:
    """Classify one scan, or refuse it with a `ScanError` saying what is wrong.

    `separators` are the characters that stand for the GS1 group separator (FNC1) in this
    scanner's output. `separators_reliable` says every scanner passes separators through, which
    turns the lost-separator rule off.
    """
    config = ParseConfig(separator_chars=_checked_separators(separators))
    body = _trim(raw)
    if not body:
        raise ScanError("Nothing was scanned.", ScanProblem.EMPTY)
    symbology: str | None = None
    if _AIM_PREFIX.match(body):
        symbology, body = body[:3], _trim(body[3:])
        if not body:
            raise ScanError(
                f"The scanner sent a symbology prefix ({symbology}) but no data.", ScanProblem.EMPTY
            )
    _refuse_control_characters(body, config)
    code = symbology[1:] if symbology else None

    if code in GS1_SYMBOLOGIES:
        if code in DIGITAL_LINK_SYMBOLOGIES and _URL.match(body):
            return _digital_link_scan(raw, symbology, body, config, required=True)
        return _gs1_scan(raw, symbology, body, config, separators_reliable)
    if code in GTIN_SYMBOLOGIES:
        return _gtin_scan(raw, symbology, body)
    if code is not None:
        if code in DIGITAL_LINK_SYMBOLOGIES and _URL.match(body):
            return _digital_link_scan(raw, symbology, body, config, required=False)
        return _location_or_text(raw, symbology, body, location_pattern)

    if body.isdigit() and body.isascii():
        if len(body) in (8, 12, 13, 14):
            return _bare_gtin_scan(raw, symbology, body)
        if len(body) == 18:
            return Scan(ScanKind.SSCC, raw, symbology, sscc=_checked_sscc(body))
    if (
        _HRI_START.match(body)
        or _GS1_LEAD.match(body)
        or (_has_separator(body, config) and body[:2].isdigit())
    ):
        return _gs1_scan(raw, symbology, body, config, separators_reliable)
    if _URL.match(body):
        return _digital_link_scan(raw, symbology, body, config, required=False)
    return _location_or_text(raw, symbology, body, location_pattern)


def gtin_variants(gtin: str) -> tuple[str, ...]:
    """Every spelling of the same GTIN: the GTIN-14 first, then 13, 12 and 8 digits when the
    digits dropped are leading zeros. For looking up products stored in any of those forms."""
    if not (gtin.isdigit() and gtin.isascii() and len(gtin) in (8, 12, 13, 14)):
        raise ValueError(f"{gtin!r} is not a GTIN of 8, 12, 13 or 14 digits.")
    full = gtin.zfill(14)
    return tuple(full[14 - size :] for size in (14, 13, 12, 8) if not full[: 14 - size].strip("0"))


# --- input hygiene ----------------------------------------------------------------------------


def _checked_separators(separators: Sequence[str]) -> tuple[str, ...]:
    """The separators, refused (as a programming error) unless each is one harmless character."""
    if isinstance(separators, str):
        raise ValueError("Give the separators as a sequence of single characters, not a string.")
    for separator in separators:
        if len(separator) != 1 or separator.isalnum() or separator in "()]" or separator == " ":
            raise ValueError(
                f"Separator {separator!r} must be one character that is not a letter, a digit, "
                "a space, a parenthesis or ']'."
            )
    return tuple(separators)


def _trim(text: str) -> str:
    """`text` without surrounding white space; control characters other than CR, LF, Tab, VT
    and FF are kept (to be refused), and so is a group separator."""
    return text.strip(_TRIMMED)


def _refuse_control_characters(body: str, config: ParseConfig) -> None:
    """Refuse any control, format or unassigned character other than a configured separator."""
    for position, char in enumerate(body, start=1):
        if unicodedata.category(char).startswith("C") and char not in config.separator_chars:
            raise ScanError(
                f"The scan holds a control character (code {ord(char):#04x}) at position "
                f"{position}; check the scanner's data formatting and scan again.",
                ScanProblem.CONTROL_CHARACTER,
            )


def _has_separator(body: str, config: ParseConfig) -> bool:
    return any(char in body for char in config.separator_chars)


# --- location and text ------------------------------------------------------------------------


def _location_or_text(
    raw: str, symbology: str | None, body: str, location_pattern: re.Pattern[str]
) -> Scan:
    """A bin code if the pattern matches (as sent, or upper-cased for a caps-lock wedge)."""
    if "\x1d" in body:
        raise ScanError(
            "The scan holds a group separator but is not a GS1 barcode; scan again.",
            ScanProblem.CONTROL_CHARACTER,
        )
    for candidate in (body, body.upper()):
        match = location_pattern.fullmatch(candidate)
        if match:
            return Scan(ScanKind.LOCATION, raw, symbology, location_code=match.group(0))
    return Scan(ScanKind.TEXT, raw, symbology, text=body)


# --- EAN/UPC, GTIN and SSCC ------------------------------------------------------------------


def _gtin_scan(raw: str, symbology: str | None, body: str) -> Scan:
    """The content of an EAN/UPC or ITF-14 symbol: one GTIN and nothing else."""
    assert symbology is not None
    if not (body.isdigit() and body.isascii()):
        raise ScanError(
            f"An EAN/UPC or ITF-14 barcode holds digits only; this one ({symbology}) reads "
            f"'{body}'.",
            ScanProblem.MALFORMED,
        )
    code = symbology[1:]
    if code == "E3" and len(body) in (15, 18):
        body = body[:13]  # EAN-13 followed by its 2- or 5-digit add-on, which we do not use
    if code == "E0" and len(body) == 8:
        return Scan(ScanKind.ITEM, raw, symbology, gtin=_checked_upc_e(body))
    expected = {"E4": (8,), "I1": (14,)}.get(code, (12, 13))
    if len(body) not in expected:
        sizes = " or ".join(str(size) for size in expected)
        raise ScanError(
            f"This barcode ({symbology}) should hold {sizes} digits, not {len(body)}.",
            ScanProblem.MALFORMED,
        )
    return Scan(ScanKind.ITEM, raw, symbology, gtin=_checked_gtin(body))


def _bare_gtin_scan(raw: str, symbology: str | None, body: str) -> Scan:
    """A bare GTIN; an 8-digit one that fails as EAN-8 may still be a valid UPC-E."""
    if len(body) == 8 and not _check_digit_holds(body):
        try:
            return Scan(ScanKind.ITEM, raw, symbology, gtin=_checked_upc_e(body))
        except ScanError:
            pass
    return Scan(ScanKind.ITEM, raw, symbology, gtin=_checked_gtin(body))


def _check_digit_holds(digits: str) -> bool:
    return gs1_standard_check_digit(digits[:-1]) == int(digits[-1])


def _check_digit_error(name: str, digits: str) -> ScanError:
    expected = gs1_standard_check_digit(digits[:-1])
    return ScanError(
        f"{name} check digit is wrong: expected {expected}, got {digits[-1]} ({digits}).",
        ScanProblem.CHECK_DIGIT,
    )


def _checked_gtin(digits: str) -> str:
    """The GTIN-14 of a GTIN-8/12/13/14 whose check digit holds."""
    if not _check_digit_holds(digits):
        raise _check_digit_error("GTIN", digits)
    return digits.zfill(14)


def _checked_sscc(digits: str) -> str:
    if not _check_digit_holds(digits):
        raise _check_digit_error("SSCC", digits)
    return digits


def _checked_upc_e(digits: str) -> str:
    """The GTIN-14 of an 8-digit UPC-E (number system 0 or 1) whose check digit holds."""
    try:
        return Upc.parse(digits).as_gtin_14()
    except ParseError as error:
        if digits[0] not in "01":
            raise ScanError(
                f"A UPC-E starts with 0 or 1; this one reads {digits}.", ScanProblem.MALFORMED
            ) from error
        raise ScanError(
            f"UPC-E check digit is wrong ({digits}); scan again or key the UPC-A in.",
            ScanProblem.CHECK_DIGIT,
        ) from error


# --- GS1 element strings ---------------------------------------------------------------------


def _gs1_scan(
    raw: str, symbology: str | None, body: str, config: ParseConfig, separators_reliable: bool
) -> Scan:
    """A GS1 element string, either raw (with separators) or in HRI form."""
    if _HRI_START.match(body):
        return _from_elements(raw, symbology, _read_hri(body, config))
    stripped = body.strip("".join(config.separator_chars))
    if not stripped:
        raise ScanError("The GS1 barcode holds no data.", ScanProblem.EMPTY)
    suspect = not (separators_reliable or _has_separator(body, config))
    elements = _read_element_string(stripped, config, suspect=suspect)
    if suspect:
        _refuse_swallowed_fields(elements, config)
    return _from_elements(raw, symbology, elements)


def _read_element_string(
    value: str, config: ParseConfig, *, suspect: bool = False
) -> list[GS1ElementString]:
    """Every field of a raw element string, or a ScanError naming the first bad one.

    When `suspect` (no separator could be trusted), data that runs on unreadably past a
    variable-length field is blamed on a lost separator.
    """
    elements: list[GS1ElementString] = []
    rest = value
    while rest:
        try:
            element = _read_field(rest, config, whole=False)
        except ScanError as error:
            previous = elements[-1] if elements else None
            if not (
                suspect
                and previous is not None
                and previous.ai.separator_required
                and error.problem is ScanProblem.MALFORMED
            ):
                raise
            raise ScanError(
                f"The GS1 data runs on after the {_field_name(previous.ai)} "
                f"({previous.ai.ai}) {previous.value}: the scanner probably dropped the group "
                f"separator. {_SEPARATOR_ADVICE}",
                ScanProblem.SEPARATOR_LOST,
            ) from error
        elements.append(element)
        rest = rest[len(element) :]
        while rest and rest[0] in config.separator_chars:
            rest = rest[1:]
    return elements


def _read_hri(value: str, config: ParseConfig) -> list[GS1ElementString]:
    """Every field of `(AI)data(AI)data`, or a ScanError naming the first bad one."""
    hri = "".join(char for char in value if not (char.isspace() or char in config.separator_chars))
    fields = _HRI_FIELD.findall(hri)
    if "".join(f"({ai}){data}" for ai, data in fields) != hri:
        raise ScanError(f"'{value}' is not in the form (AI)data(AI)data.", ScanProblem.MALFORMED)
    elements: list[GS1ElementString] = []
    for ai, data in fields:
        if _known_ai(ai) is None:
            raise ScanError(f"({ai}) is not a GS1 application identifier.", ScanProblem.MALFORMED)
        elements.append(_read_field(ai + data, config, whole=True))
    return elements


def _known_ai(digits: str) -> GS1ApplicationIdentifier | None:
    try:
        ai = GS1ApplicationIdentifier.extract(digits)
    except ParseError:
        return None
    return ai if ai.ai == digits else None


def _read_field(text: str, config: ParseConfig, *, whole: bool) -> GS1ElementString:
    """The field at the start of `text` (all of it when `whole`), with its check digit verified."""
    try:
        ai = GS1ApplicationIdentifier.extract(text)
    except ParseError:
        raise ScanError(
            f"The GS1 data is damaged: '{text[:8]}' does not start a known field.",
            ScanProblem.MALFORMED,
        ) from None
    try:
        if whole:
            element = GS1ElementString.parse(text, config=config)
        else:
            element = GS1ElementString.extract(text, config=config)
    except ParseError:
        raise _field_error(ai, text[len(ai.ai) :], config) from None
    for error, name in (
        (element.sscc_error, "SSCC"),
        (element.gtin_error, "GTIN"),
        (element.gln_error, "GLN"),
    ):
        if error:  # the AI's pattern admits digits of the right length: the check digit failed
            raise _check_digit_error(name, element.value)
    return element


def _field_error(ai: GS1ApplicationIdentifier, data: str, config: ParseConfig) -> ScanError:
    """Why a field's data does not fit its application identifier."""
    for separator in config.separator_chars:
        data = data.split(separator, maxsplit=1)[0]
    name = _field_name(ai)
    if ai.ai in _DATE_AIS and len(data) >= 6 and data[:6].isdigit():
        return ScanError(
            f"The {name} ({ai.ai}) {data[:6]} is not a real date (YYMMDD).",
            ScanProblem.INVALID_DATE,
        )
    return ScanError(
        f"The {name} ({ai.ai}) should be {_describe_format(ai.format)}; it reads '{data}'.",
        ScanProblem.MALFORMED,
    )


def _field_name(ai: GS1ApplicationIdentifier) -> str:
    """What a worker calls the field: 'lot', 'expiry date', ... or GS1's data title."""
    return _FIELD_NAMES.get(ai.ai, ai.data_title.lower())


def _describe_format(gs1_format: str) -> str:
    """`N2+N14` → '14 digits', `N2+X..20` → '1 to 20 characters', else the GS1 format itself."""
    data_format = gs1_format.split("+", maxsplit=1)[-1]
    if match := re.fullmatch(r"N(\d+)", data_format):
        return f"{match.group(1)} digits"
    if match := re.fullmatch(r"N\.\.(\d+)", data_format):
        return f"1 to {match.group(1)} digits"
    if match := re.fullmatch(r"X\.\.(\d+)", data_format):
        return f"1 to {match.group(1)} letters, digits or symbols"
    return f"in the GS1 format {gs1_format}"


def _refuse_swallowed_fields(elements: list[GS1ElementString], config: ParseConfig) -> None:
    """Apply the lost-separator rule (see the module docstring) to a separator-less scan."""
    last = elements[-1]
    if not last.ai.separator_required:
        return
    present = {element.ai.ai: element.value for element in elements}
    value = last.value
    for start in range(1, len(value) - 2):
        fields = _hidden_fields(value, start, present, config)
        if fields:
            swallowed = ", ".join(
                f"{_field_name(part.ai)} ({part.ai.ai}) {part.value}" for part in fields
            )
            raise ScanError(
                f"The {_field_name(last.ai)} '{value}' seems to have swallowed what follows it "
                f"({swallowed}): the scanner dropped the group separator. {_SEPARATOR_ADVICE}",
                ScanProblem.SEPARATOR_LOST,
            )


def _hidden_fields(
    value: str, start: int, present: dict[str, str], config: ParseConfig
) -> list[GS1ElementString] | None:
    """The fields a lost separator would have hidden from `start` on in `value`, if any."""
    ai = value[start : start + 2]
    if ai in present:
        return None
    if ai in _SWALLOWED_TEXT_AIS | _SWALLOWED_COUNT_AIS:
        if not value[start - 1].isalpha():
            return None
        if ai == "37" and "02" not in present:
            return None
        if ai == "30" and not present.get("01", "").startswith("9"):
            return None
    elif ai not in _SWALLOWED_DATE_AIS:
        return None
    fields = _fields_or_none(value[start:], config)
    if not fields:
        return None
    if any(part.ai.ai in present for part in fields):
        return None
    if ai in _SWALLOWED_TEXT_AIS and len(fields[0].value) < _MIN_SWALLOWED_TEXT:
        return None
    return fields


def _fields_or_none(text: str, config: ParseConfig) -> list[GS1ElementString] | None:
    """The fields `text` reads as, entirely and validly, or None."""
    try:
        return _read_element_string(text, config)
    except ScanError:
        return None


# --- GS1 Digital Link ------------------------------------------------------------------------


def _digital_link_scan(
    raw: str, symbology: str | None, body: str, config: ParseConfig, *, required: bool
) -> Scan:
    """A GS1 Digital Link URL; any other URL is text unless the symbology promised GS1 data."""
    lenient = ParseConfig(
        separator_chars=config.separator_chars, gs1_element_strings_verify_date=False
    )
    try:
        link = GS1DigitalLinkURI.parse(body, config=lenient)
    except ParseError as error:
        if required:
            raise ScanError(
                f"The GS1 barcode holds a web address that is not a GS1 Digital Link: {body}",
                ScanProblem.MALFORMED,
            ) from error
        return Scan(ScanKind.TEXT, raw, symbology, text=body)
    elements = [
        _read_field(element.ai.ai + element.value, config, whole=True)
        for element in link.element_strings
    ]
    return _from_elements(raw, symbology, elements)


# --- from fields to a scan ---------------------------------------------------------------------


def _from_elements(raw: str, symbology: str | None, elements: list[GS1ElementString]) -> Scan:
    """An SSCC scan if the fields hold AI 00, an item scan if they hold AI 01 or 02."""
    values: dict[str, GS1ElementString] = {}
    for element in elements:
        seen = values.setdefault(element.ai.ai, element)
        if seen.value != element.value:
            name = _field_name(element.ai)
            raise ScanError(
                f"The barcode holds two different {name}s ({element.ai.ai}): "
                f"{seen.value} and {element.value}.",
                ScanProblem.CONFLICTING_FIELDS,
            )
    identifier = _first_of(values, "01", "02")
    if "00" in values:
        kind = ScanKind.SSCC
    elif identifier is not None:
        kind = ScanKind.ITEM
    else:
        found = ", ".join(f"({ai})" for ai in values)
        raise ScanError(
            f"This GS1 barcode has no SSCC (00) or GTIN (01/02), only {found}; scan the "
            "carton or item barcode.",
            ScanProblem.NO_IDENTIFIER,
        )
    count = _first_of(values, "37", "30")
    if count is not None and not count.value:
        raise ScanError(f"The count ({count.ai.ai}) is empty.", ScanProblem.MALFORMED)
    lot, serial = values.get("10"), values.get("21")
    expiry, best_before = values.get("17"), values.get("15")
    return Scan(
        kind,
        raw,
        symbology,
        sscc=values["00"].value if "00" in values else None,
        gtin=identifier.value if identifier is not None else None,
        lot=lot.value if lot is not None else None,
        expiry=expiry.date if expiry is not None else None,
        best_before=best_before.date if best_before is not None else None,
        count=int(count.value) if count is not None else None,
        serial=serial.value if serial is not None else None,
        elements=tuple((element.ai.ai, element.value) for element in elements),
    )


def _first_of(values: dict[str, GS1ElementString], *ais: str) -> GS1ElementString | None:
    """The field of the first of `ais` the scan holds."""
    return next((values[ai] for ai in ais if ai in values), None)

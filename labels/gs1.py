"""GS1 data for barcodes: check digits, SSCCs and element strings with their HRI text.

An element string is kept in one canonical form: the AIs and values run together, with a group
separator (GS, ASCII 29) only after a variable-length value that another element follows. The
encoders turn GS into FNC1. Every element string is parsed back with biip before it is used, and
wrong check digits, unknown AIs or values that do not fit their AI are refused, never repaired.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from biip import ParseError
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_messages import GS1Message

from labels.errors import InvalidLabelData

GS = "\x1d"

# AIs whose first two digits fix their length (GS1 General Specifications, Figure 7.8.5-2):
# they never need a separator, whatever follows.
_PREDEFINED_LENGTH = frozenset(
    ["00", "01", "02", "03", "04", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20"]
    + [str(prefix) for prefix in range(31, 37)]
    + ["41"]
)
SSCC_LENGTH = 18
GTIN_LENGTHS = (8, 12, 13, 14)


class GS1Error(InvalidLabelData):
    """GS1 data that cannot be encoded: `field` names the value, the message says why."""

    def __init__(self, message: str, field: str = "gs1") -> None:
        super().__init__(message, field)


def check_digit(digits: str) -> int:
    """The GS1 mod-10 check digit for a string of digits without its check digit."""
    if not digits.isascii() or not digits.isdigit():
        raise GS1Error("Only digits carry a GS1 check digit.", "digits")
    total = sum(int(char) * (3 if i % 2 == 0 else 1) for i, char in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def _checked_digits(value: str, lengths: Iterable[int], what: str, field: str) -> str:
    allowed = tuple(lengths)
    if not value.isascii() or not value.isdigit() or len(value) not in allowed:
        sizes = " or ".join(str(n) for n in allowed)
        raise GS1Error(f"A {what} has {sizes} digits; got {value!r}.", field)
    expected = check_digit(value[:-1])
    if int(value[-1]) != expected:
        raise GS1Error(
            f"{what} {value} has check digit {value[-1]}; it should be {expected}.", field
        )
    return value


def sscc(value: str, field: str = "sscc") -> str:
    """The SSCC-18 unchanged if it has 18 digits and the right check digit; refused otherwise."""
    return _checked_digits(value, (SSCC_LENGTH,), "SSCC", field)


def gtin(value: str, field: str = "gtin") -> str:
    """The GTIN as 14 digits if it is a GTIN-8, -12, -13 or -14 with the right check digit."""
    return _checked_digits(value, GTIN_LENGTHS, "GTIN", field).zfill(14)


def gtin13(value: str, field: str = "gtin") -> str:
    """The 13 digits of an EAN-13 symbol for a GTIN-13 (or a GTIN-12/14 with leading zeros)."""
    padded = gtin(value, field)
    if padded[0] != "0":
        raise GS1Error(f"GTIN {value} has 14 significant digits; EAN-13 carries 13.", field)
    return padded[1:]


def gln(value: str, field: str = "gln") -> str:
    """The GLN unchanged if it has 13 digits and the right check digit."""
    return _checked_digits(value, (13,), "GLN", field)


def make_sscc(extension_digit: int, company_prefix: str, serial: int) -> str:
    """The SSCC-18 for a serial reference under a GS1 company prefix and extension digit."""
    if not 0 <= extension_digit <= 9:
        raise GS1Error("The SSCC extension digit is one digit, 0 to 9.", "extension_digit")
    if not company_prefix.isascii() or not company_prefix.isdigit():
        raise GS1Error("A GS1 company prefix has digits only.", "company_prefix")
    if not 6 <= len(company_prefix) <= 12:
        raise GS1Error("A GS1 company prefix has 6 to 12 digits.", "company_prefix")
    width = SSCC_LENGTH - 2 - len(company_prefix)
    if not 0 <= serial < 10**width:
        raise GS1Error(
            f"Serial references under prefix {company_prefix} have {width} digits; "
            f"{serial} does not fit.",
            "serial",
        )
    body = f"{extension_digit}{company_prefix}{serial:0{width}d}"
    return body + str(check_digit(body))


def yymmdd(day: date) -> str:
    """A date as GS1 writes it in AIs 11 to 17."""
    return day.strftime("%y%m%d")


@dataclass(frozen=True)
class Element:
    """One AI and its value, e.g. Element("10", "LOT-7")."""

    ai: str
    value: str

    @property
    def fixed_length(self) -> bool:
        """Whether the AI's length is predefined, so no separator ever follows it."""
        return self.ai[:2] in _PREDEFINED_LENGTH

    @property
    def hri(self) -> str:
        """The human-readable form, e.g. "(10)LOT-7"."""
        return f"({self.ai}){self.value}"


_HRI_ELEMENT = re.compile(r"\((\d{2,4})\)([^()]*)")


@dataclass(frozen=True)
class ElementString:
    """A checked GS1 element string: the elements in encoding order (fixed-length AIs first)."""

    elements: tuple[Element, ...]

    @property
    def data(self) -> str:
        """The encoded data, with GS after each variable-length value that is not last."""
        parts = []
        for index, element in enumerate(self.elements):
            parts.append(element.ai + element.value)
            last = index == len(self.elements) - 1
            if not last and not element.fixed_length:
                parts.append(GS)
        return "".join(parts)

    @property
    def hri(self) -> str:
        """The human-readable interpretation, e.g. "(01)08851234567898(10)LOT-7"."""
        return "".join(element.hri for element in self.elements)

    def value(self, ai: str) -> str | None:
        """The value of an AI, if the string has it."""
        return next((e.value for e in self.elements if e.ai == ai), None)

    def __len__(self) -> int:
        """The number of data characters (GS1 allows at most 48 in one GS1-128 symbol)."""
        return len(self.data.replace(GS, ""))


def element_string(*elements: Element | tuple[str, str]) -> ElementString:
    """A checked element string from (AI, value) pairs.

    Fixed-length AIs move to the front (in their given order) so the fewest separators are
    needed. Unknown AIs, values that do not match their AI's format, wrong check digits
    (GTIN, SSCC, GLN) and impossible dates raise GS1Error naming the AI.
    """
    given = [e if isinstance(e, Element) else Element(*e) for e in elements]
    if not given:
        raise GS1Error("An element string needs at least one element.")
    seen: set[str] = set()
    for element in given:
        try:
            identifier = GS1ApplicationIdentifier.extract(element.ai)
        except ParseError:
            raise GS1Error(f"({element.ai}) is not a GS1 application identifier.", "ai") from None
        if identifier.ai != element.ai:
            raise GS1Error(f"({element.ai}) is not a GS1 application identifier.", "ai")
        if element.ai in seen:
            raise GS1Error(f"({element.ai}) appears twice.", f"ai_{element.ai}")
        seen.add(element.ai)
        if GS in element.value or "(" in element.value or ")" in element.value:
            raise GS1Error(
                f"({element.ai}) value {element.value!r} holds a separator or parenthesis.",
                f"ai_{element.ai}",
            )
        if not re.fullmatch(identifier.pattern, element.ai + element.value):
            raise GS1Error(
                f"({element.ai}) {identifier.data_title} must be {identifier.format}; "
                f"got {element.value!r}.",
                f"ai_{element.ai}",
            )
    ordered = tuple([e for e in given if e.fixed_length] + [e for e in given if not e.fixed_length])
    result = ElementString(ordered)
    _verify(result)
    return result


def pack(elements: Sequence[Element], fits: Callable[[ElementString], bool]) -> list[ElementString]:
    """Elements packed in order into as few element strings as `fits` one symbol each.

    An element that does not fit even alone (a long lot at a logistic label's X-dimension) is
    left out; the label shows it as text under its data title only.
    """
    groups: list[list[Element]] = []
    for element in elements:
        if groups and fits(element_string(*groups[-1], element)):
            groups[-1].append(element)
        elif fits(element_string(element)):
            groups.append([element])
    return [element_string(*group) for group in groups]


def parse_hri(text: str) -> ElementString:
    """An element string from its HRI form, "(01)08851234567898(10)LOT7"."""
    pairs = _HRI_ELEMENT.findall(text)
    if not pairs or "".join(f"({ai}){value}" for ai, value in pairs) != text:
        raise GS1Error(f"{text!r} is not GS1 HRI text like (01)08851234567898(10)LOT7.")
    return element_string(*pairs)


def _verify(result: ElementString) -> None:
    """Parse the encoded data back with biip: same elements, valid check digits and dates."""
    try:
        message = GS1Message.parse(result.data)
    except ParseError as error:
        raise GS1Error(f"{result.hri} is not valid GS1 data: {error}") from None
    parsed = [(e.ai.ai, e.value) for e in message.element_strings]
    expected = [(e.ai, e.value) for e in result.elements]
    if parsed != expected:
        raise GS1Error(f"{result.hri} does not read back as itself (read {parsed}).")
    for element in message.element_strings:
        error = element.gtin_error or element.sscc_error or element.gln_error
        if error:
            raise GS1Error(f"({element.ai.ai}) {error}", f"ai_{element.ai.ai}")

"""Business identifiers with check digits: GTINs and bin location codes."""

from __future__ import annotations

import re

from wms.domain.errors import InvalidInput

GTIN_LENGTHS = (8, 12, 13, 14)


def gs1_check_digit(digits: str) -> int:
    """The GS1 mod-10 check digit for a string of digits (without its check digit)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        weight = 3 if position % 2 == 0 else 1
        total += int(char) * weight
    return (10 - total % 10) % 10


def validate_gtin(value: str, field: str = "gtin") -> str:
    """Return the GTIN unchanged if its length and check digit are right; refuse it otherwise."""
    gtin = value.strip()
    if not gtin.isdigit() or not gtin.isascii():
        raise InvalidInput("A GTIN has digits only.", field)
    if len(gtin) not in GTIN_LENGTHS:
        raise InvalidInput("A GTIN has 8, 12, 13 or 14 digits.", field)
    expected = gs1_check_digit(gtin[:-1])
    if int(gtin[-1]) != expected:
        raise InvalidInput(
            f"Check digit {gtin[-1]} is wrong; the GTIN's check digit should be {expected}.", field
        )
    return gtin


def gtin_forms(gtin: str) -> list[str]:
    """The ways one GTIN may be written: GTIN-14 and its shorter forms without leading zeros."""
    padded = gtin.zfill(14)
    return [
        padded[14 - length :]
        for length in (14, 13, 12, 8)
        if padded[: 14 - length].strip("0") == ""
    ]


def with_check_digit(body: str) -> str:
    """Append the GS1 check digit to a GTIN body (for generating demo and test GTINs)."""
    return body + str(gs1_check_digit(body))


LOCATION_PART = re.compile(r"^[A-Z0-9]{1,4}$")


def location_code(fc_code: str, aisle: str, bay: int, level: int, position: str | None) -> str:
    """The bin code `KUL1-A-03-02-B`: FC, aisle, bay, level and (optionally) position."""
    parts = [fc_code, aisle, f"{bay:02d}", f"{level:02d}"]
    if position:
        parts.append(position)
    return "-".join(parts)


def location_check_code(code: str) -> str:
    """Two check digits for a bin code, for manual or voice entry (weighted sum mod 97)."""
    total = sum((index + 1) * ord(char) for index, char in enumerate(code))
    return f"{total % 97:02d}"


SSCC_LENGTH = 18


def validate_sscc(value: str, field: str = "sscc") -> str:
    """Return the SSCC-18 unchanged if it has 18 digits and the right check digit."""
    sscc = value.strip()
    if not sscc.isdigit() or not sscc.isascii() or len(sscc) != SSCC_LENGTH:
        raise InvalidInput("An SSCC has exactly 18 digits.", field)
    expected = gs1_check_digit(sscc[:-1])
    if int(sscc[-1]) != expected:
        raise InvalidInput(
            f"Check digit {sscc[-1]} is wrong; the SSCC's check digit should be {expected}.", field
        )
    return sscc

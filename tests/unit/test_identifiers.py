import pytest

from wms.domain.errors import InvalidInput
from wms.domain.identifiers import (
    gs1_check_digit,
    location_check_code,
    location_code,
    validate_gtin,
    with_check_digit,
)


@pytest.mark.parametrize(
    "gtin",
    [
        "8850999220017",  # a Thai EAN-13
        "4006381333931",  # GS1's own EAN-13 example
        "036000291452",  # UPC-A
        "96385074",  # EAN-8
        "10614141000415",  # GTIN-14 of a case
    ],
)
def test_accepts_gtins_with_right_check_digit(gtin):
    assert validate_gtin(gtin) == gtin


def test_refuses_wrong_check_digit_and_says_which_is_right():
    with pytest.raises(InvalidInput) as error:
        validate_gtin("8850999220018")
    assert error.value.field == "gtin"
    assert "should be 7" in error.value.message


@pytest.mark.parametrize("bad", ["885099922001", "88509992200177", "88509992200a7", "", "８８５"])
def test_refuses_wrong_length_or_non_digits(bad):
    with pytest.raises(InvalidInput):
        validate_gtin(bad)


def test_check_digit_matches_gs1_example():
    assert gs1_check_digit("400638133393") == 1
    # 1·3+0+0+0+0+1·1+6·3+9·1+1·3+5·1+8·3+8·1 = 71 → check digit 9
    assert with_check_digit("885196100001") == "8851961000019"


def test_location_code_and_check_code():
    code = location_code("KUL1", "A", 3, 2, "B")
    assert code == "KUL1-A-03-02-B"
    assert location_code("KUL1", "RCV", 1, 1, None) == "KUL1-RCV-01-01"
    check = location_check_code(code)
    assert len(check) == 2 and check.isdigit()
    assert location_check_code("KUL1-A-03-02-C") != check

import ast
import re
from datetime import date
from pathlib import Path

import pytest

import scanners.scan_parser as scan_parser
from scanners.scan_parser import (
    DEFAULT_LOCATION_PATTERN,
    Scan,
    ScanError,
    ScanKind,
    ScanProblem,
    gtin_variants,
    parse_scan,
)

GS = "\x1d"
GTIN_13 = "8850999220017"  # a Thai EAN-13
GTIN_14 = "08850999220017"  # the same, as it sits in AI 01
CASE_GTIN = "18850999220014"  # a case of it (indicator digit 1)
VARIABLE_GTIN = "90950110153000"  # a variable-measure trade item (indicator digit 9)
SSCC = "106141411234567897"  # GS1's own example
SSCC_TH = "088512340000000012"


def refused(raw, problem, **options) -> str:
    """The message of the ScanError `raw` raises, after checking its problem code."""
    with pytest.raises(ScanError) as error:
        parse_scan(raw, **options)
    assert error.value.problem is problem, error.value.message
    assert str(error.value) == error.value.message
    return error.value.message


# --- the library stands alone -----------------------------------------------------------------


def test_imports_nothing_of_the_application():
    tree = ast.parse(Path(scan_parser.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {
        "__future__",
        "enum",
        "re",
        "unicodedata",
        "collections",
        "dataclasses",
        "datetime",
        "biip",
    }


def test_scan_error_is_a_value_error():
    assert issubclass(ScanError, ValueError)


# --- SSCC -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        SSCC,
        f"]C100{SSCC}",
        f"00{SSCC}",
        f"(00){SSCC}",
        f"(00) {SSCC}",
        f"]C1(00){SSCC}",
        f"]d200{SSCC}",
        f"]Q300{SSCC}",
        f"]C1{GS}00{SSCC}",  # FNC1 in first position sent as GS
        f"  ]C100{SSCC}\r\n",
    ],
)
def test_sscc_in_every_form(raw):
    scan = parse_scan(raw)
    assert scan.kind is ScanKind.SSCC
    assert scan.sscc == SSCC
    assert scan.raw == raw
    assert scan.gtin is None and scan.lot is None and scan.location_code is None


def test_sscc_label_with_content_count_and_lot():
    raw = f"]C100{SSCC_TH}0208851234567898" + "3724" + GS + "10LOT2511A"
    scan = parse_scan(raw)
    assert scan.kind is ScanKind.SSCC
    assert scan.symbology == "]C1"
    assert scan.sscc == SSCC_TH
    assert scan.gtin == "08851234567898"
    assert scan.count == 24
    assert scan.lot == "LOT2511A"
    assert scan.hri == f"(00){SSCC_TH}(02)08851234567898(37)24(10)LOT2511A"
    assert scan.elements == (
        ("00", SSCC_TH),
        ("02", "08851234567898"),
        ("37", "24"),
        ("10", "LOT2511A"),
    )


@pytest.mark.parametrize("raw", ["106141411234567890", "]C100106141411234567890"])
def test_sscc_with_wrong_check_digit_is_refused(raw):
    message = refused(raw, ScanProblem.CHECK_DIGIT)
    assert message.startswith("SSCC check digit is wrong: expected 7, got 0")


# --- bare GTINs and EAN/UPC symbols ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "gtin"),
    [
        (GTIN_13, GTIN_14),  # EAN-13, no symbology identifier
        (f"]E0{GTIN_13}", GTIN_14),
        ("4006381333931", "04006381333931"),
        ("96385074", "00000096385074"),  # EAN-8
        ("]E496385074", "00000096385074"),
        ("036000291452", "00036000291452"),  # UPC-A
        ("]E0036000291452", "00036000291452"),
        ("]E00036000291452", "00036000291452"),  # UPC-A sent as 13 digits
        ("]E001234565", "00012345000065"),  # UPC-E, expanded
        ("01234565", "00000001234565"),  # a valid EAN-8 stays EAN-8 without an identifier
        ("04252614", "00042100005264"),  # fails as EAN-8, holds as UPC-E
        (CASE_GTIN, CASE_GTIN),  # GTIN-14 of a case
        (f"]I1{CASE_GTIN}", CASE_GTIN),  # ITF-14
        (f"]E3{GTIN_13}12", GTIN_14),  # EAN-13 with a 2-digit add-on
        (f"]E3{GTIN_13}51234", GTIN_14),  # ... and a 5-digit one
        (f"]E0{GTIN_13}\n", GTIN_14),
    ],
)
def test_gtins_are_items_normalised_to_gtin_14(raw, gtin):
    scan = parse_scan(raw)
    assert scan.kind is ScanKind.ITEM
    assert scan.gtin == gtin
    assert scan.lot is None and scan.expiry is None and scan.elements == ()


def test_symbology_identifier_is_kept():
    assert parse_scan(f"]E0{GTIN_13}").symbology == "]E0"
    assert parse_scan("]E496385074").symbology == "]E4"
    assert parse_scan(GTIN_13).symbology is None


@pytest.mark.parametrize(
    ("raw", "expected", "got"),
    [
        ("8850999220010", 7, 0),
        ("]E08850999220010", 7, 0),
        ("96385070", 4, 0),
        ("]E496385070", 4, 0),
        ("036000291450", 2, 0),
        ("18850999220010", 4, 0),
        ("]I118850999220010", 4, 0),
        (f"]C10108850999220010{GS}10ABC", 7, 0),
        ("(01)08850999220010", 7, 0),
    ],
)
def test_gtin_with_wrong_check_digit_is_refused(raw, expected, got):
    message = refused(raw, ScanProblem.CHECK_DIGIT)
    assert message.startswith(f"GTIN check digit is wrong: expected {expected}, got {got}")


def test_upc_e_with_wrong_check_digit_is_refused():
    assert "UPC-E check digit is wrong" in refused("]E001234566", ScanProblem.CHECK_DIGIT)


def test_upc_e_must_start_with_0_or_1():
    refused("]E021234565", ScanProblem.MALFORMED)


@pytest.mark.parametrize(
    "raw",
    ["]E0123456789", "]E08850999220017123", "]E4885099922001", "]I1885099922001", "]E0ABC"],
)
def test_ean_symbols_with_wrong_length_or_letters_are_refused(raw):
    refused(raw, ScanProblem.MALFORMED)


def test_gtin_variants_give_every_spelling():
    assert gtin_variants(GTIN_13) == (GTIN_14, GTIN_13)
    assert gtin_variants(GTIN_14) == (GTIN_14, GTIN_13)
    assert gtin_variants("036000291452") == ("00036000291452", "0036000291452", "036000291452")
    assert gtin_variants("96385074") == (
        "00000096385074",
        "0000096385074",
        "000096385074",
        "96385074",
    )
    assert gtin_variants(CASE_GTIN) == (CASE_GTIN,)
    with pytest.raises(ValueError, match="not a GTIN"):
        gtin_variants("12345")


# --- GS1 element strings: items -----------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        f"]C101{GTIN_14}17250630" + "10LOT2511A",
        f"]d201{GTIN_14}17250630" + "10LOT2511A",
        f"]Q301{GTIN_14}17250630" + "10LOT2511A",
        f"]e001{GTIN_14}17250630" + "10LOT2511A",
        f"]C101{GTIN_14}10LOT2511A{GS}17250630",
        f"]d201{GTIN_14}10LOT2511A{GS}17250630",
        f"01{GTIN_14}17250630" + "10LOT2511A",  # no symbology identifier
        f"01{GTIN_14}10LOT2511A{GS}17250630",
        f"(01){GTIN_14}(17)250630(10)LOT2511A",
        f"(01) {GTIN_14} (10) LOT2511A (17) 250630",
        f"]C1(01){GTIN_14}(17)250630(10)LOT2511A",
    ],
)
def test_gtin_with_expiry_and_lot_in_every_form(raw):
    scan = parse_scan(raw)
    assert scan.kind is ScanKind.ITEM
    assert scan.gtin == GTIN_14
    assert scan.lot == "LOT2511A"
    assert scan.expiry == date(2025, 6, 30)
    assert scan.sscc is None and scan.count is None and scan.serial is None


@pytest.mark.parametrize("separator", ["~", "|", GS])
def test_substitute_separator(separator):
    raw = f"]C101{GTIN_14}10LOT2511A{separator}21SN0001"
    scan = parse_scan(raw, separators=(GS, "~", "|"))
    assert (scan.lot, scan.serial) == ("LOT2511A", "SN0001")
    assert scan.hri == f"(01){GTIN_14}(10)LOT2511A(21)SN0001"


def test_substitute_separator_without_symbology_identifier():
    scan = parse_scan(f"01{GTIN_14}10LOT2511A|21SN0001|17250630", separators=("|",))
    assert (scan.lot, scan.serial, scan.expiry) == ("LOT2511A", "SN0001", date(2025, 6, 30))


def test_trailing_separator_is_harmless():
    assert parse_scan(f"]C101{GTIN_14}10LOT2511A{GS}\r\n").lot == "LOT2511A"


def test_unconfigured_substitute_is_not_a_separator():
    # '~' is not in the GS1 character set: the lot stops there and the rest cannot be read
    message = refused(f"]C101{GTIN_14}10LOT2511A~21SN0001", ScanProblem.SEPARATOR_LOST)
    assert "runs on after the lot (10) LOT2511A" in message


def test_gs_is_refused_when_only_a_substitute_is_configured():
    raw = f"]C101{GTIN_14}10LOT2511A{GS}21SN0001"
    refused(raw, ScanProblem.CONTROL_CHARACTER, separators=("|",))


@pytest.mark.parametrize(
    ("raw", "expiry"),
    [
        (f"01{GTIN_14}17250600", date(2025, 6, 30)),
        (f"01{GTIN_14}17240200", date(2024, 2, 29)),  # leap year
        (f"01{GTIN_14}17250200", date(2025, 2, 28)),
        (f"01{GTIN_14}17251200", date(2025, 12, 31)),
        (f"(01){GTIN_14}(17)250400", date(2025, 4, 30)),
    ],
)
def test_expiry_day_00_is_the_last_day_of_the_month(raw, expiry):
    assert parse_scan(raw).expiry == expiry


def test_best_before_is_kept_apart_from_expiry():
    scan = parse_scan(f"01{GTIN_14}15250630" + "17250715")
    assert scan.best_before == date(2025, 6, 30)
    assert scan.expiry == date(2025, 7, 15)
    only_best_before = parse_scan(f"01{GTIN_14}15250630")
    assert only_best_before.expiry is None
    assert only_best_before.best_before == date(2025, 6, 30)


def test_serial_and_unmapped_fields_are_kept():
    scan = parse_scan(f"]C101{GTIN_14}21SN0001{GS}400PO-778{GS}3103001250")
    assert scan.serial == "SN0001"
    assert scan.elements == (
        ("01", GTIN_14),
        ("21", "SN0001"),
        ("400", "PO-778"),
        ("3103", "001250"),
    )


def test_content_gtin_makes_an_item_when_there_is_no_sscc():
    scan = parse_scan(f"]C102{CASE_GTIN}3712{GS}10L1")
    assert scan.kind is ScanKind.ITEM
    assert (scan.gtin, scan.count, scan.lot) == (CASE_GTIN, 12, "L1")


def test_variable_count_ai_30():
    scan = parse_scan(f"]C101{VARIABLE_GTIN}306")
    assert (scan.kind, scan.count) == (ScanKind.ITEM, 6)


def test_count_37_wins_over_30():
    assert parse_scan(f"]C102{CASE_GTIN}3712{GS}305").count == 12


def test_empty_variable_count_is_refused():
    assert "count (30) is empty" in refused(f"]C101{VARIABLE_GTIN}30", ScanProblem.MALFORMED)


def test_gtin_inside_gs1_string_without_identifier_needs_16_digits_to_lead():
    # "01" + 14 digits leads a GS1 string; 16 bare digits are never a GTIN or SSCC
    assert parse_scan(f"01{GTIN_14}").gtin == GTIN_14
    assert parse_scan(f"00{SSCC}").sscc == SSCC


def test_bare_18_digits_starting_01_is_an_sscc_not_a_gs1_string():
    sscc = "010614141234567894"
    assert sscc[-1] == str(scan_parser.gs1_standard_check_digit(sscc[:-1]))
    scan = parse_scan(sscc)
    assert (scan.kind, scan.sscc) == (ScanKind.SSCC, sscc)


# --- GS1 element strings: refusals -------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (f"]C101{GTIN_14}17251340", "expiry date (17) 251340 is not a real date"),
        (f"]C101{GTIN_14}17250230", "expiry date (17) 250230 is not a real date"),
        (f"]C101{GTIN_14}17250001", "expiry date (17) 250001 is not a real date"),
        (f"]C101{GTIN_14}15250631", "best-before date (15) 250631 is not a real date"),
        (f"(01){GTIN_14}(17)251301", "expiry date (17) 251301 is not a real date"),
        (f"]C101{GTIN_14}11250230" + "10A", "production date (11) 250230 is not a real date"),
        (f"01{GTIN_14}17250231", "250231 is not a real date"),
    ],
)
def test_invalid_dates_are_refused(raw, fragment):
    assert fragment in refused(raw, ScanProblem.INVALID_DATE)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (f"]C101{GTIN_14}17250", "expiry date (17) should be 6 digits"),
        (f"]C101{GTIN_13}", "GTIN (01) should be 14 digits"),
        (f"]C101{GTIN_14}99", "should be"),  # AI 99 with no data
        (f"]C101{GTIN_14}LOT", "'LOT' does not start a known field"),
        ("]C1ABC", "'ABC' does not start a known field"),
        (f"]C1{GS}{GS}", "holds no data"),
        (f"(01){GTIN_14}(10)", "lot (10) should be 1 to 20 letters, digits or symbols"),
        (f"(01){GTIN_14}(999)X", "(999) is not a GS1 application identifier"),
        (f"(01){GTIN_14}(23)X", "(23) is not a GS1 application identifier"),
        (f"(01){GTIN_14}(37)", "count (37) should be 1 to 8 digits"),
        (f"(00){SSCC}(421)ABC", "should be in the GS1 format N3+N3+X..9"),
        (f"(01){GTIN_14}(10", "is not in the form (AI)data(AI)data"),
        ("]C1KUL1-A-03-02-B", "does not start a known field"),
    ],
)
def test_malformed_gs1_data_is_refused(raw, fragment):
    problem = ScanProblem.EMPTY if "no data" in fragment else ScanProblem.MALFORMED
    assert fragment in refused(raw, problem)


def test_gs1_string_without_sscc_or_gtin_is_refused():
    message = refused(f"]C110LOT1{GS}17250630", ScanProblem.NO_IDENTIFIER)
    assert "no SSCC (00) or GTIN (01/02), only (10), (17)" in message
    refused("(10)LOT1", ScanProblem.NO_IDENTIFIER)


def test_conflicting_repeated_field_is_refused():
    message = refused(f"]C101{GTIN_14}10A{GS}10B", ScanProblem.CONFLICTING_FIELDS)
    assert "two different lots (10): A and B" in message
    assert parse_scan(f"]C101{GTIN_14}10A{GS}10A").lot == "A"


# --- the lost separator ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        # the documented biip pitfall: (10)LOT2511A + (21)SN0001 without the GS
        (f"]C101{GTIN_14}10LOT2511A21SN0001", "serial number (21) SN0001"),
        (f"01{GTIN_14}10LOT2511A21SN0001", "serial number (21) SN0001"),
        (f"]d201{GTIN_14}10LOT2511A21SN0001", "serial number (21) SN0001"),
        # a lot that ran into an expiry date, with or without more after it
        (f"]C101{GTIN_14}10LOT2511A17250630", "expiry date (17) 250630"),
        (f"]C101{GTIN_14}10251117250630", "expiry date (17) 250630"),
        (f"]C101{GTIN_14}10LOT1725063021SN0001", "expiry date (17) 250630, serial number (21)"),
        # a serial that ran into a lot
        (f"]C101{GTIN_14}21SN0001X10LOTB7", "lot (10) LOTB7"),
        # a lot that ran into a count, where GS1 allows one
        (f"]C100{SSCC_TH}02{CASE_GTIN}10LOTA3724", "count (37) 24"),
        (f"]C101{VARIABLE_GTIN}10LOTA306", "count (30) 6"),
        # a count that ran into a lot: the rest cannot be read
        (f"]C100{SSCC_TH}02{CASE_GTIN}3724" + "10LOT2511A", "runs on after the count (37) 2410"),
    ],
)
def test_a_field_that_swallowed_the_next_one_is_refused(raw, fragment):
    message = refused(raw, ScanProblem.SEPARATOR_LOST)
    assert fragment in message
    assert "group separator" in message


def test_lost_separator_message_names_the_swallowing_field():
    message = refused(f"]C101{GTIN_14}10LOT2511A21SN0001", ScanProblem.SEPARATOR_LOST)
    assert message.startswith("The lot 'LOT2511A21SN0001' seems to have swallowed")


@pytest.mark.parametrize(
    ("raw", "lot"),
    [
        (f"]C101{GTIN_14}10LOT2511A", "LOT2511A"),  # the lot is last: no separator is needed
        (f"]C101{GTIN_14}102405211234", "2405211234"),  # '21' inside digits: digits run on
        (f"]C101{GTIN_14}10A1021B", "A1021B"),  # '21' follows a digit
        (f"]C101{GTIN_14}10AB21XYZ", "AB21XYZ"),  # too short to be a serial
        (f"]C101{GTIN_14}10L1725063010XY", "L1725063010XY"),  # a second (10) after the date
        (f"]C101{GTIN_14}10ABC3012", "ABC3012"),  # GS1 allows no count (30) with this GTIN
        (f"]C101{GTIN_14}10ABC3712", "ABC3712"),  # no count (37) without a content GTIN (02)
        (f"]C101{GTIN_14}17250630" + "10L17250101", "L17250101"),  # it already has a (17)
        (f"]C101{GTIN_14}10L10ABCDE", "L10ABCDE"),  # a second (10) would be invalid anyway
        (f"]C101{GTIN_14}10L251340X", "L251340X"),  # not a date AI followed by a real date
        (f"]C101{GTIN_14}10L17251340", "L17251340"),  # 17 + an impossible date
    ],
)
def test_lots_that_only_look_suspicious_pass(raw, lot):
    assert parse_scan(raw).lot == lot


@pytest.mark.parametrize(
    "raw",
    [
        f"]C101{GTIN_14}10LOT2511A21SN0001{GS}",  # a separator arrived, so none was lost
        f"]C1{GS}01{GTIN_14}10LOT2511A21SN0001",  # FNC1 in first position arrived as GS
        f"(01){GTIN_14}(10)LOT2511A21SN0001",  # HRI delimits its fields
    ],
)
def test_a_scan_that_proves_separators_arrive_is_taken_at_face_value(raw):
    assert parse_scan(raw).lot == "LOT2511A21SN0001"


def test_reliable_separators_turn_the_rule_off():
    scan = parse_scan(f"]C101{GTIN_14}10LOT2511A21SN0001", separators_reliable=True)
    assert (scan.lot, scan.serial) == ("LOT2511A21SN0001", None)
    with pytest.raises(ScanError) as error:
        parse_scan(f"]C100{SSCC_TH}02{CASE_GTIN}3724" + "10LOT2511A", separators_reliable=True)
    assert error.value.problem is ScanProblem.MALFORMED


def test_a_known_gs1_sample_lot_is_unharmed():
    # From biip's documentation: (01)07032069804988(15)210526(10)0329
    scan = parse_scan("010703206980498815210526100329")
    assert (scan.gtin, scan.best_before, scan.lot) == ("07032069804988", date(2021, 5, 26), "0329")


# --- GS1 Digital Link -----------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "]Q1", "]Q3", "]d1", "]d2"])
def test_digital_link_url(prefix):
    scan = parse_scan(f"{prefix}https://id.gs1.org/01/09506000134352/10/ABC1?17=251231")
    assert scan.kind is ScanKind.ITEM
    assert (scan.gtin, scan.lot, scan.expiry) == ("09506000134352", "ABC1", date(2025, 12, 31))


def test_digital_link_with_bad_check_digit_or_date_is_refused():
    refused("https://id.gs1.org/01/09506000134353", ScanProblem.CHECK_DIGIT)
    refused("https://id.gs1.org/01/09506000134352?17=250230", ScanProblem.INVALID_DATE)


def test_other_urls_are_text_unless_a_gs1_symbology_promised_gs1_data():
    assert parse_scan("https://example.com/track/123").kind is ScanKind.TEXT
    assert parse_scan("]Q1https://example.com/track/123").text == "https://example.com/track/123"
    refused("]Q3https://example.com/track/123", ScanProblem.MALFORMED)


# --- locations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("KUL1-A-03-02-B", "KUL1-A-03-02-B"),
        ("KUL1-A-03-02", "KUL1-A-03-02"),
        ("BKK-AB-12-01", "BKK-AB-12-01"),
        ("SGN2-ZZ-99-10-Z", "SGN2-ZZ-99-10-Z"),
        ("KUL1-RCV-01-01", "KUL1-RCV-01-01"),
        ("MNL10-12-03-02", "MNL10-12-03-02"),  # the WMS allows longer FC codes and digit aisles
        ("kul1-a-03-02-b", "KUL1-A-03-02-B"),  # caps lock on a keyboard wedge
        ("]C0KUL1-A-03-02-B", "KUL1-A-03-02-B"),
        ("]A0KUL1-A-03-02-B", "KUL1-A-03-02-B"),
        ("]Q1KUL1-A-03-02-B", "KUL1-A-03-02-B"),
        (" KUL1-A-03-02-B\r\n", "KUL1-A-03-02-B"),
        ("KUL1-A-03-02-B\t", "KUL1-A-03-02-B"),
    ],
)
def test_bin_codes_are_locations(raw, code):
    scan = parse_scan(raw)
    assert scan.kind is ScanKind.LOCATION
    assert scan.location_code == code
    assert scan.text is None and scan.gtin is None


@pytest.mark.parametrize(
    "raw",
    [
        "KUL1-A-3-02-B",  # one-digit bay
        "KUL1-A-03-02-BC",  # two-letter position
        "KU-A-03-02",  # FC code too short
        "KUL1-A-03",
        "KUL1-A-03-02-B-1",
        "KUL1 A 03 02 B",
    ],
)
def test_near_misses_are_text(raw):
    assert parse_scan(raw).kind is ScanKind.TEXT


def test_custom_location_pattern():
    pattern = re.compile(r"^BIN-\d{4}$")
    assert parse_scan("BIN-0042", location_pattern=pattern).location_code == "BIN-0042"
    assert parse_scan("KUL1-A-03-02-B", location_pattern=pattern).kind is ScanKind.TEXT


def test_default_pattern_names_the_parts():
    match = DEFAULT_LOCATION_PATTERN.fullmatch("KUL1-A-03-02-B")
    assert match is not None
    assert match.group("fc", "aisle", "bay", "level", "position") == ("KUL1", "A", "03", "02", "B")


# --- text -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("CN-KUL1-000123", "CN-KUL1-000123"),  # a consignment reference
        ("TOTE-0042", "TOTE-0042"),
        ("]C0TOTE-0042", "TOTE-0042"),
        ("]C08850999220010", "8850999220010"),  # plain Code 128: digits, but no GS1 data
        ("]A0ABC-123", "ABC-123"),
        ("NV2025MY0001234567", "NV2025MY0001234567"),  # a carrier tracking number
        ("12345", "12345"),  # digits of no GTIN or SSCC length
        ("1234567890", "1234567890"),
        ("10LOT2511A", "10LOT2511A"),  # GS1-like, but not led by an SSCC or GTIN
        ("สินค้า-01", "สินค้า-01"),  # Thai is printable
        ("A|B", "A|B"),  # a substitute separator inside text that is not GS1
        ("]", "]"),
        ("]C", "]C"),
    ],
)
def test_anything_else_printable_is_text(raw, text):
    scan = parse_scan(raw, separators=(GS, "|"))
    assert scan.kind is ScanKind.TEXT
    assert scan.text == text
    assert scan.location_code is None and scan.elements == () and scan.hri is None


# --- refusals of the input itself --------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   ", "\r\n", "\t", "\u3000"])
def test_empty_scan_is_refused(raw):
    assert refused(raw, ScanProblem.EMPTY) == "Nothing was scanned."


@pytest.mark.parametrize("raw", ["]C1", "]E0  \r\n"])
def test_symbology_prefix_without_data_is_refused(raw):
    assert "no data" in refused(raw, ScanProblem.EMPTY)


@pytest.mark.parametrize(
    "raw",
    [
        "AB\x1eC",  # record separator
        "KUL1-A-03-02-B\x04",  # end of transmission
        "\x00KUL1",
        "TOTE\x7f",
        "TOTE\u200b1",  # zero-width space
        f"]C101{GTIN_14}\x1e10A",
        "TOTE\x1c",
        "TOTE\x1f",
        "TO\rTE",  # CR in the middle: two scans run together
    ],
)
def test_control_characters_are_refused(raw):
    message = refused(raw, ScanProblem.CONTROL_CHARACTER)
    assert "control character" in message


def test_control_character_message_says_where():
    message = refused("AB\x1eC", ScanProblem.CONTROL_CHARACTER)
    assert "(code 0x1e) at position 3" in message


def test_group_separator_in_a_non_gs1_scan_is_refused():
    refused(f"]C0TOTE{GS}1", ScanProblem.CONTROL_CHARACTER)
    refused(f"TOTE{GS}1", ScanProblem.CONTROL_CHARACTER)


@pytest.mark.parametrize("separators", ["|", ("ab",), ("1",), ("A",), ("(",), (" ",), ("]",)])
def test_bad_separator_configuration_is_a_programming_error(separators):
    with pytest.raises(ValueError, match=r"[Ss]eparator") as error:
        parse_scan(GTIN_13, separators=separators)
    assert not isinstance(error.value, ScanError)


def test_no_separator_at_all_may_be_configured():
    assert parse_scan(f"01{GTIN_14}10A", separators=()).lot == "A"
    refused(f"01{GTIN_14}10A{GS}17250630", ScanProblem.CONTROL_CHARACTER, separators=())


# --- the Scan value ------------------------------------------------------------------------


def test_scan_is_frozen_and_comparable():
    first = parse_scan(f"]E0{GTIN_13}")
    assert first == parse_scan(f"]E0{GTIN_13}")
    assert first == Scan(ScanKind.ITEM, f"]E0{GTIN_13}", "]E0", gtin=GTIN_14)
    with pytest.raises(AttributeError):
        first.gtin = "0"  # type: ignore[misc]


def test_scan_kinds_are_strings():
    assert [kind.value for kind in ScanKind] == ["sscc", "item", "location", "text"]

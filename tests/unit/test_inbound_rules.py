"""Consignment status rules, SSCC check digits, and what a receipt finds against its ASN."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest

from labels.gs1 import GS1Error, make_sscc
from wms.domain.actors import Actor, Role
from wms.domain.consignments import (
    NEXT_STATUSES,
    ConsignmentStatus,
    check_hs_code,
    check_may_set,
    check_transition,
    convert,
)
from wms.domain.errors import Conflict, InvalidInput, PermissionDenied
from wms.domain.identifiers import validate_sscc
from wms.domain.outbox import retry_delay, webhook_signature
from wms.domain.receiving import (
    Condition,
    Counted,
    DiscrepancyKind,
    Expected,
    Finding,
    find_discrepancies,
    goes_to_quarantine,
)

S = ConsignmentStatus
MERCHANT = Actor(1, Role.MERCHANT, merchant_id=7)
MANAGER = Actor(2, Role.MANAGER, fc_ids=frozenset({1}))
TODAY = date(2026, 11, 26)


def test_the_happy_path_is_allowed_step_by_step():
    path = [
        S.DRAFT,
        S.SUBMITTED,
        S.IN_TRANSIT,
        S.AT_CUSTOMS,
        S.HELD,
        S.ARRIVED,
        S.RECEIVING,
        S.RECEIVED,
        S.CLOSED,
    ]
    for current, target in pairwise(path):
        check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.DRAFT, S.ARRIVED),
        (S.SUBMITTED, S.RECEIVED),
        (S.ARRIVED, S.CANCELLED),
        (S.CLOSED, S.DRAFT),
        (S.CANCELLED, S.SUBMITTED),
        (S.RECEIVED, S.RECEIVING),
    ],
)
def test_illegal_steps_are_conflicts_that_say_what_is_possible(current, target):
    with pytest.raises(Conflict) as raised:
        check_transition(current, target)
    assert raised.value.field == "status"
    assert str(current) in raised.value.message


def test_every_status_can_be_reached_and_only_closed_and_cancelled_are_final():
    reachable = {S.DRAFT}
    for targets in NEXT_STATUSES.values():
        reachable |= targets
    assert reachable == set(S)
    assert {status for status, nxt in NEXT_STATUSES.items() if not nxt} == {S.CLOSED, S.CANCELLED}


def test_merchants_report_the_journey_and_the_fc_its_end():
    check_may_set(MERCHANT, S.IN_TRANSIT)
    check_may_set(MANAGER, S.ARRIVED)
    with pytest.raises(PermissionDenied):
        check_may_set(MERCHANT, S.ARRIVED)
    with pytest.raises(PermissionDenied):
        check_may_set(MANAGER, S.SUBMITTED)
    with pytest.raises(Conflict):
        check_may_set(MANAGER, S.RECEIVING)


def test_sscc_check_digit_is_verified_and_generated():
    sscc = make_sscc(0, "9551234", 42)
    assert sscc == "095512340000000423"  # check digit 3 worked out by hand
    assert validate_sscc(sscc) == sscc
    wrong = sscc[:-1] + str((int(sscc[-1]) + 1) % 10)
    with pytest.raises(InvalidInput, match="check digit"):
        validate_sscc(wrong)
    with pytest.raises(InvalidInput):
        validate_sscc("12345")
    with pytest.raises(GS1Error):
        make_sscc(0, "9551234", 10**9)  # 9 serial digits under a 7-digit prefix


def test_hs_codes_and_conversion():
    assert check_hs_code("0804.50") == "080450"
    with pytest.raises(InvalidInput):
        check_hs_code("08045")
    assert convert(Decimal("10.00"), Decimal("0.1285")) == Decimal("1.29")  # half up, not even


def test_signature_and_backoff():
    assert webhook_signature("k", "1", b"{}").startswith("sha256=")
    assert webhook_signature("k", "1", b"{}") != webhook_signature("k", "2", b"{}")
    assert retry_delay(1, 0.0) < retry_delay(5, 0.0) <= retry_delay(5, 0.99)
    assert retry_delay(30, 0.99).total_seconds() <= 3600


def count(sku, lot, qty, condition=Condition.GOOD, expiry=None):
    return Counted(sku, lot, expiry or TODAY + timedelta(days=300), qty, condition)


def test_short_over_damaged_unexpected_and_wrong_lot():
    expected = [Expected(1, "A", 10), Expected(2, "B", 5), Expected(3, None, 4)]
    counted = [
        count(1, "A", 8),
        count(1, "A", 1, Condition.DAMAGED),  # 9 of 10: short, 1 damaged
        count(2, "B", 6),  # over
        count(2, "X", 2),  # a lot not announced for an announced SKU
        count(9, None, 3),  # a SKU not on the ASN
        count(3, None, 4),  # exact
    ]
    findings = find_discrepancies(expected, counted, today=TODAY, minimum_shelf_life_days=30)
    assert set(findings) == {
        Finding(DiscrepancyKind.SHORT, 1, "A", 10, 9),
        Finding(DiscrepancyKind.DAMAGED, 1, "A", 0, 1),
        Finding(DiscrepancyKind.OVER, 2, "B", 5, 6),
        Finding(DiscrepancyKind.WRONG_LOT, 2, "X", 0, 2),
        Finding(DiscrepancyKind.UNEXPECTED_SKU, 9, None, 0, 3),
    }


def test_expired_and_near_expiry_lots_and_quarantine():
    expired = count(1, "OLD", 2, expiry=TODAY - timedelta(days=1))
    near = count(1, "NEAR", 3, expiry=TODAY + timedelta(days=10))
    findings = find_discrepancies(
        [Expected(1, "OLD", 2), Expected(1, "NEAR", 3)],
        [expired, near],
        today=TODAY,
        minimum_shelf_life_days=30,
    )
    assert {(f.kind, f.lot_number) for f in findings} == {
        (DiscrepancyKind.EXPIRED, "OLD"),
        (DiscrepancyKind.NEAR_EXPIRY, "NEAR"),
    }
    assert goes_to_quarantine(expired, TODAY)
    assert not goes_to_quarantine(near, TODAY)
    assert goes_to_quarantine(count(1, "A", 1, Condition.DAMAGED), TODAY)


def test_a_blind_receipt_has_no_short_or_over():
    findings = find_discrepancies(
        [], [count(1, "A", 5)], today=TODAY, minimum_shelf_life_days=30, blind=True
    )
    assert findings == []

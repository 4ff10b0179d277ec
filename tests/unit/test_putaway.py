import math
import random
from dataclasses import replace

import pytest

from wms.domain.catalogue import TemperatureClass, VelocityClass, ZonePurpose
from wms.domain.errors import InvalidInput
from wms.domain.putaway import (
    NEAR_DISPATCH_M,
    WAIST_LEVELS,
    BinContent,
    CandidateBin,
    MixingPolicy,
    RankedBin,
    Refusal,
    StockToStore,
    check_bin,
    rank_bins,
    room_for_units,
)

STRICT = MixingPolicy(mix_lots=False, mix_merchants=False)
MIXED = MixingPolicy(mix_lots=True, mix_merchants=True)

MERCHANT = 7
SKU = 11
LOT = 101


def stock(**changes) -> StockToStore:
    """24 units of 1,000 cm³ and 500 g each, ambient, an ordinary B mover."""
    base = StockToStore(
        sku_id=SKU,
        merchant_id=MERCHANT,
        lot_id=LOT,
        quantity=24,
        unit_volume_cm3=1000.0,
        unit_weight_g=500,
        temperature=TemperatureClass.AMBIENT,
        hazardous=False,
        high_value=False,
        velocity=VelocityClass.B,
    )
    return replace(base, **changes)


def a_bin(code="KUL1-A-01-01", location_id=1, **changes) -> CandidateBin:
    """An empty, active ambient storage bin of 100,000 cm³ and 50 kg."""
    base = CandidateBin(
        location_id=location_id,
        code=code,
        zone_purpose=ZonePurpose.STORAGE,
        temperature=TemperatureClass.AMBIENT,
        volume_cm3=100_000,
        max_weight_g=50_000,
        pickable=True,
        distance_to_dispatch_m=30.0,
        level=3,
        contents=(),
    )
    return replace(base, **changes)


def content(sku_id=SKU, lot_id=LOT, merchant_id=MERCHANT, quantity=10, volume=1000.0, weight=500):
    return BinContent(
        sku_id=sku_id,
        lot_id=lot_id,
        merchant_id=merchant_id,
        quantity=quantity,
        unit_volume_cm3=volume,
        unit_weight_g=weight,
    )


def reason(item, candidate, policy=STRICT) -> str:
    refusal = check_bin(item, candidate, policy)
    assert refusal is not None
    assert (refusal.location_id, refusal.code) == (candidate.location_id, candidate.code)
    return refusal.reason


def codes(ranked: list[RankedBin]) -> list[str]:
    return [option.bin.code for option in ranked]


# --- which bins may take the stock -------------------------------------------------------


def test_an_empty_storage_bin_of_the_right_temperature_takes_the_stock():
    assert check_bin(stock(), a_bin(), STRICT) is None


@pytest.mark.parametrize(
    ("purpose", "words"),
    [
        (ZonePurpose.RECEIVING, "receiving zone"),
        (ZonePurpose.QUARANTINE, "quarantine zone"),
        (ZonePurpose.STAGING, "staging zone"),
        (ZonePurpose.DISPATCH, "dispatch zone"),
    ],
)
def test_only_storage_high_value_and_hazmat_zones_take_putaway(purpose, words):
    message = reason(stock(), a_bin(code="KUL1-RCV-01-01", zone_purpose=purpose))
    assert message == (
        f"Bin KUL1-RCV-01-01 is in the {words}; stock is put away to storage, high-value or "
        "hazmat bins."
    )


def test_blocked_or_inactive_bin_is_refused():
    message = reason(stock(), a_bin(active=False))
    assert message == "Bin KUL1-A-01-01 is blocked or inactive; choose another bin."


def test_hazardous_stock_goes_to_hazmat_zones_only():
    item = stock(hazardous=True, sku_code="TH-LIGHTER")
    assert check_bin(item, a_bin(zone_purpose=ZonePurpose.HAZMAT), STRICT) is None
    assert reason(item, a_bin()) == (
        "Bin KUL1-A-01-01 is in the storage zone; SKU TH-LIGHTER is hazardous and is stored in "
        "a hazmat zone only."
    )
    assert "hazmat zone only" in reason(item, a_bin(zone_purpose=ZonePurpose.HIGH_VALUE))


def test_hazmat_zones_take_hazardous_stock_only():
    message = reason(stock(), a_bin(zone_purpose=ZonePurpose.HAZMAT))
    assert message == (
        "Bin KUL1-A-01-01 is in the hazmat zone, which holds hazardous goods only; this SKU is "
        "not hazardous."
    )


def test_hazard_outranks_value():
    item = stock(hazardous=True, high_value=True)
    assert check_bin(item, a_bin(zone_purpose=ZonePurpose.HAZMAT), STRICT) is None
    assert "hazardous" in reason(item, a_bin(zone_purpose=ZonePurpose.HIGH_VALUE))


def test_high_value_stock_goes_to_the_cage_only():
    item = stock(high_value=True, sku_code="TH-GOLD-1")
    assert check_bin(item, a_bin(zone_purpose=ZonePurpose.HIGH_VALUE), STRICT) is None
    assert reason(item, a_bin()) == (
        "Bin KUL1-A-01-01 is in the storage zone; SKU TH-GOLD-1 is high value and is stored in "
        "the high-value cage only."
    )


def test_the_cage_is_kept_for_high_value_stock():
    message = reason(stock(), a_bin(zone_purpose=ZonePurpose.HIGH_VALUE))
    assert message == (
        "Bin KUL1-A-01-01 is in the high-value cage, which is kept for high-value goods; this "
        "SKU is not high value."
    )


def test_temperature_class_must_match():
    message = reason(
        stock(sku_code="X"), a_bin(code="KUL1-C-01-01", temperature=TemperatureClass.CHILLED)
    )
    assert message == "Bin KUL1-C-01-01 is chilled; SKU X is stored ambient."


@pytest.mark.parametrize("stored", list(TemperatureClass))
@pytest.mark.parametrize("provided", list(TemperatureClass))
def test_every_temperature_pair(stored, provided):
    refusal = check_bin(stock(temperature=stored), a_bin(temperature=provided), STRICT)
    assert (refusal is None) == (stored == provided)


def test_other_merchants_stock_refuses_the_bin_unless_merchants_mix():
    candidate = a_bin(contents=(content(sku_id=99, lot_id=None, merchant_id=8),))
    assert reason(stock(), candidate) == (
        "Bin KUL1-A-01-01 holds another merchant's stock, and this FC does not mix merchants "
        "in a bin."
    )
    assert check_bin(stock(), candidate, MixingPolicy(mix_lots=False, mix_merchants=True)) is None


def test_another_lot_of_the_sku_refuses_the_bin_unless_lots_mix():
    candidate = a_bin(contents=(content(lot_id=102),))
    assert reason(stock(sku_code="TH-MANGO"), candidate) == (
        "Bin KUL1-A-01-01 holds another lot of SKU TH-MANGO, and this FC does not mix lots in a "
        "bin."
    )
    assert check_bin(stock(), candidate, MixingPolicy(mix_lots=True, mix_merchants=False)) is None


def test_lots_of_other_skus_of_the_same_merchant_may_share_a_bin():
    candidate = a_bin(contents=(content(sku_id=12, lot_id=555),))
    assert check_bin(stock(), candidate, STRICT) is None


def test_a_lot_less_sku_and_a_lot_tracked_one_do_not_clash():
    assert check_bin(stock(lot_id=None), a_bin(contents=(content(lot_id=None),)), STRICT) is None
    assert "another lot" in reason(stock(lot_id=None), a_bin(contents=(content(),)))


def test_empty_balances_do_not_count_as_contents():
    candidate = a_bin(contents=(content(merchant_id=8, quantity=0), content(lot_id=5, quantity=0)))
    assert check_bin(stock(), candidate, STRICT) is None
    ranked, _ = rank_bins(stock(), [candidate], STRICT)
    assert "empty bin" in ranked[0].reasons


def test_the_first_broken_rule_is_the_reason():
    candidate = a_bin(
        active=False, zone_purpose=ZonePurpose.DISPATCH, temperature=TemperatureClass.FROZEN
    )
    assert "blocked" in reason(stock(), candidate)
    assert "dispatch zone" in reason(stock(), replace(candidate, active=True))


# --- capacity ------------------------------------------------------------------------------


def test_room_counts_volume_and_weight_after_what_the_bin_holds():
    candidate = a_bin(volume_cm3=30_000, max_weight_g=100_000)
    assert room_for_units(stock(), candidate) == 30
    held = replace(candidate, contents=(content(sku_id=12, quantity=10, volume=800.0),))
    assert room_for_units(stock(), held) == 22  # 30,000 − 8,000 cm³ left
    heavy = a_bin(max_weight_g=6_000, contents=(content(sku_id=12, quantity=2, weight=1_000),))
    assert room_for_units(stock(), heavy) == 8  # 4 kg left, 500 g a unit


def test_bin_too_small_by_volume_is_refused_with_the_numbers():
    candidate = a_bin(volume_cm3=10_000)
    assert reason(stock(), candidate) == (
        "Bin KUL1-A-01-01 has room for 10 of the 24 units (10,000 cm³ free, 24,000 cm³ needed)."
    )


def test_bin_too_weak_by_weight_is_refused_with_the_numbers():
    candidate = a_bin(max_weight_g=5_000)
    assert reason(stock(), candidate) == (
        "Bin KUL1-A-01-01 has room for 10 of the 24 units (5.0 kg of weight left, 12.0 kg needed)."
    )


def test_full_bin_has_no_room():
    candidate = a_bin(volume_cm3=5_000, contents=(content(sku_id=12, quantity=5),))
    assert reason(stock(quantity=1), candidate) == (
        "Bin KUL1-A-01-01 has no room for this stock (0 cm³ free, 1,000 cm³ needed)."
    )


def test_overfilled_bin_has_no_room():
    candidate = a_bin(volume_cm3=5_000, contents=(content(sku_id=12, quantity=9),))
    assert room_for_units(stock(), candidate) == 0
    assert "has no room" in reason(stock(), candidate)


def test_exact_fit_is_accepted():
    assert check_bin(stock(), a_bin(volume_cm3=24_000, max_weight_g=12_000), STRICT) is None


def test_fractional_unit_volumes_do_not_lose_a_unit_to_rounding():
    item = stock(quantity=3, unit_volume_cm3=100 / 3)
    assert room_for_units(item, a_bin(volume_cm3=100)) == 3


def test_a_unit_without_size_or_weight_is_not_limited_by_it():
    item = stock(unit_volume_cm3=0, unit_weight_g=0)
    assert check_bin(item, a_bin(volume_cm3=1, max_weight_g=1), STRICT) is None
    weight_only = stock(unit_volume_cm3=0)
    assert room_for_units(weight_only, a_bin()) == 100


def test_ranked_bins_say_how_many_units_they_have_room_for():
    ranked, refusals = rank_bins(stock(), [a_bin(volume_cm3=48_000)], STRICT)
    assert ranked[0].fits_units == 48
    assert refusals == []


def test_a_bin_with_room_for_part_of_the_stock_is_not_ranked():
    ranked, refusals = rank_bins(stock(), [a_bin(volume_cm3=10_000)], STRICT)
    assert ranked == []
    assert "room for 10 of the 24 units" in refusals[0].reason


# --- ranking ---------------------------------------------------------------------------------


def test_consolidation_with_the_same_sku_and_lot_comes_first():
    prime_empty = a_bin("KUL1-A-01-01", 1, level=1, distance_to_dispatch_m=0)
    same_lot = a_bin("KUL1-Z-09-05", 2, pickable=False, distance_to_dispatch_m=200, level=5)
    same_lot = replace(same_lot, contents=(content(),))
    for velocity in VelocityClass:
        ranked, _ = rank_bins(stock(velocity=velocity), [prime_empty, same_lot], STRICT)
        assert codes(ranked) == ["KUL1-Z-09-05", "KUL1-A-01-01"]
        assert ranked[0].reasons[0] == "same SKU and lot already here"


def test_same_lot_beats_same_sku_in_another_lot():
    other_lot = a_bin("KUL1-A-01-01", 1, contents=(content(lot_id=102),))
    same_lot = a_bin("KUL1-A-01-02", 2, contents=(content(),))
    ranked, _ = rank_bins(stock(), [other_lot, same_lot], MIXED)
    assert codes(ranked) == ["KUL1-A-01-02", "KUL1-A-01-01"]
    assert "same SKU already here (another lot)" in ranked[1].reasons
    assert ranked[0].score - ranked[1].score == pytest.approx(60)


def test_empty_bin_beats_one_holding_other_stock_when_mixing_is_allowed():
    shared = a_bin("KUL1-A-01-01", 1, contents=(content(sku_id=50, merchant_id=8, lot_id=None),))
    empty = a_bin("KUL1-A-01-02", 2)
    ranked, refusals = rank_bins(stock(), [shared, empty], MIXED)
    assert codes(ranked) == ["KUL1-A-01-02", "KUL1-A-01-01"]
    assert refusals == []
    assert "empty bin" in ranked[0].reasons
    assert "holds other stock" in ranked[1].reasons


def test_fast_movers_prefer_pick_faces_at_waist_height_near_dispatch():
    bins = [
        a_bin("KUL1-A-01-01", 1, pickable=True, level=1, distance_to_dispatch_m=5),
        a_bin("KUL1-A-01-04", 2, pickable=True, level=4, distance_to_dispatch_m=5),
        a_bin("KUL1-A-09-01", 3, pickable=True, level=1, distance_to_dispatch_m=80),
        a_bin("KUL1-R-01-01", 4, pickable=False, level=1, distance_to_dispatch_m=5),
    ]
    ranked, _ = rank_bins(stock(velocity=VelocityClass.A), bins, STRICT)
    assert codes(ranked) == ["KUL1-A-01-01", "KUL1-A-09-01", "KUL1-A-01-04", "KUL1-R-01-01"]
    assert ranked[0].reasons == (
        "empty bin",
        "pick face for a fast mover",
        "waist height",
        "near dispatch (5 m)",
    )
    assert "far from dispatch (80 m)" in ranked[1].reasons


def test_slow_movers_prefer_reserve_bins_high_up_and_far_away():
    bins = [
        a_bin("KUL1-A-01-01", 1, pickable=True, level=1, distance_to_dispatch_m=5),
        a_bin("KUL1-R-01-05", 2, pickable=False, level=5, distance_to_dispatch_m=5),
        a_bin("KUL1-R-09-01", 3, pickable=False, level=1, distance_to_dispatch_m=80),
        a_bin("KUL1-R-09-05", 4, pickable=False, level=5, distance_to_dispatch_m=80),
    ]
    ranked, _ = rank_bins(stock(velocity=VelocityClass.C), bins, STRICT)
    assert codes(ranked) == ["KUL1-R-09-05", "KUL1-R-01-05", "KUL1-R-09-01", "KUL1-A-01-01"]
    assert ranked[0].reasons == (
        "empty bin",
        "reserve bin for a slow mover",
        "above waist height, keeps prime spots free",
        "far from dispatch (80 m)",
    )


def test_medium_movers_prefer_pick_faces_and_ignore_height_and_distance():
    face = a_bin("KUL1-A-05-05", 1, pickable=True, level=5, distance_to_dispatch_m=90)
    reserve = a_bin("KUL1-A-01-01", 2, pickable=False, level=1, distance_to_dispatch_m=1)
    ranked, _ = rank_bins(stock(velocity=VelocityClass.B), [reserve, face], STRICT)
    assert codes(ranked) == ["KUL1-A-05-05", "KUL1-A-01-01"]
    assert ranked[0].reasons == ("empty bin", "pick face")
    assert ranked[1].reasons == ("empty bin",)
    level_one = replace(face, code="KUL1-A-05-01", location_id=3, level=1, distance_to_dispatch_m=0)
    ranked, _ = rank_bins(stock(), [face, level_one], STRICT)
    assert ranked[0].score == ranked[1].score


def test_waist_height_is_levels_one_and_two():
    assert sorted(WAIST_LEVELS) == [1, 2]
    item = stock(velocity=VelocityClass.A)
    scores = {
        level: rank_bins(item, [a_bin(level=level)], STRICT)[0][0].score for level in (1, 2, 3)
    }
    assert scores[1] == scores[2] > scores[3]


def test_nearness_is_half_at_the_reference_distance():
    item = stock(velocity=VelocityClass.A)
    at_dispatch = rank_bins(item, [a_bin(distance_to_dispatch_m=0)], STRICT)[0][0].score
    at_reference = rank_bins(item, [a_bin(distance_to_dispatch_m=NEAR_DISPATCH_M)], STRICT)[0][0]
    assert at_dispatch - at_reference.score == pytest.approx(10)
    assert "near dispatch (25 m)" in at_reference.reasons


def test_ties_are_broken_by_code_then_location_id():
    bins = [a_bin(code, location_id) for code, location_id in [("B", 1), ("A", 3), ("A", 2)]]
    ranked, _ = rank_bins(stock(), bins, STRICT)
    assert [(r.bin.code, r.bin.location_id) for r in ranked] == [("A", 2), ("A", 3), ("B", 1)]


def test_ranking_does_not_depend_on_the_order_bins_come_in():
    bins = [
        a_bin(
            f"KUL1-A-{bay:02d}-{level:02d}",
            bay * 10 + level,
            level=level,
            pickable=level <= 2,
            distance_to_dispatch_m=bay * 3.0,
            contents=(content(),) if bay == 7 and level == 4 else (),
        )
        for bay in range(1, 10)
        for level in range(1, 6)
    ]
    expected = rank_bins(stock(velocity=VelocityClass.A), bins, STRICT, limit=50)
    shuffled = list(bins)
    random.Random(4).shuffle(shuffled)
    assert rank_bins(stock(velocity=VelocityClass.A), shuffled, STRICT, limit=50) == expected
    assert expected[0][0].bin.code == "KUL1-A-07-04"  # consolidation first


def test_limit_keeps_the_best_and_refusals_list_every_refused_bin_by_code():
    bins = [a_bin(f"KUL1-A-01-0{level}", level, level=level) for level in range(1, 8)]
    bins += [
        a_bin("KUL1-C-01-01", 20, temperature=TemperatureClass.CHILLED),
        a_bin("KUL1-B-01-01", 21, active=False),
    ]
    ranked, refusals = rank_bins(stock(velocity=VelocityClass.A), bins, STRICT, limit=3)
    assert codes(ranked) == ["KUL1-A-01-01", "KUL1-A-01-02", "KUL1-A-01-03"]
    assert [refusal.code for refusal in refusals] == ["KUL1-B-01-01", "KUL1-C-01-01"]
    assert all(isinstance(refusal, Refusal) for refusal in refusals)
    assert refusals[1].reason == "Bin KUL1-C-01-01 is chilled; this SKU is stored ambient."


def test_default_limit_is_five():
    bins = [a_bin(f"KUL1-A-01-{n:02d}", n) for n in range(1, 9)]
    assert len(rank_bins(stock(), bins, STRICT)[0]) == 5


def test_no_bins_no_ranking():
    assert rank_bins(stock(), [], STRICT) == ([], [])


def test_scores_are_rounded_and_reasons_are_tuples():
    ranked, _ = rank_bins(
        stock(velocity=VelocityClass.A), [a_bin(distance_to_dispatch_m=7)], STRICT
    )
    option = ranked[0]
    assert option.score == round(option.score, 3)
    assert math.isclose(option.score, 20 + 25 + 20 * 25 / 32, abs_tol=1e-3)
    assert isinstance(option.reasons, tuple)


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", [0, -1, 1_000_000_001])
def test_quantity_must_be_sensible(quantity):
    with pytest.raises(InvalidInput) as error:
        stock(quantity=quantity)
    assert error.value.field == "quantity"


@pytest.mark.parametrize("field", ["unit_volume_cm3", "unit_weight_g"])
@pytest.mark.parametrize("value", [-1, math.nan, math.inf])
def test_unit_size_must_be_sensible(field, value):
    with pytest.raises(InvalidInput) as error:
        stock(**{field: value})
    assert error.value.field == field


def test_limit_must_be_positive():
    with pytest.raises(InvalidInput) as error:
        rank_bins(stock(), [a_bin()], STRICT, limit=0)
    assert error.value.field == "limit"

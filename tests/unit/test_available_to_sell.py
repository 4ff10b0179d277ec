"""Available to sell per SKU and FC, and its split over the listings that sell it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wms.domain.channels import (
    PolicyKind,
    SkuStock,
    StockPolicy,
    available_to_sell,
    split_available,
)
from wms.domain.errors import InvalidInput


def test_available_is_on_hand_less_reserved_held_back_and_the_safety_buffer():
    stock = SkuStock(on_hand=120, reserved=30, held=15)
    assert available_to_sell(stock) == 75
    assert available_to_sell(stock, safety_buffer=5) == 70


def test_available_is_never_negative():
    assert available_to_sell(SkuStock(on_hand=10, reserved=6, held=3), safety_buffer=4) == 0
    assert available_to_sell(SkuStock()) == 0


def test_a_negative_safety_buffer_is_refused():
    with pytest.raises(InvalidInput) as refused:
        available_to_sell(SkuStock(on_hand=1), safety_buffer=-1)
    assert refused.value.field == "safety_buffer"


def test_one_listing_shows_its_share_rounded_down_or_all_but_its_buffer():
    assert split_available(99, [StockPolicy.share(50)]) == [49]
    assert split_available(99, [StockPolicy.share(100)]) == [99]
    assert split_available(99, [StockPolicy.buffer(10)]) == [89]
    assert split_available(5, [StockPolicy.buffer(10)]) == [0]


def test_shares_that_fit_are_shown_as_they_are():
    policies = [StockPolicy.share(60), StockPolicy.share(30)]
    assert split_available(100, policies) == [60, 30]


def test_two_shops_showing_everything_split_it_and_never_show_more_than_there_is():
    assert split_available(11, [StockPolicy.buffer(0), StockPolicy.buffer(0)]) == [6, 5]
    # Claims 10, 8 and 4 of 10 units: 4.5, 3.6 and 1.8 units, whole units by largest remainder.
    assert split_available(
        10, [StockPolicy.share(100), StockPolicy.buffer(2), StockPolicy.share(40)]
    ) == [4, 4, 2]


def test_no_listings_show_nothing():
    assert split_available(40, []) == []


def test_a_policy_outside_its_range_is_refused_naming_its_field():
    with pytest.raises(InvalidInput) as share:
        StockPolicy.share(101)
    assert share.value.field == "share_percent"
    with pytest.raises(InvalidInput) as buffer:
        StockPolicy.buffer(-1)
    assert buffer.value.field == "buffer_units"
    with pytest.raises(InvalidInput):
        StockPolicy.of(None, None)
    with pytest.raises(InvalidInput):
        StockPolicy.of(50, 3)
    assert StockPolicy.of(None, 3) == StockPolicy(PolicyKind.BUFFER, 3)


stocks = st.builds(
    SkuStock,
    on_hand=st.integers(0, 10_000),
    reserved=st.integers(0, 10_000),
    held=st.integers(0, 10_000),
)
policies = st.one_of(
    st.integers(0, 100).map(StockPolicy.share), st.integers(0, 500).map(StockPolicy.buffer)
)


@given(stocks, st.integers(0, 1_000))
def test_available_never_exceeds_the_free_units_and_is_never_negative(stock, buffer):
    available = available_to_sell(stock, buffer)
    assert 0 <= available <= max(stock.on_hand - stock.reserved, 0)
    assert available == max(stock.on_hand - stock.reserved - stock.held - buffer, 0)


@given(st.integers(0, 100_000), st.lists(policies, max_size=8))
def test_the_split_shows_at_most_what_is_available_and_each_at_most_its_claim(
    available, listing_policies
):
    shown = split_available(available, listing_policies)
    assert len(shown) == len(listing_policies)
    assert all(isinstance(units, int) and units >= 0 for units in shown)
    assert sum(shown) <= available
    claims = [policy.claim(available) for policy in listing_policies]
    assert all(units <= claim for units, claim in zip(shown, claims, strict=True))
    if sum(claims) <= available:
        assert shown == claims
    else:
        assert sum(shown) == available  # nothing is left unshown when the listings want more


@given(st.integers(0, 100_000), policies)
def test_a_listing_that_sells_alone_shows_exactly_its_claim(available, policy):
    assert split_available(available, [policy]) == [policy.claim(available)]

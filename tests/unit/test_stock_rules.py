import pytest

from wms.domain.errors import InsufficientStock, InvalidInput
from wms.domain.stock import MovementReason, Quantities, adjustment_delta


def test_take_leaves_reserved_units_alone():
    assert Quantities(10, 4).take(6) == Quantities(4, 4)
    with pytest.raises(InsufficientStock) as error:
        Quantities(10, 4).take(7)
    assert "6 unreserved" in error.value.message


def test_put_adds_and_refuses_non_positive():
    assert Quantities(1, 0).put(5) == Quantities(6, 0)
    for bad in (0, -3):
        with pytest.raises(InvalidInput):
            Quantities().put(bad)


def test_count_correction_computes_the_change_from_the_count():
    assert (
        adjustment_delta(Quantities(10, 0), MovementReason.COUNT_CORRECTION, counted_quantity=7)
        == -3
    )
    assert (
        adjustment_delta(Quantities(10, 0), MovementReason.COUNT_CORRECTION, counted_quantity=12)
        == 2
    )


def test_count_cannot_go_below_reserved():
    with pytest.raises(InsufficientStock):
        adjustment_delta(Quantities(10, 5), MovementReason.COUNT_CORRECTION, counted_quantity=4)


def test_reasons_point_one_way():
    with pytest.raises(InvalidInput):
        adjustment_delta(Quantities(10, 0), MovementReason.DAMAGED, delta=2)
    with pytest.raises(InvalidInput):
        adjustment_delta(Quantities(10, 0), MovementReason.FOUND, delta=-2)
    assert adjustment_delta(Quantities(10, 0), MovementReason.DAMAGED, delta=-2) == -2


def test_exactly_one_quantity_and_a_real_change():
    with pytest.raises(InvalidInput):
        adjustment_delta(Quantities(1, 0), MovementReason.LOST, counted_quantity=0, delta=-1)
    with pytest.raises(InvalidInput):
        adjustment_delta(Quantities(1, 0), MovementReason.LOST)
    with pytest.raises(InvalidInput):
        adjustment_delta(Quantities(5, 0), MovementReason.COUNT_CORRECTION, counted_quantity=5)
    with pytest.raises(InvalidInput):
        adjustment_delta(Quantities(5, 0), MovementReason.MOVE, delta=1)

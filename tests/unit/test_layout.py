import pytest

from wms.domain.errors import InvalidInput
from wms.domain.layout import RackLayout, expand


def test_expands_aisles_bays_levels_into_coded_bins():
    bins = expand("KUL1", RackLayout(aisles=("A", "B"), bays=3, levels=2, positions=2))
    assert len(bins) == 2 * 3 * 2 * 2
    assert bins[0].code == "KUL1-A-01-01-A"
    assert len({b.code for b in bins}) == len(bins)
    assert [b.pick_sequence for b in bins] == list(range(1, len(bins) + 1))


def test_walking_order_is_serpentine():
    bins = expand("KUL1", RackLayout(aisles=("A", "B"), bays=3, levels=1))
    assert [b.code for b in bins] == [
        "KUL1-A-01-01",
        "KUL1-A-02-01",
        "KUL1-A-03-01",
        "KUL1-B-03-01",
        "KUL1-B-02-01",
        "KUL1-B-01-01",
    ]


def test_coordinates_follow_the_rack_geometry():
    layout = RackLayout(
        aisles=("A", "B"),
        bays=2,
        levels=3,
        origin_x=10,
        origin_y=5,
        aisle_spacing_m=3,
        bay_width_m=1.2,
        level_height_m=0.5,
    )
    by_code = {b.code: b for b in expand("KUL1", layout)}
    far = by_code["KUL1-B-02-03"]
    assert (far.x, far.y, far.z) == (13.0, 6.2, 1.0)


def test_only_listed_levels_are_pick_faces():
    bins = expand("KUL1", RackLayout(aisles=("A",), bays=1, levels=4, pickable_levels=(1, 2)))
    assert [b.pickable for b in bins] == [True, True, False, False]


@pytest.mark.parametrize(
    ("layout", "field"),
    [
        (RackLayout(aisles=(), bays=1, levels=1), "aisles"),
        (RackLayout(aisles=("a",), bays=1, levels=1), "aisles"),
        (RackLayout(aisles=("A", "A"), bays=1, levels=1), "aisles"),
        (RackLayout(aisles=("A",), bays=0, levels=1), "bays"),
        (RackLayout(aisles=("A",), bays=1, levels=100), "levels"),
        (RackLayout(aisles=("A",), bays=99, levels=99, positions=26), "aisles"),
    ],
)
def test_refuses_impossible_layouts(layout, field):
    with pytest.raises(InvalidInput) as error:
        expand("KUL1", layout)
    assert error.value.field == field

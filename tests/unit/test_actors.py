from wms.domain.actors import Actor, Role


def test_staff_work_only_in_their_fcs():
    staff = Actor(user_id=1, role=Role.STAFF, fc_ids=frozenset({1}))
    assert staff.works_in(1) and not staff.works_in(2)
    assert not staff.manages(1)
    assert staff.handles_stock


def test_managers_manage_their_fcs_and_admins_all():
    manager = Actor(user_id=2, role=Role.MANAGER, fc_ids=frozenset({1}))
    assert manager.manages(1) and not manager.manages(2)
    assert Actor(user_id=3, role=Role.ADMIN).manages(99)


def test_merchants_see_only_their_own_catalogue_and_no_fc_insides():
    merchant = Actor(user_id=4, role=Role.MERCHANT, merchant_id=7)
    assert merchant.may_see_catalogue_of(7) and not merchant.may_see_catalogue_of(8)
    assert merchant.may_edit_catalogue_of(7) and not merchant.may_edit_catalogue_of(8)
    assert not merchant.works_in(1)
    assert not merchant.handles_stock


def test_staff_read_but_do_not_edit_the_catalogue():
    staff = Actor(user_id=1, role=Role.STAFF, fc_ids=frozenset({1}))
    assert staff.may_see_catalogue_of(7)
    assert not staff.may_edit_catalogue_of(7)

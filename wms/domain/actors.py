"""Who is asking, and what their role lets them see and change."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Role(enum.StrEnum):
    """A role: admins run the network, managers and staff their FCs, merchants their goods."""

    ADMIN = "admin"
    MANAGER = "manager"
    STAFF = "staff"
    MERCHANT = "merchant"


@dataclass(frozen=True)
class Actor:
    """The authenticated caller of a use case."""

    user_id: int
    role: Role
    merchant_id: int | None = None
    fc_ids: frozenset[int] = field(default_factory=frozenset)
    name: str = ""
    locale: str = "en"

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_merchant(self) -> bool:
        return self.role is Role.MERCHANT

    def works_in(self, fc_id: int) -> bool:
        """Staff and managers work in their assigned FCs; admins in all."""
        if self.is_admin:
            return True
        return self.role in (Role.MANAGER, Role.STAFF) and fc_id in self.fc_ids

    def manages(self, fc_id: int) -> bool:
        """Managers change an FC's set-up (zones, bins); admins change every FC's."""
        return self.is_admin or (self.role is Role.MANAGER and fc_id in self.fc_ids)

    def owns_goods_of(self, merchant_id: int) -> bool:
        """A merchant sees and changes only its own SKUs and stock."""
        return self.is_merchant and self.merchant_id == merchant_id

    def may_see_catalogue_of(self, merchant_id: int) -> bool:
        """SKUs are visible to their merchant and to the warehouse people who handle them."""
        if self.is_merchant:
            return self.merchant_id == merchant_id
        return True

    def may_edit_catalogue_of(self, merchant_id: int) -> bool:
        """Merchants edit their own SKUs; admins and managers edit any merchant's."""
        if self.is_merchant:
            return self.merchant_id == merchant_id
        return self.role in (Role.ADMIN, Role.MANAGER)

    @property
    def handles_stock(self) -> bool:
        """Warehouse roles move and count stock; merchants only look at it."""
        return self.role in (Role.ADMIN, Role.MANAGER, Role.STAFF)

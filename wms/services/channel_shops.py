"""Merchants' marketplace shops: connect (with the tokens the marketplace's authorisation
gives), list with their last sync and errors, disconnect; and the access a connector needs.

Tokens are sealed with the operator's keys before they reach the database
(`wms.db.encryption`), and opened only to build a `ShopAccess` for a connector.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from wms.channels.marketplace import AppCredentials, Marketplace
from wms.db.encryption import TokenCipher


@dataclass(frozen=True)
class ChannelSetup:
    """What the channel use cases need from the settings: the cipher for shops' tokens, the
    apps' credentials per marketplace, and the units of each SKU never offered for sale."""

    cipher: TokenCipher
    apps: Mapping[Marketplace, AppCredentials] = field(default_factory=dict)
    safety_buffer: int = 0

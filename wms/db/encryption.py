"""Secrets stored encrypted at rest: the marketplace tokens of merchants' shops.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under the operator's keys: the first
key encrypts, every key decrypts, so a key can be rotated by putting the new one first.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class UnreadableSecret(Exception):
    """A stored secret that none of the configured keys opens (wrong key, or tampered)."""


def derived_key(secret_key: str) -> str:
    """A Fernet key derived from the app's secret key (development and tests only)."""
    digest = hashlib.sha256(b"pavilion-wms channel tokens\x00" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def check_key(key: str) -> str:
    """The key if Fernet accepts it (32 bytes, url-safe base64); ValueError naming why if not."""
    try:
        Fernet(key.encode())
    except (ValueError, TypeError) as error:
        raise ValueError(
            "a channel token key is 32 random bytes in url-safe base64 "
            "(Fernet.generate_key()), e.g. 44 characters ending in '='"
        ) from error
    return key


class TokenCipher:
    """Seals and opens short secrets (access and refresh tokens) with the operator's keys."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(check_key(key).encode()) for key in keys])

    def seal(self, secret: str) -> str:
        """The secret encrypted (with a random IV and a timestamp), as ASCII text."""
        return self._fernet.encrypt(secret.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        """The secret back; UnreadableSecret if no key opens it or it was altered."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, UnicodeError) as error:
            raise UnreadableSecret("No key set can decrypt a stored token.") from error

"""Shops' tokens are encrypted at rest with the operator's keys; production needs its own."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from wms.app import create_app
from wms.bootstrap import channel_setup
from wms.channels.marketplace import AppCredentials, Marketplace
from wms.db.encryption import TokenCipher, UnreadableSecret, derived_key
from wms.settings import load_settings


def test_a_sealed_token_reads_back_and_does_not_show_the_token():
    cipher = TokenCipher([Fernet.generate_key().decode()])
    sealed = cipher.seal("shopee-access-7f3a9c")
    assert "7f3a9c" not in sealed
    assert cipher.seal("shopee-access-7f3a9c") != sealed  # a fresh IV every time
    assert cipher.open(sealed) == "shopee-access-7f3a9c"


def test_another_key_or_a_changed_byte_cannot_open_a_token():
    cipher = TokenCipher([Fernet.generate_key().decode()])
    sealed = cipher.seal("secret")
    with pytest.raises(UnreadableSecret):
        TokenCipher([Fernet.generate_key().decode()]).open(sealed)
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(UnreadableSecret):
        cipher.open(tampered)


def test_keys_rotate_new_key_first_old_tokens_still_open():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed_before = TokenCipher([old]).seal("refresh-1")
    rotated = TokenCipher([new, old])
    assert rotated.open(sealed_before) == "refresh-1"
    assert TokenCipher([new]).open(rotated.seal("refresh-2")) == "refresh-2"


def test_development_derives_a_stable_key_from_the_secret_key():
    settings = load_settings(environ={"WMS_SECRET_KEY": "s3cr3t"}, env="development")
    sealed = channel_setup(settings).cipher.seal("token")
    assert channel_setup(settings).cipher.open(sealed) == "token"
    assert TokenCipher([derived_key("s3cr3t")]).open(sealed) == "token"
    with pytest.raises(UnreadableSecret):
        TokenCipher([derived_key("other")]).open(sealed)


def test_production_refuses_to_start_without_its_own_token_key():
    environ = {"WMS_ENV": "production", "WMS_SECRET_KEY": "a-real-production-secret"}
    settings = load_settings(environ=environ, database_url="sqlite:///:memory:")
    with pytest.raises(RuntimeError, match="WMS_CHANNEL_TOKEN_KEYS"):
        create_app(settings)
    key = Fernet.generate_key().decode()
    settings = load_settings(
        environ={**environ, "WMS_CHANNEL_TOKEN_KEYS": key}, database_url="sqlite:///:memory:"
    )
    assert create_app(settings) is not None


def test_a_malformed_token_key_is_refused_naming_the_setting_group():
    settings = load_settings(environ={"WMS_CHANNEL_TOKEN_KEYS": "not-a-key"})
    with pytest.raises(RuntimeError, match="Channel settings: a channel token key"):
        channel_setup(settings)
    with pytest.raises(RuntimeError, match="WMS_CHANNEL_SAFETY_BUFFER"):
        channel_setup(load_settings(environ={"WMS_CHANNEL_SAFETY_BUFFER": "-1"}))


def test_app_credentials_are_per_marketplace_from_the_settings():
    settings = load_settings(
        environ={
            # The test configuration: development's holds the demo sandbox's credentials.
            "WMS_ENV": "test",
            "WMS_SHOPEE_PARTNER_ID": "2001887",
            "WMS_SHOPEE_PARTNER_KEY": "shpk-abc",
            "WMS_LAZADA_APP_KEY": "100132",
            "WMS_CHANNEL_SAFETY_BUFFER": "2",
        }
    )
    setup = channel_setup(settings)
    assert setup.apps == {Marketplace.SHOPEE: AppCredentials("2001887", "shpk-abc")}
    assert setup.safety_buffer == 2

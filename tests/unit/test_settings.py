import pytest

from wms.app import create_app
from wms.settings import load_settings


def test_environment_overrides_config_file(tmp_path):
    (tmp_path / "staging.toml").write_text(
        'secure_cookies = true\ntoken_ttl_hours = 5\nprinter = "zebra-1"\n'
    )
    settings = load_settings(
        environ={
            "WMS_ENV": "staging",
            "WMS_TOKEN_TTL_HOURS": "12",
            "WMS_DATABASE_URL": "sqlite:///x.db",
        },
        config_dir=tmp_path,
    )
    assert settings.env == "staging"
    assert settings.secure_cookies is True
    assert settings.token_ttl_hours == 12
    assert settings.database_url == "sqlite:///x.db"
    assert settings.extra == {"printer": "zebra-1"}


def test_bad_boolean_is_refused_with_its_variable_name():
    with pytest.raises(ValueError, match="WMS_SECURE_COOKIES"):
        load_settings(environ={"WMS_SECURE_COOKIES": "maybe"})


def test_production_refuses_the_development_secret(tmp_path):
    settings = load_settings(environ={"WMS_ENV": "production"}, database_url="sqlite:///:memory:")
    assert settings.secure_cookies is True
    with pytest.raises(RuntimeError, match="WMS_SECRET_KEY"):
        create_app(settings)


def test_creating_the_app_does_not_connect(tmp_path):
    url = f"sqlite:///{tmp_path}/never.sqlite3"
    create_app(load_settings(environ={}, env="test", database_url=url))
    assert not (tmp_path / "never.sqlite3").exists()

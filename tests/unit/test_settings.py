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


def test_road_network_settings_come_from_the_environment_as_numbers():
    from wms.bootstrap import road_setup

    settings = load_settings(
        environ={"WMS_ROAD_FACTOR": "1.4", "WMS_AVERAGE_SPEED_KMH": "25", "WMS_ENV": "test"}
    )
    assert (settings.road_factor, settings.average_speed_kmh) == (1.4, 25.0)
    roads = road_setup(settings)
    assert roads.name == "great-circle distance x 1.4 at 25 km/h"
    osrm = road_setup(
        load_settings(
            environ={"WMS_ROAD_NETWORK": "osrm", "WMS_OSRM_URL": "http://osrm.internal:5000/"}
        )
    )
    assert osrm.name == "OSRM http://osrm.internal:5000/ (driving)"
    with pytest.raises(ValueError, match="WMS_ROAD_FACTOR must be a number"):
        load_settings(environ={"WMS_ROAD_FACTOR": "fast"})


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"WMS_ROAD_NETWORK": "osrm"}, "WMS_OSRM_URL"),
        ({"WMS_ROAD_NETWORK": "osrm", "WMS_OSRM_URL": "ftp://x"}, "base_url"),
        ({"WMS_ROAD_NETWORK": "google"}, "WMS_ROAD_NETWORK"),
        ({"WMS_ROAD_FACTOR": "0.5"}, "road_factor"),
        ({"WMS_DELIVERY_STOP_SECONDS": "-1"}, "WMS_DELIVERY_STOP_SECONDS"),
    ],
)
def test_road_settings_that_cannot_work_stop_the_app_at_start_up(tmp_path, environ, named):
    url = f"sqlite:///{tmp_path}/never.sqlite3"
    settings = load_settings(environ={**environ, "WMS_ENV": "test"}, database_url=url)
    with pytest.raises(RuntimeError, match=named):
        create_app(settings)

"""Settings: defaults, then `config/<env>.toml`, then `WMS_*` environment variables.

This is the only module that reads the environment or the `config/` folder, and it does so only
when `load_settings()` is called, never at import time.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"
ENV_PREFIX = "WMS_"


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about where it runs."""

    env: str = "development"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'instance' / 'wms.sqlite3'}"
    secret_key: str = "dev-only-not-secret"  # noqa: S105 - replaced in production config
    secure_cookies: bool = False
    token_ttl_hours: int = 24 * 30
    default_locale: str = "en"
    locales: tuple[str, ...] = ("en", "th", "ms", "id", "vi")
    sql_echo: bool = False
    # Characters a scanner sends for the GS1 group separator (FNC1): ASCII 29, or a printable
    # substitute when a keyboard wedge cannot type it.
    scan_separators: str = "\x1d~"
    # Fonts for labels and documents: extra directories to search (separated by ":") and
    # explicit font files; empty means the system's fonts (see labels/fonts.py).
    label_font_dirs: str = ""
    label_latin_font: str = ""
    label_latin_bold_font: str = ""
    label_thai_font: str = ""
    label_thai_bold_font: str = ""
    # Road distances for own-fleet delivery routes: "great-circle" (the great-circle distance
    # times `road_factor`, driven at `average_speed_kmh`; needs nothing) or "osrm" (the table
    # service of the OSRM server at `osrm_url`).
    road_network: str = "great-circle"
    road_factor: float = 1.3
    average_speed_kmh: float = 30.0
    osrm_url: str = ""
    osrm_profile: str = "driving"
    osrm_timeout_s: float = 10.0
    osrm_max_table_size: int = 100
    # Delivery planning: the planner's default time limit, and the time at each door (a stop,
    # plus each parcel after the first).
    delivery_time_limit_s: float = 10.0
    delivery_stop_seconds: float = 180.0
    delivery_parcel_seconds: float = 30.0
    # Marketplace channels. Shops' tokens are encrypted with `channel_token_keys` (Fernet keys,
    # separated by ","; the first encrypts, all decrypt); when empty, development and tests
    # derive one from `secret_key`, and production refuses to start. The apps' own
    # credentials are the operator's, one per marketplace (Shopee partner id and key; Lazada
    # and TikTok app key and secret). `channel_safety_buffer`: units of every SKU in every FC
    # never offered on a marketplace.
    channel_token_keys: str = ""
    shopee_partner_id: str = ""
    shopee_partner_key: str = ""
    lazada_app_key: str = ""
    lazada_app_secret: str = ""
    tiktok_app_key: str = ""
    tiktok_app_secret: str = ""
    channel_safety_buffer: int = 0
    testing: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _coerce(name: str, raw: Any, default: Any) -> Any:
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"{ENV_PREFIX}{name.upper()} must be true or false, not {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"{ENV_PREFIX}{name.upper()} must be a number, not {raw!r}") from None
    if isinstance(default, tuple):
        if isinstance(raw, list | tuple):
            return tuple(str(item) for item in raw)
        return tuple(part.strip() for part in str(raw).split(",") if part.strip())
    return raw


def load_settings(
    environ: Mapping[str, str] | None = None, config_dir: Path = CONFIG_DIR, **overrides: Any
) -> Settings:
    """Build Settings for `WMS_ENV` (default development) from config file, env and overrides."""
    env_vars = os.environ if environ is None else environ
    env = overrides.get("env") or env_vars.get(f"{ENV_PREFIX}ENV", "development")
    defaults = Settings()
    known = {f.name: f for f in dataclasses.fields(Settings) if f.name != "extra"}
    values: dict[str, Any] = {"env": env}
    extra: dict[str, Any] = {}

    config_file = config_dir / f"{env}.toml"
    if config_file.exists():
        with config_file.open("rb") as handle:
            for key, raw in tomllib.load(handle).items():
                if key in known:
                    values[key] = _coerce(key, raw, getattr(defaults, key))
                else:
                    extra[key] = raw
    for key in known:
        raw = env_vars.get(f"{ENV_PREFIX}{key.upper()}")
        if raw is not None and key != "env":
            values[key] = _coerce(key, raw, getattr(defaults, key))
    values.update({k: v for k, v in overrides.items() if k in known})
    return Settings(**values, extra=extra)

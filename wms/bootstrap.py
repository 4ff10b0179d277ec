"""The composition root: builds the engine and session factory, and hands out units of work."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from labels.fonts import DEFAULT_SEARCH_DIRS, FontFiles, configure_fonts
from routing.road_network import GreatCircleNetwork, OsrmNetwork, RoadNetwork
from wms.channels.marketplace import AppCredentials, Marketplace
from wms.db.encryption import TokenCipher, check_key, derived_key
from wms.db.session import make_engine, make_session_factory
from wms.db.unit_of_work import UnitOfWork
from wms.services.channel_shops import ChannelSetup
from wms.services.delivery_problem import RoadSetup
from wms.settings import Settings

ROAD_NETWORKS = ("great-circle", "osrm")

EXTENSION = "wms"


@dataclass
class Wiring:
    """What the app was built with: its settings and its database."""

    settings: Settings
    session_factory: sessionmaker[Session]
    engine: Engine | None = None
    roads: RoadSetup = field(init=False)
    channels: ChannelSetup = field(init=False)

    def __post_init__(self) -> None:
        self.roads = road_setup(self.settings)
        self.channels = channel_setup(self.settings)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)


def road_setup(settings: Settings) -> RoadSetup:
    """Where delivery planning gets road distances, from the settings; a setting that cannot
    work is refused when the app starts, naming it."""
    kind = settings.road_network
    network: RoadNetwork
    try:
        if kind == "great-circle":
            network = GreatCircleNetwork(settings.road_factor, settings.average_speed_kmh)
            name = (
                f"great-circle distance x {settings.road_factor:g} "
                f"at {settings.average_speed_kmh:g} km/h"
            )
        elif kind == "osrm":
            if not settings.osrm_url:
                raise ValueError("WMS_OSRM_URL is needed when WMS_ROAD_NETWORK is osrm")
            network = OsrmNetwork(
                settings.osrm_url,
                profile=settings.osrm_profile,
                timeout_s=settings.osrm_timeout_s,
                max_table_size=settings.osrm_max_table_size,
            )
            name = f"OSRM {settings.osrm_url} ({settings.osrm_profile})"
        else:
            raise ValueError(
                f"WMS_ROAD_NETWORK must be one of {', '.join(ROAD_NETWORKS)}, not {kind!r}"
            )
        for value, setting in (
            (settings.delivery_stop_seconds, "WMS_DELIVERY_STOP_SECONDS"),
            (settings.delivery_parcel_seconds, "WMS_DELIVERY_PARCEL_SECONDS"),
        ):
            if not 0 <= value <= 3600:
                raise ValueError(f"{setting} must be between 0 and 3600 seconds")
    except ValueError as error:
        raise RuntimeError(f"Road network settings: {error}") from None
    return RoadSetup(
        network=network,
        name=name,
        stop_seconds=settings.delivery_stop_seconds,
        parcel_seconds=settings.delivery_parcel_seconds,
    )


def channel_setup(settings: Settings) -> ChannelSetup:
    """The keys that seal shops' tokens and the apps' marketplace credentials, from the
    settings; production will not start without its own token keys."""
    keys = [key.strip() for key in settings.channel_token_keys.split(",") if key.strip()]
    try:
        if not keys:
            if settings.env == "production":
                raise ValueError(
                    "set WMS_CHANNEL_TOKEN_KEYS: production does not derive the key that "
                    "encrypts shops' tokens from the secret key"
                )
            keys = [derived_key(settings.secret_key)]
        for key in keys:
            check_key(key)
        if settings.channel_safety_buffer < 0:
            raise ValueError("WMS_CHANNEL_SAFETY_BUFFER cannot be negative")
    except ValueError as error:
        raise RuntimeError(f"Channel settings: {error}") from None
    apps = {
        marketplace: AppCredentials(key, secret)
        for marketplace, key, secret in (
            (Marketplace.SHOPEE, settings.shopee_partner_id, settings.shopee_partner_key),
            (Marketplace.LAZADA, settings.lazada_app_key, settings.lazada_app_secret),
            (Marketplace.TIKTOK, settings.tiktok_app_key, settings.tiktok_app_secret),
        )
        if key and secret
    }
    return ChannelSetup(
        cipher=TokenCipher(keys), apps=apps, safety_buffer=settings.channel_safety_buffer
    )


def configure_label_fonts(settings: Settings) -> None:
    """Point the label library at the configured fonts (system fonts when none are set)."""
    dirs = [d for d in settings.label_font_dirs.split(":") if d]
    if not (dirs or settings.label_latin_font or settings.label_thai_font):
        return
    latin = (
        FontFiles(settings.label_latin_font, settings.label_latin_bold_font or None)
        if settings.label_latin_font
        else None
    )
    thai = (
        FontFiles(settings.label_thai_font, settings.label_thai_bold_font or None)
        if settings.label_thai_font
        else None
    )
    search = [*dirs, *DEFAULT_SEARCH_DIRS] if dirs else None
    configure_fonts(search, latin=latin, thai=thai)


def wire(settings: Settings, session_factory: sessionmaker[Session] | None = None) -> Wiring:
    """Wiring for the settings; an engine is made (lazily: it connects on first use) if needed."""
    configure_label_fonts(settings)
    if session_factory is not None:
        return Wiring(settings, session_factory)
    engine = make_engine(settings.database_url, echo=settings.sql_echo)
    return Wiring(settings, make_session_factory(engine), engine)


def wiring() -> Wiring:
    """The current app's wiring."""
    found: Wiring = current_app.extensions[EXTENSION]
    return found


def new_uow() -> UnitOfWork:
    """A fresh unit of work for the current request."""
    return wiring().uow()


def roads() -> RoadSetup:
    """Where the current app's delivery planning gets road distances."""
    return wiring().roads


def channels() -> ChannelSetup:
    """The current app's token keys and marketplace app credentials."""
    return wiring().channels

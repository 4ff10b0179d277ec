"""A live server on a demo database, and headless Chromium to drive it (Debian's own build)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import settings_for
from wms.app import create_app
from wms.bootstrap import EXTENSION
from wms.settings import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPORTS = PROJECT_ROOT / "test-reports"


@pytest.fixture
def live_server(demo_database_url: str) -> Iterator[str]:
    """The whole app served over HTTP on a free local port; yields its base URL."""
    app = create_app(settings_for(demo_database_url))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        engine = app.extensions[EXTENSION].engine
        if engine is not None:
            engine.dispose()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for the session (Playwright's own browsers are not installed)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser tab (no cookies) that prefers English; closed after the test."""
    context = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def screenshot(page: Page) -> Callable[[str], Path]:
    """`screenshot(name)` saves the tab as test-reports/<name>.png."""
    REPORTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = REPORTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take

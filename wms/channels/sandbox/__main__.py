"""Run the three marketplace sandboxes: `python -m wms.channels.sandbox [--port 5100]`.

Shopee answers on the given port, Lazada on the next and TikTok Shop on the one after, each with
its control panel under `/_sandbox/`. The app credentials are the ones the WMS is configured with
(`WMS_SHOPEE_PARTNER_ID`, ...; config/development.toml sets the demo's), so the WMS's
signatures check out.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import signal
import threading

from wms.channels.marketplace import AppCredentials, Marketplace
from wms.channels.sandbox import SandboxState
from wms.channels.sandbox.admin import with_controls
from wms.channels.sandbox.server import RunningServer, serve

SANDBOX_CLASSES = {
    Marketplace.SHOPEE: ("wms.channels.sandbox.shopee", "ShopeeSandbox"),
    Marketplace.LAZADA: ("wms.channels.sandbox.lazada", "LazadaSandbox"),
    Marketplace.TIKTOK: ("wms.channels.sandbox.tiktok", "TiktokSandbox"),
}


def make_sandbox(marketplace: Marketplace, app: AppCredentials) -> SandboxState:
    """A fresh, empty sandbox of the marketplace for the app."""
    module, name = SANDBOX_CLASSES[marketplace]
    sandbox: SandboxState = getattr(importlib.import_module(module), name)(app)
    return sandbox


def start_sandboxes(
    apps: dict[Marketplace, AppCredentials], port: int = 0
) -> dict[Marketplace, tuple[SandboxState, RunningServer]]:
    """Every sandbox served with its control panel; ports `port`, `port + 1`, ... (or free
    ports when `port` is 0)."""
    running: dict[Marketplace, tuple[SandboxState, RunningServer]] = {}
    for offset, marketplace in enumerate(SANDBOX_CLASSES):
        sandbox = make_sandbox(marketplace, apps[marketplace])
        server = serve(with_controls(sandbox), port=port + offset if port else 0)
        running[marketplace] = (sandbox, server)
    return running


def main() -> None:
    # The launcher reads the WMS's own configuration, so both sides share the app credentials.
    from wms.bootstrap import channel_setup
    from wms.settings import load_settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=5100)
    args = parser.parse_args()
    apps = dict(channel_setup(load_settings()).apps)
    missing = [m.value for m in SANDBOX_CLASSES if m not in apps]
    if missing:
        parser.error(f"no app credentials set for {', '.join(missing)} (see config/)")
    running = start_sandboxes(apps, args.port)
    for marketplace, (_, server) in running.items():
        print(f"{marketplace.value} sandbox: {server.url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    for _, server in running.values():
        server.stop()


if __name__ == "__main__":
    main()

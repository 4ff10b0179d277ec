"""Serve a WSGI app on a local port in a background thread (the sandboxes, test receivers)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    """No line per request on stderr (the benchmark makes thousands)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


@dataclass
class RunningServer:
    """A server answering at `url` until `stop()`."""

    url: str
    server: BaseWSGIServer
    thread: threading.Thread

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve(app: object, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Start `app` threaded on `host:port` (0: a free port) and return once it listens."""
    server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, name=f"serve:{server.port}", daemon=True)
    thread.start()
    return RunningServer(url=f"http://{host}:{server.port}", server=server, thread=thread)

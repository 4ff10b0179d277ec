"""Local stand-ins for network printers, for tests: a raw TCP (port 9100 style) printer, an IPP
printer over HTTP, and a printer that accepts connections but never answers.

Each listens on 127.0.0.1 on a free port, runs in a background thread while its `with` block
lasts, and records what it received. The IPP printer reads requests with its own decoder,
written from RFC 8010 independently of labels/printing.py, and answers as RFC 8011 says a
printer should, so a bug in the client cannot be mirrored by a bug in the fake.
"""

from __future__ import annotations

import http.server
import socket
import socketserver
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

# RFC 8011 status codes the fake answers with.
SUCCESSFUL_OK = 0x0000
BAD_REQUEST = 0x0400
NOT_FOUND = 0x0406
DOCUMENT_FORMAT_NOT_SUPPORTED = 0x040A
CHARSET_NOT_SUPPORTED = 0x040D
OPERATION_NOT_SUPPORTED = 0x0501
VERSION_NOT_SUPPORTED = 0x0503
BUSY = 0x0507

JOB_STATE_PENDING = 3


class _ServerThread:
    """Runs a socketserver in a daemon thread between __enter__ and __exit__."""

    server: socketserver.BaseServer

    def _start(self) -> None:
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def _stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


# --- raw TCP ----------------------------------------------------------------------------------


class _RawServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: FakeRawPrinter


class _RawHandler(socketserver.BaseRequestHandler):
    """One connection is one job: everything read until the client closes its side."""

    server: _RawServer

    def handle(self) -> None:
        connection: socket.socket = self.request
        connection.settimeout(5)
        chunks: list[bytes] = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
        owner = self.server.owner
        with owner._arrived:
            owner.jobs.append(b"".join(chunks))
            owner._arrived.notify_all()


class FakeRawPrinter(_ServerThread):
    """A raw TCP printer: each connection's bytes become one entry of `jobs`."""

    def __init__(self) -> None:
        self.jobs: list[bytes] = []
        self._arrived = threading.Condition()
        self.server = _RawServer(("127.0.0.1", 0), _RawHandler)
        self.server.owner = self
        self.host = "127.0.0.1"
        self.port: int = self.server.server_address[1]

    def __enter__(self) -> Self:
        self._start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop()

    def wait_for_jobs(self, count: int, timeout: float = 2.0) -> list[bytes]:
        """The jobs once at least `count` have arrived; AssertionError after `timeout` s."""
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: len(self.jobs) >= count, timeout=timeout)
            if not arrived:
                raise AssertionError(f"{len(self.jobs)} of {count} raw jobs arrived in {timeout} s")
            return list(self.jobs)


# --- IPP --------------------------------------------------------------------------------------


class IppDecodeError(Exception):
    """The request is not well-formed IPP."""


@dataclass
class IppRequest:
    """A decoded IPP request: header, attributes in the order sent, and the document."""

    major: int
    minor: int
    operation: int
    request_id: int
    # (group tag, value tag, name, decoded value); additional values repeat the name.
    attributes: list[tuple[int, int, str, Any]] = field(default_factory=list)
    document: bytes = b""

    def group(self, tag: int) -> list[tuple[int, str, Any]]:
        return [
            (value_tag, name, value) for g, value_tag, name, value in self.attributes if g == tag
        ]


def decode_ipp_request(body: bytes) -> IppRequest:
    """Decode an IPP request (RFC 8010 section 3.1.1); collections are not expected here."""
    if len(body) < 9:
        raise IppDecodeError("shorter than an IPP header and end tag")
    request = IppRequest(
        major=body[0],
        minor=body[1],
        operation=int.from_bytes(body[2:4], "big"),
        request_id=int.from_bytes(body[4:8], "big", signed=True),
    )
    view = memoryview(body)
    position = 8
    group: int | None = None
    previous_name: str | None = None

    def read(count: int) -> bytes:
        nonlocal position
        if position + count > len(body):
            raise IppDecodeError(f"truncated at byte {position}")
        chunk = bytes(view[position : position + count])
        position += count
        return chunk

    while True:
        tag = read(1)[0]
        if tag == 0x03:
            request.document = bytes(view[position:])
            return request
        if tag <= 0x0F:
            group = tag
            previous_name = None
            continue
        if group is None:
            raise IppDecodeError("an attribute outside any group")
        name = read(int.from_bytes(read(2), "big")).decode("ascii")
        value = read(int.from_bytes(read(2), "big"))
        if not name:
            if previous_name is None:
                raise IppDecodeError("an additional value with no attribute")
            name = previous_name
        previous_name = name
        request.attributes.append((group, tag, name, _decode(tag, value)))


def _decode(tag: int, value: bytes) -> Any:
    if tag in (0x21, 0x23):
        if len(value) != 4:
            raise IppDecodeError("an integer is 4 octets")
        return int.from_bytes(value, "big", signed=True)
    if tag == 0x22:
        return value == b"\x01"
    if tag in (0x35, 0x36):
        language_length = int.from_bytes(value[:2], "big")
        rest = value[2 + language_length :]
        return rest[2 : 2 + int.from_bytes(rest[:2], "big")].decode("utf-8")
    if 0x40 <= tag <= 0x4A:
        return value.decode("utf-8")
    return value


def encode_attribute(tag: int, name: str, value: str | int) -> bytes:
    """One attribute with one value: text as UTF-8, a number as a 4-octet signed integer."""
    data = (
        value.encode("utf-8") if isinstance(value, str) else value.to_bytes(4, "big", signed=True)
    )
    label = name.encode("ascii")
    return (
        bytes([tag]) + len(label).to_bytes(2, "big") + label + len(data).to_bytes(2, "big") + data
    )


@dataclass
class ReceivedIppJob:
    """A job the fake IPP printer accepted: its attributes by name, and the document."""

    job_id: int
    attributes: dict[str, Any]
    document: bytes


class _IppServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    owner: FakeIppPrinter


class _IppHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _IppServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read the recorded jobs, not a log."""

    def do_POST(self) -> None:
        printer = self.server.owner
        length = self.headers.get("Content-Length")
        if length is None:
            self._plain(411, "Length Required")
            return
        body = self.rfile.read(int(length))
        if printer.http_status is not None:
            self._plain(printer.http_status, "the fake printer was told to fail")
            return
        if self.path != printer.path:
            self._plain(404, f"no printer at {self.path}")
            return
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/ipp":
            self._plain(400, "Content-Type must be application/ipp")
            return
        try:
            request = decode_ipp_request(body)
        except (IppDecodeError, UnicodeDecodeError):
            request_id = int.from_bytes(body[4:8], "big") if len(body) >= 8 else 0
            self._ipp(printer._answer(BAD_REQUEST, request_id, "malformed request"))
            return
        self._ipp(printer._handle(request))

    def _plain(self, status: int, text: str) -> None:
        payload = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _ipp(self, payload: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/ipp")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class FakeIppPrinter(_ServerThread):
    """An IPP printer that accepts Print-Job for the formats it supports.

    Set `busy` to answer server-error-busy, or `http_status` (e.g. 500) to answer that HTTP
    status instead of IPP. `jobs` holds the accepted jobs; `answers` every status answered.
    """

    path = "/ipp/print"

    def __init__(
        self,
        formats: frozenset[str] | set[str] = frozenset({"application/pdf"}),
        *,
        busy: bool = False,
        http_status: int | None = None,
        first_job_id: int = 17,
    ) -> None:
        self.formats = frozenset(formats)
        self.busy = busy
        self.http_status = http_status
        self.jobs: list[ReceivedIppJob] = []
        self.answers: list[int] = []
        self._next_job_id = first_job_id
        self._lock = threading.Lock()
        self.server = _IppServer(("127.0.0.1", 0), _IppHandler)
        self.server.owner = self
        self.port: int = self.server.server_address[1]
        self.uri = f"ipp://127.0.0.1:{self.port}{self.path}"
        self.http_uri = f"http://127.0.0.1:{self.port}{self.path}"

    def __enter__(self) -> Self:
        self._start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop()

    def _handle(self, request: IppRequest) -> bytes:
        """Check a request as RFC 8011 asks and answer it; accepted jobs are recorded."""
        rid = request.request_id
        if (request.major, request.minor) != (1, 1):
            return self._answer(VERSION_NOT_SUPPORTED, rid, "only IPP/1.1 is spoken here")
        if request.operation != 0x0002:
            return self._answer(OPERATION_NOT_SUPPORTED, rid, "only Print-Job")
        if request.request_id <= 0:
            return self._answer(BAD_REQUEST, rid, "request-id must be positive")
        operation = request.group(0x01)
        expected = [
            (0x47, "attributes-charset"),
            (0x48, "attributes-natural-language"),
            (0x45, "printer-uri"),
        ]
        if [(tag, name) for tag, name, _ in operation[:3]] != expected:
            return self._answer(BAD_REQUEST, rid, "charset, language, printer-uri must lead")
        values = {name: value for _, name, value in operation}
        if values["attributes-charset"] != "utf-8":
            return self._answer(CHARSET_NOT_SUPPORTED, rid, "only utf-8")
        if values["printer-uri"] not in (self.uri, self.http_uri):
            return self._answer(NOT_FOUND, rid, f"no printer {values['printer-uri']}")
        tags = {name: tag for tag, name, _ in operation}
        for name, allowed in (
            ("requesting-user-name", {0x42, 0x36}),
            ("job-name", {0x42, 0x36}),
            ("document-format", {0x49}),
        ):
            if name in tags and tags[name] not in allowed:
                return self._answer(BAD_REQUEST, rid, f"{name} has the wrong value tag")
        job_attributes = request.group(0x02)
        for tag, name, value in job_attributes:
            if name == "copies" and (tag != 0x21 or value < 1):
                return self._answer(BAD_REQUEST, rid, "copies is an integer of at least 1")
        if self.busy:
            return self._answer(BUSY, rid, "printer is busy")
        document_format = values.get("document-format", "application/octet-stream")
        if document_format not in self.formats:
            return self._answer(
                DOCUMENT_FORMAT_NOT_SUPPORTED,
                rid,
                f"{document_format} is not supported",
                unsupported=("document-format", document_format),
            )
        with self._lock:
            job_id = self._next_job_id
            self._next_job_id += 1
            attributes = values | {name: value for _, name, value in job_attributes}
            self.jobs.append(ReceivedIppJob(job_id, attributes, request.document))
        return self._answer(SUCCESSFUL_OK, rid, "successful-ok", job_id=job_id)

    def _answer(
        self,
        status: int,
        request_id: int,
        message: str,
        *,
        job_id: int | None = None,
        unsupported: tuple[str, str] | None = None,
    ) -> bytes:
        """An IPP/1.1 response (RFC 8010 section 3.1.1)."""
        with self._lock:
            self.answers.append(status)
        parts = [
            bytes([1, 1]),
            status.to_bytes(2, "big"),
            request_id.to_bytes(4, "big", signed=True),
            b"\x01",
            encode_attribute(0x47, "attributes-charset", "utf-8"),
            encode_attribute(0x48, "attributes-natural-language", "en"),
            encode_attribute(0x41, "status-message", message),
        ]
        if unsupported is not None:
            parts += [b"\x05", encode_attribute(0x49, *unsupported)]
        if job_id is not None:
            parts += [
                b"\x02",
                encode_attribute(0x21, "job-id", job_id),
                encode_attribute(0x45, "job-uri", f"{self.uri}/{job_id}"),
                encode_attribute(0x23, "job-state", JOB_STATE_PENDING),
                encode_attribute(0x44, "job-state-reasons", "none"),
            ]
        parts.append(b"\x03")
        return b"".join(parts)


# --- a printer that never answers -------------------------------------------------------------


class SilentPrinter:
    """A port that accepts TCP connections (the kernel completes them) but never answers."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(8)
        self.port: int = self._socket.getsockname()[1]
        self.uri = f"ipp://127.0.0.1:{self.port}/ipp/print"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._socket.close()


def closed_port() -> int:
    """A local port nothing listens on (it was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])

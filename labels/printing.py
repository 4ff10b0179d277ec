"""Sending finished label documents to network printers.

Two ways in, both standard library only:

- raw TCP ("JetDirect", port 9100): the bytes go to the printer as they are; used for ZPL on
  thermal label printers;
- IPP/1.1 Print-Job (RFC 8010 encoding, RFC 8011 semantics) over HTTP: used for PDF.

Every failure to deliver a document is a `PrintError` whose message names the printer and
the reason. A `Printer` describes one configured printer; `send` prints a document on it.
"""

from __future__ import annotations

import enum
import http.client
import itertools
import socket
import ssl
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urlsplit

RAW_PORT = 9100
IPP_PORT = 631

IPP_VERSION = (1, 1)
OPERATION_PRINT_JOB = 0x0002

# RFC 8011 section 4.1.6 / appendix B: the status codes a printer is likely to answer.
IPP_STATUS_NAMES: dict[int, str] = {
    0x0000: "successful-ok",
    0x0001: "successful-ok-ignored-or-substituted-attributes",
    0x0002: "successful-ok-conflicting-attributes",
    0x0400: "client-error-bad-request",
    0x0401: "client-error-forbidden",
    0x0402: "client-error-not-authenticated",
    0x0403: "client-error-not-authorized",
    0x0404: "client-error-not-possible",
    0x0405: "client-error-timeout",
    0x0406: "client-error-not-found",
    0x0407: "client-error-gone",
    0x0408: "client-error-request-entity-too-large",
    0x0409: "client-error-request-value-too-long",
    0x040A: "client-error-document-format-not-supported",
    0x040B: "client-error-attributes-or-values-not-supported",
    0x040C: "client-error-uri-scheme-not-supported",
    0x040D: "client-error-charset-not-supported",
    0x040E: "client-error-conflicting-attributes",
    0x040F: "client-error-compression-not-supported",
    0x0410: "client-error-compression-error",
    0x0411: "client-error-document-format-error",
    0x0412: "client-error-document-access-error",
    0x0500: "server-error-internal-error",
    0x0501: "server-error-operation-not-supported",
    0x0502: "server-error-service-unavailable",
    0x0503: "server-error-version-not-supported",
    0x0504: "server-error-device-error",
    0x0505: "server-error-temporary-error",
    0x0506: "server-error-not-accepting-jobs",
    0x0507: "server-error-busy",
    0x0508: "server-error-job-canceled",
    0x0509: "server-error-multiple-document-jobs-not-supported",
}

# RFC 8011 section 5.3.7: the values of job-state.
JOB_STATE_NAMES: dict[int, str] = {
    3: "pending",
    4: "pending-held",
    5: "processing",
    6: "processing-stopped",
    7: "canceled",
    8: "aborted",
    9: "completed",
}

# RFC 8010 section 3.5.1: delimiter tags.
_TAG_OPERATION = 0x01
_TAG_JOB = 0x02
_TAG_END = 0x03
# RFC 8010 section 3.5.2: value tags used here.
_INTEGER = 0x21
_BOOLEAN = 0x22
_ENUM = 0x23
_RESOLUTION = 0x32
_RANGE_OF_INTEGER = 0x33
_BEG_COLLECTION = 0x34
_TEXT_WITH_LANGUAGE = 0x35
_NAME_WITH_LANGUAGE = 0x36
_END_COLLECTION = 0x37
_NAME = 0x42
_URI = 0x45
_CHARSET = 0x47
_NATURAL_LANGUAGE = 0x48
_MIME_MEDIA_TYPE = 0x49
_MEMBER_ATTR_NAME = 0x4A

_NAME_MAX_OCTETS = 255  # RFC 8011 section 5.1.3: name values are at most 255 octets

_request_ids = itertools.count(1)


class PrintError(Exception):
    """A document did not reach a printer, or the printer refused it; the message says which
    printer (host:port or URI) and why."""

    def __init__(self, printer: str, reason: str, *, ipp_status: int | None = None) -> None:
        super().__init__(printer, reason)
        self.printer = printer
        self.reason = reason
        self.ipp_status = ipp_status

    def __str__(self) -> str:
        return f"Printer {self.printer}: {self.reason}"


class InvalidPrinterConfig(ValueError):
    """A printer's configuration cannot work; `field` names the setting that is wrong."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class PrintProtocol(enum.StrEnum):
    """How documents travel to a printer."""

    RAW = "raw"  # raw TCP, usually port 9100
    IPP = "ipp"  # IPP/1.1 over HTTP(S)


class PrinterLanguage(enum.StrEnum):
    """The document format a printer is sent."""

    ZPL = "zpl"
    PDF = "pdf"


def ipp_status_name(code: int) -> str:
    """The RFC 8011 keyword for an IPP status code, or its class when the code is not known."""
    if code in IPP_STATUS_NAMES:
        return IPP_STATUS_NAMES[code]
    if code <= 0x00FF:
        return "successful"
    if 0x0400 <= code <= 0x04FF:
        return "client-error"
    if 0x0500 <= code <= 0x05FF:
        return "server-error"
    return "unknown-status"


@dataclass(frozen=True)
class IppJob:
    """A printer's answer to an accepted Print-Job request."""

    job_id: int | None
    job_state: int | None
    status_code: int
    status_message: str | None

    @property
    def status_name(self) -> str:
        return ipp_status_name(self.status_code)

    @property
    def job_state_name(self) -> str | None:
        if self.job_state is None:
            return None
        return JOB_STATE_NAMES.get(self.job_state, str(self.job_state))


@dataclass(frozen=True)
class Printer:
    """A configured network printer.

    `address` is a host name or IP address for a raw printer and an ipp://, ipps://, http://
    or https:// URI for an IPP printer; `port` applies to raw printers only (an IPP port is
    part of its URI). Raw printers are sent ZPL, IPP printers PDF.
    """

    name: str
    protocol: PrintProtocol
    address: str
    language: PrinterLanguage
    port: int = RAW_PORT

    def check(self) -> None:
        """Raise `InvalidPrinterConfig`, naming the field, if this printer cannot be used."""
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidPrinterConfig("a printer needs a name.", "name")
        if self.protocol not in set(PrintProtocol):
            raise InvalidPrinterConfig(
                f"{self.protocol!r} is not one of {_choices(PrintProtocol)}.", "protocol"
            )
        if self.language not in set(PrinterLanguage):
            raise InvalidPrinterConfig(
                f"{self.language!r} is not one of {_choices(PrinterLanguage)}.", "language"
            )
        if self.protocol == PrintProtocol.RAW:
            if not isinstance(self.address, str) or not self.address.strip():
                raise InvalidPrinterConfig("a raw printer needs a host name or IP.", "address")
            if any(c in "/[]@" or c.isspace() for c in self.address):
                raise InvalidPrinterConfig(
                    f"{self.address!r} is not a host name or IP address.", "address"
                )
            if self.address.count(":") == 1:
                raise InvalidPrinterConfig(
                    f"{self.address!r} has a port; a raw printer's port goes in the port field.",
                    "address",
                )
            if isinstance(self.port, bool) or not isinstance(self.port, int):
                raise InvalidPrinterConfig(f"{self.port!r} is not a whole number.", "port")
            if not 1 <= self.port <= 65535:
                raise InvalidPrinterConfig(f"{self.port} is not between 1 and 65535.", "port")
            if self.language != PrinterLanguage.ZPL:
                raise InvalidPrinterConfig(
                    f"a raw (port {self.port}) printer is sent ZPL, not {self.language}; "
                    "send PDF to an IPP printer.",
                    "language",
                )
        else:
            try:
                _split_ipp_uri(self.address)
            except ValueError as exc:
                raise InvalidPrinterConfig(str(exc), "address") from None
            if self.language != PrinterLanguage.PDF:
                raise InvalidPrinterConfig(
                    f"an IPP printer is sent PDF, not {self.language}; "
                    f"send ZPL to a raw printer on port {RAW_PORT}.",
                    "language",
                )

    @property
    def location(self) -> str:
        """Where the printer is: host:port for a raw printer, the URI for an IPP printer."""
        if self.protocol == PrintProtocol.RAW:
            return _host_port(self.address, self.port)
        return self.address


def send(printer: Printer, document: bytes, *, job_name: str) -> str:
    """Print `document` on `printer`; returns a short receipt saying where it went.

    `job_name` names the IPP job (a raw printer's job has no name). Raises
    `InvalidPrinterConfig` for an unusable printer and `PrintError` when the document was not
    delivered or the printer refused it.
    """
    printer.check()
    if printer.protocol == PrintProtocol.RAW:
        sent = send_raw(printer.address, document, port=printer.port)
        return f"sent {sent} bytes to {printer.location}"
    job = ipp_print(printer.address, document, document_format="application/pdf", job_name=job_name)
    if job.job_id is None:
        return f"IPP job accepted at {printer.address}"
    return f"IPP job {job.job_id} at {printer.address}"


def send_raw(host: str, data: bytes, *, port: int = RAW_PORT, timeout: float = 10.0) -> int:
    """Send `data` unchanged to a raw TCP ("JetDirect") printer; returns the bytes sent.

    The printer takes the end of the connection as the end of the job.
    """
    where = _host_port(host, port)
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.sendall(data)
            connection.shutdown(socket.SHUT_WR)
    except OSError as exc:
        raise PrintError(where, _network_reason(exc, timeout)) from exc
    return len(data)


def ipp_print(
    uri: str,
    document: bytes,
    *,
    document_format: str = "application/pdf",
    job_name: str = "label",
    user: str = "pavilion",
    copies: int = 1,
    timeout: float = 30.0,
) -> IppJob:
    """Submit `document` as an IPP Print-Job to the printer at `uri`; returns the new job.

    `uri` is ipp:// or http:// (port 631 by default for ipp), or ipps:// or https:// for TLS
    with certificate verification. Raises `PrintError` when the printer cannot be reached,
    answers with an HTTP error, or answers with an IPP status other than successful.
    """
    target = _split_ipp_uri(uri)
    if isinstance(copies, bool) or not isinstance(copies, int) or copies < 1:
        raise ValueError(f"copies must be a whole number of at least 1, not {copies!r}.")
    request_id = next(_request_ids) % 0x7FFFFFFF or 1
    header = _print_job_header(
        request_id,
        printer_uri=uri,
        user=user,
        job_name=job_name,
        document_format=document_format,
        copies=copies,
    )
    status, http_reason, content_type, payload = _post(target, header + document, timeout, uri)
    if status != 200:
        raise PrintError(uri, f"answered HTTP {status} {http_reason}".rstrip())
    if content_type.split(";")[0].strip().lower() != "application/ipp":
        raise PrintError(uri, f"answered {content_type or 'no content type'}, not application/ipp")
    try:
        response = _parse_message(payload)
    except _MalformedIpp as exc:
        raise PrintError(uri, f"malformed IPP response: {exc}") from None
    if response.request_id != request_id:
        raise PrintError(
            uri, f"answered request {response.request_id}, but request {request_id} was sent"
        )
    message = _first_text(response, _TAG_OPERATION, "status-message") or _first_text(
        response, _TAG_OPERATION, "detailed-status-message"
    )
    if response.code > 0x00FF:
        reason = f"IPP {ipp_status_name(response.code)} (0x{response.code:04X})"
        if message:
            reason += f": {message}"
        raise PrintError(uri, reason, ipp_status=response.code)
    return IppJob(
        job_id=_first_int(response, _TAG_JOB, "job-id"),
        job_state=_first_int(response, _TAG_JOB, "job-state"),
        status_code=response.code,
        status_message=message,
    )


# --- IPP over HTTP ----------------------------------------------------------------------------


class _Target(NamedTuple):
    secure: bool
    host: str
    port: int
    path: str


def _split_ipp_uri(uri: str) -> _Target:
    """Where to POST the IPP request for a printer URI; ValueError says what is wrong."""
    if not isinstance(uri, str) or not uri.strip():
        raise ValueError("an IPP printer needs a URI such as ipp://printer.local/ipp/print.")
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme not in {"ipp", "ipps", "http", "https"}:
        raise ValueError(f"{uri!r} is not an ipp://, ipps://, http:// or https:// URI.")
    if not parts.hostname:
        raise ValueError(f"{uri!r} names no host.")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{uri!r} has a port that is not between 0 and 65535.") from None
    if port == 0:
        raise ValueError(f"{uri!r} has port 0.")
    if port is None:
        port = {"ipp": IPP_PORT, "ipps": IPP_PORT, "http": 80, "https": 443}[scheme]
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return _Target(scheme in {"ipps", "https"}, parts.hostname, port, path)


def _post(target: _Target, body: bytes, timeout: float, uri: str) -> tuple[int, str, str, bytes]:
    """POST an IPP request; returns HTTP status, reason, content type and body."""
    connection: http.client.HTTPConnection
    if target.secure:
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={"Content-Type": "application/ipp", "Accept": "application/ipp"},
        )
        response = connection.getresponse()
        payload = response.read()
        return response.status, response.reason, response.getheader("Content-Type", ""), payload
    except OSError as exc:
        raise PrintError(uri, _network_reason(exc, timeout)) from exc
    except http.client.HTTPException as exc:
        raise PrintError(uri, f"bad HTTP answer ({type(exc).__name__}: {exc})") from exc
    finally:
        connection.close()


def _print_job_header(
    request_id: int,
    *,
    printer_uri: str,
    user: str,
    job_name: str,
    document_format: str,
    copies: int,
) -> bytes:
    """The encoded Print-Job request up to its end-of-attributes tag (RFC 8010 section 3.1.1)."""
    parts = [
        struct.pack(">BBHi", *IPP_VERSION, OPERATION_PRINT_JOB, request_id),
        bytes([_TAG_OPERATION]),
        _attribute(_CHARSET, "attributes-charset", b"utf-8"),
        _attribute(_NATURAL_LANGUAGE, "attributes-natural-language", b"en"),
        _attribute(_URI, "printer-uri", printer_uri.encode("utf-8")),
        _attribute(_NAME, "requesting-user-name", _name_value(user)),
        _attribute(_NAME, "job-name", _name_value(job_name)),
        _attribute(_MIME_MEDIA_TYPE, "document-format", document_format.encode("ascii")),
    ]
    if copies > 1:
        parts += [bytes([_TAG_JOB]), _attribute(_INTEGER, "copies", struct.pack(">i", copies))]
    parts.append(bytes([_TAG_END]))
    return b"".join(parts)


def _attribute(value_tag: int, name: str, value: bytes) -> bytes:
    """One attribute with one value."""
    encoded = name.encode("ascii")
    if len(value) > 0xFFFF:
        raise ValueError(f"The value of {name} is longer than IPP allows.")
    return b"".join(
        (struct.pack(">BH", value_tag, len(encoded)), encoded, struct.pack(">H", len(value)), value)
    )


def _name_value(text: str) -> bytes:
    """A name value in UTF-8, cut to the 255 octets IPP allows without splitting a character."""
    encoded = text.encode("utf-8")
    if len(encoded) <= _NAME_MAX_OCTETS:
        return encoded
    return encoded[:_NAME_MAX_OCTETS].decode("utf-8", errors="ignore").encode("utf-8")


class _MalformedIpp(ValueError):
    """The bytes are not a well-formed IPP message."""


class _Message(NamedTuple):
    version: tuple[int, int]
    code: int  # operation-id in a request, status-code in a response
    request_id: int
    groups: list[tuple[int, dict[str, list[Any]]]]


class _Cursor:
    """Reads an IPP message front to back, refusing to run past its end."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, size: int, what: str) -> bytes:
        if self.at + size > len(self.data):
            raise _MalformedIpp(f"ends inside {what} at byte {self.at}")
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk

    def tag(self) -> int:
        return self.take(1, "a tag")[0]

    def short(self, what: str) -> int:
        return int(struct.unpack(">H", self.take(2, what))[0])

    def attribute(self) -> tuple[str, bytes]:
        """The name and raw value following a value tag."""
        name = _text(self.take(self.short("a name length"), "a name"))
        value = self.take(self.short("a value length"), "a value")
        return name, value


def _parse_message(data: bytes) -> _Message:
    """Decode an IPP message's header and attribute groups (RFC 8010 section 3.1)."""
    cursor = _Cursor(data)
    major, minor, code, request_id = struct.unpack(">BBHi", cursor.take(8, "the header"))
    if major not in (1, 2):
        raise _MalformedIpp(f"version {major}.{minor} is not IPP")
    groups: list[tuple[int, dict[str, list[Any]]]] = []
    current: dict[str, list[Any]] | None = None
    last: list[Any] | None = None
    while True:
        tag = cursor.tag()
        if tag == _TAG_END:
            break
        if tag < 0x10:  # a delimiter: a new attribute group begins
            current = {}
            last = None
            groups.append((tag, current))
            continue
        if current is None:
            raise _MalformedIpp(f"value tag 0x{tag:02X} comes before any attribute group")
        name, raw = cursor.attribute()
        value = _read_collection(cursor) if tag == _BEG_COLLECTION else _decode_value(tag, raw)
        if name:
            last = current.setdefault(name, [])
        elif last is None:
            raise _MalformedIpp("an additional value has no attribute before it")
        last.append(value)
    return _Message((major, minor), code, request_id, groups)


def _read_collection(cursor: _Cursor) -> dict[str, list[Any]]:
    """The members of a collection value, up to its endCollection (RFC 8010 section 3.1.6)."""
    members: dict[str, list[Any]] = {}
    member: list[Any] | None = None
    while True:
        tag = cursor.tag()
        if tag < 0x10:
            raise _MalformedIpp("a collection is not closed")
        _, raw = cursor.attribute()
        if tag == _END_COLLECTION:
            return members
        if tag == _MEMBER_ATTR_NAME:
            member = members.setdefault(_text(raw), [])
        elif member is None:
            raise _MalformedIpp("a collection value has no member name")
        elif tag == _BEG_COLLECTION:
            member.append(_read_collection(cursor))
        else:
            member.append(_decode_value(tag, raw))


def _decode_value(tag: int, raw: bytes) -> Any:
    """A Python value for an attribute value; unknown types stay bytes, out-of-band is None."""
    decoder = _DECODERS.get(tag)
    if decoder is not None:
        try:
            return decoder(raw)
        except (struct.error, _MalformedIpp):
            raise _MalformedIpp(f"a value with tag 0x{tag:02X} has {len(raw)} octets") from None
    if 0x10 <= tag <= 0x1F:  # out-of-band: unsupported, unknown, no-value, ...
        return None
    if 0x40 <= tag <= 0x5F:  # character-string types
        return _text(raw)
    return raw


def _with_language(raw: bytes) -> str:
    """The text of a textWithLanguage or nameWithLanguage value, without its language."""
    cursor = _Cursor(raw)
    cursor.take(cursor.short("a language length"), "a language")
    return _text(cursor.take(cursor.short("a text length"), "a text"))


def _boolean(raw: bytes) -> bool:
    if len(raw) != 1:
        raise _MalformedIpp("a boolean is one octet")
    return raw != b"\x00"


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


_DECODERS: dict[int, Callable[[bytes], Any]] = {
    _INTEGER: lambda raw: struct.unpack(">i", raw)[0],
    _ENUM: lambda raw: struct.unpack(">i", raw)[0],
    _BOOLEAN: _boolean,
    _RANGE_OF_INTEGER: lambda raw: struct.unpack(">ii", raw),
    _RESOLUTION: lambda raw: struct.unpack(">iib", raw),
    _TEXT_WITH_LANGUAGE: _with_language,
    _NAME_WITH_LANGUAGE: _with_language,
}


def _values(message: _Message, group_tag: int, name: str) -> list[Any]:
    for tag, attributes in message.groups:
        if tag == group_tag and name in attributes:
            return attributes[name]
    return []


def _first_int(message: _Message, group_tag: int, name: str) -> int | None:
    values = _values(message, group_tag, name)
    first = values[0] if values else None
    return first if isinstance(first, int) and not isinstance(first, bool) else None


def _first_text(message: _Message, group_tag: int, name: str) -> str | None:
    values = _values(message, group_tag, name)
    first = values[0] if values else None
    return first if isinstance(first, str) and first else None


# --- small helpers ----------------------------------------------------------------------------


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _network_reason(exc: OSError, timeout: float) -> str:
    """Why a connection failed, in words."""
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s (timed out)"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (nothing listens on that port)"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the printer closed the connection without answering"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the printer"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host name ({exc.strerror or exc})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or exc})"
    return f"network error ({exc.strerror or exc})"


def _choices(kind: type[enum.StrEnum]) -> str:
    return ", ".join(repr(member.value) for member in kind)

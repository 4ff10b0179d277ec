"""Printing finished labels on network printers, checked against local fake printers.

The fakes (tests/fake_printers.py) decode what arrives with their own IPP decoder, so these
tests see what a printer would see: the bytes of a ZPL job, the attributes and document of an
IPP Print-Job, and the errors a printer can answer.
"""

from __future__ import annotations

import http.client
import time

import pytest

from labels.printing import (
    InvalidPrinterConfig,
    IppJob,
    Printer,
    PrinterLanguage,
    PrintError,
    PrintProtocol,
    ipp_print,
    send,
    send_raw,
)
from tests.fake_printers import (
    BAD_REQUEST,
    SUCCESSFUL_OK,
    VERSION_NOT_SUPPORTED,
    FakeIppPrinter,
    FakeRawPrinter,
    SilentPrinter,
    closed_port,
    decode_ipp_request,
    encode_attribute,
)

ZPL = (
    "^XA^CI28\n"
    "^FO40,40^A0N,36,36^FDผลไม้อบแห้ง / Đường Nguyễn Huệ^FS\n"
    "^FO40,100^BY3^BCN,120,Y,N,N^FD>;>800106141411234567897^FS\n"
    "^XZ\n"
).encode()
# Every byte value, so that nothing on the way may treat the document as text.
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"


# --- raw TCP (ZPL) ----------------------------------------------------------------------------


def test_zpl_arrives_byte_for_byte_at_the_raw_printer() -> None:
    with FakeRawPrinter() as printer:
        sent = send_raw("127.0.0.1", ZPL, port=printer.port, timeout=2)
        assert printer.wait_for_jobs(1) == [ZPL]
    assert sent == len(ZPL)


def test_each_connection_is_one_job_and_large_jobs_arrive_whole() -> None:
    big = ZPL * 20_000  # about 2 MB, more than any socket buffer
    with FakeRawPrinter() as printer:
        send_raw("127.0.0.1", ZPL, port=printer.port, timeout=2)
        send_raw("127.0.0.1", big, port=printer.port, timeout=2)
        jobs = printer.wait_for_jobs(2)
    assert sorted(jobs, key=len) == [ZPL, big]


def test_a_closed_raw_port_is_a_print_error_naming_host_and_port() -> None:
    port = closed_port()
    with pytest.raises(PrintError, match="refused") as raised:
        send_raw("127.0.0.1", ZPL, port=port, timeout=1)
    assert f"127.0.0.1:{port}" in str(raised.value)
    assert raised.value.printer == f"127.0.0.1:{port}"


# --- IPP (PDF) --------------------------------------------------------------------------------


def test_a_pdf_arrives_at_the_ipp_printer_with_the_attributes_sent() -> None:
    with FakeIppPrinter() as printer:
        job = ipp_print(
            printer.uri,
            PDF,
            job_name="SSCC 106141411234567897",
            user="packer-07",
            copies=2,
            timeout=2,
        )
    [received] = printer.jobs
    assert received.document == PDF
    assert received.attributes == {
        "attributes-charset": "utf-8",
        "attributes-natural-language": "en",
        "printer-uri": printer.uri,
        "requesting-user-name": "packer-07",
        "job-name": "SSCC 106141411234567897",
        "document-format": "application/pdf",
        "copies": 2,
    }
    assert job == IppJob(
        job_id=received.job_id, job_state=3, status_code=0, status_message="successful-ok"
    )
    assert job.job_id == 17
    assert job.status_name == "successful-ok"
    assert job.job_state_name == "pending"


def test_one_copy_sends_no_job_attributes_and_thai_job_names_survive() -> None:
    with FakeIppPrinter(first_job_id=5) as printer:
        first = ipp_print(printer.uri, PDF, job_name="ฉลากพัสดุ TH-0001", timeout=2)
        second = ipp_print(printer.http_uri, PDF, timeout=2)
    assert (first.job_id, second.job_id) == (5, 6)
    assert [job.job_id for job in printer.jobs] == [5, 6]
    attributes = printer.jobs[0].attributes
    assert attributes["job-name"] == "ฉลากพัสดุ TH-0001"
    assert attributes["requesting-user-name"] == "pavilion"
    assert "copies" not in attributes
    assert printer.jobs[1].attributes["printer-uri"] == printer.http_uri


def test_an_unsupported_document_format_names_the_ipp_error() -> None:
    with FakeIppPrinter() as printer, pytest.raises(PrintError) as raised:
        ipp_print(printer.uri, ZPL, document_format="application/vnd.zebra-zpl", timeout=2)
    message = str(raised.value)
    assert "client-error-document-format-not-supported (0x040A)" in message
    assert printer.uri in message
    assert raised.value.ipp_status == 0x040A
    assert printer.jobs == []


def test_a_busy_printer_is_a_print_error() -> None:
    with (
        FakeIppPrinter(busy=True) as printer,
        pytest.raises(PrintError, match=r"server-error-busy \(0x0507\)") as raised,
    ):
        ipp_print(printer.uri, PDF, timeout=2)
    assert raised.value.ipp_status == 0x0507
    assert printer.answers == [0x0507]
    assert printer.jobs == []


def test_an_http_500_is_a_print_error() -> None:
    with (
        FakeIppPrinter(http_status=500) as printer,
        pytest.raises(PrintError, match="HTTP 500") as raised,
    ):
        ipp_print(printer.uri, PDF, timeout=2)
    assert printer.uri in str(raised.value)
    assert raised.value.ipp_status is None


def test_a_web_page_instead_of_an_ipp_answer_is_a_print_error() -> None:
    with (
        FakeIppPrinter(http_status=200) as printer,
        pytest.raises(PrintError, match="not application/ipp"),
    ):
        ipp_print(printer.uri, PDF, timeout=2)


def test_a_closed_ipp_port_is_a_print_error_naming_the_uri() -> None:
    uri = f"ipp://127.0.0.1:{closed_port()}/ipp/print"
    with pytest.raises(PrintError, match="refused") as raised:
        ipp_print(uri, PDF, timeout=1)
    assert raised.value.printer == uri
    assert uri in str(raised.value)


def test_an_ipp_printer_that_never_answers_times_out() -> None:
    with SilentPrinter() as printer:
        started = time.monotonic()
        with pytest.raises(PrintError, match="timed out") as raised:
            ipp_print(printer.uri, PDF, timeout=0.2)
        elapsed = time.monotonic() - started
    assert printer.uri in str(raised.value)
    assert elapsed < 1


@pytest.mark.parametrize("uri", ["ftp://printer/ipp", "ipp:///ipp/print", "lpd://printer/q", ""])
def test_ipp_print_refuses_a_uri_it_cannot_post_to(uri: str) -> None:
    with pytest.raises(ValueError, match=r"URI|host"):
        ipp_print(uri, PDF)


def test_ipp_print_refuses_zero_copies() -> None:
    with pytest.raises(ValueError, match="copies"):
        ipp_print("ipp://127.0.0.1/ipp/print", PDF, copies=0)


@pytest.mark.parametrize(
    ("version", "order", "status"),
    [
        (b"\x01\x01", ("charset", "language", "uri"), SUCCESSFUL_OK),
        (b"\x01\x01", ("language", "charset", "uri"), BAD_REQUEST),
        (b"\x01\x01", ("charset", "uri", "language"), BAD_REQUEST),
        (b"\x02\x00", ("charset", "language", "uri"), VERSION_NOT_SUPPORTED),
    ],
)
def test_the_fake_ipp_printer_holds_clients_to_the_rfc(
    version: bytes, order: tuple[str, ...], status: int
) -> None:
    """The fake refuses what a real printer refuses, so the tests above prove something."""
    with FakeIppPrinter() as printer:
        leading = {
            "charset": encode_attribute(0x47, "attributes-charset", "utf-8"),
            "language": encode_attribute(0x48, "attributes-natural-language", "en"),
            "uri": encode_attribute(0x45, "printer-uri", printer.uri),
        }
        body = b"".join(
            [
                version + b"\x00\x02" + (41).to_bytes(4, "big") + b"\x01",
                *(leading[name] for name in order),
                encode_attribute(0x49, "document-format", "application/pdf"),
                b"\x03",
                PDF,
            ]
        )
        connection = http.client.HTTPConnection("127.0.0.1", printer.port, timeout=2)
        try:
            connection.request("POST", "/ipp/print", body, {"Content-Type": "application/ipp"})
            answer = connection.getresponse().read()
        finally:
            connection.close()
    assert answer[:2] == b"\x01\x01"
    assert int.from_bytes(answer[2:4], "big") == status
    assert int.from_bytes(answer[4:8], "big") == 41
    assert len(printer.jobs) == (1 if status == SUCCESSFUL_OK else 0)
    if printer.jobs:
        assert decode_ipp_request(body).document == printer.jobs[0].document == PDF


# --- configured printers ----------------------------------------------------------------------


RAW = Printer("Pack 1 Zebra", PrintProtocol.RAW, "10.0.0.5", PrinterLanguage.ZPL)
IPP = Printer("Office", PrintProtocol.IPP, "ipp://10.0.0.9/ipp/print", PrinterLanguage.PDF)


@pytest.mark.parametrize(
    "printer",
    [
        RAW,
        IPP,
        Printer("Dock", PrintProtocol.RAW, "zebra-dock.kul1.local", PrinterLanguage.ZPL, port=6101),
        Printer("TLS", PrintProtocol.IPP, "ipps://[fd00::9]:8443/printers/a4", PrinterLanguage.PDF),
        Printer("CUPS", PrintProtocol.IPP, "http://cups:631/printers/label", PrinterLanguage.PDF),
        Printer("From config", "raw", "10.0.0.5", "zpl"),  # type: ignore[arg-type]
        Printer("IPv6", PrintProtocol.RAW, "fd00::5", PrinterLanguage.ZPL),
    ],
)
def test_a_good_printer_passes_its_check(printer: Printer) -> None:
    printer.check()


@pytest.mark.parametrize(
    ("printer", "field", "words"),
    [
        (Printer(" ", PrintProtocol.RAW, "10.0.0.5", PrinterLanguage.ZPL), "name", "name"),
        (Printer("P", "lpd", "10.0.0.5", PrinterLanguage.ZPL), "protocol", "'lpd'"),  # type: ignore[arg-type]
        (Printer("P", PrintProtocol.RAW, "10.0.0.5", "epl"), "language", "'epl'"),  # type: ignore[arg-type]
        (Printer("P", PrintProtocol.RAW, "", PrinterLanguage.ZPL), "address", "host"),
        (Printer("P", PrintProtocol.RAW, "10.0.0.5:9100", PrinterLanguage.ZPL), "address", "port"),
        (Printer("P", PrintProtocol.RAW, "[fd00::5]", PrinterLanguage.ZPL), "address", "IP"),
        (Printer("P", PrintProtocol.RAW, "ipp://x/y", PrinterLanguage.ZPL), "address", "host"),
        (Printer("P", PrintProtocol.RAW, "10.0.0.5", PrinterLanguage.ZPL, port=0), "port", "0"),
        (Printer("P", PrintProtocol.RAW, "h", PrinterLanguage.ZPL, port=65536), "port", "65535"),
        (Printer("P", PrintProtocol.RAW, "10.0.0.5", PrinterLanguage.PDF), "language", "ZPL"),
        (
            Printer("P", PrintProtocol.IPP, "ipp://h/ipp/print", PrinterLanguage.ZPL),
            "language",
            "PDF",
        ),
        (
            Printer("P", PrintProtocol.IPP, "socket://h:9100", PrinterLanguage.PDF),
            "address",
            "ipp://",
        ),
        (
            Printer("P", PrintProtocol.IPP, "ipp:///ipp/print", PrinterLanguage.PDF),
            "address",
            "host",
        ),
        (
            Printer("P", PrintProtocol.IPP, "ipp://h:99999/p", PrinterLanguage.PDF),
            "address",
            "port",
        ),
    ],
)
def test_a_bad_printer_is_refused_naming_the_field(
    printer: Printer, field: str, words: str
) -> None:
    with pytest.raises(InvalidPrinterConfig) as raised:
        printer.check()
    assert isinstance(raised.value, ValueError)
    assert raised.value.field == field
    assert str(raised.value).startswith(f"{field}: ")
    assert words in str(raised.value)


def test_send_prints_zpl_on_a_raw_printer() -> None:
    with FakeRawPrinter() as fake:
        printer = Printer("Pack 1", PrintProtocol.RAW, "127.0.0.1", PrinterLanguage.ZPL, fake.port)
        receipt = send(printer, ZPL, job_name="ignored by raw printers")
        assert fake.wait_for_jobs(1) == [ZPL]
    assert receipt == f"sent {len(ZPL)} bytes to 127.0.0.1:{fake.port}"


def test_send_prints_pdf_on_an_ipp_printer() -> None:
    with FakeIppPrinter() as fake:
        printer = Printer("Office", PrintProtocol.IPP, fake.uri, PrinterLanguage.PDF)
        receipt = send(printer, PDF, job_name="Packing list PO-88")
    [received] = fake.jobs
    assert receipt == f"IPP job {received.job_id} at {fake.uri}"
    assert received.attributes["job-name"] == "Packing list PO-88"
    assert received.attributes["document-format"] == "application/pdf"
    assert received.document == PDF


def test_send_checks_the_printer_before_sending_anything() -> None:
    with FakeRawPrinter() as fake:
        printer = Printer("Pack 1", PrintProtocol.RAW, "127.0.0.1", PrinterLanguage.PDF, fake.port)
        with pytest.raises(InvalidPrinterConfig, match="language"):
            send(printer, PDF, job_name="label")
    assert fake.jobs == []


def test_send_reports_a_print_error_from_the_printer() -> None:
    with FakeIppPrinter(busy=True) as fake:
        printer = Printer("Office", PrintProtocol.IPP, fake.uri, PrinterLanguage.PDF)
        with pytest.raises(PrintError, match="server-error-busy"):
            send(printer, PDF, job_name="label")

"""HTTPS on loopback: a run-time authority, and a background server presenting its certificate."""

from __future__ import annotations

import socket
import ssl
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from cryptography import x509
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flywheel_sync.sandbox.tls import LoopbackTLS, loopback_tls
from flywheel_sync.serving import BackgroundServer


async def _scheme(request: Request) -> Response:
    return JSONResponse({"scheme": request.url.scheme})


_APP = Starlette(routes=[Route("/scheme", _scheme)])


@pytest.fixture(scope="module")
def tls() -> Iterator[LoopbackTLS]:
    with loopback_tls() as made:
        yield made


@contextmanager
def _serving(tls: LoopbackTLS | None) -> Iterator[int]:
    bound = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    bound.bind(("127.0.0.1", 0))
    port = int(bound.getsockname()[1])
    server = BackgroundServer(_APP, bound, name="tls test", tls=tls.server if tls else None)
    server.start()
    try:
        yield port
    finally:
        server.stop()


@pytest.fixture(scope="module")
def https_port(tls: LoopbackTLS) -> Iterator[int]:
    with _serving(tls) as port:
        yield port


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_client_trusting_the_authority_gets_an_answer_over_https(
    tls: LoopbackTLS, https_port: int, host: str
) -> None:
    answer = requests.get(
        f"https://{host}:{https_port}/scheme", verify=str(tls.ca_certificate), timeout=5
    )

    assert answer.status_code == 200
    assert answer.json() == {"scheme": "https"}


def test_a_client_with_the_default_trust_store_refuses_the_certificate(https_port: int) -> None:
    with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        requests.get(f"https://127.0.0.1:{https_port}/scheme", timeout=5)


def test_another_run_s_authority_is_not_trusted(https_port: int) -> None:
    with loopback_tls() as other, pytest.raises(requests.exceptions.SSLError):
        requests.get(
            f"https://127.0.0.1:{https_port}/scheme", verify=str(other.ca_certificate), timeout=5
        )


def test_the_client_context_verifies_the_server_and_its_name(
    tls: LoopbackTLS, https_port: int
) -> None:
    context = tls.client_context()
    with (
        socket.create_connection(("127.0.0.1", https_port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as wrapped,
    ):
        peer = wrapped.getpeercert()

    assert context.verify_mode is ssl.CERT_REQUIRED
    assert peer is not None
    assert ("IP Address", "127.0.0.1") in peer["subjectAltName"]


def test_the_server_certificate_names_the_loopback_addresses_only(tls: LoopbackTLS) -> None:
    certificate = x509.load_pem_x509_certificate(tls.server.certificate.read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value

    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1"}
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]


def test_the_private_key_is_readable_by_its_owner_only(tls: LoopbackTLS) -> None:
    assert stat.S_IMODE(tls.server.key.stat().st_mode) == 0o600


def test_the_certificates_are_removed_with_their_folder() -> None:
    with loopback_tls() as made:
        folder = made.ca_certificate.parent
        assert made.server.key.is_file()

    assert not Path(folder).exists()


def test_without_tls_the_server_speaks_plain_http() -> None:
    with _serving(None) as port:
        answer = requests.get(f"http://127.0.0.1:{port}/scheme", timeout=5)

    assert answer.json() == {"scheme": "http"}


def test_the_server_names_its_scheme(tls: LoopbackTLS) -> None:
    plain = BackgroundServer(_APP, socket.socket(), name="plain")
    secure = BackgroundServer(_APP, socket.socket(), name="secure", tls=tls.server)

    assert (plain.scheme, secure.scheme) == ("http", "https")
    plain.stop()
    secure.stop()

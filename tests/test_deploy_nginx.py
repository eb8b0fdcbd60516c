"""The nginx example of docs/deploy.md, as written, checked by the nginx installed here (Debian
12's 1.22, older than the `http2 on;` directive) and then run: on high ports, with a certificate
made for the test, in front of a small HTTP server that records what reaches it. Streamlit
accepts the dashboard's WebSocket only when the browser's Origin names the Host it receives
(port included), so the proxy must pass the Host as the browser sent it, with the Upgrade
headers."""

from __future__ import annotations

import datetime as dt
import http.client
import http.server
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from doc_blocks import blocks, section

from benchmarks.serve import free_port
from pipelines.base import config

DEPLOY = config.PROJECT_ROOT / "docs" / "deploy.md"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "partnerships.council.example"


def _example() -> str:
    [block] = blocks(section(DEPLOY, "4. nginx"), "nginx")
    return block


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "fullchain.pem", folder / "site.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def _substitute(text: str, pattern: str, replacement: str) -> str:
    """Replace what the doc says with the test's own, once: the doc must still say it."""
    changed, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    assert count == 1, f"the nginx example no longer matches {pattern!r} exactly once"
    return changed


def _configure(folder: Path, http_port: int, https_port: int, upstream: int) -> Path:
    cert_file, key_file = _certificate(folder)
    server = _example()
    server = _substitute(server, r"(ssl_certificate\s+)\S+;", rf"\g<1>{cert_file};")
    server = _substitute(server, r"(ssl_certificate_key\s+)\S+;", rf"\g<1>{key_file};")
    server = _substitute(server, r"^(\s*listen\s+)80\b", rf"\g<1>127.0.0.1:{http_port}")
    server = _substitute(server, r"^(\s*listen\s+)443\b", rf"\g<1>127.0.0.1:{https_port}")
    server = _substitute(server, r"(proxy_pass\s+http://127\.0\.0\.1:)8501\b", rf"\g<1>{upstream}")
    (folder / "partnership.conf").write_text(server, encoding="utf-8")
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = folder / "nginx.conf"
    main.write_text(
        f"worker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        f"events {{}}\nhttp {{\n    access_log off;\n{temp}\n    include {folder / 'partnership.conf'};\n}}\n",
        encoding="utf-8",
    )
    return main


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Stands in for Streamlit: answers every request and keeps the headers it was sent."""

    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *_args) -> None:
        pass


def _wait_for(port: int, nginx: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if nginx.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"nginx did not start: {nginx.stderr.read() if nginx.poll() is not None else ''}") from None
            time.sleep(0.1)


def _tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own certificate
    return context


def test_the_example_passes_nginx_t_on_the_nginx_installed_here(tmp_path):
    """`nginx -t` on the example as written (certificate paths and ports the test's own)."""
    version = subprocess.run([NGINX, "-v"], capture_output=True, text=True, check=True).stderr.strip()
    conf = _configure(tmp_path, free_port(), free_port(), free_port())
    tested = subprocess.run(
        [NGINX, "-t", "-e", "stderr", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True, timeout=60
    )
    assert tested.returncode == 0 and "test is successful" in tested.stderr, f"{version}: {tested.stderr}"


@pytest.fixture
def proxy(tmp_path):
    """(the HTTPS port, the HTTP port, what reached the upstream): nginx running the example."""
    _Recorder.seen = []
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    http_port, https_port = free_port(), free_port()
    conf = _configure(tmp_path, http_port, https_port, upstream.server_address[1])
    nginx = subprocess.Popen(
        [NGINX, "-e", "stderr", "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(https_port, nginx)
        yield https_port, http_port, _Recorder.seen
    finally:
        nginx.send_signal(signal.SIGQUIT)
        try:
            nginx.wait(timeout=30)
        except subprocess.TimeoutExpired:
            nginx.kill()
            nginx.wait()
        upstream.shutdown()
        upstream.server_close()


def test_the_proxy_passes_the_host_with_its_port_and_the_websocket_upgrade(proxy):
    https_port, _http_port, seen = proxy
    address = f"{HOST}:{https_port}"  # a public address on a port other than 443
    connection = http.client.HTTPSConnection("127.0.0.1", https_port, context=_tls(), timeout=30)
    connection.putrequest("GET", "/_stcore/stream", skip_host=True)
    for name, value in (
        ("Host", address),
        ("Origin", f"https://{address}"),
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ):
        connection.putheader(name, value)
    connection.endheaders()
    answer = connection.getresponse()
    assert answer.status == 200 and answer.read() == b"ok"
    connection.close()
    [headers] = seen
    # Streamlit's WebSocket check: the Origin's host and port must be the Host it receives.
    assert headers["host"] == address == headers["origin"].removeprefix("https://")
    assert headers["upgrade"] == "websocket" and headers["connection"] == "upgrade"
    assert headers["x-forwarded-proto"] == "https" and headers["x-forwarded-for"] == "127.0.0.1"


def test_the_proxy_offers_http2_and_redirects_plain_http(proxy):
    https_port, http_port, _seen = proxy
    context = _tls()
    context.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", https_port), timeout=30) as raw:
        with context.wrap_socket(raw, server_hostname=HOST) as tls:
            assert tls.selected_alpn_protocol() == "h2"
    plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=30)
    plain.request("GET", "/allocation?total=1", headers={"Host": HOST})
    moved = plain.getresponse()
    assert moved.status == 301 and moved.getheader("Location") == f"https://{HOST}/allocation?total=1"
    plain.close()

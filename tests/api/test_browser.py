"""A real browser (Debian's headless Chromium) cannot drive the API from a web page.

The page is served by the test from another loopback origin and tries what a hostile site can: simple
cross-origin fetches (text/plain, no Content-Type), CORS requests with a forged signature, text/plain and
urlencoded form POSTs, to create, update and invoke functions. An iframe in it plays DNS rebinding: its
name (`rebind.test`, mapped to 127.0.0.2 by Chromium's resolver rules) serves the page from the API's own
port, then relays every later request to the API, so the browser sees one origin and sends anything,
forged Authorization included, readable answers and all. Nothing may be created, changed or invoked, and the
server's log must show that the requests did arrive and were refused.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.conftest import ECHO_ZIP, ROLE, ServerThread, create_echo

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)")

FORGED = ("AWS4-HMAC-SHA256 Credential=AKIDPAGE/20250101/us-east-1/lambda/aws4_request, SignedHeaders=host, "
          "Signature=" + "0" * 64)

COMMON_JS = """
const ZIP = "%(zip)s", ROLE = "%(role)s", FORGED = "%(forged)s", BEACON = "%(beacon)s";
function createBody(name) {
  return JSON.stringify({FunctionName: name, Runtime: "python3.11", Role: ROLE, Handler: "app.handler",
                         Code: {ZipFile: ZIP}});
}
async function attempt(label, url, init) {
  try {
    const response = await fetch(url, init);
    return label + "=" + (response.type === "opaque" ? "opaque" : response.status);
  } catch (error) {
    return label + "=blocked";
  }
}
function report(page, results) {
  return fetch(BEACON + "/done?page=" + page + "&results=" + encodeURIComponent(results.join(",")),
               {mode: "no-cors"});
}
"""

ATTACK_PAGE = """<!doctype html><html><body><script>%(common)s
const API = "%(api)s";
function formPost(label, url, enctype, name, value) {
  return new Promise(resolve => {
    const frame = document.createElement("iframe");
    frame.name = label;
    document.body.appendChild(frame);
    const form = document.createElement("form");
    form.method = "POST"; form.action = url; form.enctype = enctype; form.target = label;
    const input = document.createElement("input");
    input.type = "hidden"; input.name = name; input.value = value;
    form.appendChild(input);
    document.body.appendChild(form);
    frame.onload = () => resolve(label + "=submitted");
    form.submit();
  });
}
async function main() {
  const json = {"Content-Type": "application/json", "Authorization": FORGED};
  const results = await Promise.all([
    attempt("create-text", API + "/2015-03-31/functions",
            {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"}, body: createBody("planted1")}),
    attempt("create-untyped", API + "/2015-03-31/functions",
            {method: "POST", mode: "no-cors", body: new Blob([createBody("planted2")])}),
    attempt("create-cors", API + "/2015-03-31/functions",
            {method: "POST", headers: json, body: createBody("planted3")}),
    formPost("create-form", API + "/2015-03-31/functions", "text/plain",
             createBody("planted4").slice(0, -1) + ',"pad":"', '"}'),
    attempt("update-cors", API + "/2015-03-31/functions/victim/configuration",
            {method: "PUT", headers: json, body: JSON.stringify({Timeout: 77})}),
    attempt("invoke-text", API + "/2015-03-31/functions/victim/invocations",
            {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"}, body: "{}"}),
    attempt("invoke-untyped", API + "/2015-03-31/functions/victim/invocations",
            {method: "POST", mode: "no-cors", body: new Blob(["{}"])}),
    formPost("invoke-form", API + "/2015-03-31/functions/victim/invocations",
             "application/x-www-form-urlencoded", "a", "b"),
  ]);
  await report("attack", results);
}
main();
</script><iframe src="%(rebind)s/rebind.html"></iframe></body></html>
"""

REBIND_PAGE = """<!doctype html><html><body><script>%(common)s
async function main() {
  const json = {"Content-Type": "application/json", "Authorization": FORGED};
  const results = await Promise.all([
    attempt("create", "/2015-03-31/functions", {method: "POST", headers: json, body: createBody("planted5")}),
    attempt("update", "/2015-03-31/functions/victim/configuration",
            {method: "PUT", headers: json, body: JSON.stringify({Timeout: 77})}),
    attempt("invoke", "/2015-03-31/functions/victim/invocations", {method: "POST", headers: json, body: "{}"}),
    attempt("list", "/2015-03-31/functions", {headers: json}),
  ]);
  await report("rebind", results);
}
main();
</script></body></html>
"""


class Beacons:
    """The attack pages' reports, by page."""

    def __init__(self) -> None:
        self.results: dict[str, dict[str, str]] = {}
        self.changed = threading.Condition()

    def add(self, page: str, results: str) -> None:
        with self.changed:
            self.results[page] = dict(item.split("=", 1) for item in results.split(",") if "=" in item)
            self.changed.notify_all()

    def wait_for(self, *pages: str, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: all(page in self.results for page in pages), timeout)


def attacker_server(pages: dict[str, str], beacons: Beacons) -> ThreadingHTTPServer:
    """The hostile site: ``pages`` by path, and /done where the pages report what happened."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server calls
            address = urlsplit(self.path)
            if address.path == "/done":
                query = parse_qs(address.query)
                beacons.add(query["page"][0], query.get("results", [""])[0])
            body = pages.get(address.path, "").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # http.server's signature
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def rebinding_server(port: int, page: str) -> socketserver.ThreadingTCPServer:
    """What a rebound name looks like to the API: 127.0.0.2:PORT serves the page on a connection's first request
    (and closes it), and relays every other connection byte for byte to the API at 127.0.0.1:PORT."""

    class Relay(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            client: socket.socket = self.request
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(65536)
                if not chunk:
                    return
                head += chunk
            if head.startswith(b"GET /rebind.html "):
                body = page.encode()
                client.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
                               b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
                return
            with socket.create_connection(("127.0.0.1", port)) as upstream:
                upstream.sendall(head)
                back = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
                back.start()
                _pipe(client, upstream)
                back.join(30)

    server = socketserver.ThreadingTCPServer(("127.0.0.2", port), Relay)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            target.sendall(chunk)
        target.shutdown(socket.SHUT_WR)
    except OSError:
        pass


@pytest.fixture
def chromium_profile(tmp_path: Path) -> Path:
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    return profile


@pytest.fixture
def browser_runs(chromium_profile: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Chromium processes started by the test: each in a session of its own, stopped with its process group."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        try:
            os.killpg(process.pid, signal.SIGTERM)  # the browser and its helpers (their group is its pid)
            process.wait(20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(20)


def test_a_web_page_cannot_create_update_or_invoke(server: ServerThread, client: Any, chromium_profile: Path,
                                                   browser_runs: list[subprocess.Popen[bytes]],
                                                   caplog: pytest.LogCaptureFixture) -> None:
    assert CHROMIUM is not None and server.engine is not None
    create_echo(client, "victim", Timeout=3)
    port = urlsplit(server.url).port
    assert port is not None
    beacons = Beacons()
    pages: dict[str, str] = {}
    attacker = attacker_server(pages, beacons)
    beacon = f"http://127.0.0.1:{attacker.server_address[1]}"
    common_js = COMMON_JS % {"zip": base64.b64encode(ECHO_ZIP).decode(), "role": ROLE, "forged": FORGED,
                             "beacon": beacon}
    pages["/attack.html"] = ATTACK_PAGE % {"common": common_js, "api": server.url,
                                           "rebind": f"http://rebind.test:{port}"}
    relay = rebinding_server(port, REBIND_PAGE % {"common": common_js})
    try:
        browser_runs.append(subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={chromium_profile}", "--host-resolver-rules=MAP rebind.test 127.0.0.2",
             f"{beacon}/attack.html"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        assert beacons.wait_for("attack", "rebind", timeout=90), f"the pages did not report: {beacons.results}"
    finally:
        attacker.shutdown()
        attacker.server_close()
        relay.shutdown()
        relay.server_close()

    # Nothing was created, changed or invoked.
    assert [config.name for config in server.engine.functions()] == ["victim"]
    assert client.get_function_configuration(FunctionName="victim")["Timeout"] == 3
    assert server.engine.statistics().invocations == 0
    # The rebound page reads its answers (same origin, as far as the browser knows): every one refused.
    assert beacons.results["rebind"] == {"create": "403", "update": "403", "invoke": "403", "list": "403"}
    # The requests did reach the API, and were refused by its checks (not lost on the way).
    refusals = [record.getMessage() for record in caplog.records if record.getMessage().startswith("refused ")]
    assert any("Origin 'http://127.0.0.1:" in message for message in refusals), refusals
    assert sum(f"Host 'rebind.test:{port}'" in message for message in refusals) >= 4, refusals
    assert not any(message.startswith("refused GET /2015-03-31/functions: MissingAuthentication") for message in
                   refusals)

"""The language server over a real stdio pipe, fed badly framed messages.

`Content-Length: 10^11` used to make the server try to read 100 GB (it died), and a header with a
missing, negative or non-numeric length made it read the following bodies as headers, ignoring
every later request. Each bad frame must be answered with a JSON-RPC error (id null), and the
next well-framed request answered as usual. The server runs in a subprocess with timeouts, so a
regression fails here instead of hanging the suite.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

pytest.importorskip("pygls")

TIMEOUT = 30.0


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def request(identifier: int, method: str, params: Any = None) -> bytes:
    return frame({"jsonrpc": "2.0", "id": identifier, "method": method, "params": params})


class Server:
    """The server as a subprocess, with the messages it writes parsed on a reader thread."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "inngest_lint", "server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr += line

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            assert length is not None
            self.messages.put(json.loads(stream.read(length)))

    def send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def response(self, identifier: int | None) -> dict[str, Any]:
        """The next response with this id (requests from the server and notifications are skipped)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no response with id {identifier!r}; stderr: {self.stderr[-2000:]!r}")
            try:
                message = self.messages.get(timeout=remaining)
            except queue.Empty:
                continue
            if message is None:
                raise AssertionError(
                    f"the server closed its output (exit {self.process.poll()}); stderr: {self.stderr[-2000:]!r}"
                )
            if "method" not in message and message.get("id") == identifier:
                return message

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=TIMEOUT)


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    running = Server()
    try:
        running.send(request(1, "initialize", {"processId": None, "rootUri": None, "capabilities": {}}))
        assert "result" in running.response(1)
        running.send(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        yield running
    finally:
        running.close()


BODY = b'{"jsonrpc": "2.0", "id": 99, "method": "shutdown"}'

BAD_FRAMES = {
    "huge length": b"Content-Length: 100000000000\r\n\r\n" + BODY,
    "over the bound": b"Content-Length: %d\r\n\r\n" % (65 * 1024 * 1024) + BODY,
    "no length": b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + BODY,
    "negative length": b"Content-Length: -5\r\n\r\n" + BODY,
    "non-numeric length": b"Content-Length: five\r\n\r\n" + BODY,
    "empty length": b"Content-Length: \r\n\r\n" + BODY,
    "zero length": b"Content-Length: 0\r\n\r\n",
    "garbage line": b"x" * 200_000 + b"\r\n\r\n",
    "two lengths": b"Content-Length: 10\r\nContent-Length: 12\r\n\r\n" + BODY,
}


@pytest.mark.parametrize("bad", sorted(BAD_FRAMES))
def test_a_bad_frame_is_answered_and_the_next_request_is_served(server: Server, bad: str) -> None:
    server.send(BAD_FRAMES[bad])
    error = server.response(None)
    assert error["error"]["code"] in (-32700, -32600), error
    server.send(
        request(
            2,
            "textDocument/hover",
            {
                "textDocument": {"uri": "file:///nowhere/a.py"},
                "position": {"line": 0, "character": 0},
            },
        )
    )
    assert "id" in server.response(2)
    # Several bad frames in a row, then a clean shutdown.
    server.send(BAD_FRAMES[bad] + BAD_FRAMES["no length"])
    server.send(request(3, "shutdown"))
    assert server.response(3).get("result", "missing") is None
    server.send(frame({"jsonrpc": "2.0", "method": "exit"}))
    assert server.process.wait(timeout=TIMEOUT) == 0


def test_a_body_that_is_not_json_does_not_stop_the_server(server: Server) -> None:
    server.send(b"Content-Length: 5\r\n\r\n{nope")
    server.send(request(2, "shutdown"))
    assert server.response(2).get("result", "missing") is None


def test_headers_split_across_writes_and_lower_case_names(server: Server) -> None:
    message = request(2, "shutdown")
    head, _, body = message.partition(b"\r\n\r\n")
    server.send(head.replace(b"Content-Length", b"content-length")[:7])
    time.sleep(0.05)
    server.send(head.replace(b"Content-Length", b"content-length")[7:] + b"\r\n\r\n" + body[:3])
    time.sleep(0.05)
    server.send(body[3:])
    assert server.response(2).get("result", "missing") is None

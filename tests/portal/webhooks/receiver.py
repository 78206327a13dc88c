"""A real HTTP receiver on loopback that verifies each webhook like a business application.

`Receiver(secret)` runs `http.server` in a thread on a free port. Each POST
is verified with `portal.webhooks.signing.verify` on the raw body; verified
deliveries are kept in `deliveries`, refused ones in `refused`. `answers`
is the list of status codes to give, one per request (then `default`).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from portal.webhooks.signing import SignatureError, verify


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 drops connections when the dispatcher sends a
    # batch of 20 at once, and the kernel retries them only a second later.
    request_queue_size = 128
    daemon_threads = True


@dataclass
class Received:
    """One request that reached the receiver."""

    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """Start with `start()`; `url`; `wait_for(n)` verified deliveries; `stop()`."""

    def __init__(self, secret: str = "", default: int = 200) -> None:
        self.secret = secret
        self.default = default
        self.answers: list[int] = []
        self.deliveries: list[Received] = []
        self.requests: list[Received] = []
        self.refused: list[str] = []
        self.changed = threading.Condition()
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/monespace"

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, timeout: float = 20.0, *, all_requests: bool = False) -> None:
        """Wait until ``count`` verified deliveries (or requests) arrived."""

        def seen() -> int:
            return len(self.requests if all_requests else self.deliveries)

        with self.changed:
            if not self.changed.wait_for(lambda: seen() >= count, timeout):
                raise AssertionError(
                    f"{seen()} of {count} arrived in {timeout} s; refused: {self.refused}"
                )

    def _answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.changed:
            status = self.answers.pop(0) if self.answers else self.default
            received = Received(headers, body, status)
            self.requests.append(received)
            try:
                verify(self.secret, headers, body)
            except SignatureError as exc:
                self.refused.append(str(exc))
                status = received.status = 401
            else:
                if 200 <= status < 300:
                    self.deliveries.append(received)
            self.changed.notify_all()
            return status

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's method name
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                status = receiver._answer({k.lower(): v for k, v in self.headers.items()}, body)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

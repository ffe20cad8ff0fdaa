"""What the emitter tests share: the local stack's settings, the database (through psql), and a real
local HTTP server in front of the ingest function that records requests and can answer some itself.

The settings come from the environment as stack/env.sh exports them (npm test does; by hand:
``bash -c 'source stack/env.sh && python3 -m unittest discover -s client/python/tests -t client/python'``).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, List, Optional, Set, Tuple, Union


def setting(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run these tests through `npm test`, or after `source stack/env.sh`")
    return value


FUNCTIONS_URL = setting("STACK_FUNCTIONS_URL")
INGEST_URL = f"{FUNCTIONS_URL}/ingest"
SECRET_KEY = setting("STACK_SECRET_KEY")
DB_URL = setting("STACK_DB_URL")


def psql(query: str) -> List[str]:
    """Runs one query as the postgres superuser; returns its rows, one string per row."""
    out = subprocess.run(["psql", DB_URL, "-v", "ON_ERROR_STOP=1", "-Atc", query], capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if line]


# Letters only: a random hex id now and then holds a run of 13 or more digits that passes the Luhn
# check, and ingestion rightly refuses the batch as carrying a card number.
_DIGITS_AS_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def new_request_id() -> str:
    return f"test-python-emitter-{uuid.uuid4().hex.translate(_DIGITS_AS_LETTERS)}"


def stored_ids(request_id: str) -> Set[str]:
    assert request_id.replace("-", "").isalnum()  # inlined into the query
    return set(psql(f"select event_id from public.events_raw where request_id = '{request_id}'"))


def delete_rows(request_id: str) -> None:
    assert request_id.replace("-", "").isalnum()
    psql(f"delete from public.events_raw where request_id = '{request_id}'")


@dataclass
class Recorded:
    status: Optional[int]
    at: float
    events: int


Step = Union[Tuple[int, Optional[str]], str]
"""(status, Retry-After) to answer with, "hang" to never answer, or "forward"."""


@dataclass
class IngestProxy:
    url: str
    requests: List[Recorded] = field(default_factory=list)
    close: Callable[[], None] = lambda: None

    def statuses(self) -> List[Optional[int]]:
        return [r.status for r in self.requests]


def ingest_proxy(plan: Callable[[int], Step] = lambda call: "forward") -> IngestProxy:
    """Starts the server on a free port; ``plan(call)`` (1-based) decides each request."""
    proxy = IngestProxy(url="")
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
            pass

        def do_POST(self) -> None:  # noqa: N802 - the http.server name
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            record = Recorded(None, time.monotonic(), 0)
            try:
                record.events = len(json.loads(body)["events"])
            except (ValueError, KeyError, TypeError):
                pass
            proxy.requests.append(record)
            step = plan(len(proxy.requests))
            if step == "hang":
                release.wait(60)
                self.close_connection = True
                return
            status: int
            retry_after: Optional[str]
            if step == "forward":
                request = urllib.request.Request(INGEST_URL, data=body, method="POST", headers={
                    "content-type": "application/json", "authorization": self.headers.get("authorization", "")})
                try:
                    with urllib.request.urlopen(request, timeout=30) as res:
                        status, text, retry_after = res.status, res.read(), res.headers.get("retry-after")
                except urllib.error.HTTPError as err:
                    status, text, retry_after = err.code, err.read(), err.headers.get("retry-after")
            else:
                assert isinstance(step, tuple)
                status, retry_after = step
                text = json.dumps({"error": {"code": "try_later", "message": "try later"}}).encode()
            record.status = status
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(text)))
            if retry_after:
                self.send_header("retry-after", retry_after)
            self.end_headers()
            self.wfile.write(text)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}/functions/v1/ingest"

    def close() -> None:
        release.set()
        server.shutdown()
        server.server_close()

    proxy.close = close
    return proxy

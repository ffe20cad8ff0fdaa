"""Analytics emitter for Python backends (the counterpart of client/analytics-emitter.ts).

Built to lose nothing it can keep:

- batches events (500, or every 2 s, on a background thread) and sends a batch until the ingest
  function has it;
- a 400 ``invalid_events`` (or 403) names the bad events by ``details[].index``: only those are
  dropped and reported, the valid rest is sent again at once;
- 429, 5xx, 408, 401 (a token function may hand out a fresh token) and network errors are retried
  with exponential backoff and jitter, honouring ``Retry-After``; after ``max_retries`` the events
  stay queued for the next flush;
- a 413 splits the batch in halves;
- the queue can outlive the process (``FileQueueStore``); ``close()`` flushes, bounded by a
  timeout, and runs at interpreter exit (atexit).

Sending again is safe: every event carries its ``event_id`` and the function stores each id once.
Never raises into the caller: what it cannot deliver goes to ``on_error``. Standard library only.
"""

from __future__ import annotations

import atexit
import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Deque, Dict, List, Optional, Sequence, Union

from .catalog import CATALOG, EmitAnalyticsEvent
from .event_id import new_event_id
from .queue_store import Event, MemoryQueueStore, QueueStore

MAX_BATCH = 1000
"""The ingest function's limit of events per request."""

log = logging.getLogger("samia_analytics")


@dataclass
class EmitterError:
    """Something the emitter could not deliver (or not yet)."""

    status: Optional[int]
    """HTTP status, or None when no response came (network error, timeout) or nothing was sent."""
    code: str
    message: str
    events: List[Event]
    """The events concerned."""
    dropped: bool
    """True: these events are gone for good. False: they stay queued and are sent again later."""
    details: Any = None
    """The function's details; for rejected events each ``index`` is the event's position in ``events``."""


Token = Union[str, Callable[[], str]]


def _iso(ts: datetime) -> str:
    # A naive datetime is local time, as datetime.astimezone() reads it.
    return ts.astimezone().isoformat(timespec="milliseconds") if ts.tzinfo is None else ts.isoformat(timespec="milliseconds")


def build_event(event_type: str, **fields: Any) -> Event:
    """A wire event: a fresh ``event_id`` and the current time unless given, the catalog's domain."""
    event: Event = {k: v for k, v in fields.items() if v is not None}
    if isinstance(event.get("event_timestamp"), datetime):
        event["event_timestamp"] = _iso(event["event_timestamp"])
    event.setdefault("event_id", new_event_id())
    event.setdefault("event_timestamp", _iso(datetime.now(timezone.utc)))
    entry = CATALOG.get(event_type)
    if entry is not None:
        event.setdefault("event_domain", entry.domain)
    event["event_type"] = event_type
    return event


def retry_after_seconds(header: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Retry-After in seconds or as an HTTP date; None when absent or unreadable."""
    if header is None or not header.strip():
        return None
    try:
        seconds = float(header)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 else None
    try:
        at = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, at.timestamp() - (time.time() if now is None else now))


_RETRYABLE = {401, 408, 425, 429}


@dataclass
class _Outcome:
    kind: str  # stored | rejected | too_large | retry | refused
    status: Optional[int] = None
    code: str = ""
    message: str = ""
    details: Any = None
    bad: Optional[Dict[int, List[Dict[str, Any]]]] = None
    retry_after: Optional[float] = None


def _named_events(status: int, details: Any, count: int) -> Optional[Dict[int, List[Dict[str, Any]]]]:
    """The events a 400/403 names by index (every detail must name one), or None when it names none."""
    if status not in (400, 403) or not isinstance(details, list) or not details:
        return None
    bad: Dict[int, List[Dict[str, Any]]] = {}
    for d in details:
        index = d.get("index") if isinstance(d, dict) else None
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < count:
            return None
        bad.setdefault(index, []).append(d)
    return bad


class AnalyticsEmitter:
    """Queues catalog events and delivers them to the ingest function from a background thread."""

    emit_analytics_event: EmitAnalyticsEvent
    """``emit(event_type, **fields)`` typed by the catalog: the type's required fields are required."""

    def __init__(
        self,
        url: str,
        token: Token,
        *,
        batch_size: int = 500,
        flush_interval: float = 2.0,
        max_retries: int = 5,
        base_delay: float = 0.25,
        max_delay: float = 30.0,
        timeout: float = 30.0,
        close_timeout: float = 10.0,
        max_queue: int = 50_000,
        store: Optional[QueueStore] = None,
        on_error: Optional[Callable[[EmitterError], None]] = None,
        flush_at_exit: bool = True,
    ) -> None:
        """
        url: the ingest function, e.g. https://<ref>.supabase.co/functions/v1/ingest.
        token: a secret key (sb_secret_...) or service_role JWT, or a function returning a token.
        flush_interval: seconds between sends of what is queued; 0: only full batches and flush().
        max_retries: retries of one batch before its events wait for the next flush.
        close_timeout: how long close() may take by default.
        max_queue: events waiting at most; beyond it new events are dropped and reported.
        store: where undelivered events are kept (default: memory only).
        flush_at_exit: close() at interpreter exit (atexit).
        """
        self.url = url
        self._token = token
        self.batch_size = min(max(1, batch_size), MAX_BATCH)
        self.flush_interval = flush_interval
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.timeout = timeout
        self.close_timeout = close_timeout
        self.max_queue = max_queue
        self._store: QueueStore = store if store is not None else MemoryQueueStore()
        self._on_error = on_error
        self._queue: Deque[Event] = deque()
        self._sending = 0
        self._cond = threading.Condition()
        self._wake = False
        self._closed = False
        self._close_lock = threading.Lock()
        self._close_done = False
        self._deadline: Optional[float] = None
        self._stopping = threading.Event()  # set when close() runs out of time
        self.emit_analytics_event = self._emit_keywords
        try:
            self._queue.extend(self._store.load())
        except Exception as err:  # noqa: BLE001 - a broken store must not break the application
            self._store_failed(err)
        self._worker = threading.Thread(target=self._run, name="samia-analytics-emitter", daemon=True)
        self._worker.start()
        self._at_exit = flush_at_exit
        if flush_at_exit:
            atexit.register(self.close)

    # --- the caller's side ----------------------------------------------------------------------

    def emit(self, event_type: str, **fields: Any) -> Optional[str]:
        """Queues one event. Never raises; returns its event_id, or None if it was dropped."""
        try:
            event = build_event(event_type, **fields)
            json.dumps(event)  # refused here, not as a batch that can never be sent
        except Exception as err:  # noqa: BLE001
            self._report(EmitterError(None, "emit_failed", str(err), [], True))
            return None
        with self._cond:
            if self._closed:
                reason = "emitter_closed", "emit after close()"
            elif len(self._queue) + self._sending >= self.max_queue:
                reason = "queue_full", f"more than {self.max_queue} events waiting"
            else:
                reason = None
                self._queue.append(event)
                self._store_call(self._store.append, [event])
                if len(self._queue) >= self.batch_size:
                    self._wake = True
                    self._cond.notify_all()
        if reason is not None:
            self._report(EmitterError(None, reason[0], reason[1], [event], True))
            return None
        return str(event["event_id"])

    def _emit_keywords(self, *, event_type: str, **fields: Any) -> Optional[str]:
        return self.emit(event_type, **fields)

    def flush(self) -> None:
        """Sends everything queued so far and waits for it (and for sends already running). Events
        that could not be delivered within max_retries stay queued for the next flush. Never raises."""
        self._send_queued()
        with self._cond:
            self._cond.wait_for(lambda: self._sending == 0, timeout=self._remaining())

    def close(self, timeout: Optional[float] = None) -> None:
        """Stops the background thread and flushes, for at most ``timeout`` seconds (default
        close_timeout). What is still undelivered then stays in a persistent store for the next start
        (reported with dropped=False), or is reported dropped. Later emit() calls are refused."""
        with self._close_lock:
            if self._close_done:
                return
            self._close_done = True
            with self._cond:
                self._closed = True
                self._deadline = time.monotonic() + (self.close_timeout if timeout is None else timeout)
                self._cond.notify_all()
            stopper = threading.Timer(max(0.0, self._deadline - time.monotonic()), self._stopping.set)
            stopper.daemon = True
            stopper.start()
            self.flush()
            stopper.cancel()
            with self._cond:
                left = list(self._queue)
                self._queue.clear()
            if left:
                kept = self._store.persistent
                message = "not delivered before close()" + (": kept in the store for the next start" if kept else "")
                self._report(EmitterError(None, "kept_for_next_start" if kept else "emitter_closed", message, left, not kept))
            with self._cond:
                self._store_call(self._store.close)
            if self._at_exit:
                atexit.unregister(self.close)

    @property
    def pending(self) -> int:
        """Events not delivered yet: queued, or in a request that has not finished."""
        with self._cond:
            return len(self._queue) + self._sending

    # --- sending -------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closed or self._wake, timeout=self.flush_interval or None)
                self._wake = False
                if self._closed:
                    return
            self._send_queued()

    def _send_queued(self) -> None:
        """Takes everything queued now, in batches, and delivers it (in this thread)."""
        with self._cond:
            batches: List[List[Event]] = []
            while self._queue:
                batches.append([self._queue.popleft() for _ in range(min(self.batch_size, len(self._queue)))])
            self._sending += sum(len(b) for b in batches)
        for batch in batches:
            try:
                self._deliver(batch)
            except Exception as err:  # noqa: BLE001 - never lose a batch to a bug: back in the queue
                with self._cond:
                    self._queue.extendleft(reversed(batch))
                self._report(EmitterError(None, "send_failed", str(err), batch, False))
            finally:
                with self._cond:
                    self._sending -= len(batch)
                    self._cond.notify_all()

    def _deliver(self, batch: List[Event]) -> None:
        """Sends one batch until every event in it is stored, dropped for good, or back in the queue."""
        events = batch
        finished: List[str] = []
        attempt = 0
        while events:
            outcome = self._post(events)
            if outcome.kind == "stored":
                finished.extend(e["event_id"] for e in events)
                break
            if outcome.kind == "too_large":
                half = (len(events) + 1) // 2
                self._deliver(events[:half])
                self._deliver(events[half:])
                break
            if outcome.kind == "rejected":
                assert outcome.bad is not None
                positions = sorted(outcome.bad)
                rejected = [events[i] for i in positions]
                details = [{**d, "index": n} for n, i in enumerate(positions) for d in outcome.bad[i]]
                self._report(EmitterError(outcome.status, outcome.code, outcome.message, rejected, True, details))
                finished.extend(e["event_id"] for e in rejected)
                events = [e for i, e in enumerate(events) if i not in outcome.bad]
                continue  # the valid rest, at once
            if outcome.kind == "refused":
                self._report(EmitterError(outcome.status, outcome.code, outcome.message, events, True, outcome.details))
                finished.extend(e["event_id"] for e in events)
                break
            if attempt >= self.max_retries or self._stopping.is_set():
                # Out of time at close(): close() reports what is left, once.
                if not self._stopping.is_set():
                    self._report(EmitterError(outcome.status, outcome.code, outcome.message, events, False, outcome.details))
                with self._cond:
                    self._queue.extendleft(reversed(events))
                break
            self._stopping.wait(self._backoff(attempt, outcome.retry_after))
            attempt += 1
        if finished:
            with self._cond:
                self._store_call(self._store.remove, finished)

    def _post(self, events: Sequence[Event]) -> _Outcome:
        body = json.dumps({"events": list(events)}, separators=(",", ":")).encode()
        try:
            token = self._token() if callable(self._token) else self._token
            request = urllib.request.Request(
                self.url,
                data=body,
                method="POST",
                headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
            )
            with urllib.request.urlopen(request, timeout=self._request_timeout()) as response:
                response.read()
            return _Outcome("stored")
        except urllib.error.HTTPError as err:
            status, headers, reason = err.code, err.headers, str(err.reason)
            try:
                payload = json.loads(err.read() or b"null")
            except (ValueError, OSError):
                payload = None
            finally:
                err.close()
        except Exception as err:  # noqa: BLE001 - URLError, timeouts, resets, a failing token function
            return _Outcome("retry", None, "network_error", str(err))
        error = payload.get("error") if isinstance(payload, dict) else None
        error = error if isinstance(error, dict) else {}
        code, message, details = str(error.get("code") or f"http_{status}"), str(error.get("message") or reason), error.get("details")
        if status == 413 and len(events) > 1:
            return _Outcome("too_large")
        bad = _named_events(status, details, len(events))
        if bad is not None:
            return _Outcome("rejected", status, code, message, details, bad)
        if status in _RETRYABLE or status >= 500:
            return _Outcome("retry", status, code, message, details, retry_after=retry_after_seconds(headers.get("retry-after")))
        return _Outcome("refused", status, code, message, details)

    def _backoff(self, attempt: int, retry_after: Optional[float]) -> float:
        """Exponential backoff with jitter (half to all of the step), never sooner than Retry-After."""
        step = min(self.max_delay, self.base_delay * 2**attempt)
        jittered = step / 2 + random.random() * step / 2
        return jittered if retry_after is None else max(retry_after, jittered)

    def _remaining(self) -> Optional[float]:
        return None if self._deadline is None else max(0.0, self._deadline - time.monotonic())

    def _request_timeout(self) -> float:
        remaining = self._remaining()
        return self.timeout if remaining is None else max(0.1, min(self.timeout, remaining))

    # --- reporting -----------------------------------------------------------------------------

    def _store_call(self, method: Callable[..., None], *args: Any) -> None:
        try:
            method(*args)
        except Exception as err:  # noqa: BLE001
            self._store_failed(err)

    def _store_failed(self, err: BaseException) -> None:
        self._report(EmitterError(None, "store_failed", str(err), [], False))

    def _report(self, error: EmitterError) -> None:
        if self._on_error is None:
            log.warning("analytics: %s (%s): %s; %d event(s)%s", error.code, error.status, error.message,
                        len(error.events), " dropped" if error.dropped else " kept")
            return
        try:
            self._on_error(error)
        except Exception:  # noqa: BLE001 - a failing error handler must not break the caller either
            log.exception("analytics: on_error failed")

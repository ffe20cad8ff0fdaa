"""Event ids as RFC 9562 UUIDv7 (the standard library has ``uuid.uuid7`` only from Python 3.14).

48 bits of Unix milliseconds first, so ids sort by creation time and the database's primary key
index grows at its right edge instead of splitting random pages. The same layout as the TypeScript
emitter's (client/event-id.ts): unix_ts_ms (48) | version 0111 (4) | counter (12) | variant 10 (2)
| counter (30) | random (32). The 42-bit counter keeps one generator's ids strictly increasing
within a millisecond: it starts at a random value below 2**41 each new millisecond and counts up
within it; a clock that steps back keeps the last timestamp.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from typing import Callable

_COUNTER_MAX = 2**42 - 1


class EventIdGenerator:
    """Monotonic UUIDv7 strings; thread-safe. ``now_ms`` and ``random_bytes`` are for tests."""

    def __init__(
        self,
        now_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self._now_ms = now_ms
        self._random_bytes = random_bytes
        self._lock = threading.Lock()
        self._last_ms = -1
        self._counter = 0

    def _reseed(self) -> None:
        # 41 bits: at least 2**41 increments of headroom within the millisecond.
        self._counter = int.from_bytes(self._random_bytes(6), "big") & (2**41 - 1)

    def __call__(self) -> str:
        with self._lock:
            now = int(self._now_ms())
            if now > self._last_ms:
                self._last_ms = now
                self._reseed()
            elif self._counter < _COUNTER_MAX:
                self._counter += 1
            else:
                # The counter ran out within one millisecond: borrow the next one.
                self._last_ms += 1
                self._reseed()
            ms, counter = self._last_ms, self._counter
        tail = int.from_bytes(self._random_bytes(4), "big")
        value = (
            (ms & (2**48 - 1)) << 80
            | 0x7 << 76
            | (counter >> 30) << 64
            | 0b10 << 62
            | (counter & (2**30 - 1)) << 32
            | tail
        )
        return str(uuid.UUID(int=value))


new_event_id = EventIdGenerator()
"""A fresh event id: a UUIDv7, increasing across the calls of this process."""

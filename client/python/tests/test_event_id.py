"""The emitter's event ids (samia_analytics.event_id): RFC 9562 UUIDv7, strictly increasing within a
generator even within one millisecond, unique under a tight loop and across threads. No stack needed."""

from __future__ import annotations

import re
import threading
import time
import unittest
import uuid
from typing import List

from samia_analytics import EventIdGenerator, build_event, new_event_id

V7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def ms_of(event_id: str) -> int:
    return uuid.UUID(event_id).int >> 80


def counter_of(event_id: str) -> int:
    value = uuid.UUID(event_id).int
    return ((value >> 64) & 0xFFF) << 30 | (value >> 32) & (2**30 - 1)


class EventIdTest(unittest.TestCase):
    def test_version_variant_and_time(self) -> None:
        before = time.time_ns() // 1_000_000
        event_id = new_event_id()
        after = time.time_ns() // 1_000_000
        self.assertRegex(event_id, V7)
        parsed = uuid.UUID(event_id)
        self.assertEqual(parsed.version, 7)
        self.assertEqual(parsed.variant, uuid.RFC_4122)
        self.assertGreaterEqual(ms_of(event_id), before)
        self.assertLessEqual(ms_of(event_id), after)

    def test_increases_strictly_within_one_millisecond(self) -> None:
        generate = EventIdGenerator(now_ms=lambda: 1_767_225_600_123)
        ids = [generate() for _ in range(10_000)]
        self.assertTrue(all(ms_of(i) == 1_767_225_600_123 for i in ids))
        for previous, current in zip(ids, ids[1:]):
            self.assertLess(previous, current)
            self.assertEqual(counter_of(current), counter_of(previous) + 1)

    def test_keeps_increasing_when_the_clock_steps_back(self) -> None:
        times = iter([5_000, 5_001, 4_000, 4_000, 5_001, 6_000])
        generate = EventIdGenerator(now_ms=lambda: next(times))
        ids = [generate() for _ in range(6)]
        self.assertEqual(sorted(ids), ids)
        self.assertEqual([ms_of(i) for i in ids], [5_000, 5_001, 5_001, 5_001, 5_001, 6_000])

    def test_counter_starts_below_2_to_the_41(self) -> None:
        generate = EventIdGenerator(now_ms=lambda: 9_000, random_bytes=lambda n: b"\xff" * n)
        first, second = generate(), generate()
        self.assertEqual(counter_of(first), 2**41 - 1)
        self.assertEqual(counter_of(second), 2**41)
        self.assertRegex(second, V7)

    def test_unique_and_ordered_under_a_tight_loop(self) -> None:
        ids = [new_event_id() for _ in range(100_000)]
        self.assertEqual(len(set(ids)), len(ids))
        self.assertEqual(sorted(ids), ids)

    def test_unique_across_threads(self) -> None:
        generate = EventIdGenerator()
        per_thread: List[List[str]] = [[] for _ in range(4)]

        def work(out: List[str]) -> None:
            for _ in range(20_000):
                out.append(generate())

        threads = [threading.Thread(target=work, args=(out,)) for out in per_thread]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        every = [i for out in per_thread for i in out]
        self.assertEqual(len(set(every)), len(every))
        for out in per_thread:
            self.assertEqual(sorted(out), out)

    def test_build_event_uses_it_and_keeps_a_given_id(self) -> None:
        self.assertRegex(build_event("order_created", entity_id="o1")["event_id"], V7)
        given = str(uuid.uuid4())
        self.assertEqual(build_event("order_created", entity_id="o1", event_id=given)["event_id"], given)


if __name__ == "__main__":
    unittest.main()

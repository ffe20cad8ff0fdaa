"""The Python emitter against the live local stack (real HTTP, real database): the catalog it ships,
batches, partial rejections resent without their bad events, 429/503 retried through a real local
HTTP server in front of the function, a file-backed queue that survives a killed process, the
flush at interpreter exit, and the seed's emit_analytics_event use case."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import typing
import unittest
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, List, Optional

from samia_analytics import (
    CATALOG,
    AnalyticsEmitter,
    EmitAnalyticsEvent,
    EmitterError,
    FileQueueStore,
    configure,
    emit_analytics_event,
    emit_analytics_event_async,
    retry_after_seconds,
)

from support import INGEST_URL, SECRET_KEY, delete_rows, ingest_proxy, new_request_id, psql, stored_ids

HERE = os.path.dirname(os.path.abspath(__file__))
REQ = new_request_id()
USER = str(uuid.uuid4())


def tearDownModule() -> None:  # noqa: N802 - the unittest name
    delete_rows(REQ)


class Emitter:
    """An emitter for one test, collecting what it reports."""

    def __init__(self, url: str = INGEST_URL, **options: Any) -> None:
        self.errors: List[EmitterError] = []
        defaults: dict[str, Any] = {"flush_interval": 0, "base_delay": 0.02, "flush_at_exit": False, "on_error": self.errors.append}
        self.e = AnalyticsEmitter(url, SECRET_KEY, **{**defaults, **options})


def order(i: int, **extra: Any) -> dict[str, Any]:
    return {"entity_id": f"ord-{i}", "user_id": USER, "service_code": "tarot_reading", "request_id": REQ, **extra}


class CatalogTest(unittest.TestCase):
    def test_mirrors_the_database_catalog(self) -> None:
        rows = psql("""
            select json_agg(json_build_object('type', event_type, 'domain', event_domain, 'required', required_fields,
                                              'entity_type', entity_type, 'client', client_emittable))
            from (select distinct on (event_type) * from public.event_schema_versions order by event_type, version desc) c""")
        from_db = {r["type"]: (r["domain"], tuple(r["required"]), r["entity_type"], r["client"]) for r in json.loads(rows[0])}
        from_py = {t: (e.domain, e.required, e.entity_type, e.client_emittable) for t, e in CATALOG.items()}
        self.assertEqual(from_py, from_db)

    def test_types_every_catalog_event(self) -> None:
        overloads = typing.get_overloads(EmitAnalyticsEvent.__call__)
        self.assertEqual(len(overloads), len(CATALOG))
        order_created = next(o for o in overloads if "order_created" in str(o.__annotations__["event_type"]))
        defaults = order_created.__kwdefaults__ or {}
        self.assertEqual(defaults.keys() & {"entity_id", "user_id", "service_code"}, set())  # required: no default
        self.assertIn("country_code", defaults)


class EmitterTest(unittest.TestCase):
    def test_batches_to_the_real_function_and_stores_each_once(self) -> None:
        t = Emitter(batch_size=10)
        ids = [t.e.emit("order_created", **order(i)) for i in range(25)]
        ids.append(t.e.emit("payment_succeeded", entity_id="pay-1", provider="stripe", country_code="SA", amount_cents=5000, currency="SAR", request_id=REQ))
        ids.append(t.e.emit_analytics_event(event_type="horoscope_published", entity_id="hor-1", metadata={"zodiac_sign": "leo"}, request_id=REQ))
        t.e.close()
        self.assertEqual(t.errors, [])
        self.assertEqual(t.e.pending, 0)
        self.assertTrue(set(ids) <= stored_ids(REQ))

    def test_sends_on_its_interval_from_the_background_thread(self) -> None:
        t = Emitter(flush_interval=0.05)
        event_id = t.e.emit("notification_sent", entity_id="ntf-1", user_id=USER, provider="fcm", request_id=REQ)
        for _ in range(100):
            if event_id in stored_ids(REQ):
                break
            time.sleep(0.05)
        self.assertIn(event_id, stored_ids(REQ))
        t.e.close()
        self.assertEqual(t.errors, [])

    def test_stores_the_valid_rest_of_a_rejected_batch_and_reports_only_the_invalid_events(self) -> None:
        proxy = ingest_proxy()
        try:
            t = Emitter(url=proxy.url)
            ids: List[Optional[str]] = []
            for i in range(20):
                # A device clock 6 minutes fast, and a value that is an email address.
                extra: dict[str, Any] = {}
                if i == 3:
                    extra["event_timestamp"] = datetime.now(timezone.utc) + timedelta(minutes=6)
                if i == 11:
                    extra["metadata"] = {"note": "fatima.alharbi@example.com"}
                ids.append(t.e.emit("order_created", **order(i, **extra)))
            t.e.flush()
            self.assertEqual([(r.status, r.events) for r in proxy.requests], [(400, 20), (200, 18)])
            self.assertEqual(len(t.errors), 1)
            error = t.errors[0]
            self.assertEqual((error.status, error.code, error.dropped), (400, "invalid_events", True))
            self.assertEqual([e["event_id"] for e in error.events], [ids[3], ids[11]])
            self.assertEqual([(d["index"], d["path"]) for d in error.details], [(0, "event_timestamp"), (1, "metadata.note")])
            stored = stored_ids(REQ)
            self.assertTrue({x for i, x in enumerate(ids) if i not in (3, 11)} <= stored)
            self.assertFalse({ids[3], ids[11]} & stored)
        finally:
            proxy.close()

    def test_honours_retry_after_on_429(self) -> None:
        self.assertEqual(retry_after_seconds("3"), 3.0)
        self.assertGreater(retry_after_seconds(time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 10))) or 0, 8)
        self.assertIsNone(retry_after_seconds("soon"))
        proxy = ingest_proxy(lambda call: (429, "1") if call == 1 else "forward")
        try:
            t = Emitter(url=proxy.url)
            event_id = t.e.emit("order_created", **order(200))
            t.e.flush()
            self.assertEqual(proxy.statuses(), [429, 200])
            self.assertGreaterEqual(proxy.requests[1].at - proxy.requests[0].at, 0.95)
            self.assertEqual(t.errors, [])
            self.assertIn(event_id, stored_ids(REQ))
        finally:
            proxy.close()

    def test_retries_503_with_backoff_until_stored(self) -> None:
        proxy = ingest_proxy(lambda call: (503, None) if call <= 2 else "forward")
        try:
            t = Emitter(url=proxy.url)
            a = t.e.emit("call_started", entity_id="call-1", service_code="live_call", provider="twilio", request_id=REQ)
            b = t.e.emit("call_answered", entity_id="call-1", service_code="live_call", provider="twilio", request_id=REQ)
            t.e.flush()
            self.assertEqual(proxy.statuses(), [503, 503, 200])
            self.assertGreaterEqual(proxy.requests[2].at - proxy.requests[1].at, 0.02)
            self.assertEqual(t.errors, [])
            self.assertTrue({a, b} <= stored_ids(REQ))
        finally:
            proxy.close()

    def test_splits_a_batch_the_function_finds_too_large(self) -> None:
        proxy = ingest_proxy()
        try:
            t = Emitter(url=proxy.url)
            metadata = {f"part_{k}": "tarot " * 41 for k in range(12)}
            ids = [t.e.emit("order_created", **order(300 + i, metadata=metadata)) for i in range(500)]
            t.e.flush()
            self.assertEqual(t.errors, [])
            self.assertEqual([(r.status, r.events) for r in proxy.requests], [(413, 500), (200, 250), (200, 250)])
            self.assertTrue(set(ids) <= stored_ids(REQ))
        finally:
            proxy.close()

    def test_keeps_what_it_could_not_deliver_after_max_retries_for_the_next_flush(self) -> None:
        proxy = ingest_proxy(lambda call: (503, None) if call <= 3 else "forward")
        try:
            t = Emitter(url=proxy.url, max_retries=2, base_delay=0.005)
            event_id = t.e.emit("order_created", **order(900))
            t.e.flush()
            self.assertEqual([(x.status, x.dropped, len(x.events)) for x in t.errors], [(503, False, 1)])
            self.assertEqual(t.e.pending, 1)
            t.e.flush()
            self.assertEqual(t.e.pending, 0)
            self.assertIn(event_id, stored_ids(REQ))
        finally:
            proxy.close()

    def test_close_is_bounded_and_reports_what_a_memory_queue_could_not_send(self) -> None:
        proxy = ingest_proxy(lambda call: "hang")
        try:
            t = Emitter(url=proxy.url)
            t.e.emit("order_created", **order(901))
            started = time.monotonic()
            t.e.close(timeout=0.3)
            self.assertLess(time.monotonic() - started, 5)
            self.assertEqual([(x.code, x.dropped, len(x.events)) for x in t.errors], [("emitter_closed", True, 1)])
        finally:
            proxy.close()

    def test_never_raises(self) -> None:
        def boom(error: EmitterError) -> None:
            raise RuntimeError("boom")

        e = AnalyticsEmitter("http://127.0.0.1:9/x", "t", flush_interval=0, max_retries=0, on_error=boom, flush_at_exit=False)
        with self.assertLogs("samia_analytics", "ERROR") as logged:
            self.assertIsNone(e.emit("order_created", **order(1, metadata={"when": object()})))  # not JSON
            self.assertIsNotNone(e.emit("order_created", **order(2)))
            e.close()
            self.assertIsNone(e.emit("order_created", **order(3)))
        self.assertEqual(len(logged.records), 4)  # emit_failed, network_error, emitter_closed twice: each handler failure logged


class SeedUseCaseTest(unittest.TestCase):
    def test_emit_analytics_event_as_the_seed_calls_it(self) -> None:
        errors: List[EmitterError] = []
        emitter = configure(INGEST_URL, SECRET_KEY, flush_interval=0, on_error=errors.append, flush_at_exit=False)
        order_id, country = 4711, "SA"
        event_id = emit_analytics_event(
            event_domain="orders",
            event_type="order_created",
            user_id=USER,
            entity_type="order",
            entity_id=str(order_id),
            status="new",
            service_code="tarot_reading",
            country_code=country,
            request_id=REQ,
            metadata={"is_gold": True},
        )

        async def handler() -> Optional[str]:
            return await emit_analytics_event_async(
                event_domain="orders", event_type="order_created", user_id=USER, entity_type="order",
                entity_id=str(order_id + 1), status="new", service_code="tarot_reading", country_code=country,
                request_id=REQ, metadata={"is_gold": False})

        async_id = asyncio.run(handler())
        emitter.close()
        self.assertEqual(errors, [])
        self.assertTrue({event_id, async_id} <= stored_ids(REQ))
        row = psql(f"select entity_type || ' ' || status || ' ' || (metadata->>'is_gold') from public.events_raw where event_id = '{event_id}'")
        self.assertEqual(row, ["order new true"])


def run_process(mode: str, url: str, count: int, queue_file: str = "") -> subprocess.Popen[str]:
    env = {**os.environ, "MODE": mode, "INGEST_URL": url, "TOKEN": SECRET_KEY, "QUEUE_FILE": queue_file,
           "COUNT": str(count), "REQUEST_ID": REQ, "USER_ID": USER}
    return subprocess.Popen([sys.executable, os.path.join(HERE, "emitter_process.py")], env=env, stdout=subprocess.PIPE, text=True)


def queued_ids(process: subprocess.Popen[str]) -> List[str]:
    assert process.stdout is not None
    line = process.stdout.readline()
    process.stdout.close()
    assert line.startswith("queued "), line
    return list(json.loads(line[len("queued "):]))


class ProcessEndTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="py-emitter-")

    def tearDown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_a_file_queue_survives_a_process_killed_mid_send(self) -> None:
        queue_file = os.path.join(self.tmp, "queue.jsonl")
        black_hole = ingest_proxy(lambda call: "hang")
        process = run_process("crash", black_hole.url, 30, queue_file)
        try:
            ids = queued_ids(process)
            for _ in range(400):
                if len(black_hole.requests) >= 1:
                    break
                time.sleep(0.025)
            self.assertGreaterEqual(len(black_hole.requests), 1)  # a batch in flight
            process.send_signal(signal.SIGKILL)
            self.assertEqual(process.wait(10), -signal.SIGKILL)
            # A line torn by a crash mid-write is skipped when the file is read back.
            with open(queue_file, "a", encoding="utf-8") as f:
                f.write('{"add":[{"event_id":"0ab')

            t = Emitter(store=FileQueueStore(queue_file))
            t.e.close()
            self.assertEqual(t.errors, [])
            self.assertTrue(set(ids) <= stored_ids(REQ))
            with open(queue_file, encoding="utf-8") as f:
                self.assertEqual(f.read(), "")
            self.assertFalse(os.path.exists(queue_file + ".lock"))
        finally:
            process.kill()
            process.wait()
            black_hole.close()

    def test_one_emitter_per_queue_file(self) -> None:
        queue_file = os.path.join(self.tmp, "locked.jsonl")
        store = FileQueueStore(queue_file)
        with self.assertRaisesRegex(RuntimeError, "in use by process"):
            FileQueueStore(queue_file)
        store.close()
        FileQueueStore(queue_file).close()

    def test_flushes_at_interpreter_exit(self) -> None:
        process = run_process("exit", INGEST_URL, 15)
        ids = queued_ids(process)
        self.assertEqual(process.wait(30), 0)
        self.assertTrue(set(ids) <= stored_ids(REQ))


if __name__ == "__main__":
    unittest.main()

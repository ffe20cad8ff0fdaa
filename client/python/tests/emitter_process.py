"""A Python process with an emitter, for the tests of what happens when a process ends
(test_emitter.py). Settings come from the environment:

    MODE=crash   file store at QUEUE_FILE, starts sending (the test kills it with SIGKILL mid-send)
    MODE=exit    memory store; the script just ends (atexit flushes)

It emits COUNT order_created events tagged REQUEST_ID and prints "queued <ids as JSON>".
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from samia_analytics import AnalyticsEmitter, FileQueueStore  # noqa: E402

mode, count = os.environ["MODE"], int(os.environ["COUNT"])
emitter = AnalyticsEmitter(
    os.environ["INGEST_URL"],
    os.environ["TOKEN"],
    flush_interval=0,
    batch_size=10 if mode == "crash" else 1000,
    store=FileQueueStore(os.environ["QUEUE_FILE"]) if mode == "crash" else None,
)
ids = [
    emitter.emit_analytics_event(event_type="order_created", entity_id=f"ord-{i}", user_id=os.environ["USER_ID"],
                                 service_code="tarot_reading", request_id=os.environ["REQUEST_ID"])
    for i in range(count)
]
print("queued " + json.dumps(ids), flush=True)
if mode == "crash":
    time.sleep(120)

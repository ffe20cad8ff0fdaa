"""The process-wide emitter behind ``emit_analytics_event(...)``, the seed's one-call form.

``configure(url, token, ...)`` sets it up; without it, the first call configures it from the
environment (SUPABASE_URL and SUPABASE_SECRET_KEY, as a Supabase backend has them). Missing both,
the call logs an error and drops the event: it never raises into a request path.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Optional

from .catalog import EmitAnalyticsEvent
from .emitter import AnalyticsEmitter, Token, log

_default: Optional[AnalyticsEmitter] = None
_default_lock = threading.Lock()


def configure(url: str, token: Token, **options: Any) -> AnalyticsEmitter:
    """Creates the process-wide emitter (closing one configured before); options as AnalyticsEmitter's."""
    global _default
    with _default_lock:
        previous, _default = _default, AnalyticsEmitter(url, token, **options)
    if previous is not None:
        previous.close()
    return _default


def default_emitter() -> Optional[AnalyticsEmitter]:
    """The process-wide emitter, configured from the environment on first use if need be."""
    global _default
    with _default_lock:
        if _default is None:
            base, key = os.environ.get("SUPABASE_URL"), os.environ.get("SUPABASE_SECRET_KEY")
            if not base or not key:
                log.error("analytics: call configure(url, token) or set SUPABASE_URL and SUPABASE_SECRET_KEY; event dropped")
                return None
            _default = AnalyticsEmitter(f"{base.rstrip('/')}/functions/v1/ingest", key)
        return _default


def _emit(*, event_type: str, **fields: Any) -> Optional[str]:
    emitter = default_emitter()
    return None if emitter is None else emitter.emit(event_type, **fields)


emit_analytics_event: EmitAnalyticsEvent = _emit
"""Queues one event on the process-wide emitter; returns its event_id (None if it was dropped).
Never raises and never waits for the network."""


async def emit_analytics_event_async(*, event_type: str, **fields: Any) -> Optional[str]:
    """The seed's ``await emit_analytics_event(...)`` form: the same call (it only queues)."""
    return _emit(event_type=event_type, **fields)

"""SAMIA-TAROT analytics emitter for Python backends (standard library only).

    from samia_analytics import emit_analytics_event
    emit_analytics_event(event_type="order_created", entity_id="42", user_id=..., service_code="tarot_reading")

See client/python/README.md.
"""

from .catalog import CATALOG, EmitAnalyticsEvent, EventDomain, EventType, Metadata, MetadataValue, ZodiacSign
from .default import configure, default_emitter, emit_analytics_event, emit_analytics_event_async
from .emitter import AnalyticsEmitter, EmitterError, build_event, retry_after_seconds
from .event_id import EventIdGenerator, new_event_id
from .queue_store import FileQueueStore, MemoryQueueStore, QueueStore

__all__ = [
    "CATALOG",
    "AnalyticsEmitter",
    "EmitAnalyticsEvent",
    "EmitterError",
    "EventDomain",
    "EventIdGenerator",
    "EventType",
    "FileQueueStore",
    "MemoryQueueStore",
    "Metadata",
    "MetadataValue",
    "QueueStore",
    "ZodiacSign",
    "build_event",
    "configure",
    "default_emitter",
    "emit_analytics_event",
    "emit_analytics_event_async",
    "new_event_id",
    "retry_after_seconds",
]

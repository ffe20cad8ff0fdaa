# The event catalog for the Python emitter. GENERATED from public.event_schema_versions by
# `npm run generate:python-catalog` (scripts/python-catalog.ts): do not edit by hand.
# tests/ingest/python-catalog.test.ts fails when this file and the database catalog differ.
from __future__ import annotations

from datetime import datetime
from typing import Dict, Literal, Mapping, NamedTuple, Optional, Protocol, Tuple, TypedDict, Union, overload

EventType = Literal["appeal_submitted", "call_answered", "call_dropped", "call_ended", "call_started", "content_flagged", "horoscope_approved", "horoscope_listened", "horoscope_published", "horoscope_rejected", "horoscope_uploaded", "moderation_decision", "notification_delivered", "notification_opened", "notification_opted_out", "notification_sent", "order_approved", "order_assigned", "order_cancelled", "order_completed", "order_created", "order_rejected", "order_submitted", "payment_attempted", "payment_failed", "payment_succeeded", "refund_issued"]
EventDomain = Literal["calls", "content", "moderation", "notifications", "orders", "payments"]
ZodiacSign = Literal["aries", "taurus", "gemini", "cancer", "leo", "virgo", "libra", "scorpio", "sagittarius", "capricorn", "aquarius", "pisces"]

MetadataValue = Union[str, int, float, bool, None]
"""Metadata is flat: scalars only, and never personal data (the ingest function rejects it)."""
Metadata = Mapping[str, MetadataValue]


class CatalogEntry(NamedTuple):
    domain: str
    entity_type: Optional[str]
    required: Tuple[str, ...]
    metadata: Dict[str, Tuple[str, bool]]
    """Declared metadata keys: key -> (type, required)."""
    status_values: Optional[Tuple[str, ...]]
    client_emittable: bool


CATALOG: Dict[str, CatalogEntry] = {
    "appeal_submitted": CatalogEntry(
        domain="moderation",
        entity_type=None,
        required=("entity_type", "entity_id", "user_id"),
        metadata={},
        status_values=None,
        client_emittable=True,
    ),
    "call_answered": CatalogEntry(
        domain="calls",
        entity_type="call",
        required=("entity_id", "service_code", "provider"),
        metadata={},
        status_values=None,
        client_emittable=False,
    ),
    "call_dropped": CatalogEntry(
        domain="calls",
        entity_type="call",
        required=("entity_id", "service_code", "provider"),
        metadata={},
        status_values=None,
        client_emittable=False,
    ),
    "call_ended": CatalogEntry(
        domain="calls",
        entity_type="call",
        required=("entity_id", "service_code", "provider", "duration_seconds"),
        metadata={"recorded": ("boolean", False)},
        status_values=None,
        client_emittable=False,
    ),
    "call_started": CatalogEntry(
        domain="calls",
        entity_type="call",
        required=("entity_id", "service_code", "provider"),
        metadata={},
        status_values=None,
        client_emittable=False,
    ),
    "content_flagged": CatalogEntry(
        domain="moderation",
        entity_type=None,
        required=("entity_type", "entity_id"),
        metadata={},
        status_values=None,
        client_emittable=True,
    ),
    "horoscope_approved": CatalogEntry(
        domain="content",
        entity_type="horoscope",
        required=("entity_id",),
        metadata={"zodiac_sign": ("zodiac_sign", True)},
        status_values=None,
        client_emittable=False,
    ),
    "horoscope_listened": CatalogEntry(
        domain="content",
        entity_type="horoscope",
        required=("entity_id", "user_id"),
        metadata={"listen_percent": ("percent", True), "zodiac_sign": ("zodiac_sign", False)},
        status_values=None,
        client_emittable=True,
    ),
    "horoscope_published": CatalogEntry(
        domain="content",
        entity_type="horoscope",
        required=("entity_id",),
        metadata={"zodiac_sign": ("zodiac_sign", True)},
        status_values=None,
        client_emittable=False,
    ),
    "horoscope_rejected": CatalogEntry(
        domain="content",
        entity_type="horoscope",
        required=("entity_id",),
        metadata={"zodiac_sign": ("zodiac_sign", True)},
        status_values=None,
        client_emittable=False,
    ),
    "horoscope_uploaded": CatalogEntry(
        domain="content",
        entity_type="horoscope",
        required=("entity_id",),
        metadata={"zodiac_sign": ("zodiac_sign", True)},
        status_values=None,
        client_emittable=False,
    ),
    "moderation_decision": CatalogEntry(
        domain="moderation",
        entity_type=None,
        required=("entity_type", "entity_id", "status"),
        metadata={},
        status_values=("approved", "rejected"),
        client_emittable=False,
    ),
    "notification_delivered": CatalogEntry(
        domain="notifications",
        entity_type="notification",
        required=("entity_id", "user_id"),
        metadata={},
        status_values=None,
        client_emittable=False,
    ),
    "notification_opened": CatalogEntry(
        domain="notifications",
        entity_type="notification",
        required=("entity_id", "user_id"),
        metadata={},
        status_values=None,
        client_emittable=True,
    ),
    "notification_opted_out": CatalogEntry(
        domain="notifications",
        entity_type="notification",
        required=("user_id",),
        metadata={},
        status_values=None,
        client_emittable=True,
    ),
    "notification_sent": CatalogEntry(
        domain="notifications",
        entity_type="notification",
        required=("entity_id", "user_id"),
        metadata={},
        status_values=None,
        client_emittable=False,
    ),
    "order_approved": CatalogEntry(
        domain="orders",
        entity_type="order",
        required=("entity_id", "service_code"),
        metadata={},
        status_values=None,
        client_emittable=False,
    ),
    "order_assigned": CatalogEntry(
        domain="orders",
        entity_type="order",
        required=("entity_id", "service_code"),
        metadata={"reader_id": ("uuid", True)},
        status_values=None,
        client_emittable=False,
    ),
    "order_cancelled": CatalogEntry(
        domain="orders",
        entity_type="order",
        required=("entity_id", "service_code"),
        metadata={},
        status_values=None,
        client_emittable=False,
    ),
    "order_completed": CatalogEntry(
        domain="orders",
        entity_type="order",
        required=("entity_id", "service_code"),
        metadata={},
        status_values=None,
        client_emittable=False,
    ),
    "order_created": CatalogEntry(
        domain="orders",
        entity_type="order",
        required=("entity_id", "user_id", "service_code"),
        metadata={},
        status_values=None,
        client_emittable=False,
    ),
    "order_rejected": CatalogEntry(
        domain="orders",
        entity_type="order",
        required=("entity_id", "service_code"),
        metadata={},
        status_values=None,
        client_emittable=False,
    ),
    "order_submitted": CatalogEntry(
        domain="orders",
        entity_type="order",
        required=("entity_id", "service_code"),
        metadata={},
        status_values=None,
        client_emittable=False,
    ),
    "payment_attempted": CatalogEntry(
        domain="payments",
        entity_type="payment",
        required=("entity_id", "provider", "country_code", "amount_cents", "currency"),
        metadata={"is_fallback": ("boolean", False)},
        status_values=None,
        client_emittable=False,
    ),
    "payment_failed": CatalogEntry(
        domain="payments",
        entity_type="payment",
        required=("entity_id", "provider", "country_code", "currency"),
        metadata={},
        status_values=None,
        client_emittable=False,
    ),
    "payment_succeeded": CatalogEntry(
        domain="payments",
        entity_type="payment",
        required=("entity_id", "provider", "country_code", "amount_cents", "currency"),
        metadata={},
        status_values=None,
        client_emittable=False,
    ),
    "refund_issued": CatalogEntry(
        domain="payments",
        entity_type="payment",
        required=("entity_id", "provider", "country_code", "amount_cents", "currency"),
        metadata={},
        status_values=None,
        client_emittable=False,
    ),
}


class CallEndedMetadata(TypedDict, total=False):
    recorded: bool


class HoroscopeApprovedMetadata(TypedDict):
    zodiac_sign: ZodiacSign


class _HoroscopeListenedMetadataRequired(TypedDict):
    listen_percent: int


class HoroscopeListenedMetadata(_HoroscopeListenedMetadataRequired, total=False):
    zodiac_sign: ZodiacSign


class HoroscopePublishedMetadata(TypedDict):
    zodiac_sign: ZodiacSign


class HoroscopeRejectedMetadata(TypedDict):
    zodiac_sign: ZodiacSign


class HoroscopeUploadedMetadata(TypedDict):
    zodiac_sign: ZodiacSign


class OrderAssignedMetadata(TypedDict):
    reader_id: str


class PaymentAttemptedMetadata(TypedDict, total=False):
    is_fallback: bool


class EmitAnalyticsEvent(Protocol):
    """emit_analytics_event(event_type=..., **fields): the catalog's required fields are required."""

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["appeal_submitted"],
        event_domain: Literal["moderation"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: str,
        entity_type: str,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: Optional[str] = ...,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["call_answered"],
        event_domain: Literal["calls"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["call"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: str,
        service_code: str,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["call_dropped"],
        event_domain: Literal["calls"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["call"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: str,
        service_code: str,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["call_ended"],
        event_domain: Literal["calls"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["call"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: str,
        service_code: str,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: int,
        request_id: Optional[str] = ...,
        metadata: Optional[CallEndedMetadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["call_started"],
        event_domain: Literal["calls"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["call"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: str,
        service_code: str,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["content_flagged"],
        event_domain: Literal["moderation"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: str,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: Optional[str] = ...,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["horoscope_approved"],
        event_domain: Literal["content"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["horoscope"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: Optional[str] = ...,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: HoroscopeApprovedMetadata,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["horoscope_listened"],
        event_domain: Literal["content"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: str,
        entity_type: Optional[Literal["horoscope"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: Optional[str] = ...,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: HoroscopeListenedMetadata,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["horoscope_published"],
        event_domain: Literal["content"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["horoscope"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: Optional[str] = ...,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: HoroscopePublishedMetadata,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["horoscope_rejected"],
        event_domain: Literal["content"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["horoscope"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: Optional[str] = ...,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: HoroscopeRejectedMetadata,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["horoscope_uploaded"],
        event_domain: Literal["content"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["horoscope"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: Optional[str] = ...,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: HoroscopeUploadedMetadata,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["moderation_decision"],
        event_domain: Literal["moderation"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: str,
        entity_id: str,
        status: Literal["approved", "rejected"],
        provider: Optional[str] = ...,
        service_code: Optional[str] = ...,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["notification_delivered"],
        event_domain: Literal["notifications"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: str,
        entity_type: Optional[Literal["notification"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: Optional[str] = ...,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["notification_opened"],
        event_domain: Literal["notifications"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: str,
        entity_type: Optional[Literal["notification"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: Optional[str] = ...,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["notification_opted_out"],
        event_domain: Literal["notifications"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: str,
        entity_type: Optional[Literal["notification"]] = ...,
        entity_id: Optional[str] = ...,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: Optional[str] = ...,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["notification_sent"],
        event_domain: Literal["notifications"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: str,
        entity_type: Optional[Literal["notification"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: Optional[str] = ...,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["order_approved"],
        event_domain: Literal["orders"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["order"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: str,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["order_assigned"],
        event_domain: Literal["orders"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["order"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: str,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: OrderAssignedMetadata,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["order_cancelled"],
        event_domain: Literal["orders"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["order"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: str,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["order_completed"],
        event_domain: Literal["orders"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["order"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: str,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["order_created"],
        event_domain: Literal["orders"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: str,
        entity_type: Optional[Literal["order"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: str,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["order_rejected"],
        event_domain: Literal["orders"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["order"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: str,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["order_submitted"],
        event_domain: Literal["orders"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["order"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: Optional[str] = ...,
        service_code: str,
        country_code: Optional[str] = ...,
        amount_cents: Optional[int] = ...,
        currency: Optional[str] = ...,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["payment_attempted"],
        event_domain: Literal["payments"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["payment"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: str,
        service_code: Optional[str] = ...,
        country_code: str,
        amount_cents: int,
        currency: str,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[PaymentAttemptedMetadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["payment_failed"],
        event_domain: Literal["payments"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["payment"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: str,
        service_code: Optional[str] = ...,
        country_code: str,
        amount_cents: Optional[int] = ...,
        currency: str,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["payment_succeeded"],
        event_domain: Literal["payments"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["payment"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: str,
        service_code: Optional[str] = ...,
        country_code: str,
        amount_cents: int,
        currency: str,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    @overload
    def __call__(
        self,
        *,
        event_type: Literal["refund_issued"],
        event_domain: Literal["payments"] = ...,
        event_id: Optional[str] = ...,
        event_timestamp: Optional[Union[str, datetime]] = ...,
        user_id: Optional[str] = ...,
        entity_type: Optional[Literal["payment"]] = ...,
        entity_id: str,
        status: Optional[str] = ...,
        provider: str,
        service_code: Optional[str] = ...,
        country_code: str,
        amount_cents: int,
        currency: str,
        duration_seconds: Optional[int] = ...,
        request_id: Optional[str] = ...,
        metadata: Optional[Metadata] = ...,
    ) -> Optional[str]: ...

    def __call__(self, *, event_type: str, **fields: object) -> Optional[str]: ...

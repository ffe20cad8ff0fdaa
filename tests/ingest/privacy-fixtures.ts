// Labelled fixtures for the privacy filter: personal data that must be caught, and ordinary
// analytics values (ids, codes, versions, dates, amounts) that must pass.
import type { PiiKind } from "../../supabase/functions/_shared/privacy.ts";

export type PiiValueFixture = { label: string; value: string | number; kind: PiiKind };
export type CleanValueFixture = { label: string; value: string | number | boolean | null };

export const PII_VALUES: PiiValueFixture[] = [
  { label: "plain email", value: "fatima.alharbi@example.com", kind: "email address" },
  { label: "email with plus tag", value: "user+tarot@mail.example.org", kind: "email address" },
  { label: "email inside a sentence", value: "contact me at Reader.One@Example.SA please", kind: "email address" },
  { label: "upper-case email", value: "JOHN_DOE@EXAMPLE.CO.UK", kind: "email address" },
  { label: "Saudi mobile, international", value: "+966 50 123 4567", kind: "phone number" },
  { label: "Saudi mobile, compact", value: "+966501234567", kind: "phone number" },
  { label: "Saudi mobile, 00 prefix", value: "00966 55 987 6543", kind: "phone number" },
  { label: "Saudi mobile, national", value: "050 123 4567", kind: "phone number" },
  { label: "Saudi mobile, national compact", value: "0551234567", kind: "phone number" },
  { label: "US with parentheses", value: "(555) 123-4567", kind: "phone number" },
  { label: "US dashed", value: "555-123-4567", kind: "phone number" },
  { label: "US dotted", value: "555.123.4567", kind: "phone number" },
  { label: "US international", value: "+1 (415) 555-2671", kind: "phone number" },
  { label: "UK international", value: "+44 20 7946 0958", kind: "phone number" },
  { label: "UAE international dashed", value: "+971-4-123-4567", kind: "phone number" },
  { label: "Egypt international", value: "+20 10 1234 5678", kind: "phone number" },
  { label: "phone inside text", value: "call +33 6 12 34 56 78 tomorrow", kind: "phone number" },
  { label: "IPv4", value: "192.168.1.20", kind: "IP address" },
  { label: "public IPv4", value: "8.8.8.8", kind: "IP address" },
  { label: "IPv4 with port", value: "203.0.113.7:443", kind: "IP address" },
  { label: "IPv6 full", value: "2001:0db8:85a3:0000:0000:8a2e:0370:7334", kind: "IP address" },
  { label: "IPv6 compressed", value: "2001:db8::ff00:42:8329", kind: "IP address" },
  { label: "IPv6 loopback", value: "::1", kind: "IP address" },
  { label: "IPv4-mapped IPv6", value: "::ffff:192.0.2.128", kind: "IP address" },
  { label: "IPv6 link-local in text", value: "peer fe80::1ff:fe23:4567:890a connected", kind: "IP address" },
  { label: "Visa test card", value: "4111111111111111", kind: "card number" },
  { label: "Visa with spaces", value: "4111 1111 1111 1111", kind: "card number" },
  { label: "Mastercard with dashes", value: "5555-5555-5555-4444", kind: "card number" },
  { label: "Amex", value: "378282246310005", kind: "card number" },
  { label: "Discover", value: "6011111111111117", kind: "card number" },
  { label: "Mastercard 2-series", value: "2223003122003222", kind: "card number" },
  { label: "card as JSON number", value: 4242424242424242, kind: "card number" },
  { label: "card inside text", value: "paid with 4000 0566 5566 5556 ok", kind: "card number" },
];

/** Metadata keys that name personal data (any case or separator). */
export const PII_KEYS: string[] = [
  "email", "Email", "e_mail", "e-mail", "emailAddress", "user_email", "contact-email",
  "phone", "phone_number", "phoneNumber", "mobile", "tel", "telephone", "home_phone", "msisdn",
  "name", "first_name", "firstName", "last_name", "LastName", "full_name", "fullName", "surname", "user_name", "display-name", "reader_name",
  "address", "street", "street_address", "home_address", "postcode", "zip_code",
  "ip", "IP", "ip_address", "ipAddress", "client_ip", "ipv6", "user_agent", "userAgent", "User-Agent",
  "ssn", "card", "card_number", "cardNumber", "credit_card", "iban", "IBAN", "cvv",
  "dob", "date_of_birth", "birthdate", "birth_date", "birthday", "birthYear", "passport_number", "password",
];

export const CLEAN_VALUES: CleanValueFixture[] = [
  { label: "uuid (reader id with digit runs)", value: "00000000-0000-4000-8000-000000000004" },
  { label: "uuid upper case", value: "9F1C2D3E-4B5A-4C6D-8E7F-112233445566" },
  { label: "uuid with many digits", value: "12345678-1234-4123-8123-123456789012" },
  { label: "order id", value: "ord-1001" },
  { label: "long numeric order id", value: "order-000123456789" },
  { label: "horoscope id with a date", value: "hor-2026-11-25-leo" },
  { label: "ISO date", value: "2026-11-25" },
  { label: "ISO timestamp", value: "2026-11-25T10:15:30+03:00" },
  { label: "clock time", value: "12:30:45" },
  { label: "app version", value: "4.12.0" },
  { label: "build number", value: "20261125" },
  { label: "epoch milliseconds", value: 1764065730123 },
  { label: "epoch milliseconds as text", value: "1764065730123" },
  { label: "amount", value: 5000 },
  { label: "percent", value: 87 },
  { label: "service code", value: "tarot_reading" },
  { label: "provider", value: "stripe" },
  { label: "zodiac sign", value: "sagittarius" },
  { label: "tarot card", value: "The Tower" },
  { label: "boolean", value: true },
  { label: "null", value: null },
  { label: "short digit run", value: "12345" },
  { label: "16 digits failing Luhn", value: "4111111111111112" },
  { label: "13-digit number starting with 1", value: "1234567890123" },
  { label: "stripe charge id", value: "ch_3NqFh2LkdIwHu7ix0c1b2d3e" },
  { label: "sentence", value: "user opened the daily horoscope from the home screen" },
  { label: "at sign without domain", value: "@reader_team" },
  { label: "ratio text", value: "3:4" },
  { label: "decimal", value: "1234.56" },
  { label: "hex hash", value: "9b74c9897bac770ffc029102a200c5de" },
  { label: "currency and amount", value: "SAR 150.00" },
];

/** Metadata keys that look close to personal data but are not. */
export const CLEAN_KEYS: string[] = [
  "reader_id", "zodiac_sign", "listen_percent", "is_fallback", "recorded", "plan", "plan_name",
  "screen", "source", "campaign", "card_drawn", "tarot_card", "spread", "language", "app_version",
  "platform", "retry_count", "experiment_variant", "ship_method", "timezone_offset",
];

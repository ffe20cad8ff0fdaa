// The privacy filter: events must carry no personal data (docs/design.md §6, §8, §12). Flags metadata
// keys that name personal data, and values and keys that look like it in any script's digits and in
// full-width forms (pii-normalise.ts). Findings name the field and the kind of data, never the text
// itself (a key that is personal data is named by its position), so error responses and logs
// cannot leak what was caught.
import { hasNonAscii, normaliseForPii } from "./pii-normalise.ts";

export type PiiKind = "email address" | "phone number" | "IP address" | "card number";

const UUID_GLOBAL_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

// --- keys -------------------------------------------------------------------------------------

/** Whole-key matches after normalisation (separators removed): `first-Name` → `firstname`. */
const PII_KEYS_COMPACT = new Set([
  "name", "firstname", "lastname", "fullname", "middlename", "surname", "givenname", "familyname",
  "maidenname", "username", "displayname", "nickname", "realname", "legalname", "contactname",
  "customername", "clientname", "readername", "personname",
  "email", "emailaddress", "mail", "phone", "phonenumber", "mobile", "mobilenumber", "tel",
  "telephone", "msisdn", "fax", "whatsapp",
  "address", "streetaddress", "homeaddress", "billingaddress", "shippingaddress", "street",
  "postcode", "postalcode", "zip", "zipcode", "latitude", "longitude", "lat", "lng", "geolocation",
  "ip", "ipaddress", "ipv4", "ipv6", "remoteaddr", "clientip", "useragent", "ua",
  "ssn", "socialsecuritynumber", "nationalid", "passport", "passportnumber", "taxid", "driverslicense",
  "card", "cardnumber", "creditcard", "debitcard", "pan", "cvv", "cvc", "iban", "accountnumber",
  "dob", "dateofbirth", "birthdate", "birthday", "birthplace", "password",
]);

/** Key tokens that name personal data wherever they appear (`home_phone`, `email_hash`). */
const PII_TOKENS = new Set([
  "email", "emails", "phone", "phones", "mobile", "msisdn", "telephone", "ip", "ipv4", "ipv6",
  "ssn", "iban", "dob", "address", "addr", "street", "postcode", "zipcode", "passport", "useragent",
  "surname", "firstname", "lastname", "fullname", "username", "password", "cvv", "cvc",
]);

/** `name` and `card` alone are too common (tarot cards, plan names): flag them with a person or payment qualifier. */
const NAME_QUALIFIERS = new Set([
  "first", "last", "full", "middle", "given", "family", "maiden", "user", "display", "nick", "real",
  "legal", "contact", "customer", "client", "reader", "person", "owner", "holder", "cardholder",
]);
const CARD_QUALIFIERS = new Set(["number", "no", "num", "pan", "holder", "cvv", "cvc", "expiry", "exp", "credit", "debit", "bank"]);

/** Splits a key into lower-case tokens: camelCase, kebab-case, dots and spaces all separate. */
function keyTokens(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

// Metadata keys repeat across events and batches: remember verdicts (bounded, so hostile
// senders cannot grow it without limit).
type KeyVerdict = { namesPii: boolean; kind: PiiKind | null };
const keyVerdicts = new Map<string, KeyVerdict>();
const MAX_REMEMBERED_KEYS = 4096;

function keyVerdict(key: string): KeyVerdict {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    verdict = { namesPii: keyNamesPii(normaliseForPii(key)), kind: piiKindOfValue(key) };
    if (keyVerdicts.size >= MAX_REMEMBERED_KEYS) keyVerdicts.clear();
    keyVerdicts.set(key, verdict);
  }
  return verdict;
}

/** True when a key names personal data (`email`, `ｐｈｏｎｅ`, `first-Name`). */
export const isPiiKey = (key: string): boolean => keyVerdict(key).namesPii;

/** The kind of personal data a key's own text looks like (`+966501234567` as a key), or null. */
export const piiKindOfKey = (key: string): PiiKind | null => keyVerdict(key).kind;

/**
 * How an error path names an object key: `parent.key` (or `key` at the top level), or, when the
 * key's own text is personal data, its 0-based position among the object's keys: `parent[key N]`
 * (`[key N]` at the top level), so the response never repeats it.
 */
export function keyPath(key: string, position: number, parent?: string): string {
  if (piiKindOfKey(key) !== null) return `${parent ?? ""}[key ${position}]`;
  return parent ? `${parent}.${key}` : key;
}

function keyNamesPii(key: string): boolean {
  const tokens = keyTokens(key);
  const compact = tokens.join("");
  if (PII_KEYS_COMPACT.has(compact)) return true;
  if (/^e_?mail/.test(tokens.join("_")) || compact.includes("email")) return true;
  if (compact.includes("phonenumber") || compact.includes("ipaddress") || compact.includes("cardnumber")) return true;
  return tokens.some((t, i) => {
    if (PII_TOKENS.has(t) || t.startsWith("birth")) return true;
    const neighbours = [tokens[i - 1], tokens[i + 1]];
    if (t === "name") return neighbours.some((n) => n !== undefined && NAME_QUALIFIERS.has(n));
    if (t === "card") return neighbours.some((n) => n !== undefined && CARD_QUALIFIERS.has(n));
    return false;
  });
}

// --- values -----------------------------------------------------------------------------------

// An address at a given @ (sticky: tried at each @ of the text, so a long run of letters before
// an @ that turns out not to be an address is read once, not once per starting letter).
const EMAIL_AT_RE = /(?<=[a-z0-9._%+-])@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/iy;
// Internationalised addresses (RFC 6531): letters and digits of any script in the local part and
// the domain labels (`فاطمة@مثال.السعودية`, `josé@bücher.de`); for text that is not ASCII.
const INTL_EMAIL_AT_RE = /(?<=[\p{L}\p{M}\p{N}._%+-])@[\p{L}\p{M}\p{N}-]+(?:\.[\p{L}\p{M}\p{N}-]+)*\.[\p{L}\p{M}]{2,}/uy;
const IPV4_RE = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.])/;
// +966 50 123 4567, +1 (555) 123-4567, 0044 20 7946 0958: a + or 00 prefix, then 8..15 digits.
const INTL_PHONE_RE = /(?<![\w+-])(?:\+|00)[1-9][\d\s().\-/]{6,20}\d(?!\w)/;
// The same number with its + typed last, as right-to-left input often leaves it: 966501234567+
// (at least 10 digits: counts such as "10000000+" are not numbers to call)
const PLUS_LAST_PHONE_RE = /(?<![\w+-])[1-9][\d\s().\-/]{6,20}\d\+(?![\w+])/;
// (555) 123-4567, 555-123-4567, 555.123.4567, 555 123 4567
const NANP_PHONE_RE = /(?<!\w)(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\w)/;
// National numbers with a trunk 0: 050 123 4567, 0501234567, 020 7946 0958
const TRUNK_PHONE_RE = /(?<![\w-])0[1-9]\d(?:[\s.-]?\d){7,8}(?![\w-])/;
// 13..19 digits, optionally grouped by single spaces or dashes; the first digit is a network's (2..6).
const CARD_CANDIDATE_RE = /(?<![\d-])[2-6](?:[ -]?\d){12,18}(?![\d-])/g;
const IPV6_CANDIDATE_RE = /[0-9a-f]*:[0-9a-f:.]*:[0-9a-f:.%]*/gi;

function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function isIpv6(candidate: string): boolean {
  const c = candidate.replace(/%.*$/, "");
  if (c.split(":").length < 3) return false;
  try {
    new URL(`http://[${c}]/`);
    return true;
  } catch {
    return false;
  }
}

/** An international number (E.164: at most 15 digits) matched by `re`. */
function hasIntlPhone(s: string, re: RegExp, minDigits = 8): boolean {
  const m = re.exec(s);
  if (!m) return false;
  const n = digitCount(m[0]);
  return n >= minDigits && n <= 15;
}

function looksLikePhone(s: string): boolean {
  if (hasIntlPhone(s, INTL_PHONE_RE)) return true;
  if (s.includes("+") && hasIntlPhone(s, PLUS_LAST_PHONE_RE, 10)) return true;
  return NANP_PHONE_RE.test(s) || TRUNK_PHONE_RE.test(s);
}

function hasEmail(s: string, atRe: RegExp): boolean {
  for (let at = s.indexOf("@"); at !== -1; at = s.indexOf("@", at + 1)) {
    atRe.lastIndex = at;
    if (atRe.test(s)) return true;
  }
  return false;
}

function looksLikeCard(s: string): boolean {
  for (const m of s.matchAll(CARD_CANDIDATE_RE)) {
    const digits = m[0].replace(/[ -]/g, "");
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return true;
  }
  return false;
}

// Text that can hold personal data has an ASCII digit or @, or something that may fold into one.
const MAYBE_PII_RE = /[\d@\u0080-\uffff]/;
const ASCII_DIGIT_OR_AT_RE = /[\d@]/;

/** The kind of personal data a scalar value looks like, or null. uuid-shaped parts never count. */
export function piiKindOfValue(value: unknown): PiiKind | null {
  // Every event passes here, mostly with values that cannot match: each test below is skipped when a
  // condition every match needs is missing (a card number has 13-19 digits, a phone number at least
  // 8, an IPv4 address 4 and a dot, a uuid 36 characters and a dash), which leaves the verdicts unchanged.
  if (typeof value === "number") {
    return Number.isInteger(value) && Math.abs(value) >= 1e12 && looksLikeCard(String(value)) ? "card number" : null;
  }
  if (typeof value !== "string" || value.length < 3) return null;
  if (!MAYBE_PII_RE.test(value)) return null;
  const ascii = !hasNonAscii(value);
  const folded = ascii ? value : normaliseForPii(value);
  if (!ascii && !ASCII_DIGIT_OR_AT_RE.test(folded)) return null;
  const s = folded.length >= 36 && folded.includes("-") ? folded.replace(UUID_GLOBAL_RE, " ") : folded;
  if (hasEmail(s, ascii ? EMAIL_AT_RE : INTL_EMAIL_AT_RE)) return "email address";
  const digits = digitCount(s);
  if (digits >= 4 && s.includes(".") && IPV4_RE.test(s)) return "IP address";
  if (s.includes(":")) for (const m of s.matchAll(IPV6_CANDIDATE_RE)) if (isIpv6(m[0])) return "IP address";
  if (digits >= 13 && looksLikeCard(s)) return "card number";
  if (digits >= 8 && looksLikePhone(s)) return "phone number";
  return null;
}

export type PrivacyFinding = { path: string; message: string };

const WITH_ARTICLE: Record<PiiKind, string> = {
  "email address": "an email address",
  "phone number": "a phone number",
  "IP address": "an IP address",
  "card number": "a card number",
};
const looksLike = (what: "key" | "value", kind: PiiKind) =>
  `${what} looks like ${WITH_ARTICLE[kind]}, which must not be sent to analytics`;

/** Checks metadata keys (their names and their own text) and values; one finding per offending key. */
export function checkMetadataPrivacy(metadata: Record<string, unknown>, prefix = "metadata"): PrivacyFinding[] {
  const findings: PrivacyFinding[] = [];
  let position = -1;
  for (const key in metadata) {
    position++;
    const { namesPii, kind: keyKind } = keyVerdict(key);
    const valueKind = keyKind || namesPii ? null : piiKindOfValue(metadata[key]);
    const message = keyKind ? looksLike("key", keyKind)
      : namesPii ? "key names personal data, which must not be sent to analytics"
      : valueKind ? looksLike("value", valueKind)
      : null;
    if (message) findings.push({ path: keyPath(key, position, prefix), message });
  }
  return findings;
}

/** Checks a free-text top-level field's value. */
export function checkValuePrivacy(path: string, value: unknown): PrivacyFinding | null {
  const kind = piiKindOfValue(value);
  return kind ? { path, message: looksLike("value", kind) } : null;
}

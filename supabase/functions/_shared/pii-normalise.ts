// Folds text to the forms the privacy filter's patterns match, so personal data written in another
// script's digits or in full-width forms is caught like its ASCII spelling: `+٩٦٦٥٠١٢٣٤٥٦٧`
// (Arabic-Indic), `۰۵۰۱۲۳۴۵۶۷` (Persian), `ａｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ` (full-width). Only for
// matching: nothing folded here is stored or echoed.

// Every character that folding can change is outside ASCII: ASCII text is returned as it is.
const NON_ASCII_RE = /[^\x00-\x7f]/;

// After NFKC (full-width forms, compatibility digits and the small/full-width at sign become
// ASCII), what still differs from the ASCII spelling, character by character:
// - decimal digits of any script (Unicode Nd): their ASCII digit;
// - invisible format characters (Cf: bidi marks, zero-width joiners, soft hyphens), which can be
//   slipped between digits: removed;
// - dashes of any script (Pd: en dash, non-breaking hyphen): `-`;
// - the Arabic decimal and thousands separators: `.` and `,`; the ideographic full stop (an IDN
//   label separator): `.`.
const ND_RE = /^\p{Nd}$/u;
const CF_RE = /^\p{Cf}$/u;
const PD_RE = /^\p{Pd}$/u;
const SEPARATORS: Record<number, number> = { 0x066b: 0x2e, 0x066c: 0x2c, 0x3002: 0x2e };

// A character's fold: KEEP, DROP, or the ASCII code that replaces it. Unicode property classes
// are slow to test, so each character is classified once and remembered: a table for the Basic
// Multilingual Plane (0 = not classified yet), a bounded map for the rest.
const KEEP = 1;
const DROP = 2;
const bmpFolds = new Uint8Array(0x10000);
const astralFolds = new Map<number, number>();
const MAX_ASTRAL = 4096;

// Unicode encodes each script's digits 0..9 as a run of ten consecutive code points, so a
// digit's value is its distance from the start of its run.
function digitValue(cp: number): number {
  let before = 0;
  while (ND_RE.test(String.fromCodePoint(cp - before - 1))) before++;
  return before % 10;
}

function classify(cp: number): number {
  const ch = String.fromCodePoint(cp);
  if (ND_RE.test(ch)) return 0x30 + digitValue(cp);
  if (CF_RE.test(ch)) return DROP;
  if (PD_RE.test(ch)) return 0x2d;
  return SEPARATORS[cp] ?? KEEP;
}

function foldOf(cp: number): number {
  if (cp <= 0xffff) return bmpFolds[cp] || (bmpFolds[cp] = classify(cp));
  let fold = astralFolds.get(cp);
  if (fold === undefined) {
    if (astralFolds.size >= MAX_ASTRAL) astralFolds.clear();
    astralFolds.set(cp, (fold = classify(cp)));
  }
  return fold;
}

/** True when `s` has a character outside ASCII (the only text `normaliseForPii` changes). */
export const hasNonAscii = (s: string): boolean => NON_ASCII_RE.test(s);

/** `s` with full-width forms, other scripts' digits, dashes and separators in their ASCII
 * spelling and invisible format characters removed. ASCII input is returned unchanged. */
export function normaliseForPii(s: string): string {
  if (!NON_ASCII_RE.test(s)) return s;
  const n = s.normalize("NFKC");
  let out = "";
  let copied = 0; // n[0..copied) is in `out` already, folded
  for (let i = 0; i < n.length; i++) {
    if (n.charCodeAt(i) < 0x80) continue;
    const cp = n.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const fold = foldOf(cp);
    if (fold !== KEEP) {
      out += n.slice(copied, i) + (fold === DROP ? "" : String.fromCharCode(fold));
      copied = i + width;
    }
    i += width - 1;
  }
  return copied === 0 ? n : out + n.slice(copied);
}

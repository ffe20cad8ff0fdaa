// The reference lists the validation uses: the real ISO 3166-1 alpha-2 and ISO 4217 sets.
import { describe, expect, it } from "vitest";
import { ISO_3166_ALPHA2 } from "../../supabase/functions/_shared/iso3166.ts";
import { ISO_4217_CURRENCIES } from "../../supabase/functions/_shared/iso4217.ts";

describe("ISO code lists", () => {
  it("has all 249 ISO 3166-1 alpha-2 codes", () => {
    expect(ISO_3166_ALPHA2.size).toBe(249);
    for (const c of ["SA", "AE", "KW", "QA", "BH", "OM", "EG", "JO", "US", "GB", "AX", "BQ", "SS", "AQ"]) expect(ISO_3166_ALPHA2.has(c), c).toBe(true);
    for (const c of ["UK", "EU", "XK", "ZZ", "sa"]) expect(ISO_3166_ALPHA2.has(c), c).toBe(false);
  });

  it("has the active ISO 4217 codes and not withdrawn ones", () => {
    for (const c of ["SAR", "AED", "KWD", "EGP", "USD", "EUR", "GBP", "JPY", "XCG", "ZWG", "SLE", "VED"]) expect(ISO_4217_CURRENCIES.has(c), c).toBe(true);
    for (const c of ["HRK", "SLL", "ZWL", "VEF", "XXX", "XTS", "usd"]) expect(ISO_4217_CURRENCIES.has(c), c).toBe(false);
    expect(ISO_4217_CURRENCIES.size).toBeGreaterThan(170);
  });
});

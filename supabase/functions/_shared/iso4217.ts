// ISO 4217 active currency codes (list one) with their minor units: how many decimal places an
// amount in minor units (`amount_cents`) has, e.g. 1234 is KWD 1.234, JPY 1,234, EUR 12.34. Includes
// fund and precious-metal codes; without XTS (reserved for testing) and XXX (no currency), which no
// payment can be in. One table for ingest (valid codes) and the dashboard (formatting).

// Minor units other than 2. ISO gives "N.A." for the precious metals, SDR and the other units of
// account: amounts in them are counted in whole units (0).
const EXPONENTS: Record<number, string> = {
  0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF " +
    "XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XUA",
  3: "BHD IQD JOD KWD LYD OMR TND",
  4: "CLF UYW",
};

const CODES =
  "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP " +
  "BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB " +
  "EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD " +
  "JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP " +
  "MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR " +
  "RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND " +
  "TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB " +
  "XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG";

const exponentOf = new Map<string, number>();
for (const [exponent, codes] of Object.entries(EXPONENTS)) {
  for (const code of codes.split(" ")) exponentOf.set(code, Number(exponent));
}

/** Code → minor units (decimal places), for every active code. */
export const ISO_4217_MINOR_UNITS: ReadonlyMap<string, number> = new Map(
  CODES.split(" ").map((code) => [code, exponentOf.get(code) ?? 2]),
);

export const ISO_4217_CURRENCIES: ReadonlySet<string> = new Set(ISO_4217_MINOR_UNITS.keys());

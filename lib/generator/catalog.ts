// Dimension values the generator draws from (services, providers, countries with their currency).
export const SERVICES = ["tarot", "astrology", "coffee_cup", "dream", "healing"] as const;
export const PAYMENT_PROVIDERS = ["stripe", "square", "paypal", "tap"] as const;
export const CALL_PROVIDERS = ["twilio", "vonage", "agora"] as const;
export const NOTIFICATION_PROVIDERS = ["fcm", "apns", "sendgrid"] as const;
/** Country → its currency (ISO 3166-1 alpha-2 → ISO 4217). */
export const COUNTRIES: readonly (readonly [string, string])[] = [
  ["US", "USD"], ["GB", "GBP"], ["DE", "EUR"], ["FR", "EUR"], ["AE", "AED"], ["SA", "SAR"], ["EG", "EGP"],
];
export const ZODIAC_SIGNS = [
  "aries", "taurus", "gemini", "cancer", "leo", "virgo",
  "libra", "scorpio", "sagittarius", "capricorn", "aquarius", "pisces",
] as const;

// Seconds → short human-readable durations: 42 → "42 s", 95 → "1 min 35 s", 7260 → "2 h 1 min",
// 200000 → "2 d 7 h". Missing values are "—".
import { DASH } from "./numbers.ts";

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return DASH;
  const sign = seconds < 0 ? "−" : "";
  const s = Math.abs(seconds);
  if (s < 10) return `${sign}${trim(s.toFixed(1))} s`;
  if (s < 60) return `${sign}${Math.round(s)} s`;
  const total = Math.round(s);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (d > 0) return `${sign}${d} d${h ? ` ${h} h` : ""}`;
  if (h > 0) return `${sign}${h} h${m ? ` ${m} min` : ""}`;
  return `${sign}${m} min${sec ? ` ${sec} s` : ""}`;
}

const trim = (x: string) => x.replace(/\.0$/, "");

// Heat-map colours for retention cells: a light-to-dark blue by rate, with text colour chosen
// for WCAG AA contrast (4.5:1) on each background.
export type HeatStyle = { background: string; color: string };

const LIGHT = [239, 246, 255]; // #eff6ff
const DARK = [30, 64, 175]; // #1e40af

export function heatStyle(rate: number | null | undefined): HeatStyle | null {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return null;
  const t = Math.min(1, Math.max(0, rate));
  const rgb = LIGHT.map((c, i) => Math.round(c + (DARK[i]! - c) * t));
  const l = relativeLuminance(rgb);
  // Black or white, whichever contrasts more: at least 4.5:1 on every shade of this scale.
  return { background: `rgb(${rgb.join(", ")})`, color: contrastRatio(l, 1) >= contrastRatio(l, 0) ? "#ffffff" : "#000000" };
}

/** WCAG relative luminance of an sRGB colour. */
export function relativeLuminance([r, g, b]: number[]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
}

/** WCAG contrast ratio between two luminances. */
export const contrastRatio = (l1: number, l2: number) => (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);

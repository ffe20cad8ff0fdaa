// Headless Chromium (Debian's package) driven by playwright-core, for the dashboard's browser
// tests, plus helpers to sign in and to keep screenshots under .stack/screenshots/.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { LOCAL_DASHBOARD_URL } from "../../stack/local-settings.ts";

const CHROMIUM = "/usr/bin/chromium";
export const DASHBOARD_URL = LOCAL_DASHBOARD_URL;
const SCREENSHOT_DIR = join(import.meta.dirname, "../../.stack/screenshots");

/** Installs chromium as root, or fails with the exact command to run. */
function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  execFileSync("bash", [join(import.meta.dirname, "../../stack/install-os-packages.sh"), "chromium"], { stdio: "inherit" });
}

export type Browser = { context: BrowserContext; close: () => Promise<void> };

/** A fresh profile each time: no cache, cookies or storage carried between runs. */
export async function launch(viewport = { width: 1366, height: 900 }): Promise<Browser> {
  ensureChromium();
  const profile = mkdtempSync(join(tmpdir(), "dashboard-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    viewport,
    acceptDownloads: true,
    locale: "en-GB",
    timezoneId: "UTC",
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in through the demo role picker, as a person would. */
export async function signInAs(page: Page, role: string): Promise<void> {
  await page.goto(`${DASHBOARD_URL}#/signin`);
  await page.getByLabel(new RegExp(`^${role} —`)).check();
  await page.getByRole("button", { name: "Sign in with demo role" }).click();
  await page.waitForSelector('[data-page="overview"], [data-page="no-access"]');
}

/** Waits until no loading indicator is left on the page. */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector(".state-loading"), undefined, { timeout: 20_000 });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Text on the page whose colour contrasts less than WCAG AA with its background (4.5:1, or 3:1
 * for large text): walks every element with its own text and finds the first opaque background
 * behind it. Returns "text (ratio)" for each offender.
 */
export async function lowContrastTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const parse = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const lin = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
    };
    const background = (el: Element | null): number[] => {
      for (; el; el = el.parentElement) {
        const bg = parse(getComputedStyle(el).backgroundColor);
        if (bg.length >= 3 && (bg[3] ?? 1) > 0.5 && !getComputedStyle(el).backgroundImage.includes("gradient")) return bg;
      }
      return [255, 255, 255];
    };
    const out: string[] = [];
    for (const el of document.querySelectorAll("body *")) {
      const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim());
      const rect = el.getBoundingClientRect();
      if (!own || !rect.width || !rect.height || (el as HTMLButtonElement).disabled || el.closest(".visually-hidden, .skip-link, [hidden]")) continue;
      const style = getComputedStyle(el);
      const fg = parse(style.color);
      const l1 = lum(fg);
      const l2 = lum(background(el));
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) out.push(`${el.textContent!.trim().slice(0, 40)} (${ratio.toFixed(2)})`);
    }
    return out;
  });
}

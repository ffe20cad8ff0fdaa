// The dashboard end to end: headless Chromium against the local stack (static server → real
// `metrics` function → real Postgres), with KPI rows seeded for the 90 days ending yesterday.
import { readFileSync } from "node:fs";
import type { Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, formatDay, yesterdayIn } from "../../dashboard/src/format/dates.ts";
import { formatMoney, formatRate } from "../../dashboard/src/format/numbers.ts";
import { DEMO_USERS, mintRoleToken, mintUserToken, type DemoRole } from "../../stack/keys.ts";
import { LOCAL_FUNCTIONS_URL } from "../../stack/local-settings.ts";
import { connect, type Sql } from "../helpers/db.ts";
import { clientWithToken } from "../helpers/functions.ts";
import { DASHBOARD_URL, launch, lowContrastTexts, screenshot, settled, signInAs, type Browser } from "./browser.ts";
import { clearDashboardMetrics, seedDashboardMetrics } from "./seed-metrics.ts";

const latest = yesterdayIn("UTC"); // the stack's reporting time zone
const ALL_PAGES = ["overview", "fulfillment", "payments", "calls", "engagement", "content", "retention"];
const EXPECTED: Record<DemoRole, { pages: string[]; sections: string[] }> = {
  superadmin: { pages: ALL_PAGES, sections: ["fulfillment", "payments", "calls", "engagement", "content", "cohort_retention", "etl", "health"] },
  admin: { pages: ALL_PAGES, sections: ["fulfillment", "payments", "calls", "engagement", "content", "cohort_retention", "etl", "health"] },
  monitor: { pages: ["overview", "calls", "content"], sections: ["calls", "content"] },
  reader: { pages: ["overview", "fulfillment"], sections: ["fulfillment"] },
  client: { pages: [], sections: [] },
};

let sql: Sql;
let browser: Browser;

beforeAll(async () => {
  const health = await fetch(`${DASHBOARD_URL}_health`).catch(() => null);
  if (!health?.ok) throw new Error(`The dashboard is not served at ${DASHBOARD_URL}: run npm run stack:up first.`);
  sql = connect();
  await seedDashboardMetrics(sql, latest, 90);
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  if (sql) await clearDashboardMetrics(sql, latest, 90);
  await sql?.end();
});

async function newPage(viewport?: { width: number; height: number }): Promise<Page> {
  const page = await browser.context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  page.on("pageerror", (err) => console.error(`page error: ${err.message}`));
  return page;
}

/** GET a metrics endpoint as `role` through supabase-js, as the dashboard does. */
async function api(role: DemoRole, endpoint: string): Promise<Record<string, unknown>[]> {
  const { data, error } = await clientWithToken(await mintRoleToken(role)).functions.invoke(`metrics/${endpoint}`, { method: "GET" });
  if (error) throw error;
  return (data as { data: Record<string, unknown>[] }).data;
}

const metricsRequests = (page: Page, endpoint: string): URL[] => {
  const seen: URL[] = [];
  page.on("request", (req: Request) => {
    const url = new URL(req.url());
    if (req.method() === "GET" && url.pathname === `/functions/v1/metrics/${endpoint}`) seen.push(url);
  });
  return seen;
};

describe("each role sees its sections and no others", () => {
  for (const role of Object.keys(EXPECTED) as DemoRole[]) {
    it(`${role}`, async () => {
      const page = await newPage();
      await signInAs(page, role);
      await settled(page);
      const expected = EXPECTED[role];
      expect(await page.locator("nav [data-nav]").evaluateAll((els) => els.map((e) => e.getAttribute("data-nav")))).toEqual(expected.pages);
      if (role === "client") {
        await expect.poll(() => page.getByRole("alert").textContent()).toContain("does not include any analytics dashboards");
        await screenshot(page, `${role}-no-access`);
        await page.close();
        return;
      }
      // The health panel (admins) arrives after the overview's own sections.
      if (expected.sections.includes("health")) await page.waitForSelector('[data-section="health"]');
      else await page.waitForTimeout(300);
      expect(await page.locator(".state-error").count()).toBe(0);
      const sections = await page.locator("[data-section]").evaluateAll((els) => els.map((e) => e.getAttribute("data-section")));
      expect(sections).toEqual(expected.sections);
      expect(await page.locator(".tile").count()).toBeGreaterThan(0);
      await screenshot(page, `${role}-overview`);

      for (const p of expected.pages.slice(1)) {
        await page.goto(`${DASHBOARD_URL}#/${p}`);
        await page.waitForSelector(`[data-page="${p}"]`);
        await settled(page);
        expect(await page.locator(".state-error").count(), `${role} ${p}: no error`).toBe(0);
        expect(await page.locator("table").count(), `${role} ${p}: a table`).toBeGreaterThan(0);
        await screenshot(page, `${role}-${p}`);
      }
      // Pages outside the role: not in the navigation, and refused with a message if typed in.
      for (const p of ALL_PAGES.filter((x) => !expected.pages.includes(x))) {
        await page.goto(`${DASHBOARD_URL}#/${p}`);
        await expect.poll(() => page.locator('[data-page="forbidden"]').count()).toBe(1);
      }
      await page.close();
    });
  }

  it("a reader's fulfillment shows only their own rows of the last 30 days", async () => {
    const page = await newPage();
    await signInAs(page, "reader");
    await page.goto(`${DASHBOARD_URL}#/fulfillment?rows=all`);
    await settled(page);
    const readers = page.locator('#fulfillment-table tbody td[data-field="reader_id"]');
    expect(await readers.count()).toBeGreaterThan(0);
    expect(new Set(await readers.allTextContents())).toEqual(new Set(["You"]));
    expect(new Set(await readers.evaluateAll((els) => els.map((e) => e.getAttribute("title"))))).toEqual(new Set([DEMO_USERS.reader]));
    expect(await page.locator('[data-preset="90"]').count()).toBe(0);
    // The seed covers 90 days; the reader's window starts 29 days before yesterday.
    const dates = await page.locator("#fulfillment-table tbody tr th").allTextContents();
    expect(dates[0]).toBe(formatDay(addDays(latest, -29)));
    expect(dates.at(-1)).toBe(formatDay(latest));
    await page.close();
  });
});

describe("numbers on screen are the API's", () => {
  it("overview tiles equal the values the metrics API returns", async () => {
    const page = await newPage();
    await signInAs(page, "admin");
    await settled(page);
    // Dates are local days of the zone every API answer names (docs/design.md §10.1).
    expect(await page.locator(".topbar .zone").textContent()).toBe("Days in UTC");
    expect(await page.locator(".date-form label").textContent()).toBe("Day (UTC)");
    const calls = await api("admin", `calls?start_date=${latest}&end_date=${latest}`);
    const callsTotal = calls.find((r) => r.service_code === null && r.provider === null)!;
    const answer = page.locator('.tile[data-domain="calls"][data-field="answer_rate"] .tile-value');
    expect(await answer.getAttribute("data-value")).toBe(String(callsTotal.answer_rate));
    expect(await answer.textContent()).toBe(formatRate(callsTotal.answer_rate as number));

    const payments = await api("admin", `payments?start_date=${latest}&end_date=${latest}&currency=EUR`);
    const eur = payments.find((r) => r.provider === null && r.country_code === null && r.currency === "EUR")!;
    const revenue = page.locator('.tile[data-domain="payments"][data-field="revenue_cents"][data-currency="EUR"] .tile-value');
    expect(await revenue.getAttribute("data-value")).toBe(String(eur.revenue_cents));
    expect(await revenue.textContent()).toBe(formatMoney(eur.revenue_cents as number, "EUR"));

    // Day-7 retention measured on the day: the cohort of 7 days before, from the API.
    const cohort = await api("admin", `cohort-retention?cohort_start=${addDays(latest, -7)}&cohort_end=${addDays(latest, -7)}&retention_days=7`);
    const day7 = page.locator('.tile[data-domain="cohort_retention"][data-field="day_7"] .tile-value');
    expect(await day7.getAttribute("data-value")).toBe(String(cohort[0]!.retention_rate));
    expect(await day7.textContent()).toBe(formatRate(cohort[0]!.retention_rate as number));

    // Pipeline health: the badge and reasons are the health function's.
    const res = await fetch(`${LOCAL_FUNCTIONS_URL}/health`, { headers: { Authorization: `Bearer ${await mintRoleToken("admin")}` } });
    const report = (await res.json()) as { healthy: boolean; reasons: string[] };
    expect(res.status).toBe(report.healthy ? 200 : 503);
    await page.waitForSelector('[data-section="health"]');
    expect(await page.locator(".health-badge").getAttribute("data-healthy")).toBe(String(report.healthy));
    expect(await page.locator(".health-reasons li").allTextContents()).toEqual(report.reasons);
    await page.close();
  });
});

describe("date range and filters drive the request", () => {
  it("presets, a custom range and a filter each change the API call", async () => {
    const page = await newPage();
    const seen = metricsRequests(page, "calls");
    await signInAs(page, "monitor");
    await page.goto(`${DASHBOARD_URL}#/calls`);
    await settled(page);
    expect(seen.at(-1)!.searchParams.get("start_date")).toBe(addDays(latest, -29));

    await page.getByRole("button", { name: "Last 7 days" }).click();
    await expect.poll(() => seen.at(-1)?.searchParams.get("start_date")).toBe(addDays(latest, -6));
    expect(seen.at(-1)!.searchParams.get("end_date")).toBe(latest);
    await settled(page);
    expect(await page.locator("#calls-table tbody tr").count()).toBe(7);

    await page.getByLabel("From", { exact: true }).fill(addDays(latest, -12));
    await page.getByLabel("To", { exact: true }).fill(addDays(latest, -10));
    await page.getByRole("button", { name: "Apply", exact: true }).click();
    await expect.poll(() => seen.at(-1)?.searchParams.get("start_date")).toBe(addDays(latest, -12));
    expect(seen.at(-1)!.searchParams.get("end_date")).toBe(addDays(latest, -10));
    await settled(page);
    expect(await page.locator("#calls-table tbody tr").count()).toBe(3);

    await page.getByLabel("Provider", { exact: true }).fill("twilio");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect.poll(() => seen.at(-1)?.searchParams.get("provider")).toBe("twilio");
    await settled(page);
    const providers = await page.locator('#calls-table tbody td[data-field="provider"]').allTextContents();
    expect(new Set(providers)).toEqual(new Set(["twilio"]));
    await page.close();
  });
});

describe("empty and loading states", () => {
  it("a range without metrics says so instead of showing an empty table", async () => {
    const page = await newPage();
    await signInAs(page, "admin");
    await page.goto(`${DASHBOARD_URL}#/calls?start=2001-03-01&end=2001-03-07`);
    await settled(page);
    expect(await page.locator(".state-empty").textContent()).toContain("No calls metrics for 1 Mar 2001 – 7 Mar 2001");
    expect(await page.locator("#calls-table").count()).toBe(0);
    await screenshot(page, "admin-calls-empty");
    await page.close();
  });
});

describe("CSV download", () => {
  it("downloads the API's CSV for the table on screen", async () => {
    const page = await newPage();
    await signInAs(page, "admin");
    const start = addDays(latest, -6);
    await page.goto(`${DASHBOARD_URL}#/payments?start=${start}&end=${latest}`);
    await settled(page);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: /Download .* as CSV/ }).click()]);
    expect(download.suggestedFilename()).toBe(`payments_${start}_${latest}.csv`);
    const text = readFileSync((await download.path())!, "utf8");
    const res = await fetch(`${LOCAL_FUNCTIONS_URL}/metrics/payments?start_date=${start}&end_date=${latest}&format=csv`, { headers: { Authorization: `Bearer ${await mintRoleToken("admin")}` } });
    expect(res.status).toBe(200);
    expect(text).toBe(await res.text());
    const [header, ...lines] = text.trim().split(/\r?\n/);
    expect(header).toContain("metric_date");
    expect(header).toContain("revenue_cents");
    expect(lines.length).toBe((await api("admin", `payments?start_date=${start}&end_date=${latest}`)).length);
    await page.close();
  });
});

describe("sign-in and errors", () => {
  it("refuses an expired token at sign-in", async () => {
    const page = await newPage();
    await page.goto(`${DASHBOARD_URL}#/signin`);
    await page.getByLabel("Access token", { exact: true }).fill(await mintUserToken({ sub: DEMO_USERS.admin, appRole: "admin", expiresInS: -120 }));
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("That token has expired");
    await screenshot(page, "signin-expired-token");
    await page.close();
  });

  it("a session that expires sends the user back to sign-in with a message", async () => {
    const page = await newPage();
    await page.goto(`${DASHBOARD_URL}#/signin`);
    // Wait for the app's first render (after its config.json fetch): a token stored before it
    // would be found expired and dropped on the sign-in page itself, with no redirect to assert.
    await page.waitForSelector('[data-page="signin"]');
    const expired = await mintUserToken({ sub: DEMO_USERS.admin, appRole: "admin", expiresInS: -60 });
    await page.evaluate((t) => sessionStorage.setItem("samia-dashboard.token", t), expired);
    await page.goto(`${DASHBOARD_URL}#/overview`);
    await expect.poll(() => page.evaluate(() => location.hash)).toBe("#/signin?expired=1");
    await expect.poll(() => page.locator('[data-page="signin"]').count()).toBe(1);
    await expect.poll(() => page.locator(".signin-message").textContent()).toContain("Your session has expired");
    expect(await page.evaluate(() => sessionStorage.getItem("samia-dashboard.token"))).toBeNull();
    await page.close();
  });

  it("a token the API rejects (401) shows the sign-in message, not a blank page", async () => {
    const page = await newPage();
    await page.goto(`${DASHBOARD_URL}#/signin`);
    await page.getByLabel("Access token", { exact: true }).fill(await mintUserToken({ sub: DEMO_USERS.admin, appRole: "admin", secret: "not-the-project-secret-but-32-characters-long" }));
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await settled(page);
    const alert = page.locator('.state-error[data-status="401"]');
    await expect.poll(() => alert.count()).toBe(1);
    expect(await alert.textContent()).toContain("Please sign in again");
    expect(await alert.getByRole("link", { name: "Go to sign-in" }).count()).toBe(1);
    await screenshot(page, "error-401");
    await page.close();
  });
});

describe("usable by keyboard and on a phone", () => {
  it("every control is labelled, text meets AA contrast, and the skip link is first in tab order", async () => {
    const page = await newPage();
    await signInAs(page, "admin");
    for (const p of ["overview", "payments", "retention"]) {
      await page.goto(`${DASHBOARD_URL}#/${p}`);
      await settled(page);
      if (p === "overview") await page.waitForSelector('[data-section="health"]');
      const unlabelled = await page.locator("input, select, textarea, button").evaluateAll((els) =>
        els.filter((el) => !((el as HTMLInputElement).labels?.length || el.getAttribute("aria-label") || (el.textContent ?? "").trim())).map((el) => el.outerHTML),
      );
      expect(unlabelled, p).toEqual([]);
      expect(await lowContrastTexts(page), `${p}: text below WCAG AA contrast`).toEqual([]);
    }
    await page.reload();
    await page.waitForSelector('[data-page="retention"]');
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.close();
  });

  it("fits a phone-width screen without sideways scrolling of the page", async () => {
    const page = await newPage({ width: 390, height: 844 });
    await signInAs(page, "admin");
    for (const p of ["overview", "payments", "calls", "retention"]) {
      await page.goto(`${DASHBOARD_URL}#/${p}`);
      await settled(page);
      await page.waitForTimeout(150);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), p).toBeLessThanOrEqual(390);
      await screenshot(page, `phone-admin-${p}`);
    }
    await page.close();
    const reader = await newPage({ width: 390, height: 844 });
    await signInAs(reader, "reader");
    await reader.goto(`${DASHBOARD_URL}#/fulfillment`);
    await settled(reader);
    await screenshot(reader, "phone-reader-fulfillment");
    await reader.close();
  });
});

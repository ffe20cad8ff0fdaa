// The frame around every page: skip link, header with the reporting time zone, the role and sign-out, navigation
// limited to the role's pages, the main region and a polite live region for status messages.
import type { Session } from "../session.ts";
import { PAGE_TITLES, type PageKey } from "../roles.ts";
import { routeHref } from "../router.ts";
import { h } from "../ui/dom.ts";
import { reportingZone } from "../reporting-zone.ts";

export function shell(session: Session | null, pages: PageKey[], current: string, onSignOut: () => void): { root: HTMLElement; main: HTMLElement } {
  const main = h("main", { id: "main", tabindex: -1 });
  const nav = pages.length
    ? h(
        "nav",
        { "aria-label": "Dashboards" },
        h("ul", { role: "list" }, ...pages.map((p) => h("li", {}, h("a", { href: routeHref(p), "aria-current": p === current ? "page" : undefined, "data-nav": p }, PAGE_TITLES[p])))),
      )
    : null;
  const who = session
    ? h(
        "div",
        { class: "who" },
        h("span", { class: "zone", "data-zone": reportingZone(), title: "The metrics' dates are local days in this time zone" }, `Days in ${reportingZone()}`),
        h("span", { class: "badge", "data-role": session.role ?? "none" }, session.role ?? "no role"),
        h("button", { type: "button", class: "button button-ghost", onclick: onSignOut }, "Sign out"),
      )
    : null;
  const root = h(
    "div",
    { class: "app" },
    h("a", { class: "skip-link", href: "#main", onclick: (ev: Event) => { ev.preventDefault(); main.focus(); } }, "Skip to content"),
    h("header", { class: "topbar" }, h("div", { class: "brand" }, h("span", { class: "brand-mark", "aria-hidden": "true" }, "☾"), h("span", {}, "SAMIA-TAROT ", h("span", { class: "brand-sub" }, "KPIs"))), who),
    nav,
    main,
    h("div", { id: "live-status", class: "visually-hidden", role: "status", "aria-live": "polite" }),
  );
  // On narrow screens the navigation scrolls sideways: keep the current page's tab in view.
  requestAnimationFrame(() => root.querySelector('nav a[aria-current="page"]')?.scrollIntoView({ block: "nearest", inline: "center" }));
  return { root, main };
}

// Start-up and routing: load the configuration, restore the tab's session, render the page the
// URL names (if the role may see it), and send expired or missing sessions to sign-in.
import "./styles.css";
import { metricsApi } from "./api.ts";
import { loadConfig, type DashboardConfig } from "./config.ts";
import type { ViewContext } from "./context.ts";
import { DOMAINS, type DomainKey } from "./domains.ts";
import { pagesFor, PAGE_TITLES, type PageKey } from "./roles.ts";
import { onReportingZoneChange } from "./reporting-zone.ts";
import { navigate, parseRoute } from "./router.ts";
import { clearSession, isExpired, loadSession } from "./session.ts";
import { clear, h } from "./ui/dom.ts";
import { domainView } from "./views/domain.ts";
import { overviewView } from "./views/overview.ts";
import { retentionView } from "./views/retention.ts";
import { shell } from "./views/shell.ts";
import { signInView } from "./views/signin.ts";

const app = document.getElementById("app")!;

function render(config: DashboardConfig): void {
  const route = parseRoute(location.hash);
  let session = loadSession();
  if (session && isExpired(session)) {
    clearSession();
    session = null;
    if (route.page !== "signin") return navigate("signin", { expired: "1" });
  }
  const signOut = () => {
    clearSession();
    navigate("signin");
  };
  if (!session || route.page === "signin") {
    const frame = shell(session, session ? pagesFor(session.role) : [], "signin", signOut);
    frame.main.appendChild(signInView(config, route.params, () => navigate("overview")));
    return mount(frame.root, "Sign in");
  }
  const pages = pagesFor(session.role);
  const frame = shell(session, pages, route.page, signOut);
  if (!pages.length) {
    frame.main.appendChild(
      h("section", { class: "page", "data-page": "no-access" }, h("h1", { id: "page-title", tabindex: -1 }, "No analytics access"), h("div", { class: "state state-error", role: "alert" }, h("p", {}, `Your account's role (${session.role ?? "none"}) does not include any analytics dashboards. Ask an administrator if you need access.`))),
    );
    return mount(frame.root, "No access");
  }
  const page = (pages.includes(route.page as PageKey) ? route.page : null) as PageKey | null;
  if (!page) {
    if (route.page in PAGE_TITLES) {
      frame.main.appendChild(h("section", { class: "page", "data-page": "forbidden" }, h("h1", { id: "page-title", tabindex: -1 }, "Not available"), h("div", { class: "state state-error", role: "alert" }, h("p", {}, `The ${PAGE_TITLES[route.page as PageKey]} dashboard is not available for the ${session.role} role.`))));
      return mount(frame.root, "Not available");
    }
    return navigate("overview");
  }
  const ctx: ViewContext = { config, session, api: metricsApi(config, session.token) };
  const view = page === "overview" ? overviewView(ctx, route.params) : page === "retention" ? retentionView(ctx, route.params) : domainView(ctx, page as DomainKey, route.params);
  frame.main.appendChild(view);
  mount(frame.root, page === "overview" ? "Overview" : page === "retention" ? "Retention" : DOMAINS[page as DomainKey].title);
}

let lastPage = "";
function mount(root: HTMLElement, title: string): void {
  clear(app);
  app.appendChild(root);
  document.title = `${title} · SAMIA-TAROT KPIs`;
  // Move focus to the new page's heading when the page (not just its params) changes.
  const page = parseRoute(location.hash).page;
  if (lastPage && page !== lastPage) (document.getElementById("page-title") as HTMLElement | null)?.focus();
  lastPage = page;
}

async function start(): Promise<void> {
  try {
    const config = await loadConfig();
    window.addEventListener("hashchange", () => render(config));
    // An answer in another zone than the one shown: labels and "yesterday" change with it.
    onReportingZoneChange(() => render(config));
    render(config);
  } catch (err) {
    clear(app);
    app.appendChild(h("div", { class: "state state-error", role: "alert" }, h("h1", {}, "The dashboard could not start"), h("p", {}, err instanceof Error ? err.message : String(err))));
  }
}

void start();

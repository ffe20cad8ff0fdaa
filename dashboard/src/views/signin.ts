// Sign-in. Deployed: paste a Supabase access token (the host app normally hands it over).
// Local stack: a role picker with demo tokens from config.json, clearly marked as dev only.
import type { DashboardConfig } from "../config.ts";
import { isExpired, saveSession, sessionFromToken, type AppRole } from "../session.ts";
import { h, uid } from "../ui/dom.ts";

const ROLE_NOTES: Record<AppRole, string> = {
  superadmin: "everything, plus ETL status",
  admin: "everything, plus ETL status",
  monitor: "calls and content",
  reader: "own fulfillment, last 30 days",
  client: "no dashboards (shows the access message)",
};

export function signInView(config: DashboardConfig, params: URLSearchParams, onSignedIn: () => void): HTMLElement {
  const message = h("p", { class: "signin-message", role: "alert", hidden: true });
  const show = (text: string) => {
    message.hidden = false;
    message.textContent = text;
  };
  if (params.get("expired")) show("Your session has expired or is no longer valid. Please sign in again.");

  const accept = (token: string) => {
    const s = sessionFromToken(token.trim());
    if (!s) return show("That is not a valid access token (expected a JWT).");
    if (isExpired(s)) return show("That token has expired. Please sign in again to get a fresh one.");
    saveSession(token.trim());
    onSignedIn();
  };

  const demo = config.demoTokens && Object.keys(config.demoTokens).length ? demoPicker(config.demoTokens, accept) : null;
  const tokenId = uid("token");
  const tokenForm = h(
    "form",
    { class: "card token-form", "aria-labelledby": `${tokenId}-title` },
    h("h2", { id: `${tokenId}-title` }, "Sign in with an access token"),
    h("p", {}, "Paste the Supabase access token (JWT) of your account. It stays in this browser tab only."),
    h("label", { for: tokenId }, "Access token"),
    h("textarea", { id: tokenId, name: "token", rows: 4, required: true, spellcheck: "false", autocomplete: "off" }),
    h("button", { type: "submit", class: "button" }, "Sign in"),
  );
  tokenForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    accept((tokenForm.querySelector("textarea") as HTMLTextAreaElement).value);
  });

  return h(
    "section",
    { class: "page signin", "aria-labelledby": "page-title", "data-page": "signin" },
    h("header", { class: "page-header" }, h("h1", { id: "page-title", tabindex: -1 }, "Sign in to SAMIA-TAROT KPIs")),
    message,
    demo,
    tokenForm,
  );
}

function demoPicker(tokens: Partial<Record<AppRole, string>>, accept: (token: string) => void): HTMLElement {
  const roles = (Object.keys(ROLE_NOTES) as AppRole[]).filter((r) => tokens[r]);
  const form = h(
    "form",
    { class: "card demo-signin", "aria-labelledby": "demo-title" },
    h("h2", { id: "demo-title" }, "Demo sign-in ", h("span", { class: "badge badge-warn" }, "local development only")),
    h("p", {}, "These demo tokens come from the local stack (signed with its development secret). A deployed dashboard has none."),
    h(
      "fieldset",
      { class: "role-list" },
      h("legend", {}, "Choose a role"),
      ...roles.map((role, i) => {
        const id = `demo-role-${role}`;
        return h("div", { class: "role-option" }, h("input", { type: "radio", name: "role", id, value: role, checked: i === 0 }), h("label", { for: id }, h("strong", {}, role), ` — ${ROLE_NOTES[role]}`));
      }),
    ),
    h("button", { type: "submit", class: "button" }, "Sign in with demo role"),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const role = (form.querySelector("input[name=role]:checked") as HTMLInputElement | null)?.value as AppRole | undefined;
    if (role && tokens[role]) accept(tokens[role]!);
  });
  return form;
}

// Loading, empty and error states. Every failure says what happened and what to do; 401 sends
// the user back to sign in. Errors use role="alert"; progress goes to the page's live region.
import { ApiFailure } from "../api.ts";
import { clearSession } from "../session.ts";
import { h } from "./dom.ts";

export function loading(what: string): HTMLElement {
  return h("div", { class: "state state-loading", role: "status", "aria-live": "polite" }, h("span", { class: "spinner", "aria-hidden": "true" }), `Loading ${what}…`);
}

export function empty(message: string): HTMLElement {
  return h("div", { class: "state state-empty", role: "status" }, h("strong", {}, "No data. "), message);
}

export type ErrorView = { title: string; detail: string; signIn: boolean; retry: boolean };

/** What to tell the user about a failed request. */
export function describeError(err: unknown, what: string): ErrorView {
  if (err instanceof ApiFailure) {
    if (err.status === 401)
      return { title: "Please sign in again", detail: `Your session has expired or is not valid, so ${what} could not be loaded. (${err.message})`, signIn: true, retry: false };
    if (err.status === 403) return { title: "Not available for your role", detail: `You do not have access to ${what}. (${err.message})`, signIn: false, retry: false };
    if (err.status === 400) return { title: "The request was not accepted", detail: err.message, signIn: false, retry: false };
    if (err.status === 0) return { title: "Cannot reach the metrics service", detail: `${err.message} Check your connection and try again.`, signIn: false, retry: true };
    if (err.status >= 500)
      return { title: "The metrics service had a problem", detail: `${what} could not be loaded (HTTP ${err.status}: ${err.message}). Please try again in a minute.`, signIn: false, retry: true };
    return { title: `Request failed (HTTP ${err.status})`, detail: err.message, signIn: false, retry: true };
  }
  return { title: "Something went wrong", detail: err instanceof Error ? err.message : String(err), signIn: false, retry: true };
}

export function errorBox(err: unknown, what: string, onRetry?: () => void): HTMLElement {
  const view = describeError(err, what);
  const status = err instanceof ApiFailure ? String(err.status) : "";
  return h(
    "div",
    { class: "state state-error", role: "alert", "data-status": status },
    h("h3", {}, view.title),
    h("p", {}, view.detail),
    view.signIn ? h("a", { class: "button", href: "#/signin?expired=1", onclick: () => clearSession() }, "Go to sign-in") : null,
    view.retry && onRetry ? h("button", { type: "button", class: "button", onclick: onRetry }, "Try again") : null,
  );
}

/** Announces a short message to screen readers through the page's polite live region. */
export function announce(message: string): void {
  const region = document.getElementById("live-status");
  if (region) region.textContent = message;
}

// Filter form for an endpoint's optional params (service, provider, country, currency). Text
// inputs with suggestions from the data on screen: any value the API accepts can be typed.
import type { Filter } from "../domains.ts";
import { h, uid } from "./dom.ts";

export function filterForm(
  filters: Filter[],
  values: Record<string, string>,
  suggestions: Record<string, string[]>,
  onApply: (values: Record<string, string>) => void,
): HTMLElement | null {
  if (!filters.length) return null;
  const inputs = new Map<string, HTMLInputElement>();
  const fields = filters.map((f) => {
    const id = uid(`filter-${f.param}`);
    const listId = `${id}-options`;
    const input = h("input", { id, name: f.param, type: "text", value: values[f.param] ?? "", placeholder: f.placeholder, list: listId, autocomplete: "off", spellcheck: "false" });
    inputs.set(f.param, input);
    return h("div", { class: "field" }, h("label", { for: id }, f.label), input, h("datalist", { id: listId }, ...(suggestions[f.param] ?? []).map((v) => h("option", { value: v }))));
  });
  const read = () => {
    const out: Record<string, string> = {};
    for (const f of filters) {
      const raw = inputs.get(f.param)!.value.trim();
      if (raw) out[f.param] = f.upper ? raw.toUpperCase() : raw;
    }
    return out;
  };
  const form = h(
    "form",
    { class: "filters", "aria-label": "Filters" },
    ...fields,
    h("div", { class: "filter-actions" }, h("button", { type: "submit", class: "button" }, "Apply filters"), h("button", { type: "button", class: "button button-secondary", onclick: () => onApply({}) }, "Clear")),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    onApply(read());
  });
  return form;
}

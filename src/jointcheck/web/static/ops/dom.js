// Small helpers to build the pages' DOM from elements and text nodes, never from HTML strings.

/** Return a new element: `h("p", {class: "hint"}, "text", child)`; null children are skipped. */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") element.className = value;
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2), value);
    } else if (value === true) element.setAttribute(key, "");
    else element.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Return a table in a scrolling wrapper: `headers` (strings) and `rows` (arrays of cells);
 * cells stay on one line but in the `wrap` columns. */
export function table(headers, rows, { caption = null, id = null, numeric = [], wrap = [] } = {}) {
  const numericColumns = new Set(numeric);
  const wrapped = new Set(wrap);
  const head = h("thead", {}, h("tr", {}, headers.map((text, index) =>
    h("th", { scope: "col", class: numericColumns.has(index) ? "num" : null }, text))));
  const body = h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell, index) =>
    h("td", { class: numericColumns.has(index) ? "num" : wrapped.has(index) ? "wrap" : null },
      cell)))));
  return h("div", { class: "table-wrap" },
    h("table", { id }, caption ? h("caption", {}, caption) : null, head, body));
}

/** Return a labelled form field: `field("Day", input)`. */
export function field(label, input) {
  return h("label", { class: "field" }, h("span", {}, label), input);
}

/** Return a section with a heading. */
export function section(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

// The district's today as the server gave it (GET /api/me); null until the shell sets it.
let districtToday = null;

/** Remember the district's today (YYYY-MM-DD), as `GET /api/me` tells it. */
export function setToday(day) {
  districtToday = day || null;
}

/** Return the district's today as YYYY-MM-DD (the browser's local day only before sign-in). */
export function today() {
  if (districtToday) return districtToday;
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Return the date `days` before `day` (YYYY-MM-DD). */
export function daysBefore(day, days) {
  const [y, m, d] = day.split("-").map(Number);
  const shifted = new Date(Date.UTC(y, m - 1, d - days));
  return shifted.toISOString().slice(0, 10);
}

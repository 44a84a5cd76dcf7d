// The operations shell: sign in, ask the server who we are, show the pages the role may use.
// Pages come from ./pages/index.js; each is {id, title_en, title_zh, permission, render}.
// The server enforces roles and scopes on every call; the menu only hides what would fail.

import * as api from "./api.js";
import * as charts from "./charts.js";
import { h, setToday } from "./dom.js";
import { lang, number, other, setLang, t, translate } from "./i18n.js";
import PAGES from "./pages/index.js";

const settings = JSON.parse(document.getElementById("settings").textContent);
const AREA_ROLES = new Set(["health-authority", "street-officer", "grid-worker", "inspector"]);
const $ = (id) => document.getElementById(id);
let me = null;

function show(id) {
  for (const section of ["loading", "login", "page"]) $(section).hidden = section !== id;
  const signedIn = id === "page";
  $("nav").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  $("print").hidden = !signedIn;
}

/** Show `error` (an ApiError or text) in the banner; a lapsed session goes back to sign-in. */
function showError(error) {
  if (error instanceof api.ApiError && error.status === 401 && me !== null) {
    signOut(false);
    showMessage(t("session-ended"));
    return;
  }
  let message = String(error && error.message ? error.message : error);
  if (error instanceof api.ApiError) {
    message = error.code === "network" ? t("error-network") : `${error.message} (${error.code})`;
  }
  showMessage(t("error", { message }));
}

function showMessage(text) {
  $("error").textContent = text;
  $("error").hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}

function allowed(page) {
  if (me === null) return false;
  if (page.permission && !me.permissions.includes(page.permission)) return false;
  return !page.roles || page.roles.includes(me.role);
}

function visiblePages() {
  return PAGES.filter(allowed);
}

function title(page) {
  return lang() === "zh" ? page.title_zh : page.title_en;
}

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [id, query = ""] = raw.split("?");
  return { id, params: Object.fromEntries(new URLSearchParams(query)) };
}

/** Go to page `id` with `params` (a new history entry). */
function navigate(id, params = {}) {
  const query = new URLSearchParams(params).toString();
  const target = `#/${id}${query ? `?${query}` : ""}`;
  if (location.hash === target) route();
  else location.hash = target;
}

function drawNav(current) {
  const list = $("nav-list");
  list.replaceChildren(...visiblePages().map((page) => h("li", {},
    h("a", { href: `#/${page.id}`, dataset: { page: page.id },
      "aria-current": page.id === current ? "page" : null }, title(page)))));
}

async function route() {
  if (me === null) return;
  const pages = visiblePages();
  const { id, params } = parseHash();
  const page = pages.find((one) => one.id === id);
  if (!page) {
    if (pages.length === 0) {
      drawNav(null);
      $("page").replaceChildren(h("p", { class: "hint", id: "no-pages" }, t("no-pages")),
        me.role === "venue-operator"
          ? h("p", {}, h("a", { class: "button", href: "/check" }, t("scanner-page"))) : null);
      show("page");
      routed(null);
      return;
    }
    history.replaceState(null, "", `#/${pages[0].id}`);
    return route();
  }
  clearError();
  charts.destroyAll();
  drawNav(page.id);
  const root = h("div", { class: "page-body", dataset: { page: page.id } });
  $("page").replaceChildren(h("h1", {}, title(page)), root);
  document.title = `${title(page)} · ${t("app-title")}`;
  show("page");
  const context = {
    me, area: AREA_ROLES.has(me.role) ? me.scope : null, settings, params, lang, t, number,
    api, charts, navigate, showError, clearError, rerender: route,
  };
  try {
    await page.render(root, context);
  } catch (error) {
    showError(error);
  } finally {
    root.dataset.ready = "true";
    routed(page.id);
  }
}

// Which page the last routing drew, and how many routings there were (the tests wait on it).
function routed(id) {
  document.body.dataset.route = id || "none";
  document.body.dataset.routed = String(Number(document.body.dataset.routed || 0) + 1);
}

async function loadMe() {
  me = await api.get("/api/me");
  setToday(me.today);
  $("who").textContent = `${me.display_name} · ${t(`role-${me.role}`)} · ${me.scope}`;
}

async function start() {
  if (!api.token()) {
    show("login");
    return;
  }
  try {
    await loadMe();
  } catch (error) {
    api.setToken(null);
    me = null;
    show("login");
    if (!(error instanceof api.ApiError && error.status === 401)) showError(error);
    return;
  }
  await route();
}

async function signIn(event) {
  event.preventDefault();
  clearError();
  const username = $("login-username").value.trim();
  const password = $("login-password").value;
  try {
    const answer = await api.post("/api/auth/login", { username, password });
    api.setToken(answer.token);
    $("login-password").value = "";
    await loadMe();
  } catch (error) {
    api.setToken(null);
    me = null;
    if (error instanceof api.ApiError && error.status === 401) showMessage(t("login-failed"));
    else showError(error);
    return;
  }
  await route();
}

async function signOut(tellServer = true) {
  if (tellServer && api.token()) {
    try {
      await api.post("/api/auth/logout");
    } catch {
      // The token is forgotten here either way; an expired one is already useless.
    }
  }
  api.setToken(null);
  me = null;
  setToday(null);
  charts.destroyAll();
  $("who").textContent = "";
  $("page").replaceChildren();
  $("nav-list").replaceChildren();
  show("login");
}

function drawLanguage() {
  const next = other();
  $("lang").textContent = next.name;
  $("lang").lang = next.code === "zh" ? "zh-CN" : "en";
  translate();
}

$("lang").addEventListener("click", () => {
  setLang(other().code);
  drawLanguage();
  if (me !== null) {
    $("who").textContent = `${me.display_name} · ${t(`role-${me.role}`)} · ${me.scope}`;
    route();
  }
});
$("login-form").addEventListener("submit", signIn);
$("sign-out").addEventListener("click", () => signOut(true));
$("print").addEventListener("click", () => window.print());
window.addEventListener("hashchange", route);
setLang(lang());
drawLanguage();
document.body.dataset.charts = charts.available() ? "yes" : "no";
start();

// The scanner page: status and sign-in, the ways codes come in, the answer, the registration.
// Calls and formats: docs/checkpoint.md ("The page's calls").

import { call, isSessionToken, setToken, token } from "./api.js";
import { Camera } from "./camera.js";
import { Door } from "./door.js";
import { lang, other, setLang, t, translate } from "./i18n.js";
import { playOutcome, unlockAudio } from "./sound.js";
import { renderDoor, renderStatus, showError } from "./view.js";
import { listenForWedge } from "./wedge.js";

const STATUS_EVERY_MS = 15000;
const CATEGORY_KEY = "jointcheck.category";
const CAMERA_KEY = "jointcheck.camera";
const REASONS = ["reason-visit", "reason-work", "reason-medical", "reason-delivery",
  "reason-home"];
const VIEWS = ["loading", "login", "picker", "scan", "register"];

const $ = (id) => document.getElementById(id);
const settings = JSON.parse($("settings").textContent);
const state = { view: "loading", status: null, unreachable: false, cameraState: "off",
  cameraMessage: "" };

function show(view) {
  state.view = view;
  for (const name of VIEWS) $(name).hidden = name !== view;
  $("sign-out").hidden = !token() || view === "login";
}

// ---- venue category --------------------------------------------------------------------

function chosenCategory() {
  return state.status && !state.status.venue ? localStorage.getItem(CATEGORY_KEY) : null;
}

function categoryName(slug) {
  const found = settings.categories.find((c) => c.slug === slug);
  return found ? found[lang()] : slug;
}

function renderPicker() {
  const select = $("picker-select");
  const chosen = localStorage.getItem(CATEGORY_KEY);
  select.replaceChildren(...settings.categories.map((c) => {
    const option = new Option(c[lang()], c.slug);
    option.selected = c.slug === chosen;
    return option;
  }));
}

// ---- status and sign-in ------------------------------------------------------------------

function drawStatus() {
  const slug = state.status?.venue ? state.status.venue.category : chosenCategory();
  renderStatus(state.status, { unreachable: state.unreachable, stale: door.person.answer?.stale,
    categoryName: slug ? categoryName(slug) : "" });
}

function unauthenticated(error) {
  setToken(null);
  camera.stop();
  if (error && error.code !== "token-missing") showError(error);
  show("login");
}

async function refreshStatus() {
  try {
    state.status = (await call("GET", "/api/checkpoint/status")).data;
    state.unreachable = false;
  } catch (error) {
    // 401: no token or a dead one; 403: a user who may not check at a door (sign in as
    // another).
    const signingIn = state.view === "loading" || state.view === "login";
    if (error.status === 401 || (error.status === 403 && signingIn)) {
      unauthenticated(error);
      return;
    }
    state.unreachable = error.code === "network";
    if (!state.unreachable) showError(error);
    drawStatus();
    return;
  }
  $("lookup-form").hidden = state.status.lookup !== true;
  drawStatus();
  if (state.view === "loading" || state.view === "login") {
    showError(null);
    enterDesk();
  }
}

function enterDesk() {
  if (!state.status.venue && !localStorage.getItem(CATEGORY_KEY)) {
    renderPicker();
    show("picker");
    return;
  }
  show("scan");
  if (localStorage.getItem(CAMERA_KEY) === "on") camera.start();
}

async function login(event) {
  event.preventDefault();
  try {
    const { data } = await call("POST", "/api/auth/login", {
      username: $("login-username").value.trim(), password: $("login-password").value });
    setToken(data.token, "session");
    $("login-password").value = "";
    await refreshStatus();
  } catch (error) {
    showError(error);
  }
}

async function useToken(event) {
  event.preventDefault();
  const text = $("token-input").value.trim();
  if (!text) return;
  setToken(text);
  $("token-input").value = "";
  await refreshStatus();
}

async function signOut() {
  // A password session ends on the server; a pasted checkpoint token is only forgotten here,
  // since revoking it would stop every device of the checkpoint that uses it.
  if (isSessionToken()) {
    try {
      await call("POST", "/api/auth/logout");
    } catch {
      // An expired session needs no ending: forget it all the same.
    }
  }
  await door.next();
  unauthenticated(null);
}

// ---- the door --------------------------------------------------------------------------

function doorError(error) {
  if (error.status === 401) unauthenticated(error);
  else showError(error);
}

const door = new Door({
  onChange: () => {
    if (door.busy) showError(null);
    renderDoor(door);
    drawStatus();
  },
  onFinal: (answer) => playOutcome(answer.outcome),
  onError: doorError,
  category: chosenCategory,
});

const camera = new Camera($("video"), settings, {
  onCode: (text) => {
    if (state.view === "scan") door.scan(text);
  },
  onState: (cameraState, message = "") => {
    state.cameraState = cameraState;
    state.cameraMessage = message;
    renderCamera();
  },
});

function renderCamera() {
  const words = { starting: t("camera-starting"), on: t("camera-on"),
    missing: t("camera-missing"), failed: t("camera-failed", { message: state.cameraMessage }),
    off: "" };
  $("camera-status").textContent = words[state.cameraState] ?? "";
  const button = $("camera-toggle");
  button.hidden = state.cameraState === "missing";
  button.textContent = camera.running || state.cameraState === "starting"
    ? t("camera-stop") : t("camera-start");
}

// ---- registration ------------------------------------------------------------------------

function renderReasons() {
  const current = $("reg-reason").value;
  $("reasons").replaceChildren(...REASONS.map((key) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = t(key);
    button.setAttribute("aria-pressed", String(current === t(key)));
    button.addEventListener("click", () => {
      $("reg-reason").value = t(key);
      renderReasons();
    });
    return button;
  }));
}

function openRegistration() {
  const holder = door.person.answer?.holder;
  $("reg-name").value = holder ? holder.name : "";
  $("reg-id").value = "";
  $("reg-phone").value = "";
  $("reg-reason").value = "";
  renderReasons();
  showError(null);
  show("register");
  $(holder ? "reg-id" : "reg-name").focus();
}

async function submitRegistration(event) {
  event.preventDefault();
  try {
    await door.register({
      name: $("reg-name").value.trim(), id_number: $("reg-id").value.trim(),
      phone: $("reg-phone").value.trim(), reason: $("reg-reason").value.trim() });
    showError(null);
    show("scan");
    renderDoor(door);
  } catch (error) {
    doorError(error);
  }
}

// ---- wiring ------------------------------------------------------------------------------

function relabel() {
  translate();
  const toggle = other();
  $("lang").textContent = toggle.name;
  $("lang").lang = toggle.code === "zh" ? "zh-CN" : "en";
  renderPicker();
  renderReasons();
  renderCamera();
  renderDoor(door);
  drawStatus();
}

function wire() {
  $("lang").addEventListener("click", () => {
    setLang(other().code);
    relabel();
  });
  $("login-form").addEventListener("submit", login);
  $("token-form").addEventListener("submit", useToken);
  $("sign-out").addEventListener("click", signOut);
  $("picker-form").addEventListener("submit", (event) => {
    event.preventDefault();
    localStorage.setItem(CATEGORY_KEY, $("picker-select").value);
    drawStatus();
    enterDesk();
  });
  $("decide-now").addEventListener("click", () => door.decideNow());
  $("cancel-person").addEventListener("click", () => door.next());
  $("next").addEventListener("click", () => {
    showError(null);
    door.next();
  });
  $("register-open").addEventListener("click", openRegistration);
  $("register-form").addEventListener("submit", submitRegistration);
  $("register-cancel").addEventListener("click", () => show("scan"));
  $("camera-toggle").addEventListener("click", () => {
    // The worker's choice is remembered: the camera comes back on with the page.
    const starting = !camera.running && state.cameraState !== "starting";
    localStorage.setItem(CAMERA_KEY, starting ? "on" : "off");
    if (starting) camera.start();
    else camera.stop();
  });
  $("manual-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("manual-code").value;
    $("manual-code").value = "";
    door.scan(text);
  });
  $("manual-code").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("manual-form").requestSubmit();
    }
  });
  $("lookup-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const number = $("lookup-id").value;
    $("lookup-id").value = "";
    door.lookup(number);
  });
  // Browsers start sound only after a tap or a key.
  for (const kind of ["pointerdown", "keydown"]) {
    document.addEventListener(kind, unlockAudio, { capture: true, passive: true });
  }
  listenForWedge((text) => door.scan(text), () => state.view === "scan");
}

setLang(lang());
relabel();
wire();
if (!camera.available) state.cameraState = "missing";
renderCamera();
refreshStatus();
setInterval(refreshStatus, STATUS_EVERY_MS);

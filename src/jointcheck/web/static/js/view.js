// Drawing the page from the state: the status banners, the person in progress, the answer.
// Only the decision, its reason, the name and the birth year are shown: never medical detail.

import { has, lang, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

function item(text, className) {
  const li = document.createElement("li");
  li.textContent = text;
  if (className) li.className = className;
  return li;
}

/** Return the words for an API error: the known codes in the page's language, else the
 * server's own message, with the code. */
export function errorText(error) {
  if (error.code === "too-many-codes") return t("too-many-codes", { count: error.count });
  const key = `err-${error.code}`;
  const words = has(key) ? t(key) : (error.message || error.code);
  return `${t("error")}: ${words} (${error.code})`;
}

/** Show `error` (or hide the error line when null). */
export function showError(error) {
  const box = $("error");
  box.hidden = error === null;
  box.textContent = error === null ? "" : errorText(error);
}

/** Draw the header, the banners and the footer from the checkpoint's status. */
export function renderStatus(status, { unreachable, stale, categoryName }) {
  const banners = $("banners");
  banners.replaceChildren();
  const add = (text, kind) => {
    const div = document.createElement("div");
    div.className = `banner ${kind}`;
    div.textContent = text;
    banners.append(div);
  };
  if (unreachable) add(t("unreachable"), "severe");
  if (status) {
    if (status.clock_problem) {
      const code = status.clock_problem.code;
      add(t("clock-problem", { message: has(code) ? t(code) : status.clock_problem.message }),
        "severe");
    }
    if (status.online === false) add(t("offline"), "");
    const queue = status.queue || {};
    if ((queue.events || 0) + (queue.registrations || 0) > 0) {
      add(t("queue", { events: queue.events || 0, registrations: queue.registrations || 0 }),
        "info");
    }
  }
  const staleItems = new Map();
  for (const entry of [...(status?.stale || []), ...(stale || [])]) {
    staleItems.set(entry.what, entry);
  }
  for (const entry of staleItems.values()) {
    const what = has(`stale-${entry.what}`) ? t(`stale-${entry.what}`) : entry.what;
    add(t("stale", { what, hours: Number(entry.age_hours).toFixed(1) }), "");
  }
  if (!status) return;
  const venue = status.venue;
  $("venue-name").textContent = venue ? venue.name : t("app-name");
  $("venue-category").textContent = categoryName || "";
  const footer = [t("footer", {
    policy: status.policy ? `${status.policy.id} ${status.policy.version}` : "—",
    sequence: status.trust_list?.sequence ?? "—",
    mode: t(`mode-${status.mode}`),
  })];
  if (status.last_sync) footer.push(t("last-sync", { when: localTime(status.last_sync) }));
  $("footer").textContent = footer.join(" · ");
}

function localTime(iso) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at.toLocaleString(lang() === "zh" ? "zh-CN" : "en-GB",
    { dateStyle: "short", timeStyle: "short" });
}

function credentialLabel(entry) {
  const key = entry.type ? `type-${entry.type}` : "type-unknown";
  const name = has(key) ? t(key) : entry.type;
  return entry.valid ? `✓ ${name}` : `✗ ${name} · ${t("refused")} (${entry.code})`;
}

/** Draw the scan area: the prompt, the person in progress, or the final answer. */
export function renderDoor(door) {
  const { answer, codes, registration } = door.person;
  const inProgress = answer !== null && !answer.final;
  $("busy").hidden = !door.busy;
  $("prompt").hidden = door.busy || codes.length > 0 || answer !== null;
  $("progress").hidden = door.busy || !inProgress;
  $("result").hidden = door.busy || !door.final;

  if (inProgress) {
    $("needs").replaceChildren(...answer.needs.map((need) => item(t(`need-${need}`))));
    $("scanned").replaceChildren(...answer.credentials.map(
      (entry) => item(credentialLabel(entry), entry.valid ? "" : "refused")));
    const button = $("decide-now");
    const need = answer.needs.includes("health-code") ? "health-code" : "certificate";
    button.textContent = t(`decide-now-${need}`);
  }
  if (door.final) renderAnswer(answer, door.mayRegister, registration);
}

function renderAnswer(answer, mayRegister, registration) {
  const band = $("band");
  band.className = `band outcome-${answer.outcome}`;
  band.dataset.outcome = answer.outcome;
  $("outcome-word").textContent = t(`outcome-${answer.outcome}`);
  const holder = answer.holder;
  $("holder").hidden = !holder;
  $("holder").textContent = holder ? t("holder", { name: holder.name, year: holder.birth_year })
    : "";
  const reason = answer.reason || {};
  $("reason").textContent = reason[lang()] || reason.en || "";
  $("notes").replaceChildren(...(answer.notes || []).map((note) => item(note[lang()] || note.en)));
  $("register-open").hidden = !mayRegister || registration !== null;
  $("registered").hidden = registration === null;
  if (registration !== null) {
    $("registered").textContent = t(registration.recorded ? "registered" : "already-registered");
  }
}

// The follow-up page (R7): a grid worker's worklist in priority order with the reasons and
// what the worker needs to visit (name, phone, address), one case with its outcome history and
// one-tap outcome buttons, a refresh of the area's cases, and the funnel figures of the area.
// Calls: GET /api/followup/worklist, GET /api/followup/cases/{id}, POST .../outcomes,
// POST /api/followup/refresh, GET /api/followup/funnel (docs/operations.md).

import { field, h, section, table, today } from "../dom.js";
import { define, t } from "../i18n.js";
import { stacked } from "./organisations.js";

export const OUTCOMES = ["contacted", "policy-explained", "appointment-booked", "vaccinated",
  "exemption-presented", "declined", "moved-away", "unreachable"];
const CLOSING = new Set(["vaccinated", "exemption-presented", "moved-away"]);
const STAGES = [...OUTCOMES, "not-yet-contacted"];
const STATUSES = ["open", "closed", "all"];
const AREA_KEY = "jointcheck.ops.followup-area";

define({
  zh: {
    "fu-area": "区域（社区或网格）",
    "fu-status": "案件",
    "fu-status-open": "待跟进",
    "fu-status-closed": "已结案",
    "fu-status-all": "全部",
    "fu-refresh": "更新名单",
    "fu-refreshed": "已更新：新增 {opened} 件，结案 {closed} 件，待跟进 {open} 件",
    "fu-funnel": "跟进进度",
    "fu-total": "案件总数",
    "fu-open": "待跟进",
    "fu-closed": "已结案",
    "fu-stage": "阶段（按最近一次结果）",
    "fu-count": "人数",
    "fu-worklist": "跟进名单",
    "fu-worklist-count": "{count} 人，按优先顺序排列",
    "fu-empty": "此区域没有需要跟进的人员",
    "fu-band": "第 {band} 优先",
    "fu-age": "{age} 岁",
    "fu-open-case": "打开",
    "fu-back": "返回名单",
    "fu-last": "最近：{outcome}（{on}）",
    "fu-never": "尚未联系",
    "fu-case": "跟进案件",
    "fu-name": "姓名",
    "fu-birth-year": "出生年份",
    "fu-phone": "电话",
    "fu-address": "地址",
    "fu-case-area": "所在区域",
    "fu-source": "来源",
    "fu-opened-on": "立案日期",
    "fu-priority": "优先顺序",
    "fu-days-eligible": "符合接种条件天数",
    "fu-visits": "到访重点场所次数",
    "fu-case-status": "状态",
    "fu-record": "记录跟进结果",
    "fu-on": "日期",
    "fu-note": "备注（可选，200 字以内）",
    "fu-note-column": "备注",
    "fu-recorded": "已记录：{outcome}",
    "fu-closes": "（结案）",
    "fu-history": "跟进记录",
    "fu-outcome": "结果",
    "fu-worker": "工作人员",
    "fu-no-history": "暂无记录",
    "fu-closed-note": "此案件已结案，不能再添加结果",
    "fu-funnel-chart": "各阶段人数",
    "fu-source-registration": "场所登记",
    "fu-source-registry": "户籍库",
    "fu-source-survey": "入户调查",
    "fu-reason-older-age": "60 岁及以上",
    "fu-reason-vulnerable-venue-visits": "到访过养老院、幼儿园、小学、医疗机构等场所",
    "fu-reason-long-eligible": "符合接种条件已满 90 天",
    "fu-reason-registered-at-door": "在场所门口登记为未接种",
    "fu-reason-reported-in-survey": "入户调查中报告未接种",
    "fu-outcome-contacted": "已联系",
    "fu-outcome-policy-explained": "已宣传政策",
    "fu-outcome-appointment-booked": "已预约接种",
    "fu-outcome-vaccinated": "已接种",
    "fu-outcome-exemption-presented": "出示禁忌证明",
    "fu-outcome-declined": "拒绝接种",
    "fu-outcome-moved-away": "已迁出",
    "fu-outcome-unreachable": "联系不上",
    "fu-outcome-not-yet-contacted": "尚未联系",
  },
  en: {
    "fu-area": "Area (community or grid)",
    "fu-status": "Cases",
    "fu-status-open": "open",
    "fu-status-closed": "closed",
    "fu-status-all": "all",
    "fu-refresh": "Refresh the list",
    "fu-refreshed": "Refreshed: {opened} opened, {closed} closed, {open} open",
    "fu-funnel": "Progress",
    "fu-total": "Cases",
    "fu-open": "Open",
    "fu-closed": "Closed",
    "fu-stage": "Stage (latest outcome)",
    "fu-count": "People",
    "fu-worklist": "Worklist",
    "fu-worklist-count": "{count} people, in priority order",
    "fu-empty": "Nobody to follow up in this area",
    "fu-band": "priority {band}",
    "fu-age": "aged {age}",
    "fu-open-case": "Open",
    "fu-back": "Back to the list",
    "fu-last": "Latest: {outcome} ({on})",
    "fu-never": "not yet contacted",
    "fu-case": "Follow-up case",
    "fu-name": "Name",
    "fu-birth-year": "Born",
    "fu-phone": "Phone",
    "fu-address": "Address",
    "fu-case-area": "Area",
    "fu-source": "Source",
    "fu-opened-on": "Opened on",
    "fu-priority": "Priority",
    "fu-days-eligible": "Days eligible",
    "fu-visits": "Visits to vulnerable venues",
    "fu-case-status": "Status",
    "fu-record": "Record an outcome",
    "fu-on": "Date",
    "fu-note": "Note (optional, up to 200 characters)",
    "fu-note-column": "Note",
    "fu-recorded": "Recorded: {outcome}",
    "fu-closes": "(closes the case)",
    "fu-history": "Outcomes",
    "fu-outcome": "Outcome",
    "fu-worker": "Worker",
    "fu-no-history": "No outcome yet",
    "fu-closed-note": "This case is closed; no outcome can be added",
    "fu-funnel-chart": "People per stage",
    "fu-source-registration": "registered at a venue",
    "fu-source-registry": "registry",
    "fu-source-survey": "door-to-door survey",
    "fu-reason-older-age": "aged 60 or over",
    "fu-reason-vulnerable-venue-visits": "visited a nursing home, kindergarten, primary school "
      + "or medical institution",
    "fu-reason-long-eligible": "eligible for 90 days or more",
    "fu-reason-registered-at-door": "registered at a venue's door as not vaccinated",
    "fu-reason-reported-in-survey": "reported not vaccinated in a survey",
    "fu-outcome-contacted": "contacted",
    "fu-outcome-policy-explained": "policy explained",
    "fu-outcome-appointment-booked": "appointment booked",
    "fu-outcome-vaccinated": "vaccinated",
    "fu-outcome-exemption-presented": "exemption presented",
    "fu-outcome-declined": "declined",
    "fu-outcome-moved-away": "moved away",
    "fu-outcome-unreachable": "unreachable",
    "fu-outcome-not-yet-contacted": "not yet contacted",
  },
});

/** Tell whether area `code` is `scope` or lies inside it (whole segments). */
export function within(scope, code) {
  return Boolean(scope && code) && (code === scope || code.startsWith(`${scope}.`));
}

/** Return the words of a follow-up outcome (or stage). */
export function outcomeName(outcome) {
  return t(`fu-outcome-${outcome}`);
}

function reasonName(reason) {
  const key = `fu-reason-${reason}`;
  const text = t(key);
  return text === key ? reason : text;
}

/** Return the area the page works on: the link's, else the last one chosen, else the scope. */
export function chosenArea(ctx, key = AREA_KEY) {
  const scope = ctx.area;
  for (const candidate of [ctx.params.area, sessionStorage.getItem(key)]) {
    if (within(scope, candidate)) return candidate;
  }
  return scope;
}

function canWrite(ctx) {
  return ctx.me.permissions.includes("followup.write");
}

function inlineError(id) {
  return h("p", { class: "fu-error", id, role: "alert", hidden: true });
}

function showInline(element, error) {
  element.textContent = error && error.code ? `${error.message} (${error.code})` : String(error);
  element.hidden = false;
}

// ---- the list --------------------------------------------------------------------------

function areaForm(ctx, area, status) {
  const areaInput = h("input", { id: "fu-area", name: "area", value: area, required: true,
    list: "fu-areas", autocomplete: "off", spellcheck: "false" });
  const statusSelect = h("select", { id: "fu-status", name: "status" },
    STATUSES.map((one) => h("option", { value: one, selected: one === status },
      t(`fu-status-${one}`))));
  const form = h("form", { id: "fu-area-form", class: "row" },
    field(t("fu-area"), areaInput), field(t("fu-status"), statusSelect),
    h("button", { type: "submit", class: "primary" }, t("show")),
    h("datalist", { id: "fu-areas" }, h("option", { value: ctx.area })));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = areaInput.value.trim();
    sessionStorage.setItem(AREA_KEY, chosen);
    ctx.navigate("followup", { area: chosen, status: statusSelect.value });
  });
  return form;
}

function refreshButton(ctx, area, notice, problem) {
  const button = h("button", { type: "button", id: "fu-refresh" }, t("fu-refresh"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    problem.hidden = true;
    notice.hidden = true;
    try {
      const done = await ctx.api.post("/api/followup/refresh", { area });
      notice.textContent = t("fu-refreshed", done);
      notice.hidden = false;
      await drawFigures(ctx, area);
      await drawWorklist(ctx, area, ctx.params.status || "open");
    } catch (error) {
      showInline(problem, error);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

async function drawFigures(ctx, area) {
  const box = document.getElementById("fu-funnel");
  if (!box) return;
  let funnel;
  try {
    funnel = await ctx.api.get("/api/followup/funnel", { area });
  } catch (error) {
    box.replaceChildren(h("p", { class: "unavailable" }, `${t("unavailable")}: ${error.message}`));
    return;
  }
  const stages = STAGES.filter((stage) => stage in funnel.stages);
  const chart = ctx.charts.bars(t("fu-funnel-chart"), stages.map(outcomeName),
    [{ label: t("fu-count"), data: stages.map((stage) => funnel.stages[stage]) }],
    { horizontal: true });
  box.replaceChildren(...[
    h("div", { class: "figures" },
      h("div", {}, h("div", { class: "label" }, t("fu-total")),
        h("div", { class: "figure", id: "fu-total" }, ctx.number(funnel.total))),
      h("div", {}, h("div", { class: "label" }, t("fu-open")),
        h("div", { class: "figure", id: "fu-open" }, ctx.number(funnel.open))),
      h("div", {}, h("div", { class: "label" }, t("fu-closed")),
        h("div", { class: "figure", id: "fu-closed" }, ctx.number(funnel.closed)))),
    chart,
    table([t("fu-stage"), t("fu-count")],
      stages.map((stage) => [outcomeName(stage), ctx.number(funnel.stages[stage])]),
      { id: "fu-stages", numeric: [1] })].filter(Boolean));
}

function itemCard(item, area) {
  const last = item.last_outcome
    ? t("fu-last", { outcome: outcomeName(item.last_outcome), on: item.last_outcome_on })
    : t("fu-never");
  return h("li", { class: `fu-item fu-band-${Math.min(item.priority, 3)}`,
    dataset: { case: item.case_id, status: item.status, pid: item.pid } },
  h("div", { class: "fu-item-head" },
    h("span", { class: "fu-badge" }, t("fu-band", { band: item.priority })),
    h("strong", { class: "fu-name" }, item.name),
    h("span", { class: "hint" }, `${t("fu-age", { age: item.age })} · ${item.birth_year}`)),
  h("div", { class: "fu-contact" },
    item.phone ? h("a", { href: `tel:${item.phone}`, class: "fu-phone" }, item.phone) : null,
    item.address ? h("span", { class: "fu-address" }, item.address) : null,
    h("span", { class: "hint" }, item.area)),
  h("ul", { class: "fu-reasons" }, item.reasons.map((reason) =>
    h("li", { dataset: { reason } }, reasonName(reason)))),
  h("div", { class: "fu-item-foot" },
    h("span", { class: "hint fu-last" }, last),
    h("a", { class: "button no-print", href: `#/followup?${new URLSearchParams(
      { area, case: item.case_id }).toString()}` }, t("fu-open-case"))));
}

async function drawWorklist(ctx, area, status) {
  const box = document.getElementById("fu-worklist");
  if (!box) return;
  const answer = await ctx.api.get("/api/followup/worklist", { area, status, limit: 200 });
  const areas = document.getElementById("fu-areas");
  if (areas) {
    const codes = [...new Set([ctx.area, ...answer.items.map((item) => item.area)])].sort();
    areas.replaceChildren(...codes.map((code) => h("option", { value: code })));
  }
  box.replaceChildren(
    h("p", { class: "hint", id: "fu-count" }, t("fu-worklist-count",
      { count: answer.items.length })),
    answer.items.length
      ? h("ol", { class: "fu-list", id: "fu-items" }, answer.items.map((item) =>
        itemCard(item, area)))
      : h("p", { class: "hint", id: "fu-items-empty" }, t("fu-empty")));
}

async function renderList(root, ctx) {
  const area = chosenArea(ctx);
  const status = STATUSES.includes(ctx.params.status) ? ctx.params.status : "open";
  const notice = h("p", { class: "notice", id: "fu-notice", role: "status", hidden: true });
  const problem = inlineError("fu-refresh-error");
  root.append(
    h("div", { class: "card" }, areaForm(ctx, area, status),
      canWrite(ctx) ? h("div", { class: "actions" }, refreshButton(ctx, area, notice, problem))
        : null,
      notice, problem),
    section(t("fu-funnel"), h("div", { id: "fu-funnel" })),
    section(t("fu-worklist"), h("div", { id: "fu-worklist" })));
  await Promise.all([drawFigures(ctx, area), drawWorklist(ctx, area, status)]);
}

// ---- one case --------------------------------------------------------------------------

function caseFacts(item, ctx) {
  const rows = [
    [t("fu-name"), item.name],
    [t("fu-birth-year"), ctx.lang() === "zh" ? `${item.birth_year}（${item.age} 岁）`
      : `${item.birth_year} (${t("fu-age", { age: item.age })})`],
    [t("fu-phone"), item.phone ? h("a", { href: `tel:${item.phone}` }, item.phone) : "—"],
    [t("fu-address"), item.address || "—"],
    [t("fu-case-area"), item.area],
    [t("fu-source"), t(`fu-source-${item.source}`)],
    [t("fu-opened-on"), item.opened_on],
    [t("fu-case-status"), t(`fu-status-${item.status}`)],
    [t("fu-priority"), h("span", {}, t("fu-band", { band: item.priority }),
      h("ul", { class: "fu-reasons" }, item.reasons.map((one) => h("li", {}, reasonName(one)))))],
    [t("fu-days-eligible"), ctx.number(item.days_since_eligible)],
    [t("fu-visits"), ctx.number(item.vulnerable_visits)],
  ];
  return h("dl", { class: "facts", id: "fu-facts" }, rows.flatMap(([label, value]) =>
    [h("dt", {}, label), h("dd", {}, value)]));
}

function historyTable(item) {
  if (!item.outcomes.length) return h("p", { class: "hint", id: "fu-history-empty" },
    t("fu-no-history"));
  return stacked(table([t("fu-on"), t("fu-outcome"), t("fu-worker"), t("fu-note-column")],
    item.outcomes.map((one) => [one.on, outcomeName(one.outcome), one.worker, one.note || ""]),
    { id: "fu-history" }));
}

function outcomeForm(ctx, item, redraw) {
  const day = h("input", { type: "date", id: "fu-on", name: "on", value: today(),
    max: today(), min: item.opened_on, required: true });
  const note = h("input", { id: "fu-note", name: "note", maxlength: 200, autocomplete: "off" });
  const problem = inlineError("fu-outcome-error");
  const buttons = OUTCOMES.map((outcome) => h("button", {
    type: "button", class: CLOSING.has(outcome) ? "fu-outcome closing" : "fu-outcome",
    dataset: { outcome } }, outcomeName(outcome),
  CLOSING.has(outcome) ? h("small", {}, t("fu-closes")) : null));
  for (const button of buttons) {
    button.addEventListener("click", async () => {
      problem.hidden = true;
      for (const one of buttons) one.disabled = true;
      const body = { outcome: button.dataset.outcome, on: day.value };
      if (note.value.trim()) body.note = note.value.trim();
      try {
        const updated = await ctx.api.post(`/api/followup/cases/${item.case_id}/outcomes`, body);
        redraw(updated, t("fu-recorded", { outcome: outcomeName(body.outcome) }));
      } catch (error) {
        showInline(problem, error);
        for (const one of buttons) one.disabled = false;
      }
    });
  }
  return h("form", { id: "fu-outcome-form", class: "stack" },
    h("div", { class: "row" }, field(t("fu-on"), day), field(t("fu-note"), note)),
    h("div", { class: "fu-outcomes" }, buttons), problem);
}

function drawCase(box, ctx, item, message = null) {
  const redraw = (updated, text) => drawCase(box, ctx, updated, text);
  const writable = canWrite(ctx) && item.status === "open";
  box.replaceChildren(...[
    h("div", { class: "card", id: "fu-case", dataset: { case: item.case_id,
      status: item.status } },
    h("h2", {}, `${t("fu-case")} #${item.case_id}`), caseFacts(item, ctx)),
    message ? h("p", { class: "notice", id: "fu-recorded", role: "status" }, message) : null,
    writable ? section(t("fu-record"), outcomeForm(ctx, item, redraw))
      : h("p", { class: "hint", id: "fu-closed-note" },
        item.status === "closed" ? t("fu-closed-note") : ""),
    section(t("fu-history"), historyTable(item))].filter(Boolean));
}

async function renderCase(root, ctx, caseId) {
  const area = chosenArea(ctx);
  root.append(h("div", { class: "actions no-print" }, h("a", { class: "button", id: "fu-back",
    href: `#/followup?${new URLSearchParams({ area }).toString()}` }, t("fu-back"))));
  const box = h("div", { class: "stack", id: "fu-case-box" });
  root.append(box);
  const item = await ctx.api.get(`/api/followup/cases/${encodeURIComponent(caseId)}`);
  drawCase(box, ctx, item);
}

export default {
  id: "followup",
  title_en: "Follow-up",
  title_zh: "跟进随访",
  permission: "followup.read",
  async render(root, ctx) {
    if (ctx.params.case) await renderCase(root, ctx, ctx.params.case);
    else await renderList(root, ctx);
  },
};

// The school investigation page (R11): open an investigation with the term's first day (the
// deadline is the seventh day of term), see the progress per group (staff, students, family
// members) with the days left and whether it is overdue, and record every member as checked
// from the registry.
// Calls: GET/POST /api/organisations/{code}/investigations, GET .../investigations/{id},
// POST .../investigations/{id}/check-all (docs/operations.md).

import { field, h, section, table, today } from "../dom.js";
import { define, t } from "../i18n.js";
import {
  inlineError, pickOrganisation, showInline, stacked, STATUSES, statusName,
} from "./organisations.js";

const GROUPS = ["staff", "students", "family"];

define({
  zh: {
    "sch-none": "没有可查看的学校",
    "sch-open": "开展开学核查",
    "sch-term-start": "开学日期",
    "sch-open-submit": "开始核查",
    "sch-opened": "已开始核查，截止日期 {deadline}",
    "sch-investigations": "核查记录",
    "sch-choose": "核查",
    "sch-term": "{term} 开学",
    "sch-progress": "核查进度",
    "sch-deadline": "截止日期",
    "sch-days-left": "剩余天数",
    "sch-state": "状态",
    "sch-complete": "已全部核查",
    "sch-overdue": "已逾期，尚未核查完",
    "sch-running": "核查中",
    "sch-group": "人员类别",
    "sch-total": "人数",
    "sch-checked": "已核查",
    "sch-group-staff": "教职员工",
    "sch-group-students": "学生",
    "sch-group-family": "学生家属",
    "sch-check-all": "从接种库全部核查",
    "sch-check-on": "核查日期",
    "sch-checked-all": "已按接种库核查全部人员",
    "sch-none-yet": "尚未开展核查",
  },
  en: {
    "sch-none": "No school to show",
    "sch-open": "Open an investigation",
    "sch-term-start": "First day of term",
    "sch-open-submit": "Open",
    "sch-opened": "Investigation opened; the deadline is {deadline}",
    "sch-investigations": "Investigations",
    "sch-choose": "Investigation",
    "sch-term": "term from {term}",
    "sch-progress": "Progress",
    "sch-deadline": "Deadline",
    "sch-days-left": "Days left",
    "sch-state": "State",
    "sch-complete": "everyone checked",
    "sch-overdue": "overdue, not everyone checked",
    "sch-running": "in progress",
    "sch-group": "Group",
    "sch-total": "People",
    "sch-checked": "Checked",
    "sch-group-staff": "staff",
    "sch-group-students": "students",
    "sch-group-family": "family members",
    "sch-check-all": "Check all from the registry",
    "sch-check-on": "Check date",
    "sch-checked-all": "Every member checked from the registry",
    "sch-none-yet": "No investigation yet",
  },
});

function stateOf(report) {
  if (report.complete) return ["complete", t("sch-complete")];
  if (report.overdue) return ["overdue", t("sch-overdue")];
  return ["running", t("sch-running")];
}

function groupRows(report, ctx) {
  return GROUPS.filter((group) => group in report.groups).map((group) => {
    const figures = report.groups[group];
    return [t(`sch-group-${group}`), ctx.number(figures.total), ctx.number(figures.checked),
      ...STATUSES.map((status) => ctx.number(figures.by_status[status] ?? 0))];
  });
}

function progressBars(report) {
  return h("div", { class: "sch-bars" }, GROUPS.filter((group) => group in report.groups)
    .map((group) => {
      const figures = report.groups[group];
      return h("label", { class: "sch-bar", dataset: { group } },
        h("span", {}, `${t(`sch-group-${group}`)} ${figures.checked}/${figures.total}`),
        h("progress", { max: Math.max(figures.total, 1), value: figures.checked }));
    }));
}

function checkAllForm(ctx, code, report, redraw) {
  const day = h("input", { type: "date", id: "sch-check-on", name: "on", value: today(),
    max: today(), required: true });
  const problem = inlineError("sch-check-error");
  const form = h("form", { id: "sch-check-form", class: "stack" },
    h("div", { class: "row" }, field(t("sch-check-on"), day),
      h("button", { type: "submit", class: "primary", id: "sch-check-all" }, t("sch-check-all"))),
    problem);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.hidden = true;
    const button = form.querySelector("#sch-check-all");
    button.disabled = true;
    try {
      const updated = await ctx.api.post(`/api/organisations/${encodeURIComponent(code)}`
        + `/investigations/${report.id}/check-all`, { on: day.value });
      redraw(updated, t("sch-checked-all"));
    } catch (error) {
      showInline(problem, error);
      button.disabled = false;
    }
  });
  return form;
}

function drawReport(box, ctx, code, report, message = null) {
  const [state, words] = stateOf(report);
  const writable = ctx.me.permissions.includes("organisations.write");
  const redraw = (updated, text) => drawReport(box, ctx, code, updated, text);
  box.replaceChildren(...[
    message ? h("p", { class: "notice", id: "sch-notice", role: "status" }, message) : null,
    h("section", { class: "card", id: "sch-report", dataset: { id: report.id, state } },
      h("h2", {}, `${t("sch-progress")} · ${t("sch-term", { term: report.term_start })}`),
      h("dl", { class: "facts" },
        h("dt", {}, t("sch-term-start")), h("dd", {}, report.term_start),
        h("dt", {}, t("sch-deadline")), h("dd", { id: "sch-deadline" }, report.deadline),
        h("dt", {}, t("sch-days-left")), h("dd", { id: "sch-days-left" },
          ctx.number(report.days_left)),
        h("dt", {}, t("sch-state")), h("dd", {}, h("span", { id: "sch-state",
          class: `sch-state sch-${state}` }, words))),
      progressBars(report),
      stacked(table([t("sch-group"), t("sch-total"), t("sch-checked"),
        ...STATUSES.map(statusName)], groupRows(report, ctx),
      { id: "sch-groups", numeric: [1, 2, 3, 4, 5, 6, 7] }))),
    writable ? section(t("sch-check-all"), checkAllForm(ctx, code, report, redraw)) : null,
  ].filter(Boolean));
}

function openForm(ctx, code) {
  const day = h("input", { type: "date", id: "sch-term-start", name: "term_start",
    value: today(), required: true });
  const problem = inlineError("sch-open-error");
  const form = h("form", { id: "sch-open-form", class: "stack" },
    h("div", { class: "row" }, field(t("sch-term-start"), day),
      h("button", { type: "submit", class: "primary" }, t("sch-open-submit"))), problem);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.hidden = true;
    try {
      const opened = await ctx.api.post(
        `/api/organisations/${encodeURIComponent(code)}/investigations`,
        { term_start: day.value });
      ctx.navigate("school", { org: code, inv: opened.id, opened: "1" });
    } catch (error) {
      showInline(problem, error);
    }
  });
  return form;
}

function investigationPicker(ctx, code, list, chosen) {
  if (list.length < 2) return null;
  const select = h("select", { id: "sch-pick" }, list.map((one) => h("option", {
    value: one.id, selected: one.id === chosen.id }, t("sch-term", { term: one.term_start }))));
  select.addEventListener("change", () => ctx.navigate("school",
    { org: code, inv: select.value }));
  return h("div", { class: "no-print" }, field(t("sch-choose"), select));
}

export default {
  id: "school",
  title_en: "School investigation",
  title_zh: "开学核查",
  permission: "organisations.read",
  async render(root, ctx) {
    const { code, picker } = await pickOrganisation(ctx, "school",
      (org) => org.type === "school");
    if (code === null) {
      root.append(h("p", { class: "hint" }, t("sch-none")));
      return;
    }
    if (picker) root.append(picker);
    const base = `/api/organisations/${encodeURIComponent(code)}/investigations`;
    const { investigations } = await ctx.api.get(base);
    const chosen = investigations.find((one) => String(one.id) === ctx.params.inv)
      || investigations[0];
    const box = h("div", { class: "stack", id: "sch-box", dataset: { org: code } });
    const pick = chosen ? investigationPicker(ctx, code, investigations, chosen) : null;
    if (pick) root.append(pick);
    root.append(box);
    if (chosen) {
      const fresh = String(chosen.id) === ctx.params.inv && ctx.params.opened === "1";
      drawReport(box, ctx, code, chosen,
        fresh ? t("sch-opened", { deadline: chosen.deadline }) : null);
    } else {
      box.append(h("p", { class: "hint", id: "sch-none-yet" }, t("sch-none-yet")));
    }
    if (ctx.me.permissions.includes("organisations.write")) {
      root.append(section(t("sch-open"), openForm(ctx, code)));
    }
  },
};

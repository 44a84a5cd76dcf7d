// The dashboard of an area's officer: coverage by street and age group, checks by outcome
// per day, the follow-up funnel and dose-target progress. Figures only; each chart has the
// same figures as a table beside it (and alone, without the chart library).

import { h, section, table } from "../dom.js";
import { define, has } from "../i18n.js";
import { OUTCOME_COLOURS } from "../charts.js";

const OUTCOMES = ["admit", "register", "persuade", "restrict", "deny"];
const GROUPS = ["0-11", "12-17", "18-59", "60+"];

define({
  zh: {
    "dash-coverage": "分街道、分年龄段接种覆盖",
    "dash-coverage-chart": "各年龄段全程接种率（%）",
    "dash-street": "街道",
    "dash-group": "年龄段",
    "dash-residents": "居民",
    "dash-first": "已接种第一剂",
    "dash-complete": "全程接种",
    "dash-exempt": "禁忌证豁免",
    "dash-complete-pct": "全程接种率",
    "dash-checks": "每日查验结果",
    "dash-checks-chart": "每日查验次数（按结果）",
    "dash-checks-street-only": "查验按街道汇总，社区账号无单独数据",
    "dash-not-rolled": "未汇总",
    "dash-funnel": "随访进度",
    "dash-stage": "阶段",
    "dash-cases": "个案数",
    "dash-funnel-open": "进行中",
    "dash-funnel-closed": "已结案",
    "dash-targets": "接种目标进度",
    "dash-no-targets": "暂无接种目标",
    "dash-target-of": "目标 {doses} 剂（{area}，{start} 至 {end}）",
    "dash-given": "已接种",
    "dash-remaining": "剩余",
    "dash-percent": "完成率",
    "dash-forecast": "按当前进度预计",
    "dash-will-meet": "预计能完成",
    "dash-will-miss": "预计不能完成",
    "dash-cumulative": "累计接种",
    "dash-goal": "目标",
    "dash-days": "显示天数",
    "yes": "是",
    "no": "否",
    "stage-not-yet-contacted": "尚未联系",
    "stage-contacted": "已联系",
    "stage-policy-explained": "已宣传政策",
    "stage-appointment-booked": "已预约",
    "stage-vaccinated": "已接种",
    "stage-exemption-presented": "已出示禁忌证明",
    "stage-declined": "拒绝接种",
    "stage-moved-away": "已迁出",
    "stage-unreachable": "无法联系",
  },
  en: {
    "dash-coverage": "Coverage by street and age group",
    "dash-coverage-chart": "Complete series by age group (%)",
    "dash-street": "Street",
    "dash-group": "Age group",
    "dash-residents": "Residents",
    "dash-first": "First dose",
    "dash-complete": "Complete",
    "dash-exempt": "Exempt",
    "dash-complete-pct": "Complete %",
    "dash-checks": "Checks by outcome per day",
    "dash-checks-chart": "Checks per day by outcome",
    "dash-checks-street-only": "Checks are rolled up per street; a community has none of its own",
    "dash-not-rolled": "not rolled up",
    "dash-funnel": "Follow-up funnel",
    "dash-stage": "Stage",
    "dash-cases": "Cases",
    "dash-funnel-open": "Open",
    "dash-funnel-closed": "Closed",
    "dash-targets": "Dose target progress",
    "dash-no-targets": "No dose targets",
    "dash-target-of": "Target of {doses} doses ({area}, {start} to {end})",
    "dash-given": "Given",
    "dash-remaining": "Remaining",
    "dash-percent": "Done",
    "dash-forecast": "Forecast at the current rate",
    "dash-will-meet": "On track",
    "dash-will-miss": "Behind",
    "dash-cumulative": "Doses so far",
    "dash-goal": "Target",
    "dash-days": "Days shown",
    "yes": "yes",
    "no": "no",
    "stage-not-yet-contacted": "not yet contacted",
    "stage-contacted": "contacted",
    "stage-policy-explained": "policy explained",
    "stage-appointment-booked": "appointment booked",
    "stage-vaccinated": "vaccinated",
    "stage-exemption-presented": "exemption presented",
    "stage-declined": "declined",
    "stage-moved-away": "moved away",
    "stage-unreachable": "unreachable",
  },
});

function percent(part, whole) {
  return whole ? Math.round((1000 * part) / whole) / 10 : 0;
}

function unavailable(ctx, error) {
  const text = error && error.status === 404 ? ctx.t("unavailable")
    : `${ctx.t("unavailable")}: ${error.message}`;
  return h("p", { class: "unavailable" }, text);
}

function chartOrNote(ctx, box) {
  return box || h("p", { class: "hint no-print" }, ctx.t("chart-missing"));
}

async function coverageCard(ctx, area) {
  const { t, number } = ctx;
  const card = section(t("dash-coverage"));
  let data;
  try {
    data = await ctx.api.get("/api/dashboard/coverage", { area });
  } catch (error) {
    card.append(unavailable(ctx, error));
    return card;
  }
  const series = data.streets.map((street) => ({
    label: street.name,
    data: street.age_groups.map((g) => percent(g.complete, g.residents)),
  }));
  card.append(chartOrNote(ctx, ctx.charts.bars(t("dash-coverage-chart"), GROUPS, series,
    { percent: true })));
  const rows = [];
  for (const street of data.streets) {
    for (const g of street.age_groups) {
      rows.push([street.name, g.group, number(g.residents), number(g.first_dose),
        number(g.complete), number(g.exempt), `${number(percent(g.complete, g.residents), 1)}%`]);
    }
  }
  card.append(table([t("dash-street"), t("dash-group"), t("dash-residents"), t("dash-first"),
    t("dash-complete"), t("dash-exempt"), t("dash-complete-pct")], rows,
  { id: "coverage-table", numeric: [2, 3, 4, 5, 6], caption: data.on }));
  return card;
}

async function checksCard(ctx, area, days) {
  const { t, number } = ctx;
  const card = section(t("dash-checks"));
  const picker = h("select", { id: "dash-days", "aria-label": t("dash-days") },
    [7, 14, 30].map((n) => h("option", { value: n, selected: n === days }, String(n))));
  picker.addEventListener("change", () => ctx.navigate("dashboard", { days: picker.value }));
  card.append(h("div", { class: "row no-print" }, h("label", { class: "field" },
    h("span", {}, t("dash-days")), picker)));
  let data;
  try {
    data = await ctx.api.get("/api/dashboard/checks", { area, days });
  } catch (error) {
    card.append(error.code === "bad-area-level"
      ? h("p", { class: "hint" }, t("dash-checks-street-only")) : unavailable(ctx, error));
    return card;
  }
  const labels = data.days.map((d) => d.day.slice(5));
  const series = OUTCOMES.map((outcome) => ({
    label: t(`outcome-${outcome}`), colour: OUTCOME_COLOURS[outcome],
    data: data.days.map((d) => d.by_outcome[outcome] || 0),
  }));
  card.append(chartOrNote(ctx, ctx.charts.bars(t("dash-checks-chart"), labels, series,
    { stacked: true })));
  const rows = data.days.map((d) => {
    const counts = OUTCOMES.map((o) => d.by_outcome[o] || 0);
    const total = counts.reduce((a, b) => a + b, 0);
    return [d.rolled_up ? d.day : `${d.day} (${t("dash-not-rolled")})`,
      ...counts.map((c) => number(c)), number(total)];
  });
  card.append(table([t("day"), ...OUTCOMES.map((o) => t(`outcome-${o}`)), t("total")], rows,
    { id: "checks-table", numeric: [1, 2, 3, 4, 5, 6] }));
  return card;
}

async function funnelCard(ctx, area) {
  const { t, number } = ctx;
  const card = section(t("dash-funnel"));
  let data;
  try {
    data = await ctx.api.get("/api/followup/funnel", { area });
  } catch (error) {
    card.append(unavailable(ctx, error));
    return card;
  }
  const stages = Object.entries(data.stages || {});
  const label = (stage) => (has(`stage-${stage}`) ? t(`stage-${stage}`) : stage);
  card.append(h("div", { class: "figures" },
    h("div", {}, h("div", { class: "label" }, t("total")), h("div", { class: "figure" },
      number(data.total))),
    h("div", {}, h("div", { class: "label" }, t("dash-funnel-open")),
      h("div", { class: "figure" }, number(data.open))),
    h("div", {}, h("div", { class: "label" }, t("dash-funnel-closed")),
      h("div", { class: "figure" }, number(data.closed)))));
  if (stages.length) {
    card.append(chartOrNote(ctx, ctx.charts.bars(t("dash-funnel"), stages.map(([s]) => label(s)),
      [{ label: t("dash-cases"), data: stages.map(([, n]) => n) }], { horizontal: true })));
  }
  card.append(table([t("dash-stage"), t("dash-cases")],
    stages.map(([stage, count]) => [label(stage), number(count)]),
    { id: "funnel-table", numeric: [1] }));
  return card;
}

/** Return the card of a target's progress (also used by the targets page). */
export function targetProgress(ctx, report) {
  const { t, number } = ctx;
  const box = h("div", { class: "stack", dataset: { target: report.id } });
  box.append(h("h3", {}, t("dash-target-of", {
    doses: number(report.doses), area: report.area, start: report.start, end: report.end,
  })));
  const progress = report.progress || (report.streets[0] && report.streets[0].progress);
  if (!progress) return box;
  const goal = report.progress ? report.doses : report.streets[0].doses;
  box.append(h("div", { class: "figures" },
    ...[["dash-given", number(progress.given)], ["dash-remaining", number(progress.remaining)],
      ["dash-percent", `${number(progress.percent, 1)}%`],
      ["dash-forecast", progress.forecast === null ? "—" : number(progress.forecast)],
    ].map(([key, value]) => h("div", {}, h("div", { class: "label" }, t(key)),
      h("div", { class: "figure" }, value)))));
  if (progress.will_meet !== null) {
    box.append(h("p", { class: progress.will_meet ? "notice" : "hint" },
      t(progress.will_meet ? "dash-will-meet" : "dash-will-miss")));
  }
  const labels = progress.days.map((d) => d.day.slice(5));
  box.append(chartOrNote(ctx, ctx.charts.lines(t("dash-targets"), labels, [
    { label: t("dash-cumulative"), data: progress.days.map((d) => d.cumulative) },
    { label: t("dash-goal"), data: progress.days.map(() => goal), dashed: true, colour: "#c62828" },
  ])));
  box.append(table([t("day"), t("dash-given"), t("dash-cumulative")],
    progress.days.map((d) => [d.day, number(d.doses), number(d.cumulative)]),
    { numeric: [1, 2], id: `target-table-${report.id}` }));
  return box;
}

async function targetsCard(ctx, area) {
  const { t } = ctx;
  const card = section(t("dash-targets"));
  let listed;
  try {
    listed = await ctx.api.get("/api/dashboard/targets", { area });
  } catch (error) {
    card.append(unavailable(ctx, error));
    return card;
  }
  if (!listed.targets.length) {
    card.append(h("p", { class: "hint" }, t("dash-no-targets")));
    return card;
  }
  const report = await ctx.api.get(`/api/targets/${listed.targets[0].id}`);
  card.append(targetProgress(ctx, report));
  return card;
}

export default {
  id: "dashboard",
  title_en: "Dashboard",
  title_zh: "概览",
  permission: "reports.read",
  roles: ["health-authority", "street-officer", "grid-worker", "inspector"],
  async render(root, ctx) {
    const area = ctx.area;
    const days = Math.min(92, Math.max(1, Number(ctx.params.days) || 14));
    root.classList.add("two");
    const cards = [coverageCard(ctx, area), checksCard(ctx, area, days)];
    if (ctx.me.permissions.includes("followup.read")) cards.push(funnelCard(ctx, area));
    if (ctx.me.permissions.includes("targets.read")) cards.push(targetsCard(ctx, area));
    for (const card of await Promise.all(cards)) root.append(card);
  },
};

// The street day report (R6): checks per venue and category by outcome, registrations, venues
// that reported nothing, new vaccinations; with the CSV, XLSX and PDF downloads of the API.

import { daysBefore, field, h, section, table, today } from "../dom.js";
import { define } from "../i18n.js";
import { OUTCOME_COLOURS } from "../charts.js";

const OUTCOMES = ["admit", "register", "persuade", "restrict", "deny"];

define({
  zh: {
    "rep-street": "街道",
    "rep-checks": "查验次数",
    "rep-registrations": "登记人数",
    "rep-vaccinations": "新增接种",
    "rep-silent": "无查验记录的场所",
    "rep-silent-none": "所有场所均有查验记录",
    "rep-venues": "各场所查验结果",
    "rep-venue": "场所",
    "rep-category": "类别",
    "rep-categories": "各类场所查验结果",
    "rep-downloads": "下载",
    "rep-chart": "各场所查验次数（按结果）",
    "rep-not-computed": "该日尚未汇总",
  },
  en: {
    "rep-street": "Street",
    "rep-checks": "Checks",
    "rep-registrations": "Registrations",
    "rep-vaccinations": "New vaccinations",
    "rep-silent": "Venues without checks",
    "rep-silent-none": "Every venue reported checks",
    "rep-venues": "Checks per venue by outcome",
    "rep-venue": "Venue",
    "rep-category": "Category",
    "rep-categories": "Checks per venue category",
    "rep-downloads": "Download",
    "rep-chart": "Checks per venue by outcome",
    "rep-not-computed": "This day has not been rolled up yet",
  },
});

function categoryName(ctx, slug) {
  const found = (ctx.settings.categories || []).find((one) => one.slug === slug);
  if (!found) return slug;
  return ctx.lang() === "zh" ? found.zh : found.en;
}

async function streetChoices(ctx) {
  try {
    const answer = await ctx.api.get("/api/dashboard/streets", { area: ctx.me.scope });
    return answer.streets;
  } catch {
    return [{ street: ctx.me.scope, name: ctx.me.scope }];
  }
}

function drawReport(ctx, report, names) {
  const { t, number } = ctx;
  const out = h("div", { class: "stack", id: "day-report", dataset: { street: report.street,
    day: report.day } });
  out.append(h("div", { class: "figures" },
    ...[["rep-checks", report.checks, "fig-checks"],
      ["rep-registrations", report.registrations, "fig-registrations"],
      ["rep-vaccinations", report.new_vaccinations, "fig-vaccinations"],
      ["rep-silent", report.silent_venues.length, "fig-silent"]]
      .map(([key, value, id]) => h("div", {}, h("div", { class: "label" }, t(key)),
        h("div", { class: "figure", id }, number(value))))));
  const venueCard = section(t("rep-venues"));
  if (report.venues.length) {
    const box = ctx.charts.bars(t("rep-chart"), report.venues.map((v) => v.name),
      OUTCOMES.map((o) => ({ label: t(`outcome-${o}`), colour: OUTCOME_COLOURS[o],
        data: report.venues.map((v) => v.counts[o] || 0) })), { stacked: true, horizontal: true });
    if (box) venueCard.append(box);
  }
  venueCard.append(table([t("rep-venue"), t("rep-category"),
    ...OUTCOMES.map((o) => t(`outcome-${o}`)), t("total")],
  report.venues.map((v) => [v.name, categoryName(ctx, v.category),
    ...OUTCOMES.map((o) => number(v.counts[o] || 0)), number(v.total)]),
  { id: "venue-table", numeric: [2, 3, 4, 5, 6, 7], wrap: [0] }));
  out.append(venueCard);
  out.append(section(t("rep-categories"), table([t("rep-category"),
    ...OUTCOMES.map((o) => t(`outcome-${o}`)), t("total")],
  Object.entries(report.categories).map(([category, counts]) => [categoryName(ctx, category),
    ...OUTCOMES.map((o) => number(counts[o] || 0)),
    number(Object.values(counts).reduce((a, b) => a + b, 0))]),
  { id: "category-table", numeric: [1, 2, 3, 4, 5, 6] })));
  out.append(section(t("rep-silent"), report.silent_venues.length
    ? h("ul", { id: "silent-venues" }, report.silent_venues.map((code) =>
      h("li", {}, names[code] ? `${names[code]} (${code})` : code)))
    : h("p", { class: "hint" }, t("rep-silent-none"))));
  return out;
}

export default {
  id: "reports",
  title_en: "Street day report",
  title_zh: "街道日报",
  permission: "reports.read",
  roles: ["health-authority", "street-officer", "inspector"],
  async render(root, ctx) {
    const { t } = ctx;
    const streets = await streetChoices(ctx);
    const street = ctx.params.street || (streets[0] && streets[0].street) || ctx.me.scope;
    const day = ctx.params.day || daysBefore(today(), 1);
    const streetInput = h("select", { id: "rep-street", name: "street" }, streets.map((one) =>
      h("option", { value: one.street, selected: one.street === street },
        `${one.name} (${one.street})`)));
    const dayInput = h("input", { id: "rep-day", name: "day", type: "date", value: day,
      required: true });
    const form = h("form", { id: "report-form", class: "row" },
      field(t("rep-street"), streetInput), field(t("day"), dayInput),
      h("button", { type: "submit", class: "primary" }, t("show")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      ctx.navigate("reports", { street: streetInput.value, day: dayInput.value });
    });
    root.append(section(`${t("rep-street")} · ${t("day")}`, form));
    const path = `/api/reports/streets/${encodeURIComponent(street)}/days/${day}`;
    let report;
    try {
      report = await ctx.api.get(path);
    } catch (error) {
      root.append(h("p", { class: "hint", id: "report-missing" },
        error.code === "report-not-computed" ? t("rep-not-computed") : error.message));
      return;
    }
    const downloads = h("div", { class: "actions" }, ["csv", "xlsx", "pdf"].map((format) =>
      h("button", { type: "button", dataset: { format },
        onclick: () => ctx.api.download(`${path}?format=${format}`,
          `${street}-${day}.${format}`).catch(ctx.showError) }, format.toUpperCase())));
    root.append(section(t("rep-downloads"), downloads));
    const names = {};
    root.append(drawReport(ctx, report, names));
  },
};

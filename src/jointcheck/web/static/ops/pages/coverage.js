// The coverage page (R14): per industry and per organisation, how many members are fully
// vaccinated, partly, not at all, exempt or not of eligible age, for the industry's supervising
// department and the street and health authority. Figures only, in the server's order (by
// industry name, by organisation code), never ordered by rate and never a score (SPEC §2).
// Calls: GET /api/coverage/industries, GET /api/coverage/organisations?industry=.

import { field, h, section, table } from "../dom.js";
import { define, t } from "../i18n.js";
import { stacked, STATUSES, statusName } from "./organisations.js";

const FIGURES = ["complete", "partial", "unvaccinated", "exempt", "not_eligible"];
const COLOURS = ["#2e7d32", "#f9a825", "#c62828", "#1565c0", "#9e9e9e"];
const INDUSTRIES = ["transport", "medical", "catering", "hotel", "retail", "express-delivery",
  "tourism", "sanitation", "domestic-service", "crowded-places", "imported-goods", "education",
  "government", "finance", "manufacturing", "construction", "other"];

define({
  zh: {
    "cov-industries": "各行业接种情况",
    "cov-organisations": "各单位接种情况",
    "cov-industry": "行业",
    "cov-all": "全部行业",
    "cov-on": "统计日期：{on}",
    "cov-code": "代码",
    "cov-name": "单位",
    "cov-orgs": "单位数",
    "cov-members": "人数",
    "cov-rate": "全程接种率",
    "cov-service": "服务行业",
    "cov-chart": "各单位人员接种情况（人数）",
    "cov-industry-chart": "各行业人员接种情况（人数）",
    "cov-empty": "没有可查看的单位",
    "cov-figures-only": "仅为统计数字，按代码或名称排列，不作排名或评分。",
    "cov-ind-transport": "交通运输",
    "cov-ind-medical": "医疗卫生",
    "cov-ind-catering": "餐饮",
    "cov-ind-hotel": "宾馆酒店",
    "cov-ind-retail": "商场超市",
    "cov-ind-express-delivery": "快递物流",
    "cov-ind-tourism": "旅游",
    "cov-ind-sanitation": "环卫",
    "cov-ind-domestic-service": "家政服务",
    "cov-ind-crowded-places": "人员密集场所",
    "cov-ind-imported-goods": "进口物品储运加工销售",
    "cov-ind-education": "教育",
    "cov-ind-government": "党政机关",
    "cov-ind-finance": "金融",
    "cov-ind-manufacturing": "制造业",
    "cov-ind-construction": "建筑业",
    "cov-ind-other": "其他",
  },
  en: {
    "cov-industries": "Coverage per industry",
    "cov-organisations": "Coverage per organisation",
    "cov-industry": "Industry",
    "cov-all": "all industries",
    "cov-on": "As of {on}",
    "cov-code": "Code",
    "cov-name": "Organisation",
    "cov-orgs": "Organisations",
    "cov-members": "Members",
    "cov-rate": "Complete rate",
    "cov-service": "service industry",
    "cov-chart": "Members per organisation by status (people)",
    "cov-industry-chart": "Members per industry by status (people)",
    "cov-empty": "No organisation to show",
    "cov-figures-only": "Figures only, ordered by code or name: no ranking, no score.",
    "cov-ind-transport": "transport",
    "cov-ind-medical": "medical",
    "cov-ind-catering": "catering",
    "cov-ind-hotel": "hotels",
    "cov-ind-retail": "malls and supermarkets",
    "cov-ind-express-delivery": "express delivery",
    "cov-ind-tourism": "tourism",
    "cov-ind-sanitation": "sanitation",
    "cov-ind-domestic-service": "domestic service",
    "cov-ind-crowded-places": "crowded places",
    "cov-ind-imported-goods": "imported goods",
    "cov-ind-education": "education",
    "cov-ind-government": "government",
    "cov-ind-finance": "finance",
    "cov-ind-manufacturing": "manufacturing",
    "cov-ind-construction": "construction",
    "cov-ind-other": "other",
  },
});

function industryName(slug) {
  return INDUSTRIES.includes(slug) ? t(`cov-ind-${slug}`) : slug;
}

function rate(value, ctx) {
  return value === null || value === undefined ? "—" : `${ctx.number(value * 100, 1)}%`;
}

function statusHeaders() {
  return STATUSES.map(statusName);
}

function series(rows) {
  return FIGURES.map((key, index) => ({ label: statusName(STATUSES[index]),
    data: rows.map((row) => row[key]), colour: COLOURS[index] }));
}

function industriesSection(ctx, answer) {
  const rows = answer.industries;
  const chart = rows.length ? ctx.charts.bars(t("cov-industry-chart"),
    rows.map((row) => industryName(row.industry)), series(rows),
    { stacked: true, horizontal: true }) : null;
  return section(t("cov-industries"), ...[
    h("p", { class: "hint" }, t("cov-on", { on: answer.on })),
    chart,
    stacked(table(
      [t("cov-industry"), t("cov-orgs"), t("cov-members"), ...statusHeaders(), t("cov-rate")],
      rows.map((row) => [
        `${industryName(row.industry)}${row.service_industry ? ` · ${t("cov-service")}` : ""}`,
        ctx.number(row.organisations), ctx.number(row.members),
        ...FIGURES.map((key) => ctx.number(row[key])), rate(row.complete_rate, ctx)]),
      { id: "cov-industry-table", numeric: [1, 2, 3, 4, 5, 6, 7, 8] })),
  ].filter(Boolean));
}

function organisationsSection(ctx, answer, industries, chosen) {
  const select = h("select", { id: "cov-industry", name: "industry" },
    h("option", { value: "" }, t("cov-all")),
    industries.map((row) => h("option", { value: row.industry,
      selected: row.industry === chosen }, industryName(row.industry))));
  select.addEventListener("change", () => ctx.navigate("coverage",
    select.value ? { industry: select.value } : {}));
  const rows = answer.organisations;
  const chart = rows.length ? ctx.charts.bars(t("cov-chart"), rows.map((row) => row.name),
    series(rows), { stacked: true, horizontal: true }) : null;
  const figures = rows.length ? stacked(table(
    [t("cov-code"), t("cov-name"), t("cov-industry"), t("cov-members"), ...statusHeaders(),
      t("cov-rate")],
    rows.map((row) => [row.code, row.name, industryName(row.industry), ctx.number(row.members),
      ...FIGURES.map((key) => ctx.number(row[key])), rate(row.complete_rate, ctx)]),
    { id: "cov-org-table", numeric: [3, 4, 5, 6, 7, 8, 9] }))
    : h("p", { class: "hint" }, t("cov-empty"));
  return section(t("cov-organisations"), ...[
    h("div", { class: "row no-print" }, field(t("cov-industry"), select)), chart, figures,
  ].filter(Boolean));
}

export default {
  id: "coverage",
  title_en: "Organisation coverage",
  title_zh: "单位接种率",
  permission: "reports.read",
  roles: ["industry-supervisor", "street-officer", "health-authority"],
  async render(root, ctx) {
    const chosen = INDUSTRIES.includes(ctx.params.industry) ? ctx.params.industry : "";
    const [industries, organisations] = await Promise.all([
      ctx.api.get("/api/coverage/industries"),
      ctx.api.get("/api/coverage/organisations", { industry: chosen }),
    ]);
    root.append(
      h("p", { class: "hint", id: "cov-note" }, t("cov-figures-only")),
      industriesSection(ctx, industries),
      organisationsSection(ctx, organisations, industries.industries, chosen));
  },
};

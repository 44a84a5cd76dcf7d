// Dose targets (R13): each target's progress, rate and forecast; the health authority sets a
// new one for the district or a street (split to the streets in proportion to their eligible
// unvaccinated residents).

import { daysBefore, field, h, section, today } from "../dom.js";
import { define } from "../i18n.js";
import { targetProgress } from "./dashboard.js";

define({
  zh: {
    "tgt-list": "接种目标",
    "tgt-new": "设定接种目标",
    "tgt-area": "区域",
    "tgt-doses": "目标剂次",
    "tgt-start": "开始日期",
    "tgt-end": "结束日期",
    "tgt-submit": "设定目标",
    "tgt-saved": "已设定目标 #{id}",
    "tgt-streets": "各街道分配",
    "tgt-street-share": "{street}：{doses} 剂，已接种 {given}（{percent}%）",
  },
  en: {
    "tgt-list": "Dose targets",
    "tgt-new": "Set a dose target",
    "tgt-area": "Area",
    "tgt-doses": "Doses",
    "tgt-start": "First day",
    "tgt-end": "Last day",
    "tgt-submit": "Set the target",
    "tgt-saved": "Target #{id} set",
    "tgt-streets": "Shares of the streets",
    "tgt-street-share": "{street}: {doses} doses, {given} given ({percent}%)",
  },
});

function shares(ctx, report) {
  if (!report.streets.length) return null;
  return h("div", {}, h("h3", {}, ctx.t("tgt-streets")), h("ul", { class: "shares" },
    report.streets.map((share) => h("li", { dataset: { street: share.street } },
      ctx.t("tgt-street-share", {
        street: share.street, doses: ctx.number(share.doses),
        given: ctx.number(share.progress.given),
        percent: ctx.number(share.progress.percent, 1),
      })))));
}

async function newTargetForm(ctx) {
  const { t } = ctx;
  let streets = [];
  try {
    streets = (await ctx.api.get("/api/dashboard/streets", { area: ctx.me.scope })).streets;
  } catch {
    streets = [];
  }
  const area = h("select", { id: "tgt-area", name: "area" },
    h("option", { value: ctx.me.scope }, ctx.me.scope),
    streets.filter((one) => one.street !== ctx.me.scope).map((one) =>
      h("option", { value: one.street }, `${one.name} (${one.street})`)));
  const doses = h("input", { id: "tgt-doses", name: "doses", type: "number", min: 1, step: 1,
    required: true, inputmode: "numeric" });
  const start = h("input", { id: "tgt-start", name: "start", type: "date", required: true,
    value: daysBefore(today(), 7) });
  const end = h("input", { id: "tgt-end", name: "end", type: "date", required: true,
    value: daysBefore(today(), -21) });
  const done = h("p", { class: "notice", id: "tgt-done", hidden: true });
  const form = h("form", { id: "target-form", class: "stack" },
    h("div", { class: "row" }, field(t("tgt-area"), area), field(t("tgt-doses"), doses)),
    h("div", { class: "row" }, field(t("tgt-start"), start), field(t("tgt-end"), end)),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" },
      t("tgt-submit"))), done);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    ctx.clearError();
    try {
      const saved = await ctx.api.post("/api/targets", {
        area: area.value, doses: Number(doses.value), start: start.value, end: end.value,
        split: "proportional",
      });
      ctx.navigate("targets", { saved: saved.id });
    } catch (error) {
      ctx.showError(error);
    }
  });
  if (ctx.params.saved) {
    done.textContent = t("tgt-saved", { id: ctx.params.saved });
    done.hidden = false;
  }
  return section(t("tgt-new"), form);
}

export default {
  id: "targets",
  title_en: "Dose targets",
  title_zh: "接种目标",
  permission: "targets.read",
  roles: ["health-authority", "street-officer", "grid-worker"],
  async render(root, ctx) {
    const { t } = ctx;
    if (ctx.me.permissions.includes("targets.write")) root.append(await newTargetForm(ctx));
    const list = section(t("tgt-list"));
    list.id = "target-list";
    root.append(list);
    const listed = await ctx.api.get("/api/dashboard/targets", { area: ctx.me.scope });
    if (!listed.targets.length) {
      list.append(h("p", { class: "hint" }, t("dash-no-targets")));
      return;
    }
    for (const summary of listed.targets) {
      const report = await ctx.api.get(`/api/targets/${summary.id}`);
      list.append(targetProgress(ctx, report));
      const split = shares(ctx, report);
      if (split) list.append(split);
    }
  },
};

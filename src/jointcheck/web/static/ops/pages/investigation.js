// Case investigation (R15), for the health authority: a person's vaccination and health-code
// status at the end of a local day, by pid. Every query is written to the audit log by the
// server; the page keeps nothing once it is left.

import { field, h, section, table, today } from "../dom.js";
import { define } from "../i18n.js";

define({
  zh: {
    "inv-query": "查询个人状态",
    "inv-pid": "个人编号（pid）",
    "inv-day": "日期",
    "inv-submit": "查询",
    "inv-audited": "每次查询均记入审计日志，仅限流调核查使用。",
    "inv-result": "{day} 日终状态",
    "inv-area": "所属区域",
    "inv-complete": "全程接种",
    "inv-color": "健康码",
    "inv-color-since": "赋码时间",
    "inv-doses": "接种记录",
    "inv-product": "疫苗",
    "inv-dose": "剂次",
    "inv-date": "接种日期",
    "inv-no-doses": "无接种记录",
    "inv-exemptions": "有效禁忌证证明",
    "inv-certificate": "证明编号",
    "inv-reason": "类别",
    "inv-valid": "有效期",
    "inv-no-exemptions": "无",
    "color-green": "绿码",
    "color-yellow": "黄码",
    "color-red": "红码",
  },
  en: {
    "inv-query": "Look up a person's status",
    "inv-pid": "Person id (pid)",
    "inv-day": "Day",
    "inv-submit": "Look up",
    "inv-audited": "Every look-up is written to the audit log; for case investigations only.",
    "inv-result": "Status at the end of {day}",
    "inv-area": "Area",
    "inv-complete": "Series complete",
    "inv-color": "Health code",
    "inv-color-since": "Since",
    "inv-doses": "Doses",
    "inv-product": "Vaccine",
    "inv-dose": "Dose",
    "inv-date": "Date",
    "inv-no-doses": "No doses",
    "inv-exemptions": "Exemptions in force",
    "inv-certificate": "Certificate",
    "inv-reason": "Category",
    "inv-valid": "Valid",
    "inv-no-exemptions": "none",
    "color-green": "green",
    "color-yellow": "yellow",
    "color-red": "red",
  },
});

function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.flatMap(([label, value, id]) => [
    h("dt", {}, label), h("dd", { id }, value)]));
}

function drawStatus(ctx, status) {
  const { t } = ctx;
  const colour = t(`color-${status.color}`);
  const out = section(t("inv-result", { day: status.day }), facts([
    [t("inv-pid"), status.pid, "inv-out-pid"],
    [t("inv-area"), status.area, "inv-out-area"],
    [t("inv-complete"), status.series_complete ? t("yes") : t("no"), "inv-out-complete"],
    [t("inv-color"), colour, "inv-out-color"],
    [t("inv-color-since"), status.color_since || "—", "inv-out-since"],
  ]));
  out.id = "case-status";
  out.dataset.color = status.color;
  out.dataset.complete = String(status.series_complete);
  out.append(h("h3", {}, t("inv-doses")), status.doses.length
    ? table([t("inv-product"), t("inv-dose"), t("inv-date")], status.doses.map((dose) =>
      [dose.product, `${dose.dose_number}/${dose.series_total}`, dose.date]), { id: "inv-doses" })
    : h("p", { class: "hint" }, t("inv-no-doses")));
  out.append(h("h3", {}, t("inv-exemptions")), status.exemptions.length
    ? table([t("inv-certificate"), t("inv-reason"), t("inv-valid")], status.exemptions.map(
      (item) => [item.certificate_id, item.reason_category,
        `${item.valid_from} – ${item.valid_until}`]), { id: "inv-exemptions" })
    : h("p", { class: "hint" }, t("inv-no-exemptions")));
  return out;
}

export default {
  id: "investigation",
  title_en: "Case investigation",
  title_zh: "流调核查",
  permission: "cases.investigate",
  async render(root, ctx) {
    const { t } = ctx;
    const pid = h("input", { id: "inv-pid", name: "pid", required: true, autocomplete: "off",
      spellcheck: "false" });
    const day = h("input", { id: "inv-day", name: "day", type: "date", value: today(),
      required: true });
    const result = h("div", { id: "inv-result" });
    const form = h("form", { id: "investigation-form", class: "stack" },
      h("div", { class: "row" }, field(t("inv-pid"), pid), field(t("inv-day"), day)),
      h("p", { class: "hint" }, t("inv-audited")),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" },
        t("inv-submit"))));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      ctx.clearError();
      result.replaceChildren();
      try {
        const status = await ctx.api.get(`/api/investigations/${encodeURIComponent(pid.value.trim())}`,
          { day: day.value });
        result.replaceChildren(drawStatus(ctx, status));
      } catch (error) {
        ctx.showError(error);
      }
    });
    // The pid is not put in the address: it would stay in the browser's history.
    root.append(section(t("inv-query"), form), result);
  },
};

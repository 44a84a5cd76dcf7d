// Venue inspections (R9): the compliance list of an area (figures and reasons, never a
// score), recording an inspection (the inspector) and a complaint (the inspector or the
// street office), and a venue's past inspections.

import { field, h, section, table, today } from "../dom.js";
import { define } from "../i18n.js";

const SANCTIONS = ["none", "warning", "rectification-order", "suspension"];

define({
  zh: {
    "ins-compliance": "场所查验合规情况",
    "ins-area": "区域",
    "ins-window": "统计天数",
    "ins-venue": "场所",
    "ins-category": "类别",
    "ins-street": "街道",
    "ins-silent-days": "无查验天数",
    "ins-checks-day": "日均查验",
    "ins-visitors-day": "日均客流（估）",
    "ins-failed": "不合格检查",
    "ins-complaints": "投诉",
    "ins-sanction": "处罚措施",
    "ins-reasons": "关注原因",
    "ins-no-venues": "该区域没有场所",
    "ins-record": "记录检查",
    "ins-day": "检查日期",
    "ins-checked-everyone": "场所对每位进入人员都进行了查验",
    "ins-findings": "检查发现",
    "ins-sanction-from": "处罚开始",
    "ins-sanction-until": "处罚结束",
    "ins-visitors": "估计日客流",
    "ins-submit": "保存检查记录",
    "ins-recorded": "已记录检查 #{id}（{venue}）",
    "ins-complaint": "记录投诉",
    "ins-received": "收到日期",
    "ins-complaint-text": "投诉内容（不记录投诉人）",
    "ins-complaint-submit": "保存投诉",
    "ins-complaint-recorded": "已记录投诉 #{id}（{venue}）",
    "ins-history": "检查记录",
    "ins-history-show": "查看该场所的检查记录",
    "ins-history-none": "该场所暂无检查记录",
    "sanction-none": "无",
    "sanction-warning": "警告",
    "sanction-rectification-order": "责令整改",
    "sanction-suspension": "暂停营业",
    "reason-no-checks-logged": "统计期内无任何查验记录",
    "reason-days-without-checks": "部分日期无查验记录",
    "reason-too-few-checks": "查验次数明显少于客流",
    "reason-repeated-findings": "多次检查发现未全部查验",
    "reason-complaints": "有未查验投诉",
    "reason-open-sanction": "整改或停业期间",
  },
  en: {
    "ins-compliance": "Venue compliance",
    "ins-area": "Area",
    "ins-window": "Days in the window",
    "ins-venue": "Venue",
    "ins-category": "Category",
    "ins-street": "Street",
    "ins-silent-days": "Days without checks",
    "ins-checks-day": "Checks a day",
    "ins-visitors-day": "Visitors a day (est.)",
    "ins-failed": "Failed inspections",
    "ins-complaints": "Complaints",
    "ins-sanction": "Sanction",
    "ins-reasons": "Reasons for concern",
    "ins-no-venues": "No venues in this area",
    "ins-record": "Record an inspection",
    "ins-day": "Day of the inspection",
    "ins-checked-everyone": "The venue checked every person entering",
    "ins-findings": "Findings",
    "ins-sanction-from": "Sanction from",
    "ins-sanction-until": "Sanction until",
    "ins-visitors": "Estimated visitors a day",
    "ins-submit": "Save the inspection",
    "ins-recorded": "Inspection #{id} recorded ({venue})",
    "ins-complaint": "Record a complaint",
    "ins-received": "Day received",
    "ins-complaint-text": "The complaint (no complainant is recorded)",
    "ins-complaint-submit": "Save the complaint",
    "ins-complaint-recorded": "Complaint #{id} recorded ({venue})",
    "ins-history": "Inspections",
    "ins-history-show": "Show this venue's inspections",
    "ins-history-none": "No inspections of this venue yet",
    "sanction-none": "none",
    "sanction-warning": "warning",
    "sanction-rectification-order": "rectification order",
    "sanction-suspension": "suspension",
    "reason-no-checks-logged": "no check logged in the window",
    "reason-days-without-checks": "no check logged on some days",
    "reason-too-few-checks": "fewer checks than the expected visitors",
    "reason-repeated-findings": "repeated findings of unchecked entry",
    "reason-complaints": "complaints that the venue does not check",
    "reason-open-sanction": "a rectification order or suspension is running",
  },
});

function venueSelect(id, venues) {
  return h("select", { id, name: "venue", required: true }, venues.map((venue) =>
    h("option", { value: venue.venue }, `${venue.name} (${venue.venue})`)));
}

function optionalNumber(input) {
  return input.value === "" ? null : Number(input.value);
}

function inspectionForm(ctx, venues) {
  const { t } = ctx;
  const venue = venueSelect("ins-venue", venues);
  const day = h("input", { id: "ins-day", type: "date", value: today(), required: true });
  const checked = h("input", { id: "ins-checked", type: "checkbox", checked: true });
  const findings = h("textarea", { id: "ins-findings", maxlength: 2000 });
  const sanction = h("select", { id: "ins-sanction" }, SANCTIONS.map((one) =>
    h("option", { value: one }, t(`sanction-${one}`))));
  const from = h("input", { id: "ins-sanction-from", type: "date" });
  const until = h("input", { id: "ins-sanction-until", type: "date" });
  const visitors = h("input", { id: "ins-visitors", type: "number", min: 0, step: 1,
    inputmode: "numeric" });
  const done = h("p", { class: "notice", id: "ins-done", hidden: true });
  const form = h("form", { id: "inspection-form", class: "stack" },
    h("div", { class: "row" }, field(t("ins-venue"), venue), field(t("ins-day"), day)),
    h("label", { class: "check" }, checked, h("span", {}, t("ins-checked-everyone"))),
    field(t("ins-findings"), findings),
    h("div", { class: "row" }, field(t("ins-sanction"), sanction),
      field(t("ins-sanction-from"), from), field(t("ins-sanction-until"), until)),
    field(t("ins-visitors"), visitors),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" },
      t("ins-submit"))), done);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    ctx.clearError();
    done.hidden = true;
    try {
      const saved = await ctx.api.post(`/api/venues/${encodeURIComponent(venue.value)}/inspections`, {
        inspected_on: day.value, checked_everyone: checked.checked, findings: findings.value,
        sanction: sanction.value, sanction_from: from.value || null,
        sanction_until: until.value || null, visitors_per_day: optionalNumber(visitors),
      });
      done.textContent = t("ins-recorded", { id: saved.id, venue: saved.venue });
      done.hidden = false;
      findings.value = "";
    } catch (error) {
      ctx.showError(error);
    }
  });
  return section(t("ins-record"), form);
}

function complaintForm(ctx, venues) {
  const { t } = ctx;
  const venue = venueSelect("cmp-venue", venues);
  const day = h("input", { id: "cmp-day", type: "date", value: today(), required: true });
  const text = h("textarea", { id: "cmp-text", required: true, maxlength: 2000 });
  const done = h("p", { class: "notice", id: "cmp-done", hidden: true });
  const form = h("form", { id: "complaint-form", class: "stack" },
    h("div", { class: "row" }, field(t("ins-venue"), venue), field(t("ins-received"), day)),
    field(t("ins-complaint-text"), text),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" },
      t("ins-complaint-submit"))), done);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    ctx.clearError();
    done.hidden = true;
    try {
      const saved = await ctx.api.post(`/api/venues/${encodeURIComponent(venue.value)}/complaints`,
        { received_on: day.value, text: text.value });
      done.textContent = t("ins-complaint-recorded", { id: saved.id, venue: saved.venue });
      done.hidden = false;
      text.value = "";
    } catch (error) {
      ctx.showError(error);
    }
  });
  return section(t("ins-complaint"), form);
}

function historyCard(ctx, venues) {
  const { t } = ctx;
  const venue = venueSelect("his-venue", venues);
  const out = h("div", { id: "ins-history" });
  const show = h("button", { type: "button", id: "his-show" }, t("ins-history-show"));
  show.addEventListener("click", async () => {
    ctx.clearError();
    try {
      const items = await ctx.api.get(`/api/venues/${encodeURIComponent(venue.value)}/inspections`);
      out.replaceChildren(items.length ? table([t("ins-day"), t("ins-checked-everyone"),
        t("ins-findings"), t("ins-sanction")], items.map((item) => [item.inspected_on,
        item.checked_everyone ? t("yes") : t("no"), item.findings || "—",
        t(`sanction-${item.sanction}`)]), { wrap: [2] }) : h("p", { class: "hint" }, t("ins-history-none")));
    } catch (error) {
      ctx.showError(error);
    }
  });
  return section(t("ins-history"), h("div", { class: "row no-print" },
    field(t("ins-venue"), venue), show), out);
}

export default {
  id: "inspections",
  title_en: "Inspections",
  title_zh: "场所检查",
  permission: "inspections.read",
  async render(root, ctx) {
    const { t, number } = ctx;
    const area = ctx.params.area || ctx.me.scope;
    const days = Math.min(92, Math.max(1, Number(ctx.params.days) || 7));
    const areaInput = h("input", { id: "ins-area", value: area, required: true });
    const daysInput = h("input", { id: "ins-days", type: "number", min: 1, max: 92,
      value: days, inputmode: "numeric" });
    const form = h("form", { id: "compliance-form", class: "row" },
      field(t("ins-area"), areaInput), field(t("ins-window"), daysInput),
      h("button", { type: "submit", class: "primary" }, t("show")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      ctx.navigate("inspections", { area: areaInput.value.trim(), days: daysInput.value });
    });
    const listCard = section(t("ins-compliance"), form);
    root.append(listCard);
    const found = await ctx.api.get("/api/inspections/compliance", { area, days });
    if (!found.venues.length) {
      listCard.append(h("p", { class: "hint" }, t("ins-no-venues")));
      return;
    }
    listCard.append(table([t("ins-venue"), t("ins-street"), t("ins-silent-days"),
      t("ins-checks-day"), t("ins-visitors-day"), t("ins-failed"), t("ins-complaints"),
      t("ins-sanction"), t("ins-reasons")], found.venues.map((venue) => [
      venue.name, venue.street, number(venue.days_without_checks),
      number(venue.checks_per_day, 2), number(venue.visitors_per_day), number(venue.failed_inspections),
      number(venue.complaints), venue.open_sanction ? t(`sanction-${venue.open_sanction}`) : "—",
      venue.reasons.map((reason) => t(`reason-${reason}`)).join("；") || "—"]),
    { id: "compliance-table", numeric: [2, 3, 4, 5, 6], wrap: [0, 8], caption: `${found.day} · ${found.days}` }));
    if (ctx.me.permissions.includes("inspections.write")) {
      root.append(inspectionForm(ctx, found.venues));
    }
    if (ctx.me.permissions.includes("inspections.write") || ctx.me.role === "street-officer") {
      root.append(complaintForm(ctx, found.venues));
    }
    root.append(historyCard(ctx, found.venues));
  },
};

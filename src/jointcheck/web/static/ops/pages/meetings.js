// The meeting check page (R10): paste an attendee list (identity numbers or pids, one per
// line), choose the date and the kind (meeting, official reception, training), and see who may
// attend with the reason; the answer shows name and birth year only, and nothing is stored.
// Call: POST /api/organisations/{code}/meetings/check (audited; members only).

import { field, h, section, table, today } from "../dom.js";
import { define, t } from "../i18n.js";
import {
  inlineError, pickOrganisation, reason, showInline, stacked, statusName,
} from "./organisations.js";

const KINDS = ["meeting", "reception", "training"];

define({
  zh: {
    "mt-none": "没有可查看的单位",
    "mt-check": "参会人员核对",
    "mt-on": "日期",
    "mt-kind": "类型",
    "mt-kind-meeting": "重要会议",
    "mt-kind-reception": "公务接待",
    "mt-kind-training": "培训",
    "mt-attendees": "参会人员（每行一个身份证件号码）",
    "mt-submit": "核对",
    "mt-answer": "核对结果",
    "mt-may-attend": "可以参加",
    "mt-may-not-attend": "不宜参加",
    "mt-line": "行",
    "mt-ref": "证件尾号",
    "mt-name": "姓名",
    "mt-birth-year": "出生年份",
    "mt-status": "接种情况",
    "mt-attend": "能否参加",
    "mt-reason": "说明",
    "mt-yes": "可以",
    "mt-no": "不宜",
  },
  en: {
    "mt-none": "No organisation to show",
    "mt-check": "Attendee check",
    "mt-on": "Date",
    "mt-kind": "Kind",
    "mt-kind-meeting": "important meeting",
    "mt-kind-reception": "official reception",
    "mt-kind-training": "training",
    "mt-attendees": "Attendees (one identity number per line)",
    "mt-submit": "Check",
    "mt-answer": "Answer",
    "mt-may-attend": "May attend",
    "mt-may-not-attend": "May not attend",
    "mt-line": "Line",
    "mt-ref": "Number ends",
    "mt-name": "Name",
    "mt-birth-year": "Born",
    "mt-status": "Status",
    "mt-attend": "May attend",
    "mt-reason": "Reason",
    "mt-yes": "yes",
    "mt-no": "no",
  },
});

/** Return the attendee lines of `text`: trimmed, empty lines left out. */
export function attendeeLines(text) {
  return text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
}

function drawAnswer(box, answer, ctx) {
  const rows = answer.attendees.map((one, index) => [String(index + 1),
    `…${one.ref.slice(-4)}`, one.name, String(one.birth_year), statusName(one.status),
    h("span", { class: one.may_attend ? "org-ok" : "org-badge" },
      one.may_attend ? t("mt-yes") : t("mt-no")), reason(one, ctx)]);
  const view = table([t("mt-line"), t("mt-ref"), t("mt-name"), t("mt-birth-year"),
    t("mt-status"), t("mt-attend"), t("mt-reason")], rows, { id: "mt-attendees" });
  // Mark the rows of those who may not attend, as the roster does.
  view.querySelectorAll("tbody tr").forEach((row, index) => {
    const one = answer.attendees[index];
    row.dataset.mayAttend = String(one.may_attend);
    if (!one.may_attend) row.classList.add("org-flag");
  });
  box.replaceChildren(
    h("div", { class: "figures" },
      h("div", {}, h("div", { class: "label" }, t("mt-may-attend")),
        h("div", { class: "figure", id: "mt-yes" }, ctx.number(answer.may_attend))),
      h("div", {}, h("div", { class: "label" }, t("mt-may-not-attend")),
        h("div", { class: "figure", id: "mt-no" }, ctx.number(answer.may_not_attend)))),
    h("p", { class: "hint" }, `${answer.on} · ${t(`mt-kind-${answer.kind}`)}`),
    stacked(view));
}

function checkForm(ctx, code, box) {
  const day = h("input", { type: "date", id: "mt-on", name: "on", value: today(),
    required: true });
  const kind = h("select", { id: "mt-kind", name: "kind" },
    KINDS.map((one) => h("option", { value: one }, t(`mt-kind-${one}`))));
  const list = h("textarea", { id: "mt-list", name: "attendees", rows: 6, required: true,
    autocomplete: "off", spellcheck: "false" });
  const problem = inlineError("mt-error");
  const form = h("form", { id: "mt-form", class: "stack" },
    h("div", { class: "row" }, field(t("mt-on"), day), field(t("mt-kind"), kind)),
    field(t("mt-attendees"), list),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" },
      t("mt-submit"))), problem);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.hidden = true;
    box.replaceChildren();
    try {
      const answer = await ctx.api.post(
        `/api/organisations/${encodeURIComponent(code)}/meetings/check`,
        { on: day.value, kind: kind.value, attendees: attendeeLines(list.value) });
      drawAnswer(box, answer, ctx);
    } catch (error) {
      showInline(problem, error);
    }
  });
  return form;
}

export default {
  id: "meetings",
  title_en: "Meeting check",
  title_zh: "参会核对",
  permission: "organisations.read",
  async render(root, ctx) {
    const { code, picker } = await pickOrganisation(ctx, "meetings");
    if (code === null) {
      root.append(h("p", { class: "hint" }, t("mt-none")));
      return;
    }
    const box = h("div", { id: "mt-answer", role: "status" });
    root.append(...[picker, section(t("mt-check"), checkForm(ctx, code, box)),
      section(t("mt-answer"), box)].filter(Boolean));
  },
};

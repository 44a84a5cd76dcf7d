// The door-to-door survey page (R8), for a phone at a household's door: the grid, the date, the
// address, and the members (identity number, one-tap reported status, note). The answer says
// how many follow-up cases the household opened; a refusal names the item (`members[1]...`)
// and is shown next to it. Below, the survey's figures per grid (households, members by status).
// Calls: POST /api/followup/surveys, GET /api/followup/surveys (docs/operations.md).

import { field, h, section, table, today } from "../dom.js";
import { define, t } from "../i18n.js";
import { chosenArea, within } from "./followup.js";
import { stacked } from "./organisations.js";

const STATUSES = ["vaccinated", "partly-vaccinated", "unvaccinated", "exempt", "not-eligible",
  "away"];
const AREA_KEY = "jointcheck.ops.survey-grid";
const ITEM = /members(?:\[|\.)(\d+)/;

define({
  zh: {
    "sv-household": "入户登记",
    "sv-grid": "网格",
    "sv-on": "走访日期",
    "sv-address": "住址（门牌）",
    "sv-members": "家庭成员",
    "sv-member": "成员 {n}",
    "sv-id-number": "身份证件号码",
    "sv-note": "备注（可选）",
    "sv-status": "接种情况",
    "sv-add": "添加成员",
    "sv-remove": "删除此成员",
    "sv-submit": "提交",
    "sv-pick-status": "请选择接种情况",
    "sv-saved": "已保存第 {id} 户：{members} 名成员，新开跟进案件 {cases} 件",
    "sv-to-followup": "查看跟进名单",
    "sv-figures": "各网格入户情况",
    "sv-households": "户数",
    "sv-people": "人数",
    "sv-no-figures": "此区域尚无入户登记",
    "sv-status-vaccinated": "已接种",
    "sv-status-partly-vaccinated": "未完成全程",
    "sv-status-unvaccinated": "未接种",
    "sv-status-exempt": "有禁忌证",
    "sv-status-not-eligible": "不在接种年龄",
    "sv-status-away": "不在家",
  },
  en: {
    "sv-household": "Household",
    "sv-grid": "Grid",
    "sv-on": "Visit date",
    "sv-address": "Address",
    "sv-members": "Members",
    "sv-member": "Member {n}",
    "sv-id-number": "Identity number",
    "sv-note": "Note (optional)",
    "sv-status": "Reported status",
    "sv-add": "Add a member",
    "sv-remove": "Remove this member",
    "sv-submit": "Submit",
    "sv-pick-status": "Choose the reported status",
    "sv-saved": "Household {id} saved: {members} members, {cases} follow-up cases opened",
    "sv-to-followup": "Open the worklist",
    "sv-figures": "Survey per grid",
    "sv-households": "Households",
    "sv-people": "Members",
    "sv-no-figures": "No household surveyed in this area yet",
    "sv-status-vaccinated": "vaccinated",
    "sv-status-partly-vaccinated": "partly vaccinated",
    "sv-status-unvaccinated": "unvaccinated",
    "sv-status-exempt": "exempt",
    "sv-status-not-eligible": "not eligible",
    "sv-status-away": "away",
  },
});

function errorLine(className) {
  return h("p", { class: `fu-error ${className}`, role: "alert", hidden: true });
}

function say(element, text) {
  element.textContent = text;
  element.hidden = false;
}

function memberRow(list) {
  const row = h("fieldset", { class: "sv-member" });
  const legend = h("legend", {});
  const number = h("input", { class: "sv-id", name: "id_number", autocomplete: "off",
    spellcheck: "false", maxlength: 32, required: true });
  const note = h("input", { class: "sv-note", name: "note", maxlength: 200,
    autocomplete: "off" });
  const buttons = STATUSES.map((status) => h("button", { type: "button", class: "sv-status",
    dataset: { status }, "aria-pressed": "false" }, t(`sv-status-${status}`)));
  for (const button of buttons) {
    button.addEventListener("click", () => {
      for (const one of buttons) one.setAttribute("aria-pressed", String(one === button));
      row.dataset.status = button.dataset.status;
    });
  }
  const remove = h("button", { type: "button", class: "sv-remove" }, t("sv-remove"));
  remove.addEventListener("click", () => {
    if (list.children.length > 1) row.remove();
    numberRows(list);
  });
  row.append(legend, field(t("sv-id-number"), number),
    h("div", { class: "sv-statuses", role: "group", "aria-label": t("sv-status") }, buttons),
    field(t("sv-note"), note), h("div", { class: "actions" }, remove), errorLine("sv-error"));
  return row;
}

function numberRows(list) {
  [...list.children].forEach((row, index) => {
    row.dataset.index = String(index);
    row.querySelector("legend").textContent = t("sv-member", { n: index + 1 });
  });
}

function clearErrors(form) {
  for (const element of form.querySelectorAll(".fu-error")) {
    element.hidden = true;
    element.textContent = "";
  }
  for (const element of form.querySelectorAll(".invalid")) element.classList.remove("invalid");
}

/** Put the server's refusal next to the item it names: a member, a field, or the form. */
function placeError(form, list, error) {
  const text = error.code ? `${error.message} (${error.code})` : String(error);
  const member = ITEM.exec(error.message || "");
  if (member && list.children[Number(member[1])]) {
    const row = list.children[Number(member[1])];
    row.classList.add("invalid");
    say(row.querySelector(".sv-error"), text);
    row.scrollIntoView({ block: "center" });
    return;
  }
  const named = /^(area|on|address)\b/.exec(error.message || "");
  const target = named ? form.querySelector(`.sv-error-${named[1]}`) : null;
  say(target || form.querySelector(".sv-error-form"), text);
}

function collect(form, list) {
  let missing = false;
  const members = [...list.children].map((row) => {
    const member = { id_number: row.querySelector(".sv-id").value.trim(),
      status: row.dataset.status || "" };
    const note = row.querySelector(".sv-note").value.trim();
    if (note) member.note = note;
    if (!member.status) {
      row.classList.add("invalid");
      say(row.querySelector(".sv-error"), t("sv-pick-status"));
      missing = true;
    }
    return member;
  });
  if (missing) return null;
  return { area: form.elements.area.value.trim(), on: form.elements.on.value,
    address: form.elements.address.value.trim(), members };
}

/** Return the area whose worklist holds a household's cases: a case is filed under the
 * person's registry area, usually the grid's community, so the community when in scope. */
function worklistArea(ctx, grid) {
  const community = grid.split(".").slice(0, 3).join(".");
  return within(ctx.area, community) ? community : ctx.area;
}

function surveyForm(ctx, grid, after) {
  const list = h("div", { class: "sv-list", id: "sv-members" });
  list.append(memberRow(list));
  numberRows(list);
  const add = h("button", { type: "button", id: "sv-add" }, t("sv-add"));
  add.addEventListener("click", () => {
    list.append(memberRow(list));
    numberRows(list);
    list.lastElementChild.querySelector(".sv-id").focus();
  });
  const answer = h("div", { id: "sv-answer", role: "status" });
  const form = h("form", { id: "sv-form", class: "stack", novalidate: true },
    field(t("sv-grid"), h("input", { name: "area", id: "sv-grid", value: grid, required: true,
      autocomplete: "off", spellcheck: "false", placeholder: "fz.s01.c01.g01" })),
    errorLine("sv-error-area"),
    field(t("sv-on"), h("input", { type: "date", name: "on", id: "sv-on", value: today(),
      max: today(), required: true })),
    errorLine("sv-error-on"),
    field(t("sv-address"), h("input", { name: "address", id: "sv-address", maxlength: 200,
      required: true, autocomplete: "off" })),
    errorLine("sv-error-address"),
    h("h3", {}, t("sv-members")), list,
    h("div", { class: "actions" }, add,
      h("button", { type: "submit", class: "primary", id: "sv-submit" }, t("sv-submit"))),
    errorLine("sv-error-form"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    answer.replaceChildren();
    const body = collect(form, list);
    if (body === null) return;
    const submit = form.querySelector("#sv-submit");
    submit.disabled = true;
    try {
      const saved = await ctx.api.post("/api/followup/surveys", body);
      sessionStorage.setItem(AREA_KEY, body.area);
      answer.replaceChildren(...[h("p", { class: "notice", id: "sv-saved",
        dataset: { survey: saved.survey_id, cases: saved.cases_opened } },
      t("sv-saved", { id: saved.survey_id, members: saved.members, cases: saved.cases_opened })),
      saved.cases_opened ? h("a", { class: "button no-print", id: "sv-to-followup",
        href: `#/followup?${new URLSearchParams({ area: worklistArea(ctx, body.area) })}` },
      t("sv-to-followup")) : null].filter(Boolean));
      form.elements.address.value = "";
      list.replaceChildren(memberRow(list));
      numberRows(list);
      await after();
    } catch (error) {
      placeError(form, list, error);
    } finally {
      submit.disabled = false;
    }
  });
  return h("div", { class: "stack" }, form, answer);
}

async function drawFigures(ctx, area) {
  const box = document.getElementById("sv-figures");
  if (!box) return;
  let answer;
  try {
    answer = await ctx.api.get("/api/followup/surveys", { area });
  } catch (error) {
    box.replaceChildren(h("p", { class: "unavailable" }, `${t("unavailable")}: ${error.message}`));
    return;
  }
  if (!answer.grids.length) {
    box.replaceChildren(h("p", { class: "hint" }, t("sv-no-figures")));
    return;
  }
  box.replaceChildren(stacked(table(
    [t("sv-grid"), t("sv-households"), t("sv-people"),
      ...STATUSES.map((status) => t(`sv-status-${status}`))],
    answer.grids.map((grid) => [grid.area, ctx.number(grid.households), ctx.number(grid.members),
      ...STATUSES.map((status) => ctx.number(grid.by_status[status] ?? 0))]),
    { id: "sv-grids", numeric: [1, 2, 3, 4, 5, 6, 7, 8] })));
}

export default {
  id: "survey",
  title_en: "Door-to-door survey",
  title_zh: "入户登记",
  permission: "followup.write",
  async render(root, ctx) {
    const grid = chosenArea(ctx, AREA_KEY);
    root.append(
      section(t("sv-household"), surveyForm(ctx, grid === ctx.area && grid.split(".").length < 4
        ? "" : grid, () => drawFigures(ctx, ctx.area))),
      section(t("sv-figures"), h("div", { id: "sv-figures" })));
    await drawFigures(ctx, ctx.area);
  },
};

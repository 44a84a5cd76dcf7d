// The roster page (R11, R12): an organisation's members with their post status (who may not
// hold their post is highlighted, with the reason), adding and removing a member's post, and a
// CSV import (`id_number,post`, all or nothing; a refusal names the line).
// Calls: GET /api/organisations, GET/POST /api/organisations/{code}/roster,
// DELETE .../roster/{pid}?post=, POST .../roster/import (text/csv), GET .../posts.

import { field, h, section, table } from "../dom.js";
import { define, t } from "../i18n.js";

export const POSTS = ["first-line-teaching", "front-line-service", "leadership", "office",
  "logistics", "student", "family-member", "other"];
export const STATUSES = ["complete", "partial", "unvaccinated", "exempt", "not-eligible"];
const ORG_KEY = "jointcheck.ops.organisation";

define({
  zh: {
    "org-organisation": "单位",
    "org-none": "没有可查看的单位",
    "org-roster": "人员名单",
    "org-summary": "共 {members} 个岗位，其中 {flagged} 人不宜在岗",
    "org-flagged": "不宜在岗人员",
    "org-no-flagged": "所有人员均可在岗",
    "org-by-post": "各岗位情况",
    "org-post": "岗位",
    "org-members": "人数",
    "org-may-hold": "可在岗",
    "org-may-not-hold": "不宜在岗",
    "org-name": "姓名",
    "org-birth-year": "出生年份",
    "org-status": "接种情况",
    "org-reason": "说明",
    "org-yes": "可以",
    "org-no": "不宜",
    "org-remove": "移除",
    "org-remove-confirm": "确认移除",
    "org-removed": "已移除 {name} 的{post}岗位",
    "org-add": "添加人员",
    "org-id-number": "身份证件号码",
    "org-add-submit": "添加",
    "org-added": "已添加",
    "org-already": "此人已在该岗位",
    "org-import": "导入名单（CSV）",
    "org-import-hint": "CSV 文件，首行为 id_number,post；任何一行有误则全部不导入。",
    "org-file": "文件",
    "org-import-submit": "导入",
    "org-imported": "已导入：新增 {added} 条，原有 {unchanged} 条",
    "org-empty": "名单为空",
    "org-post-first-line-teaching": "一线教学",
    "org-post-front-line-service": "一线服务",
    "org-post-leadership": "领导岗位",
    "org-post-office": "机关办公",
    "org-post-logistics": "后勤",
    "org-post-student": "学生",
    "org-post-family-member": "学生家属",
    "org-post-other": "其他",
    "org-status-complete": "已完成全程接种",
    "org-status-partial": "未完成全程接种",
    "org-status-unvaccinated": "未接种",
    "org-status-exempt": "有禁忌证",
    "org-status-not-eligible": "不在接种年龄",
  },
  en: {
    "org-organisation": "Organisation",
    "org-none": "No organisation to show",
    "org-roster": "Roster",
    "org-summary": "{members} posts held; {flagged} may not hold theirs",
    "org-flagged": "May not hold their post",
    "org-no-flagged": "Everyone may hold their post",
    "org-by-post": "Per post",
    "org-post": "Post",
    "org-members": "Members",
    "org-may-hold": "May hold",
    "org-may-not-hold": "May not hold",
    "org-name": "Name",
    "org-birth-year": "Born",
    "org-status": "Status",
    "org-reason": "Reason",
    "org-yes": "yes",
    "org-no": "no",
    "org-remove": "Remove",
    "org-remove-confirm": "Confirm removal",
    "org-removed": "Removed {name}'s {post} post",
    "org-add": "Add a member",
    "org-id-number": "Identity number",
    "org-add-submit": "Add",
    "org-added": "Added",
    "org-already": "Already holds this post",
    "org-import": "Import a roster (CSV)",
    "org-import-hint": "A CSV file with the header id_number,post; one bad line and nothing "
      + "is imported.",
    "org-file": "File",
    "org-import-submit": "Import",
    "org-imported": "Imported: {added} added, {unchanged} unchanged",
    "org-empty": "The roster is empty",
    "org-post-first-line-teaching": "first-line teaching",
    "org-post-front-line-service": "front-line service",
    "org-post-leadership": "leadership",
    "org-post-office": "office",
    "org-post-logistics": "logistics",
    "org-post-student": "student",
    "org-post-family-member": "family member",
    "org-post-other": "other",
    "org-status-complete": "complete",
    "org-status-partial": "partial",
    "org-status-unvaccinated": "unvaccinated",
    "org-status-exempt": "exempt",
    "org-status-not-eligible": "not eligible",
  },
});

/** Return the words of a post. */
export function postName(post) {
  return t(`org-post-${post}`);
}

/** Return the words of a vaccination status. */
export function statusName(status) {
  return t(`org-status-${status}`);
}

/** Return the reason of a verdict in the page's language. */
export function reason(item, ctx) {
  return ctx.lang() === "zh" ? item.reason_zh : item.reason_en;
}

/** Send a request the shell's JSON helpers do not make (DELETE, a CSV body); return the JSON. */
export async function send(ctx, method, path, body = undefined, type = "application/json") {
  const headers = { Accept: "application/json" };
  const stored = ctx.api.token();
  if (stored) headers.Authorization = `Bearer ${stored}`;
  if (body !== undefined) headers["Content-Type"] = type;
  let response;
  try {
    response = await fetch(path, { method, headers, body, cache: "no-store",
      credentials: "omit" });
  } catch (error) {
    throw new ctx.api.ApiError(0, "network", String(error.message || error), "network");
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = data && data.error;
    throw new ctx.api.ApiError(response.status, error ? error.code : `http-${response.status}`,
      error ? error.message : text.slice(0, 200) || response.statusText,
      error ? error.stage : "http");
  }
  return data;
}

/** Make a table read as one card per row on a phone: each cell carries its column's name. */
export function stacked(wrap) {
  const table = wrap.querySelector("table");
  const names = [...table.querySelectorAll("thead th")].map((th) => th.textContent);
  table.classList.add("stacked");
  for (const row of table.querySelectorAll("tbody tr")) {
    [...row.cells].forEach((cell, index) => { cell.dataset.label = names[index] || ""; });
  }
  return wrap;
}

/** Return a paragraph for an error shown next to what it is about (hidden until used). */
export function inlineError(id) {
  return h("p", { class: "fu-error", id, role: "alert", hidden: true });
}

/** Show `error` (an ApiError or text) in the inline error element. */
export function showInline(element, error) {
  element.textContent = error && error.code ? `${error.message} (${error.code})` : String(error);
  element.hidden = false;
}

/**
 * Return the organisation a page works on and a picker for it: an org admin's own one, else
 * the link's or the last chosen among those the user may read (`filter` narrows them).
 * Returns {code, organisation, picker} (code null when there is none).
 */
export async function pickOrganisation(ctx, pageId, filter = () => true) {
  if (ctx.me.role === "org-admin") {
    return { code: ctx.me.scope, organisation: null, picker: null };
  }
  const answer = await ctx.api.get("/api/organisations");
  const choices = answer.organisations.filter(filter);
  if (!choices.length) return { code: null, organisation: null, picker: null };
  const wanted = [ctx.params.org, sessionStorage.getItem(ORG_KEY)];
  const found = wanted.map((code) => choices.find((org) => org.code === code)).find(Boolean)
    || choices[0];
  const select = h("select", { id: "org-pick", name: "org" }, choices.map((org) =>
    h("option", { value: org.code, selected: org.code === found.code },
      `${org.name} (${org.code})`)));
  select.addEventListener("change", () => {
    sessionStorage.setItem(ORG_KEY, select.value);
    ctx.navigate(pageId, { org: select.value });
  });
  return { code: found.code, organisation: found,
    picker: h("div", { class: "card no-print" }, field(t("org-organisation"), select)) };
}

function removeButton(ctx, code, member, done) {
  const button = h("button", { type: "button", class: "org-remove",
    dataset: { pid: member.pid, post: member.post } }, t("org-remove"));
  button.addEventListener("click", async () => {
    // Two taps: the first asks, the second removes (no dialog on a phone).
    if (button.dataset.armed !== "true") {
      button.dataset.armed = "true";
      button.textContent = t("org-remove-confirm");
      return;
    }
    button.disabled = true;
    try {
      await send(ctx, "DELETE", `/api/organisations/${encodeURIComponent(code)}/roster/`
        + `${encodeURIComponent(member.pid)}?${new URLSearchParams({ post: member.post })}`);
      await done(t("org-removed", { name: member.name, post: postName(member.post) }));
    } catch (error) {
      button.disabled = false;
      ctx.showError(error);
    }
  });
  return button;
}

function rosterTable(ctx, code, members, writable, done) {
  if (!members.length) return h("p", { class: "hint", id: "org-empty" }, t("org-empty"));
  const headers = [t("org-name"), t("org-birth-year"), t("org-post"), t("org-status"),
    t("org-may-hold"), t("org-reason")];
  if (writable) headers.push("");
  const head = h("thead", {}, h("tr", {}, headers.map((text) => h("th", { scope: "col" }, text))));
  const body = h("tbody", {}, members.map((member) => h("tr", {
    class: member.may_hold ? null : "org-flag",
    dataset: { pid: member.pid, post: member.post, mayHold: String(member.may_hold) } },
  h("td", {}, member.name), h("td", { class: "num" }, member.birth_year),
  h("td", {}, postName(member.post)), h("td", {}, statusName(member.status)),
  h("td", {}, h("span", { class: member.may_hold ? "org-ok" : "org-badge" },
    member.may_hold ? t("org-yes") : t("org-no"))),
  h("td", {}, reason(member, ctx)),
  writable ? h("td", { class: "no-print" }, removeButton(ctx, code, member, done)) : null)));
  return stacked(h("div", { class: "table-wrap" }, h("table", { id: "org-roster" }, head, body)));
}

function addForm(ctx, code, done) {
  const number = h("input", { id: "org-add-id", name: "id_number", autocomplete: "off",
    spellcheck: "false", maxlength: 32, required: true });
  const post = h("select", { id: "org-add-post", name: "post" },
    POSTS.map((one) => h("option", { value: one }, postName(one))));
  const problem = inlineError("org-add-error");
  const form = h("form", { id: "org-add-form", class: "stack" },
    h("div", { class: "row" }, field(t("org-id-number"), number), field(t("org-post"), post),
      h("button", { type: "submit", class: "primary" }, t("org-add-submit"))), problem);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.hidden = true;
    try {
      const added = await ctx.api.post(`/api/organisations/${encodeURIComponent(code)}/roster`,
        { id_number: number.value.trim(), post: post.value });
      number.value = "";
      await done(added.added ? t("org-added") : t("org-already"));
    } catch (error) {
      showInline(problem, error);
    }
  });
  return form;
}

function importForm(ctx, code, done) {
  const file = h("input", { type: "file", id: "org-file", name: "file",
    accept: ".csv,text/csv,text/plain", required: true });
  const problem = inlineError("org-import-error");
  const form = h("form", { id: "org-import-form", class: "stack" },
    h("p", { class: "hint" }, t("org-import-hint")),
    h("div", { class: "row" }, field(t("org-file"), file),
      h("button", { type: "submit" }, t("org-import-submit"))), problem);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.hidden = true;
    if (!file.files.length) return;
    try {
      const text = await file.files[0].text();
      const answer = await send(ctx, "POST",
        `/api/organisations/${encodeURIComponent(code)}/roster/import`, text, "text/csv");
      file.value = "";
      await done(t("org-imported", answer));
    } catch (error) {
      showInline(problem, error);
    }
  });
  return form;
}

async function drawRoster(box, ctx, code, message = null) {
  const base = `/api/organisations/${encodeURIComponent(code)}`;
  // One after the other: both reads are audited, and the audit log is one chain.
  const roster = await ctx.api.get(`${base}/roster`);
  const posts = await ctx.api.get(`${base}/posts`);
  const writable = ctx.me.permissions.includes("organisations.write");
  const done = (text) => drawRoster(box, ctx, code, text);
  const flagged = roster.members.filter((member) => !member.may_hold);
  const postsHeld = POSTS.filter((post) => post in posts.by_post);
  box.replaceChildren(...[
    message ? h("p", { class: "notice", id: "org-notice", role: "status" }, message) : null,
    section(t("org-flagged"),
      h("p", { class: "hint", id: "org-summary" }, t("org-summary",
        { members: roster.members.length, flagged: flagged.length })),
      posts.violations.length
        ? h("ul", { class: "org-flags", id: "org-violations" }, posts.violations.map((member) =>
          h("li", { dataset: { pid: member.pid, post: member.post } },
            h("strong", {}, ctx.lang() === "zh" ? `${member.name}（${member.birth_year}）`
              : `${member.name} (${member.birth_year})`), " · ",
            postName(member.post), " · ", statusName(member.status), h("br"),
            h("span", {}, reason(member, ctx)))))
        : h("p", { class: "notice", id: "org-no-violations" }, t("org-no-flagged"))),
    section(t("org-by-post"), table(
      [t("org-post"), t("org-members"), t("org-may-hold"), t("org-may-not-hold")],
      postsHeld.map((post) => [postName(post), ctx.number(posts.by_post[post].members),
        ctx.number(posts.by_post[post].may_hold), ctx.number(posts.by_post[post].may_not_hold)]),
      { id: "org-posts", numeric: [1, 2, 3] })),
    section(t("org-roster"), rosterTable(ctx, code, roster.members, writable, done)),
    writable ? section(t("org-add"), addForm(ctx, code, done)) : null,
    writable ? section(t("org-import"), importForm(ctx, code, done)) : null,
  ].filter(Boolean));
}

export default {
  id: "organisations",
  title_en: "Roster and posts",
  title_zh: "单位人员",
  permission: "organisations.read",
  async render(root, ctx) {
    const { code, picker } = await pickOrganisation(ctx, "organisations");
    if (code === null) {
      root.append(h("p", { class: "hint" }, t("org-none")));
      return;
    }
    const box = h("div", { class: "stack", id: "org-box", dataset: { org: code } });
    root.append(...[picker, box].filter(Boolean));
    await drawRoster(box, ctx, code);
  },
};

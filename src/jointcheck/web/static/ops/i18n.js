// The words of the operations pages in Chinese (the default) and English. The choice is kept
// under the same key as the scanner page's, so one toggle holds for both. Each page module
// adds its own words with `define`.

const STORE_KEY = "jointcheck.lang";
const LANGS = ["zh", "en"];
const STRINGS = { zh: {}, en: {} };

let current = LANGS.includes(localStorage.getItem(STORE_KEY))
  ? localStorage.getItem(STORE_KEY) : "zh";

/** Add words: `{zh: {key: text}, en: {key: text}}`; a later definition of a key wins. */
export function define(words) {
  for (const code of LANGS) Object.assign(STRINGS[code], words[code] || {});
}

/** Return the pages' language: "zh" or "en". */
export function lang() {
  return current;
}

/** Switch to `next` and remember the choice. */
export function setLang(next) {
  current = LANGS.includes(next) ? next : "zh";
  localStorage.setItem(STORE_KEY, current);
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
}

/** Return the words for `key` in the current language, with `{name}` placeholders filled. */
export function t(key, vars = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** Tell whether there are words for `key`. */
export function has(key) {
  return key in STRINGS[current] || key in STRINGS.en;
}

/** Fill every element marked `data-i18n` under `root` with its words. */
export function translate(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
}

/** Return the other language's code and its name in itself, for the toggle. */
export function other() {
  return current === "zh" ? { code: "en", name: "English" } : { code: "zh", name: "中文" };
}

/** Format a number for the current language. */
export function number(value, digits = 0) {
  if (value === null || value === undefined) return "—";
  return Number(value).toLocaleString(current === "zh" ? "zh-CN" : "en-GB", {
    maximumFractionDigits: digits, minimumFractionDigits: 0,
  });
}

define({
  zh: {
    "app-title": "双码联查 · 工作台",
    "loading": "正在连接…",
    "menu": "菜单",
    "print": "打印",
    "sign-out": "退出",
    "login-title": "登录",
    "username": "用户名",
    "password": "密码",
    "login-submit": "登录",
    "login-failed": "用户名或密码不正确",
    "error": "出错了：{message}",
    "error-network": "无法连接服务器",
    "session-ended": "登录已过期，请重新登录",
    "no-pages": "此账号没有可用的工作页面",
    "scanner-page": "打开查验页面",
    "unavailable": "暂不可用",
    "none": "无",
    "total": "合计",
    "save": "保存",
    "saved": "已保存",
    "show": "查看",
    "area": "区域",
    "day": "日期",
    "days": "天数",
    "chart-missing": "未安装图表组件，仅显示表格",
    "role-health-authority": "卫生健康部门",
    "role-street-officer": "街道工作人员",
    "role-grid-worker": "网格员",
    "role-venue-operator": "场所管理员",
    "role-org-admin": "单位管理员",
    "role-industry-supervisor": "行业主管部门",
    "role-inspector": "检查员",
    "role-resident": "居民",
    "outcome-admit": "准许进入",
    "outcome-register": "登记后进入",
    "outcome-persuade": "劝导",
    "outcome-restrict": "限制进入",
    "outcome-deny": "禁止进入",
  },
  en: {
    "app-title": "Joint check · operations",
    "loading": "Connecting…",
    "menu": "Menu",
    "print": "Print",
    "sign-out": "Sign out",
    "login-title": "Sign in",
    "username": "User name",
    "password": "Password",
    "login-submit": "Sign in",
    "login-failed": "Wrong user name or password",
    "error": "Something went wrong: {message}",
    "error-network": "The server cannot be reached",
    "session-ended": "The session has ended; please sign in again",
    "no-pages": "This account has no operations pages",
    "scanner-page": "Open the scanner page",
    "unavailable": "unavailable",
    "none": "none",
    "total": "Total",
    "save": "Save",
    "saved": "Saved",
    "show": "Show",
    "area": "Area",
    "day": "Day",
    "days": "Days",
    "chart-missing": "The chart library is not installed; tables only",
    "role-health-authority": "Health authority",
    "role-street-officer": "Street officer",
    "role-grid-worker": "Grid worker",
    "role-venue-operator": "Venue operator",
    "role-org-admin": "Organisation admin",
    "role-industry-supervisor": "Industry supervisor",
    "role-inspector": "Inspector",
    "role-resident": "Resident",
    "outcome-admit": "Admit",
    "outcome-register": "Register",
    "outcome-persuade": "Persuade",
    "outcome-restrict": "Restrict",
    "outcome-deny": "Deny",
  },
});

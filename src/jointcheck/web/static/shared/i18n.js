// The words of a page in Chinese (the default) and English, and the language choice, shared by
// the scanner page (/check) and the operations pages (/ops). The choice is kept under one key,
// so one toggle holds for both. Each page adds its own words with `define`.

const STORE_KEY = "jointcheck.lang";
const LANGS = ["zh", "en"];
const STRINGS = { zh: {}, en: {} };

let current = LANGS.includes(localStorage.getItem(STORE_KEY))
  ? localStorage.getItem(STORE_KEY) : "zh";

/** Add words: `{zh: {key: text}, en: {key: text}}`; a later definition of a key wins. */
export function define(words) {
  for (const code of LANGS) Object.assign(STRINGS[code], words[code] || {});
}

/** Return the page's language: "zh" or "en". */
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

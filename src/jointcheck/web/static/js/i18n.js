// The page's words in Chinese (the default) and English; the choice is remembered.

const STORE_KEY = "jointcheck.lang";
const LANGS = ["zh", "en"];

const STRINGS = {
  zh: {
    "title": "查验",
    "app-name": "双码联查",
    "loading": "正在连接…",
    "sign-out": "退出",
    "login-title": "登录",
    "username": "用户名",
    "password": "密码",
    "login-submit": "登录",
    "token-label": "或粘贴查验点令牌",
    "token-submit": "使用令牌",
    "picker-title": "选择场所类别",
    "picker-hint": "本账号未绑定场所，请选择按哪类场所查验。",
    "picker-submit": "开始查验",
    "prompt": "请扫描健康码和疫苗接种证明",
    "prompt-hint": "扫码枪、摄像头或手动输入均可",
    "checking": "查验中…",
    "cancel-person": "重新开始",
    "need-health-code": "请扫描健康码",
    "need-certificate": "请扫描疫苗接种证明",
    "decide-now-certificate": "无接种证明 — 立即判定",
    "decide-now-health-code": "无健康码 — 立即判定",
    "outcome-admit": "准许进入",
    "outcome-register": "登记后进入",
    "outcome-persuade": "劝导",
    "outcome-restrict": "限制进入",
    "outcome-deny": "禁止进入",
    "holder": "{name}，{year}年生",
    "registered": "已登记",
    "already-registered": "此前已登记",
    "register-open": "登记",
    "next": "下一位",
    "camera-start": "开启摄像头",
    "camera-stop": "关闭摄像头",
    "camera-starting": "正在开启摄像头…",
    "camera-on": "摄像头扫码中，请将二维码对准画面",
    "camera-missing": "本机未安装摄像头扫码组件，请用扫码枪或手动输入",
    "camera-failed": "无法使用摄像头：{message}",
    "manual": "手动输入",
    "manual-label": "粘贴或输入二维码下方的文字",
    "manual-submit": "查验",
    "lookup-label": "无智能手机：按身份证件号码查询",
    "lookup-submit": "查询",
    "register-title": "登记",
    "reg-name": "姓名",
    "reg-id": "身份证件号码",
    "reg-phone": "手机号码",
    "reg-reason": "进入事由",
    "reg-submit": "提交登记",
    "cancel": "取消",
    "reason-visit": "探亲访友",
    "reason-work": "上班工作",
    "reason-medical": "就医购药",
    "reason-delivery": "送货配送",
    "reason-home": "回家",
    "type-health-code": "健康码",
    "type-vaccination": "疫苗接种证明",
    "type-exemption": "禁忌证证明",
    "type-test": "核酸检测证明",
    "type-recovery": "康复证明",
    "type-unknown": "无法识别的码",
    "refused": "无效",
    "offline": "离线：在本机判定，联网后上传",
    "unreachable": "无法连接服务器，请检查网络",
    "queue": "待上传：{events} 条查验记录，{registrations} 条登记",
    "stale": "{what}已 {hours} 小时未更新，请联网同步",
    "stale-trust-list": "信任列表",
    "stale-policy": "查验政策",
    "clock-problem": "时钟异常：{message}",
    "clock-jumped": "系统时钟发生跳变，联网后恢复查验",
    "clock-behind": "系统时钟比已知时间落后，请校准时钟或联网",
    "error": "错误",
    "too-many-codes": "一人最多扫描 {count} 个码",
    "mode-server": "服务器",
    "mode-node": "本机查验点",
    "footer": "政策 {policy} · 信任列表 #{sequence} · {mode}",
    "last-sync": "上次同步 {when}",
    "err-network": "无法连接服务器",
    "err-login-failed": "用户名或密码错误，或账号已停用",
    "err-token-invalid": "令牌无效或已吊销",
    "err-token-expired": "登录已过期，请重新登录",
    "err-token-missing": "请先登录",
    "err-role-not-allowed": "此账号无权进行查验",
    "err-resident-unknown": "登记系统中没有此身份证件号码",
    "err-lookup-unavailable": "当前不能按身份证件号码查询",
  },
  en: {
    "title": "Check",
    "app-name": "Joint check",
    "loading": "Connecting…",
    "sign-out": "Sign out",
    "login-title": "Sign in",
    "username": "User name",
    "password": "Password",
    "login-submit": "Sign in",
    "token-label": "or paste a checkpoint token",
    "token-submit": "Use token",
    "picker-title": "Choose the venue category",
    "picker-hint": "This account has no venue: choose the kind of place to check for.",
    "picker-submit": "Start checking",
    "prompt": "Scan the health code and the vaccination certificate",
    "prompt-hint": "Hardware scanner, camera or manual entry",
    "checking": "Checking…",
    "cancel-person": "Start over",
    "need-health-code": "Scan the health code",
    "need-certificate": "Scan the vaccination certificate",
    "decide-now-certificate": "No certificate — decide now",
    "decide-now-health-code": "No health code — decide now",
    "outcome-admit": "ADMIT",
    "outcome-register": "REGISTER",
    "outcome-persuade": "PERSUADE",
    "outcome-restrict": "RESTRICT",
    "outcome-deny": "DENY",
    "holder": "{name}, born {year}",
    "registered": "Registered",
    "already-registered": "Already registered",
    "register-open": "Register",
    "next": "Next person",
    "camera-start": "Start camera",
    "camera-stop": "Stop camera",
    "camera-starting": "Starting the camera…",
    "camera-on": "Camera scanning: hold the QR code in view",
    "camera-missing": "The camera reader is not installed here: use a scanner or type the code",
    "camera-failed": "Camera not available: {message}",
    "manual": "Enter manually",
    "manual-label": "Paste or type the text printed under the QR code",
    "manual-submit": "Check",
    "lookup-label": "No smartphone: look up by identity number",
    "lookup-submit": "Look up",
    "register-title": "Registration",
    "reg-name": "Name",
    "reg-id": "Identity document number",
    "reg-phone": "Phone",
    "reg-reason": "Reason for entry",
    "reg-submit": "Register",
    "cancel": "Cancel",
    "reason-visit": "visiting a relative or friend",
    "reason-work": "work",
    "reason-medical": "medical care",
    "reason-delivery": "delivery",
    "reason-home": "going home",
    "type-health-code": "Health code",
    "type-vaccination": "Vaccination certificate",
    "type-exemption": "Contraindication certificate",
    "type-test": "Test certificate",
    "type-recovery": "Recovery certificate",
    "type-unknown": "Unreadable code",
    "refused": "refused",
    "offline": "Offline: deciding on this device; uploads when the server answers",
    "unreachable": "Cannot reach the server: check the network",
    "queue": "Waiting to upload: {events} checks, {registrations} registrations",
    "stale": "The {what} is {hours} h old: connect to sync",
    "stale-trust-list": "trust list",
    "stale-policy": "policy",
    "clock-problem": "Clock problem: {message}",
    "clock-jumped": "The system clock jumped; checks resume once the server answers",
    "clock-behind": "The system clock is behind the latest known time: set it or reconnect",
    "error": "Error",
    "too-many-codes": "At most {count} codes per person",
    "mode-server": "server",
    "mode-node": "checkpoint node",
    "footer": "Policy {policy} · trust list #{sequence} · {mode}",
    "last-sync": "last sync {when}",
    "err-network": "Cannot reach the server",
    "err-login-failed": "Wrong user name or password, or the account is inactive",
    "err-token-invalid": "The token is invalid or revoked",
    "err-token-expired": "The session has expired: sign in again",
    "err-token-missing": "Sign in first",
    "err-role-not-allowed": "This account may not check at a door",
    "err-resident-unknown": "No resident with this identity number in the registry",
    "err-lookup-unavailable": "Lookup by identity number is not available now",
  },
};

let current = LANGS.includes(localStorage.getItem(STORE_KEY))
  ? localStorage.getItem(STORE_KEY) : "zh";

/** Return the page's language: "zh" or "en". */
export function lang() {
  return current;
}

/** Switch the page to `next` and remember the choice. */
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
  return key in STRINGS[current];
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

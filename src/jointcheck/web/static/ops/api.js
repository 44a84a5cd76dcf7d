// Calls to the district server the pages came from, with the session's bearer token.

const TOKEN_KEY = "jointcheck.ops.token";

/** A refusal from the API (`{"error": {stage, code, message}}`) or a failed connection. */
export class ApiError extends Error {
  constructor(status, code, message, stage) {
    super(message);
    this.status = status;
    this.code = code;
    this.stage = stage;
  }
}

/** Return the stored session token of this tab, or null. */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Store the session token for this tab (null forgets it). */
export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

async function send(method, path, body) {
  const headers = { Accept: "application/json" };
  const stored = token();
  if (stored) headers.Authorization = `Bearer ${stored}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store", credentials: "omit",
    });
  } catch (error) {
    throw new ApiError(0, "network", String(error.message || error), "network");
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = data && data.error;
    if (error && typeof error.code === "string") {
      throw new ApiError(response.status, error.code, String(error.message ?? ""), error.stage);
    }
    const detail = data && Array.isArray(data.detail)
      ? data.detail.map((item) => `${(item.loc || []).slice(1).join(".")}: ${item.msg}`).join("; ")
      : text.slice(0, 200) || response.statusText;
    throw new ApiError(response.status, `http-${response.status}`, detail, "http");
  }
  return data;
}

/** GET `path` (with `query` as URL parameters, empty values left out); return the JSON body. */
export function get(path, query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return send("GET", search ? `${path}?${search}` : path);
}

/** POST `body` as JSON to `path`; return the JSON body. */
export function post(path, body) {
  return send("POST", path, body);
}

/** Fetch `path` with the bearer token and save the answer as a file named by the server. */
export async function download(path, fallbackName) {
  const headers = {};
  const stored = token();
  if (stored) headers.Authorization = `Bearer ${stored}`;
  const response = await fetch(path, { headers, cache: "no-store", credentials: "omit" });
  if (!response.ok) {
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    const error = data && data.error;
    throw new ApiError(response.status, error ? error.code : `http-${response.status}`,
      error ? error.message : response.statusText, error ? error.stage : "http");
  }
  const disposition = response.headers.get("Content-Disposition") || "";
  const named = /filename="([^"]+)"/.exec(disposition);
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = named ? named[1] : fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

// JSON calls to the origin the page came from, shared by the scanner page (/check) and the
// operations pages (/ops); each page keeps its own token under its own storage key.

/** A refusal from the API (`{"error": {stage, code, message}}`) or a failed connection. */
export class ApiError extends Error {
  constructor(status, code, message, stage) {
    super(message);
    this.status = status;
    this.code = code;
    this.stage = stage;
  }
}

/** Return a bearer token kept in this tab's sessionStorage under `key`: `{get, set}`;
 * `set(null)` forgets it. */
export function tabToken(key) {
  return {
    get: () => sessionStorage.getItem(key),
    set(value) {
      if (value) sessionStorage.setItem(key, value);
      else sessionStorage.removeItem(key);
    },
  };
}

/** Send `body` (if any) as JSON with `token` (if any) as bearer; return `{status, data}`
 * (the parsed body, or null), or throw an ApiError: the API's own refusal, a validation
 * failure's fields, or the start of any other answer. */
export async function request(method, path, body, token) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
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
  return { status: response.status, data };
}

// Calls to the server or node the page came from; the bearer token lives in sessionStorage.

const TOKEN_KEY = "jointcheck.token";
const KIND_KEY = "jointcheck.token-kind";

/** A refusal from the API (`{"error": {stage, code, message}}`) or a failed connection. */
export class ApiError extends Error {
  constructor(status, code, message, stage) {
    super(message);
    this.status = status;
    this.code = code;
    this.stage = stage;
  }
}

/** Return the stored bearer token, or null. */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Tell whether the stored token is a password session's (else a pasted checkpoint token). */
export function isSessionToken() {
  return sessionStorage.getItem(KIND_KEY) === "session";
}

/** Store the bearer token for this tab, and whether it is a `session` (null forgets it). */
export function setToken(value, kind = "pasted") {
  if (value) {
    sessionStorage.setItem(TOKEN_KEY, value);
    sessionStorage.setItem(KIND_KEY, kind);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(KIND_KEY);
  }
}

/** Send a JSON request; return the answer's body, or throw an ApiError. */
export async function call(method, path, body) {
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
  let data = null;
  const text = await response.text();
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
    throw new ApiError(response.status, `http-${response.status}`,
      text.slice(0, 200) || response.statusText, "http");
  }
  return { status: response.status, data };
}

/** Return a fresh version 4 UUID (also where crypto.randomUUID needs a secure context). */
export function newEventId() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Calls to the server or node the page came from; the bearer token lives in sessionStorage.
// The request itself, and its ApiError, are the shared module's (../../shared/http.js).

import { request, tabToken } from "../../shared/http.js";

const stored = tabToken("jointcheck.token");
const kind = tabToken("jointcheck.token-kind");

/** Return the stored bearer token, or null. */
export function token() {
  return stored.get();
}

/** Tell whether the stored token is a password session's (else a pasted checkpoint token). */
export function isSessionToken() {
  return kind.get() === "session";
}

/** Store the bearer token for this tab, and whether it is a `session` (null forgets it). */
export function setToken(value, tokenKind = "pasted") {
  stored.set(value);
  kind.set(value ? tokenKind : null);
}

/** Send a JSON request; return `{status, data}` (the answer's body), or throw an ApiError. */
export function call(method, path, body) {
  return request(method, path, body, token());
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

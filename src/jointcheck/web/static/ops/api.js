// Calls to the district server the pages came from, with the session's bearer token.

import { ApiError, request, tabToken } from "../shared/http.js";

export { ApiError };

const stored = tabToken("jointcheck.ops.token");

/** Return the stored session token of this tab, or null. */
export function token() {
  return stored.get();
}

/** Store the session token for this tab (null forgets it). */
export function setToken(value) {
  stored.set(value);
}

/** GET `path` (with `query` as URL parameters, empty values left out); return the JSON body. */
export async function get(path, query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return (await request("GET", search ? `${path}?${search}` : path, undefined, token())).data;
}

/** POST `body` as JSON to `path`; return the JSON body. */
export async function post(path, body) {
  return (await request("POST", path, body, token())).data;
}

/** Fetch `path` with the bearer token and save the answer as a file named by the server. */
export async function download(path, fallbackName) {
  const headers = {};
  const bearer = token();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
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

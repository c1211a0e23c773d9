// The admin API client: the bearer token kept in sessionStorage and one
// fetch wrapper that turns error bodies into ApiError.

const TOKEN_KEY = "slotchat.adminToken";

let unauthorizedHandler = () => {};

export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

// Sets the function called when the API rejects the token (HTTP 401).
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

// An error response of the admin API: `{"error": {code, message, field}}`.
export class ApiError extends Error {
  constructor(status, body) {
    const detail = (body && body.error) || {};
    super(detail.message || `The server returned HTTP ${status}.`);
    this.status = status;
    this.code = detail.code || null;
    this.field = detail.field || null;
    this.requestId = detail.request_id || null;
  }
}

// Sends one admin API request and returns the parsed JSON body (or null).
export async function api(method, path, body, token = storedToken()) {
  const headers = { Accept: "application/json" };
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }
  const options = { method, headers, cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }

  let response;
  try {
    response = await fetch(path, options);
  } catch (cause) {
    throw new ApiError(0, {
      error: { message: "The server could not be reached. Check that slotchat is running, then retry." },
    });
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
  if (response.status === 401) {
    unauthorizedHandler();
  }
  if (!response.ok) {
    throw new ApiError(response.status, data);
  }
  return data;
}

// Returns the first array found in `data`: the value itself or one of the
// named fields, so list endpoints may wrap their items.
export function listFrom(data, ...keys) {
  if (Array.isArray(data)) {
    return data;
  }
  for (const key of keys) {
    if (data && Array.isArray(data[key])) {
      return data[key];
    }
  }
  return [];
}

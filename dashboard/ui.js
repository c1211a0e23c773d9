// DOM helpers. Every value from the API is inserted as text, never as HTML,
// because visitor names, pages and errors come from outside.

// Creates an element. `props` keys: `class`, `for`, `on<event>` handlers,
// boolean and string attributes; children are nodes, strings or arrays.
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      element.className = value;
    } else if (key === "for") {
      element.htmlFor = value;
    } else if (key === "value" || key === "checked" || key === "indeterminate") {
      element[key] = value;
    } else {
      element.setAttribute(key, value === true ? "" : String(value));
    }
  }
  appendChildren(element, children);
  return element;
}

function appendChildren(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      appendChildren(element, child);
    } else if (child instanceof Node) {
      element.appendChild(child);
    } else {
      element.appendChild(document.createTextNode(String(child)));
    }
  }
}

// Replaces the children of `element`.
export function replaceChildren(element, ...children) {
  element.textContent = "";
  appendChildren(element, children);
}

// Announces a short message in the polite live region.
export function announce(message) {
  const status = document.getElementById("status");
  status.textContent = "";
  // A fresh text node makes screen readers read a repeated message again.
  window.setTimeout(() => {
    status.textContent = message;
  }, 30);
}

// Formats an instant (RFC 3339 text or epoch milliseconds) in the browser's
// time zone, or returns an em dash when there is none.
export function formatTime(value) {
  if (value === null || value === undefined || value === "") {
    return "—";
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return String(value);
  }
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

// The browser's IANA time zone name, shown beside times.
export function browserTimeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
}

// A block that explains a failed request.
export function errorBox(error, advice) {
  const parts = [error.message];
  if (error.requestId) {
    parts.push(` (request id ${error.requestId})`);
  }
  return h("div", { class: "error", role: "alert" }, parts.join(""), advice ? h("div", {}, advice) : null);
}

// A coloured badge; `tone` is good, bad, warn or empty.
export function badge(text, tone = "") {
  return h("span", { class: `badge ${tone}`.trim() }, text);
}

// A table with a caption, header cells and rows; `emptyText` fills an empty
// body so the table still reads correctly.
export function table(caption, headers, rows, emptyText) {
  const head = h("thead", {}, h("tr", {}, headers.map((header) => h("th", { scope: "col" }, header))));
  const body = h("tbody");
  if (rows.length === 0) {
    body.appendChild(h("tr", {}, h("td", { class: "empty", colspan: headers.length }, emptyText)));
  } else {
    rows.forEach((row) => body.appendChild(row));
  }
  return h("table", {}, h("caption", {}, caption), head, body);
}

// Copies text to the clipboard; returns whether it worked.
export async function copyText(text, fallbackField) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (fallbackField) {
      fallbackField.select();
      return document.execCommand && document.execCommand("copy");
    }
    return false;
  }
}

// Visitors: the table of identified visitors with their push status, a Push
// button per row, and bulk push of the selected rows with polled progress.

import { api, listFrom } from "./api.js";
import { h, replaceChildren, announce, formatTime, errorBox, badge, table } from "./ui.js";
import { adviceFor, statusTone } from "./advice.js";

const PROGRESS_POLL_MS = 1000;
const ROW_POLL_MS = 1500;
const ROW_POLL_LIMIT = 20;
const STATUSES = ["not_pushed", "queued", "pushed", "failed", "waiting"];
const PAGE_SIZE = 100;

export function renderVisitors(main) {
  const selected = new Set();
  let visitors = [];
  let nextCursor = null;
  let timers = [];
  const stopTimers = () => timers.forEach((timer) => window.clearTimeout(timer));

  const filter = h("select", { id: "visitor-status-filter" },
    h("option", { value: "" }, "All statuses"),
    STATUSES.map((status) => h("option", { value: status }, status.replace("_", " "))));
  const bulkButton = h("button", { type: "button", disabled: true }, "Push selected");
  const refreshButton = h("button", { type: "button", class: "secondary" }, "Refresh");
  const progress = h("div", { class: "toolbar", "aria-live": "polite" });
  const tableHolder = h("div");
  const moreButton = h("button", { type: "button", class: "secondary", hidden: true }, "Load more");

  replaceChildren(main,
    h("h1", {}, "Visitors"),
    h("p", { class: "note" },
      "Identified visitors and whether they are in HubSpot. Push one, or select several and push them together."),
    h("div", { class: "toolbar" },
      h("label", { for: "visitor-status-filter" }, "Push status"), filter, refreshButton, bulkButton),
    progress,
    tableHolder,
    h("div", { class: "toolbar" }, moreButton));

  // Loads the first page, or the next one when `more` is true.
  async function load(more = false) {
    if (!more) {
      replaceChildren(tableHolder, h("p", { class: "note" }, "Loading…"));
    }
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (filter.value) {
      params.set("push_status", filter.value);
    }
    if (more && nextCursor) {
      params.set("cursor", nextCursor);
    }
    try {
      const data = await api("GET", `/api/v1/visitors?${params}`);
      const page = listFrom(data, "visitors", "items");
      visitors = more ? visitors.concat(page) : page;
      nextCursor = (data && data.next_cursor) || null;
      moreButton.hidden = !nextCursor;
      draw();
    } catch (error) {
      replaceChildren(tableHolder, errorBox(error));
    }
  }

  function draw() {
    const visibleVisitors = filter.value ? visitors.filter((visitor) => visitor.push_status === filter.value) : visitors;
    for (const id of [...selected]) {
      if (!visibleVisitors.some((visitor) => visitor.id === id)) {
        selected.delete(id);
      }
    }
    const selectAll = h("input", {
      type: "checkbox",
      "aria-label": "Select all visitors in the table",
      checked: visibleVisitors.length > 0 && selected.size === visibleVisitors.length,
      onchange: (event) => {
        visibleVisitors.forEach((visitor) => (event.target.checked ? selected.add(visitor.id) : selected.delete(visitor.id)));
        draw();
      },
    });
    const headers = [selectAll, "Visitor", "Company", "Quality score", "Push status", "Last pushed", "Last error", "Actions"];
    replaceChildren(tableHolder,
      table("Visitors", headers, visibleVisitors.map(visitorRow), "No visitors match. Visitors appear when your site or the visitor API identifies them."));
    bulkButton.disabled = selected.size === 0;
    bulkButton.textContent = selected.size ? `Push selected (${selected.size})` : "Push selected";
  }

  function visitorRow(visitor) {
    const name = [visitor.first_name, visitor.last_name].filter(Boolean).join(" ");
    const label = name || visitor.email || visitor.external_id || visitor.id;
    const company = visitor.company || {};
    const checkbox = h("input", {
      type: "checkbox",
      "aria-label": `Select ${label}`,
      checked: selected.has(visitor.id),
      onchange: (event) => {
        event.target.checked ? selected.add(visitor.id) : selected.delete(visitor.id);
        draw();
      },
    });
    const pushButton = h("button", { type: "button", class: "small", "aria-label": `Push ${label} to HubSpot` }, "Push");
    pushButton.addEventListener("click", () => pushOne(visitor, pushButton));
    const lastError = errorOf(visitor);
    const advice = lastError
      ? adviceFor(lastError.action, lastError.message) || "Check the error, fix the visitor's data if needed, then push again."
      : null;
    const skipped = visitor.skipped_fields || [];
    return h("tr", {},
      h("td", {}, checkbox),
      h("th", { scope: "row" },
        name || "—",
        h("div", {}, visitor.email || ""),
        visitor.email ? null
          : h("p", { class: "note" }, "No email: HubSpot can match this visitor only to a company by domain, not to a contact.")),
      h("td", {}, company.name || "—", company.domain ? h("div", { class: "note" }, company.domain) : null),
      h("td", {}, visitor.quality_score ?? "—"),
      h("td", {}, badge((visitor.push_status || "not_pushed").replace("_", " "), statusTone(visitor.push_status)),
        visitor.hubspot_contact_id ? h("div", { class: "note" }, `contact ${visitor.hubspot_contact_id}`) : null),
      h("td", {}, formatTime(visitor.last_pushed_at)),
      h("td", {}, lastError ? lastError.message : "—", advice ? h("div", { class: "advice" }, advice) : null,
        skipped.length
          ? h("ul", { class: "note", "aria-label": "Fields HubSpot did not take" },
              skipped.map((item) => h("li", {}, `${item.field} skipped: ${item.reason}`)))
          : null),
      h("td", {}, pushButton));
  }

  async function pushOne(visitor, button) {
    button.disabled = true;
    try {
      await api("POST", `/api/v1/visitors/${encodeURIComponent(visitor.id)}/push`, {});
      announce("Push queued.");
      watchVisitor(visitor.id, 0);
    } catch (error) {
      announce(error.message);
      progress.replaceChildren(errorBox(error, adviceFor(error.code, error.message)));
      button.disabled = false;
    }
  }

  // Reloads one visitor until its push leaves the queue.
  function watchVisitor(id, attempt) {
    timers.push(window.setTimeout(async () => {
      try {
        const fresh = await api("GET", `/api/v1/visitors/${encodeURIComponent(id)}`);
        const visitor = fresh.visitor || fresh;
        visitors = visitors.map((old) => (old.id === id ? visitor : old));
        draw();
        const waiting = visitor.push_status === "queued";
        if (waiting && attempt < ROW_POLL_LIMIT) {
          watchVisitor(id, attempt + 1);
        }
      } catch {
        // Keep the row as it is; Refresh shows the latest state.
      }
    }, ROW_POLL_MS));
  }

  async function pushSelected() {
    const ids = [...selected];
    bulkButton.disabled = true;
    try {
      const job = await api("POST", "/api/v1/visitors/push", { visitor_ids: ids });
      const jobId = job.id;
      announce(`Push of ${ids.length} visitors queued.`);
      selected.clear();
      draw();
      pollJob(jobId, ids.length);
    } catch (error) {
      progress.replaceChildren(errorBox(error, adviceFor(error.code, error.message)));
      bulkButton.disabled = false;
    }
  }

  // Follows a bulk push until none of its pushes is pending.
  function pollJob(jobId, total) {
    const bar = h("progress", { max: total, value: 0, "aria-label": "Bulk push progress" });
    const text = h("span", {}, `0 of ${total} finished`);
    progress.replaceChildren(bar, text);
    const tick = async () => {
      try {
        const job = await api("GET", `/api/v1/push-jobs/${encodeURIComponent(jobId)}`);
        const jobTotal = job.total || total;
        const finishedCount = jobTotal - (job.pending || 0);
        bar.max = jobTotal;
        bar.value = finishedCount;
        const details = [`${job.done || 0} pushed`];
        if (job.failed) {
          details.push(`${job.failed} failed (see Last error)`);
        }
        if (job.waiting) {
          details.push(`${job.waiting} waiting for HubSpot to be reconnected`);
        }
        text.textContent = `${finishedCount} of ${jobTotal} finished: ${details.join(", ")}`;
        if (job.finished) {
          announce(job.failed ? `Bulk push finished with ${job.failed} failures.` : "Bulk push finished.");
          load();
          return;
        }
      } catch (error) {
        progress.replaceChildren(errorBox(error));
        return;
      }
      timers.push(window.setTimeout(tick, PROGRESS_POLL_MS));
    };
    tick();
  }

  filter.addEventListener("change", () => load());
  refreshButton.addEventListener("click", () => load());
  moreButton.addEventListener("click", () => load(true));
  bulkButton.addEventListener("click", pushSelected);
  load();
  return stopTimers;
}

// Returns the visitor's last push error as `{message, action}`, or null.
function errorOf(visitor) {
  const error = visitor.last_error;
  if (!error) {
    return null;
  }
  if (typeof error === "string") {
    return { message: error, action: visitor.last_error_action || null };
  }
  return { message: error.message || "The push failed.", action: error.action || null };
}

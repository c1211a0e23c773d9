// Integrations → HubSpot: connection status, connect and disconnect, meeting
// types as visitors see them, and the script tag to paste into the site.

import { api, listFrom } from "./api.js";
import { h, replaceChildren, announce, formatTime, errorBox, badge, table, copyText } from "./ui.js";
import { statusTone } from "./advice.js";

const STATUS_POLL_MS = 3000;
const STATUS_POLL_LIMIT = 60;

export function renderIntegrations(main) {
  const statusCard = h("section", { class: "card", "aria-labelledby": "hubspot-title" });
  const meetingCard = h("section", { class: "card", "aria-labelledby": "meeting-types-title" });
  const embedCard = h("section", { class: "card", "aria-labelledby": "embed-title" });
  replaceChildren(main, h("h1", {}, "Integrations"), statusCard, meetingCard, embedCard);

  let pollTimer = null;
  const stopPolling = () => window.clearTimeout(pollTimer);

  const refresh = async () => {
    const connection = await loadConnection(statusCard, startConnect, disconnect);
    await loadMeetingTypes(meetingCard, connection);
  };

  async function startConnect(button) {
    button.disabled = true;
    const consentTab = openBlankTab();
    try {
      const data = await api("POST", "/api/v1/integrations/hubspot/connect", {});
      if (!consentTab) {
        window.location.assign(data.authorize_url);
        return;
      }
      consentTab.location.href = data.authorize_url;
      announce("HubSpot opened in a new tab. Approve access there; this page updates when the connection is made.");
      pollUntilConnected(0);
    } catch (error) {
      if (consentTab) {
        consentTab.close();
      }
      statusCard.appendChild(errorBox(error));
    } finally {
      button.disabled = false;
    }
  }

  function pollUntilConnected(attempt) {
    stopPolling();
    if (attempt >= STATUS_POLL_LIMIT) {
      return;
    }
    pollTimer = window.setTimeout(async () => {
      try {
        const connection = await api("GET", "/api/v1/integrations/hubspot");
        if (isConnected(connection)) {
          announce("HubSpot is connected.");
          await refresh();
          return;
        }
      } catch {
        // The next poll or a manual refresh shows the error.
      }
      pollUntilConnected(attempt + 1);
    }, STATUS_POLL_MS);
  }

  async function disconnect(button) {
    const confirmed = window.confirm(
      "Disconnect HubSpot? Nothing is deleted in HubSpot, and visitors keep their pushed status. " +
        "Bookings and pushes stop until you connect again.",
    );
    if (!confirmed) {
      return;
    }
    button.disabled = true;
    try {
      await api("DELETE", "/api/v1/integrations/hubspot");
      announce("HubSpot is disconnected.");
      await refresh();
    } catch (error) {
      statusCard.appendChild(errorBox(error));
      button.disabled = false;
    }
  }

  refresh();
  loadEmbed(embedCard);
  return stopPolling;
}

// Opens an empty tab for HubSpot's consent page, or returns null when the
// browser blocked it. It opens during the click, before the connect request,
// because pop-up blockers allow only tabs opened by a user gesture. The
// "noopener" feature would make window.open return null for an opened tab
// too, so the opener link is cut by hand instead.
function openBlankTab() {
  const tab = window.open("", "_blank");
  if (tab) {
    tab.opener = null;
  }
  return tab;
}

function isConnected(connection) {
  return Boolean(connection && (connection.connected === true || connection.status === "connected"));
}

async function loadConnection(card, startConnect, disconnect) {
  replaceChildren(card, h("h2", { id: "hubspot-title" }, "HubSpot"), h("p", { class: "note" }, "Loading…"));
  let connection;
  try {
    connection = await api("GET", "/api/v1/integrations/hubspot");
  } catch (error) {
    replaceChildren(card, h("h2", { id: "hubspot-title" }, "HubSpot"), errorBox(error));
    return null;
  }

  const connected = isConnected(connection);
  const status = connection.status || (connected ? "connected" : "not connected");
  const scopes = connection.scopes || connection.scopes_granted || [];
  const missing = connection.missing_scopes || [];
  const needsReconnect = connection.status === "needs_reconnect";
  const connectButton = h("button", { type: "button", onclick: (event) => startConnect(event.currentTarget) },
    connected || needsReconnect ? "Reconnect" : "Connect HubSpot");
  const disconnectButton = connected || needsReconnect
    ? h("button", { type: "button", class: "danger", onclick: (event) => disconnect(event.currentTarget) }, "Disconnect")
    : null;

  replaceChildren(
    card,
    h("h2", { id: "hubspot-title" }, "HubSpot"),
    h("dl", { class: "facts" },
      h("dt", {}, "Status"), h("dd", {}, badge(status.replace("_", " "), needsReconnect ? "warn" : statusTone(connected ? "connected" : "disconnected"))),
      h("dt", {}, "Portal"), h("dd", {}, connection.portal_id ? String(connection.portal_id) : "—",
        connection.hub_domain ? ` (${connection.hub_domain})` : ""),
      h("dt", {}, "Connected at"), h("dd", {}, formatTime(connection.connected_at)),
      h("dt", {}, "Scopes granted"), h("dd", {}, scopes.length ? scopes.join(", ") : "—"),
      h("dt", {}, "Missing scopes"), h("dd", {}, missing.length ? badge(missing.join(", "), "bad") : "none"),
    ),
    missing.length
      ? h("p", { class: "advice" }, "Some features need the missing scopes. Reconnect and approve every requested permission.")
      : null,
    connection.last_error
      ? h("p", { class: "advice" }, `Last error: ${connection.last_error}. Reconnect HubSpot to fix it.`)
      : null,
    h("div", { class: "toolbar" }, connectButton, disconnectButton),
    connected
      ? null
      : h("p", { class: "note" },
          "Connect opens HubSpot's consent page. After you approve, visitors can book meetings and slotchat can push contacts."),
  );
  return connection;
}

async function loadMeetingTypes(card, connection) {
  const title = h("h2", { id: "meeting-types-title" }, "Meeting types");
  if (!isConnected(connection)) {
    replaceChildren(card, title,
      h("p", { class: "note" }, "Meeting types come from HubSpot's scheduling pages. Connect HubSpot to see them."));
    return;
  }
  replaceChildren(card, title, h("p", { class: "note" }, "Loading…"));
  try {
    const data = await api("GET", "/api/v1/meeting-types");
    const types = listFrom(data, "meeting_types", "items");
    const rows = types.map((type) => {
      const offline = type.status === "offline";
      const durations = (type.durations_ms || []).map((ms) => `${Math.round(ms / 60000)} min`).join(", ");
      return h("tr", {},
        h("td", {}, type.name || type.id),
        h("td", {}, durations || "—"),
        h("td", {}, badge(offline ? "offline" : "online", offline ? "bad" : "good")),
        h("td", {}, offline ? (type.offline_message || type.offline_reason || "Offline in HubSpot") : "—"),
      );
    });
    replaceChildren(card, title,
      h("p", { class: "note" }, "Offline meeting types are shown to visitors as offline, never hidden."),
      table("Meeting types as visitors see them", ["Name", "Durations", "Status", "Why offline"], rows,
        "No meeting types. Create a scheduling page in HubSpot's Meetings tool."));
  } catch (error) {
    replaceChildren(card, title, errorBox(error));
  }
}

async function loadEmbed(card) {
  const title = h("h2", { id: "embed-title" }, "Add the widget to your site");
  replaceChildren(card, title, h("p", { class: "note" }, "Loading…"));
  try {
    const data = await api("GET", "/api/v1/sites");
    const sites = listFrom(data, "sites", "items");
    if (sites.length === 0) {
      replaceChildren(card, title, h("p", { class: "note" }, "This workspace has no site yet."));
      return;
    }
    replaceChildren(card, title,
      h("p", { class: "note" }, "Paste this tag into every page of the site, just before </body>."),
      sites.map((site, index) => embedSnippet(site, index)));
  } catch (error) {
    replaceChildren(card, title, errorBox(error));
  }
}

function embedSnippet(site, index) {
  const tag = site.embed_snippet ||
    `<script src="${window.location.origin}/widget.js" data-site-key="${site.site_key}" async></script>`;
  const fieldId = `embed-${index}`;
  const field = h("textarea", { id: fieldId, class: "code", rows: 2, readonly: true, value: tag });
  const button = h("button", { type: "button", class: "secondary" }, "Copy");
  button.addEventListener("click", async () => {
    const copied = await copyText(tag, field);
    announce(copied ? "Script tag copied." : "Copy failed; select the text and copy it by hand.");
  });
  const origins = (site.allowed_origins || []).join(", ");
  return h("div", {},
    h("label", { for: fieldId }, `Script tag for ${site.name || "site"}`),
    field,
    origins ? h("p", { class: "help" }, `The widget opens only on: ${origins}`) : null,
    h("div", { class: "toolbar" }, button));
}

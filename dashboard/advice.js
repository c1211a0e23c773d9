// Troubleshooting text for failed pushes and bookings: what went wrong in
// plain words and what the site owner can do about it.

const ADVICE_BY_ACTION = {
  reconnect: "HubSpot no longer accepts slotchat's access. Reconnect HubSpot under Integrations, then push again.",
  add_scopes: "The HubSpot connection lacks a permission this push needs. Reconnect HubSpot under Integrations and approve every requested scope.",
  add_email: "HubSpot contacts are matched by email. Add the visitor's email (through the visitor API), then push again.",
  fix_input: "HubSpot rejected one of the visitor's values. Correct the value named in the error, then push again.",
  fix_value: "HubSpot rejected one of the visitor's values. Correct the value named in the error, then push again.",
  resolve_conflict: "HubSpot already holds a conflicting record. Check the contact or company in HubSpot, then push again.",
  retry: "The push failed on a passing problem (timeout, rate limit or HubSpot error). Push again; if it keeps failing, check HubSpot's status.",
  retry_later: "HubSpot was busy or unavailable. slotchat retries on its own; push again if it still fails later.",
  wait: "HubSpot's rate limit was reached. slotchat retries on its own after a pause.",
  connect: "HubSpot is not connected. Connect it under Integrations, then push again.",
};

const ADVICE_BY_PATTERN = [
  [/not connected|disconnected/i, ADVICE_BY_ACTION.connect],
  [/scope/i, ADVICE_BY_ACTION.add_scopes],
  [/401|unauthori[sz]ed|expired|revoked|reconnect|token/i, ADVICE_BY_ACTION.reconnect],
  [/429|rate limit|too many/i, ADVICE_BY_ACTION.wait],
  [/409|conflict|already exists/i, ADVICE_BY_ACTION.resolve_conflict],
  [/email/i, ADVICE_BY_ACTION.add_email],
  [/invalid|validation|property/i, ADVICE_BY_ACTION.fix_input],
  [/timed out|timeout|5\d\d|unavailable/i, ADVICE_BY_ACTION.retry_later],
];

// Returns advice for a failure, from its action code when the API gives one
// and otherwise from the words of the error message, or null.
export function adviceFor(action, message) {
  if (action && ADVICE_BY_ACTION[action]) {
    return ADVICE_BY_ACTION[action];
  }
  if (!message) {
    return null;
  }
  for (const [pattern, advice] of ADVICE_BY_PATTERN) {
    if (pattern.test(message)) {
      return advice;
    }
  }
  return null;
}

// Returns the badge tone of a push or booking status.
export function statusTone(status) {
  switch (status) {
    case "pushed":
    case "succeeded":
    case "done":
    case "confirmed":
    case "connected":
    case "online":
      return "good";
    case "failed":
    case "error":
    case "disconnected":
    case "offline":
    case "unknown":
      return "bad";
    case "queued":
    case "pending":
    case "pushing":
    case "running":
    case "retrying":
    case "waiting":
      return "warn";
    default:
      return "";
  }
}

// Bookings: recent meetings booked through the widget and whether the
// booker reached HubSpot.

import { api, listFrom } from "./api.js";
import { h, replaceChildren, formatTime, browserTimeZone, errorBox, badge, table } from "./ui.js";
import { adviceFor, statusTone } from "./advice.js";

export function renderBookings(main) {
  const holder = h("div");
  const refreshButton = h("button", { type: "button", class: "secondary" }, "Refresh");
  replaceChildren(main,
    h("h1", {}, "Bookings"),
    h("p", { class: "note" }, `Recent bookings, newest first. Times are in your time zone (${browserTimeZone()}).`),
    h("div", { class: "toolbar" }, refreshButton),
    holder);

  async function load() {
    replaceChildren(holder, h("p", { class: "note" }, "Loading…"));
    try {
      const data = await api("GET", "/api/v1/bookings");
      const rows = listFrom(data, "bookings", "items").map(bookingRow);
      replaceChildren(holder,
        table("Recent bookings", ["Meeting type", "Time", "Booker", "Booking", "HubSpot push"], rows,
          "No bookings yet. They appear here when a visitor books through the widget."));
    } catch (error) {
      replaceChildren(holder, errorBox(error));
    }
  }

  refreshButton.addEventListener("click", load);
  load();
  return () => {};
}

function bookingRow(booking) {
  const booker = [booking.first_name, booking.last_name].filter(Boolean).join(" ");
  const pushStatus = booking.push_status || booking.push_outcome || null;
  const pushError = booking.push_error || null;
  const bookingError = booking.error || null;
  const durationMinutes = booking.duration_ms ? Math.round(booking.duration_ms / 60000) : null;
  return h("tr", {},
    h("th", { scope: "row" }, booking.meeting_name || booking.slug || "—",
      booking.is_offline ? h("div", { class: "note" }, "offline meeting type") : null),
    h("td", {}, formatTime(booking.start_at || booking.start),
      durationMinutes ? h("div", { class: "note" }, `${durationMinutes} min, booked in ${booking.time_zone || "?"}`) : null),
    h("td", {}, booker || "—", h("div", { class: "note" }, booking.email || "")),
    h("td", {}, badge(booking.status || "—", statusTone(booking.status)),
      bookingError ? h("div", { class: "advice" }, bookingError) : null,
      booking.status === "unknown"
        ? h("div", { class: "advice" }, "HubSpot's answer was lost. Check the calendar in HubSpot before booking again.")
        : null),
    h("td", {}, pushStatus ? badge(pushStatus, statusTone(pushStatus)) : "—",
      pushError ? h("div", {}, pushError) : null,
      pushError ? h("div", { class: "advice" }, adviceFor(booking.push_error_action, pushError) || "") : null));
}

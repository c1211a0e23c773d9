// The dashboard shell: sign-in with the admin token, the section links and
// hash routing between the pages.

import { api, storedToken, storeToken, forgetToken, onUnauthorized } from "./api.js";
import { replaceChildren } from "./ui.js";
import { renderIntegrations } from "./integrations.js";
import { renderVisitors } from "./visitors.js";
import { renderBookings } from "./bookings.js";
import { renderWorkflows } from "./workflows.js";

const ROUTES = {
  "#/integrations": { title: "Integrations", render: renderIntegrations },
  "#/visitors": { title: "Visitors", render: renderVisitors },
  "#/bookings": { title: "Bookings", render: renderBookings },
  "#/workflows": { title: "Workflows", render: renderWorkflows },
};
const DEFAULT_ROUTE = "#/integrations";

let cleanupPage = () => {};

function showSignIn(message) {
  cleanupPage();
  cleanupPage = () => {};
  document.getElementById("app").hidden = true;
  document.getElementById("sign-in").hidden = false;
  const error = document.getElementById("sign-in-error");
  error.hidden = !message;
  error.textContent = message || "";
  document.getElementById("admin-token").focus();
}

function showApp() {
  document.getElementById("sign-in").hidden = true;
  document.getElementById("app").hidden = false;
  route();
}

function route() {
  if (!storedToken()) {
    showSignIn();
    return;
  }
  const hash = ROUTES[window.location.hash] ? window.location.hash : DEFAULT_ROUTE;
  const page = ROUTES[hash];
  for (const link of document.querySelectorAll("nav a")) {
    if (link.getAttribute("href") === hash) {
      link.setAttribute("aria-current", "page");
    } else {
      link.removeAttribute("aria-current");
    }
  }
  document.title = `${page.title} · slotchat dashboard`;
  document.getElementById("status").textContent = "";
  cleanupPage();
  const main = document.getElementById("content");
  replaceChildren(main);
  cleanupPage = page.render(main) || (() => {});
  main.focus();
}

async function signIn(event) {
  event.preventDefault();
  const input = document.getElementById("admin-token");
  const token = input.value.trim();
  if (!token) {
    showSignIn("Enter the admin token.");
    return;
  }
  try {
    await api("GET", "/api/v1/workflows", undefined, token);
  } catch (error) {
    showSignIn(error.status === 401 ? "That token was not accepted. Check it and try again." : error.message);
    return;
  }
  input.value = "";
  storeToken(token);
  showApp();
}

function signOut() {
  forgetToken();
  showSignIn("Signed out.");
}

onUnauthorized(() => {
  forgetToken();
  showSignIn("The admin token is no longer accepted. Sign in again.");
});

document.getElementById("sign-in-form").addEventListener("submit", signIn);
document.getElementById("sign-out").addEventListener("click", signOut);
window.addEventListener("hashchange", () => {
  if (storedToken()) {
    route();
  }
});

if (storedToken()) {
  showApp();
} else {
  showSignIn();
}


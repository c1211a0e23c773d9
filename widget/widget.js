/*
 * slotchat launcher. A site embeds it with one tag:
 *   <script src="https://HOST/widget.js" data-site-key="KEY" async></script>
 *
 * It paints a chat button inside a Shadow DOM host, opens the WebSocket
 * session in the background once the page has loaded, and loads the booking
 * panel (/widget/panel.js and /widget/panel.css) only when the visitor opens
 * the chat. The message format is documented in docs/widget-protocol.md.
 */
(function () {
  "use strict";

  // Every user-visible string of the launcher and the panel. A site
  // overrides entries with `window.slotchatStrings` or `data-strings`.
  var DEFAULT_STRINGS = {
    launcherLabel: "Book a meeting",
    launcherLabelWithNews: "Book a meeting (1 new confirmation)",
    panelTitle: "Book a meeting",
    close: "Close",
    back: "Back",
    connecting: "Connecting\u2026",
    reconnecting: "Connection lost. Reconnecting\u2026",
    loadingPanel: "Loading\u2026",
    panelLoadFailed: "The booking panel could not be loaded. Please try again later.",
    greeting: "Hi! Which meeting would you like to book?",
    noMeetingTypes: "There is nothing to book right now.",
    offline: "Offline",
    offline_hosts_offline: "The host's calendar is not connected.",
    offline_no_availability: "No free times in the booking window.",
    offline_link_unavailable: "This meeting can no longer be booked.",
    offline_hubspot_unavailable: "Booking is temporarily unavailable.",
    withHosts: "with {hosts}",
    chooseDuration: "How long should the meeting be?",
    chooseSlot: "Pick a time. Times are shown in your time zone, {timeZone}.",
    noSlots: "There are no free times for this meeting right now.",
    slotsRemoved: "Some times were just booked by someone else and have been removed.",
    slotTaken: "That time was just booked by someone else. Please pick another one.",
    formIntro: "Almost done. Please enter your details.",
    firstName: "First name",
    lastName: "Last name",
    email: "Email",
    requiredHint: "(required)",
    selectPlaceholder: "Choose\u2026",
    fieldRequired: "Please fill in this field.",
    emailInvalid: "Please enter a valid email address.",
    checkRequired: "Please tick this box to continue.",
    submit: "Book meeting",
    booking: "Booking your meeting\u2026",
    confirmedTitle: "You're booked!",
    confirmedText: "{meeting} on {date} at {time} ({timeZone}).",
    notOnCalendar: "Your booking was received. The host's calendar is not connected yet, so the invitation may arrive later.",
    missedConfirmation: "Your earlier booking went through.",
    bookAnother: "Book another meeting",
    bookingUnavailable: "Online booking is unavailable right now. Please try again later.",
    meetingTypeOffline: "This meeting cannot be booked right now. Please choose another one.",
    bookingFailed: "The booking failed: {reason}",
    rateLimited: "Too many requests. Please wait a moment and try again.",
    internalError: "Something went wrong on our side. Please try again later.",
    invalidField: "Please check this field."
  };

  var BACKOFF_BASE_MS = 1000;
  var BACKOFF_MAX_MS = 30000;
  var IDLE_TIMEOUT_MS = 3000;
  // Single-page routers often set the title just after pushState.
  var PAGE_VIEW_DELAY_MS = 300;
  var MAX_QUEUED_PAGE_VIEWS = 20;
  var MAX_QUEUED_IDENTIFIES = 5;
  var MAX_URL_LENGTH = 2048;
  var MAX_TITLE_LENGTH = 300;
  var ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
  var ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  var LAUNCHER_CSS =
    // `all: initial` stops inherited page styles. The declarations after it
    // are !important too, or the page's !important rules would beat them.
    ":host{all:initial!important;position:fixed!important;right:20px!important;bottom:20px!important;" +
    "z-index:2147483000!important;display:block!important;" +
    "font:15px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif!important;color:#1f2328!important;" +
    "--sc-accent:var(--slotchat-accent,#2f5bd3);--sc-accent-text:var(--slotchat-accent-text,#fff)}" +
    ":host([data-position=left]){right:auto!important;left:20px!important}" +
    ".sc-launcher{all:unset;box-sizing:border-box;width:56px;height:56px;border-radius:50%;cursor:pointer;" +
    "background:var(--sc-accent);color:var(--sc-accent-text);display:flex;align-items:center;justify-content:center;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25);transition:transform .15s ease;position:relative}" +
    ".sc-launcher:hover{transform:scale(1.06)}" +
    ".sc-launcher:focus-visible{outline:3px solid #1f2328;outline-offset:3px}" +
    ".sc-launcher[aria-busy=true]{opacity:.7;cursor:progress}" +
    ".sc-launcher svg{width:28px;height:28px;fill:currentColor}" +
    ".sc-badge{position:absolute;top:2px;right:2px;width:14px;height:14px;border-radius:50%;background:#d1242f;border:2px solid #fff}" +
    ".sc-launcher-error{position:absolute;bottom:64px;right:0;width:260px;background:#fff;border:1px solid #d0d7de;" +
    "border-radius:8px;padding:10px 12px;box-shadow:0 4px 14px rgba(0,0,0,.15)}" +
    "[hidden]{display:none!important}" +
    "@media (prefers-reduced-motion:reduce){.sc-launcher{transition:none}.sc-launcher:hover{transform:none}}";

  var CHAT_ICON =
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z"/></svg>';

  var script = findScript();
  if (!script) return;
  var siteKey = script.getAttribute("data-site-key");
  if (!siteKey) {
    warn("the script tag has no data-site-key attribute");
    return;
  }
  var shared = (window.__slotchat = window.__slotchat || { sites: {} });
  if (shared.sites[siteKey]) return;
  shared.sites[siteKey] = true;

  var origin = new URL(script.src, document.baseURI).origin;
  var strings = mergeStrings(script);
  var connection = createConnection(origin, siteKey);
  var seen = createSeenBookings(siteKey);

  whenBodyReady(function () {
    mountLauncher();
  });
  afterLoadWhenIdle(function () {
    connection.start();
  });
  watchHistory(connection.recordPageView);
  exposeApi();

  function findScript() {
    var current = document.currentScript;
    if (current && current.getAttribute("data-site-key")) return current;
    return document.querySelector("script[data-site-key]");
  }

  // The page's API: `slotchat.identify(person)` and `slotchat.visitorId()`.
  // Calls queued as `window.slotchat = [["identify", {...}]]` before this
  // script ran are replayed.
  function exposeApi() {
    var earlier = window.slotchat;
    var api = (window.slotchat = {
      identify: connection.identify,
      visitorId: anonymousId
    });
    if (Array.isArray(earlier)) {
      earlier.forEach(function (call) {
        if (call && typeof api[call[0]] === "function") api[call[0]].apply(null, call.slice(1));
      });
    }
  }

  function warn(message) {
    if (window.console && console.warn) console.warn("slotchat: " + message);
  }

  function mergeStrings(tag) {
    var merged = {};
    var key;
    for (key in DEFAULT_STRINGS) merged[key] = DEFAULT_STRINGS[key];
    var sources = [window.slotchatStrings, parseJsonAttribute(tag, "data-strings")];
    sources.forEach(function (source) {
      if (!source || typeof source !== "object") return;
      for (key in source) {
        if (typeof source[key] === "string" && key in DEFAULT_STRINGS) merged[key] = source[key];
      }
    });
    return merged;
  }

  function parseJsonAttribute(tag, name) {
    var text = tag.getAttribute(name);
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch (error) {
      warn(name + " is not valid JSON and is ignored");
      return null;
    }
  }

  // Replaces `{name}` placeholders with values; unknown names stay as typed.
  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (match, name) {
      return values && values[name] != null ? String(values[name]) : match;
    });
  }

  function whenBodyReady(callback) {
    if (document.body) return callback();
    document.addEventListener("DOMContentLoaded", callback);
  }

  function afterLoadWhenIdle(callback) {
    var run = function () {
      if (window.requestIdleCallback) {
        window.requestIdleCallback(callback, { timeout: IDLE_TIMEOUT_MS });
      } else {
        setTimeout(callback, 1);
      }
    };
    if (document.readyState === "complete") run();
    else window.addEventListener("load", run);
  }

  function storageGet(storage, key) {
    try {
      return window[storage].getItem(key);
    } catch (error) {
      return null; // storage disabled by the browser's privacy settings
    }
  }

  function storageSet(storage, key, value) {
    try {
      window[storage].setItem(key, value);
    } catch (error) {
      // Without storage the widget still works, only without continuity.
    }
  }

  function randomId(length) {
    var bytes = new Uint8Array(length);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
    else for (var i = 0; i < length; i++) bytes[i] = Math.floor(Math.random() * 256);
    var id = "";
    for (var j = 0; j < length; j++) id += ID_ALPHABET[bytes[j] & 63];
    return id;
  }

  function anonymousId() {
    var key = "slotchat.anonymous_id";
    var id = storageGet("localStorage", key);
    if (!id || !ID_PATTERN.test(id)) {
      id = randomId(22);
      storageSet("localStorage", key, id);
    }
    return id;
  }

  function currentPage() {
    return {
      url: location.href.slice(0, MAX_URL_LENGTH),
      title: (document.title || "").slice(0, MAX_TITLE_LENGTH)
    };
  }

  function visitorTimeZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    } catch (error) {
      return "UTC";
    }
  }

  function visitorLocale() {
    var locale = navigator.language || "en";
    return locale.length <= 35 ? locale : "en";
  }

  function watchHistory(onNavigate) {
    var notify = function () {
      setTimeout(onNavigate, PAGE_VIEW_DELAY_MS);
    };
    var original = history.pushState;
    history.pushState = function () {
      var result = original.apply(this, arguments);
      notify();
      return result;
    };
    window.addEventListener("popstate", notify);
  }

  // Booking ids whose confirmation the visitor has already seen in this tab.
  function createSeenBookings(key) {
    var storageKey = "slotchat.seen_bookings." + key;
    var ids = [];
    try {
      ids = JSON.parse(storageGet("sessionStorage", storageKey) || "[]");
    } catch (error) {
      ids = [];
    }
    return {
      has: function (id) {
        return ids.indexOf(id) !== -1;
      },
      add: function (id) {
        if (ids.indexOf(id) === -1) ids.push(id);
        storageSet("sessionStorage", storageKey, JSON.stringify(ids.slice(-50)));
      }
    };
  }

  // The WebSocket session: hello, resume, back-off, page views, listeners.
  function createConnection(serverOrigin, key) {
    var url = serverOrigin.replace(/^http/, "ws") + "/ws?site_key=" + encodeURIComponent(key);
    var resumeKey = "slotchat.resume_token." + key;
    var socket = null;
    var started = false;
    var ready = false;
    var failures = 0;
    var retryTimer = null;
    var lastRecordedUrl = null;
    var queuedPageViews = [];
    var listeners = [];
    var self = {
      welcome: null,
      state: "idle",
      start: start,
      send: send,
      subscribe: function (listener) {
        listeners.push(listener);
      },
      recordPageView: recordPageView,
      identify: identify
    };
    var queuedIdentifies = [];
    var pendingIdentifies = [];

    function emit(frame) {
      listeners.slice().forEach(function (listener) {
        listener(frame);
      });
    }

    function setState(state) {
      self.state = state;
      emit({ type: "connection_state", state: state });
    }

    function start() {
      if (started) return;
      started = true;
      window.addEventListener("online", reconnectNow);
      window.addEventListener("pagehide", function (event) {
        if (!event.persisted && socket) socket.close(1000);
      });
      open();
    }

    function open() {
      retryTimer = null;
      setState(failures ? "reconnecting" : "connecting");
      try {
        socket = new WebSocket(url);
      } catch (error) {
        scheduleReconnect();
        return;
      }
      socket.onopen = sendHello;
      socket.onmessage = receive;
      socket.onclose = function () {
        socket = null;
        ready = false;
        scheduleReconnect();
      };
    }

    function sendHello() {
      var page = currentPage();
      var hello = {
        type: "hello",
        time_zone: visitorTimeZone(),
        locale: visitorLocale(),
        anonymous_id: anonymousId()
      };
      var token = storageGet("sessionStorage", resumeKey);
      if (token) hello.resume_token = token;
      // A reconnect on the same page must not count as another page view.
      if (page.url !== lastRecordedUrl) {
        hello.page = page;
        lastRecordedUrl = page.url;
      }
      socket.send(JSON.stringify(hello));
    }

    function receive(event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (!frame || typeof frame.type !== "string") return;
      if (frame.type === "welcome") {
        ready = true;
        failures = 0;
        self.welcome = frame;
        if (frame.resume_token) storageSet("sessionStorage", resumeKey, frame.resume_token);
        flushPageViews();
        // Identifies left unanswered by a lost connection are sent again;
        // storing the same person twice changes nothing.
        var unsent = pendingIdentifies.concat(queuedIdentifies);
        pendingIdentifies = [];
        queuedIdentifies = [];
        unsent.forEach(sendIdentify);
        setState("open");
      } else if (frame.type === "error" && frame.code === "hello_required" && socket) {
        sendHello();
      } else if (frame.type === "identified" || (frame.type === "error" && isIdentifyError(frame))) {
        var answered = pendingIdentifies.shift();
        if (answered) answered.settle(frame);
      }
      emit(frame);
    }

    function scheduleReconnect() {
      if (retryTimer) return;
      failures += 1;
      setState("reconnecting");
      var delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * Math.pow(2, failures - 1));
      delay = delay * (0.8 + Math.random() * 0.4);
      retryTimer = setTimeout(open, delay);
    }

    function reconnectNow() {
      if (!retryTimer) return;
      clearTimeout(retryTimer);
      open();
    }

    // Sends a frame when the session is ready; returns whether it was sent.
    function send(frame) {
      if (!ready || !socket || socket.readyState !== 1) return false;
      socket.send(JSON.stringify(frame));
      return true;
    }

    function recordPageView() {
      var page = currentPage();
      if (page.url === lastRecordedUrl) return;
      if (send({ type: "page_view", url: page.url, title: page.title })) {
        lastRecordedUrl = page.url;
        return;
      }
      queuedPageViews.push(page);
      if (queuedPageViews.length > MAX_QUEUED_PAGE_VIEWS) queuedPageViews.shift();
    }

    // Sends who the visitor is, now or once the session is open. The
    // promise resolves when the server stored it and rejects with an Error
    // whose `field` names an invalid field.
    function identify(person) {
      person = person || {};
      var company = person.company || {};
      var frame = { type: "identify", email: String(person.email || "") };
      if (person.first_name) frame.first_name = String(person.first_name);
      if (person.last_name) frame.last_name = String(person.last_name);
      if (company.name || company.domain) {
        frame.company = {};
        if (company.name) frame.company.name = String(company.name);
        if (company.domain) frame.company.domain = String(company.domain);
      }
      return new Promise(function (resolve, reject) {
        var entry = { frame: frame, settle: function (answer) {
          if (answer.type === "identified") return resolve();
          var error = new Error(answer.message || "identify failed");
          error.field = answer.field;
          reject(error);
        } };
        if (!sendIdentify(entry)) {
          queuedIdentifies.push(entry);
          if (queuedIdentifies.length > MAX_QUEUED_IDENTIFIES) queuedIdentifies.shift();
        }
      });
    }

    function sendIdentify(entry) {
      if (!send(entry.frame)) return false;
      pendingIdentifies.push(entry);
      return true;
    }

    // Errors in reply to an identify frame. Errors of other frames carry an
    // idempotency key or concern other fields.
    function isIdentifyError(frame) {
      if (!pendingIdentifies.length || frame.idempotency_key) return false;
      return frame.code === "invalid_frame" || frame.code === "internal" ||
        /^(email|first_name|last_name|company)/.test(frame.field || "");
    }

    function flushPageViews() {
      var pending = queuedPageViews;
      queuedPageViews = [];
      pending.forEach(function (page) {
        if (page.url === lastRecordedUrl) return;
        send({ type: "page_view", url: page.url, title: page.title });
      });
      lastRecordedUrl = currentPage().url;
    }

    return self;
  }

  // The shadow host, the chat button and the lazily loaded panel.
  function mountLauncher() {
    var host = document.createElement("slotchat-widget");
    var position = script.getAttribute("data-position");
    if (position === "left") host.setAttribute("data-position", "left");
    var root = host.attachShadow({ mode: "open" });
    var style = document.createElement("style");
    style.textContent = LAUNCHER_CSS;
    root.appendChild(style);

    var button = document.createElement("button");
    button.type = "button";
    button.className = "sc-launcher";
    button.setAttribute("aria-haspopup", "dialog");
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-label", strings.launcherLabel);
    button.innerHTML = CHAT_ICON;
    var badge = document.createElement("span");
    badge.className = "sc-badge";
    badge.hidden = true;
    button.appendChild(badge);

    var loadError = document.createElement("div");
    loadError.className = "sc-launcher-error";
    loadError.setAttribute("role", "alert");
    loadError.hidden = true;

    var mount = document.createElement("div");
    root.appendChild(mount);
    root.appendChild(loadError);
    root.appendChild(button);
    document.body.appendChild(host);

    var panel = null;
    var loading = false;

    connection.subscribe(function (frame) {
      if (frame.type !== "welcome") return;
      var unseen = (frame.bookings || []).some(function (booking) {
        return !seen.has(booking.booking_id);
      });
      setBadge(unseen && !(panel && panel.isOpen()));
    });

    button.addEventListener("click", function () {
      if (panel && panel.isOpen()) close();
      else open();
    });
    button.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && panel && panel.isOpen()) close();
    });

    function setBadge(visible) {
      badge.hidden = !visible;
      button.setAttribute("aria-label", visible ? strings.launcherLabelWithNews : strings.launcherLabel);
    }

    function open() {
      connection.start();
      setBadge(false);
      if (panel) return showPanel();
      if (loading) return;
      loading = true;
      loadError.hidden = true;
      button.setAttribute("aria-busy", "true");
      loadPanel(function (factory) {
        loading = false;
        button.removeAttribute("aria-busy");
        if (!factory) {
          loadError.textContent = strings.panelLoadFailed;
          loadError.hidden = false;
          return;
        }
        panel = factory({
          mount: mount,
          connection: connection,
          strings: strings,
          format: format,
          locale: visitorLocale(),
          seen: seen,
          close: close
        });
        showPanel();
      });
    }

    function showPanel() {
      panel.open();
      button.setAttribute("aria-expanded", "true");
    }

    function close() {
      if (!panel) return;
      panel.close();
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }

    // Calls `done` with the panel factory once both panel files have loaded,
    // or with null when either fails.
    function loadPanel(done) {
      var pending = 2;
      var factory = null;
      var failed = false;
      var finish = function (ok) {
        if (!ok) failed = true;
        pending -= 1;
        if (pending === 0) done(failed ? null : factory);
      };

      var link = root.querySelector("link[data-slotchat-panel]");
      if (link && link.sheet) finish(true);
      else {
        if (link) link.remove();
        link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = origin + "/widget/panel.css";
        link.setAttribute("data-slotchat-panel", "");
        link.onload = function () { finish(true); };
        link.onerror = function () { link.remove(); finish(false); };
        root.insertBefore(link, mount);
      }

      if (shared.panelFactory) {
        factory = shared.panelFactory;
        return finish(true);
      }
      shared.definePanel = function (definedFactory) {
        shared.panelFactory = factory = definedFactory;
      };
      var tag = document.createElement("script");
      tag.src = origin + "/widget/panel.js";
      tag.async = true;
      tag.onload = function () { finish(!!factory); };
      tag.onerror = function () { tag.remove(); finish(false); };
      document.head.appendChild(tag);
    }
  }
})();

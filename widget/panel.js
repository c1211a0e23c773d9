/*
 * slotchat booking panel, loaded by the launcher (widget.js) when the visitor
 * opens the chat. It registers a factory with the launcher; the launcher
 * owns the WebSocket session and the strings table and passes them in.
 *
 * Steps: meeting types, then a duration (only when a type offers several),
 * then a slot, then the form, then the confirmation. All server text is
 * inserted as text, never as HTML.
 */
(function () {
  "use strict";

  var shared = window.__slotchat;
  if (!shared || !shared.definePanel) return;
  shared.definePanel(createPanel);

  var KEY_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
  var EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

  function createPanel(context) {
    var connection = context.connection;
    var strings = context.strings;
    var locale = context.locale;
    var text = function (key, values) {
      return context.format(strings[key], values);
    };
    var nextId = 0;
    var uid = function (prefix) {
      nextId += 1;
      return "sc-" + prefix + "-" + nextId;
    };

    var state = {
      view: "connecting",
      open: false,
      types: null,
      type: null,
      durationMs: null,
      slots: null,
      slot: null,
      slotDate: null,
      values: {},
      errors: {},
      formError: null,
      notice: null,
      attempt: null,
      pendingRequest: null,
      confirmation: null,
      missed: false
    };

    var titleId = uid("title");
    var dialog = el("div", { className: "sc-panel", role: "dialog", "aria-labelledby": titleId });
    dialog.hidden = true;
    var closeButton = el("button", { type: "button", className: "sc-close", "aria-label": strings.close }, ["\u00d7"]);
    closeButton.addEventListener("click", context.close);
    dialog.appendChild(el("div", { className: "sc-header" }, [
      el("h2", { id: titleId, className: "sc-title" }, [strings.panelTitle]),
      closeButton
    ]));
    var body = el("div", { className: "sc-body" });
    dialog.appendChild(body);
    var status = el("div", { className: "sc-status", role: "status", "aria-live": "polite" });
    dialog.appendChild(status);
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.stopPropagation();
        context.close();
      }
    });
    context.mount.appendChild(dialog);

    connection.subscribe(receive);
    if (connection.welcome) onWelcome(connection.welcome);
    else showConnectionState(connection.state);

    return {
      open: function () {
        state.open = true;
        dialog.hidden = false;
        render(true);
      },
      close: function () {
        state.open = false;
        dialog.hidden = true;
      },
      isOpen: function () {
        return state.open;
      }
    };

    // ---- server frames ------------------------------------------------

    function receive(frame) {
      switch (frame.type) {
        case "connection_state":
          return showConnectionState(frame.state);
        case "welcome":
          return onWelcome(frame);
        case "meeting_types":
          return onMeetingTypes(frame);
        case "slots":
          return onSlots(frame);
        case "slots_changed":
          return onSlotsChanged(frame);
        case "booking_confirmed":
          return onConfirmed(frame, false);
        case "error":
          return onError(frame);
      }
    }

    function showConnectionState(connectionState) {
      if (connectionState === "open") setStatus("");
      else if (connectionState === "reconnecting") setStatus(strings.reconnecting);
      else setStatus(strings.connecting);
    }

    function onWelcome(frame) {
      var bookings = frame.bookings || [];
      var attempt = state.attempt;
      var outcome = attempt && find(bookings, function (booking) {
        return booking.idempotency_key === attempt.key;
      });
      if (outcome) return onConfirmed(outcome, false);
      var missed = bookings.filter(function (booking) {
        return !context.seen.has(booking.booking_id);
      });
      if (!attempt && missed.length) return onConfirmed(missed[missed.length - 1], true);
      if (!frame.booking_available) return show("unavailable");
      if (attempt) return void connection.send(attempt.frame);
      if (state.pendingRequest) return void connection.send(state.pendingRequest);
      if (state.view === "connecting" || state.view === "unavailable") startOver();
    }

    function onMeetingTypes(frame) {
      state.types = frame.items || [];
      clearPending("list_meeting_types");
      if (state.view === "types") render(false);
    }

    function onSlots(frame) {
      if (!state.type || frame.meeting_type_id !== state.type.id) return;
      state.slots = frame;
      state.durationMs = frame.duration_ms;
      clearPending("get_slots");
      if (state.view === "slots") render(false);
    }

    function onSlotsChanged(frame) {
      var removed = frame.removed || [];
      if (!removeSlots(frame.meeting_type_id, removed)) return;
      var isRemoved = function (slot) {
        return removed.map(Date.parse).indexOf(Date.parse(slot.start)) !== -1;
      };
      if (state.view === "slots") {
        setStatus(strings.slotsRemoved);
        render(false);
      } else if (state.view === "form" && !state.attempt && state.slot && isRemoved(state.slot)) {
        state.slot = null;
        state.notice = strings.slotTaken;
        show("slots");
      }
    }

    // Drops the slots starting at `starts` from the shown list; returns
    // whether any was dropped.
    function removeSlots(meetingTypeId, starts) {
      if (!state.slots || !state.type || meetingTypeId !== state.type.id) return false;
      var removed = starts.map(Date.parse);
      var before = countSlots(state.slots.days);
      state.slots.days = state.slots.days
        .map(function (day) {
          var remaining = day.slots.filter(function (slot) {
            return removed.indexOf(Date.parse(slot.start)) === -1;
          });
          return { date: day.date, slots: remaining };
        })
        .filter(function (day) {
          return day.slots.length > 0;
        });
      return countSlots(state.slots.days) !== before;
    }

    function onConfirmed(frame, missed) {
      if (state.attempt && frame.idempotency_key !== state.attempt.key && !missed) return;
      state.attempt = null;
      state.confirmation = frame;
      state.missed = missed;
      setStatus("");
      show("confirmed");
    }

    function onError(frame) {
      var attempt = state.attempt;
      var forAttempt = attempt && (!frame.idempotency_key || frame.idempotency_key === attempt.key);
      if (forAttempt && frame.code !== "booking_in_progress") setStatus("");
      switch (frame.code) {
        case "booking_in_progress":
          return; // the outcome of the same attempt follows
        case "invalid_field":
          if (!forAttempt) return showProblem(frame.message || strings.invalidField);
          state.attempt = null;
          return showFieldError(frame, attempt.frame);
        case "slot_unavailable":
          state.attempt = null;
          if (attempt) removeSlots(state.type && state.type.id, [attempt.frame.start]);
          state.slot = null;
          state.notice = strings.slotTaken;
          return show("slots");
        case "meeting_type_offline":
          state.attempt = null;
          state.notice = strings.meetingTypeOffline;
          return startOver(true);
        case "booking_unavailable":
          state.attempt = null;
          return show("unavailable");
        case "booking_failed":
          state.attempt = null;
          return showProblem(text("bookingFailed", { reason: frame.message || "" }));
        case "rate_limited":
          state.attempt = null;
          return showProblem(strings.rateLimited);
        case "hello_required":
          return; // the launcher sends hello again
        default:
          state.attempt = null;
          return showProblem(strings.internalError);
      }
    }

    function showProblem(message) {
      if (state.view === "form") {
        state.formError = message;
        render(false);
      } else {
        state.notice = message;
        render(false);
      }
    }

    function showFieldError(frame, sentFrame) {
      var name = fieldNameFromPath(frame.field, sentFrame);
      var message = frame.message || strings.invalidField;
      if (name === "email") message = strings.emailInvalid;
      state.errors = {};
      if (name && fieldExists(name)) state.errors[name] = message;
      else state.formError = message;
      state.view = "form";
      render(false);
      focusFirstInvalid();
    }

    // ---- navigation ---------------------------------------------------

    function show(view) {
      state.view = view;
      render(true);
    }

    function request(frame) {
      state.pendingRequest = frame;
      connection.send(frame);
    }

    function clearPending(type) {
      if (state.pendingRequest && state.pendingRequest.type === type) state.pendingRequest = null;
    }

    function startOver(keepNotice) {
      if (!keepNotice) state.notice = null;
      state.type = null;
      state.slots = null;
      state.slot = null;
      state.durationMs = null;
      state.types = null;
      state.formError = null;
      state.errors = {};
      request({ type: "list_meeting_types" });
      show("types");
    }

    function chooseType(type) {
      state.type = type;
      state.notice = null;
      var durations = type.durations_ms || [];
      if (durations.length > 1) return show("durations");
      chooseDuration(durations[0] || null);
    }

    function chooseDuration(durationMs) {
      state.durationMs = durationMs;
      state.slots = null;
      var frame = { type: "get_slots", meeting_type_id: state.type.id };
      if (durationMs) frame.duration_ms = durationMs;
      request(frame);
      show("slots");
    }

    function chooseSlot(slot, date) {
      state.slot = slot;
      state.slotDate = date;
      state.notice = null;
      state.formError = null;
      show("form");
    }

    function goBack() {
      state.notice = null;
      state.formError = null;
      if (state.view === "form") return show("slots");
      if (state.view === "slots" && state.type && (state.type.durations_ms || []).length > 1) {
        return show("durations");
      }
      state.type = null;
      state.slots = null;
      if (!state.types) request({ type: "list_meeting_types" });
      show("types");
    }

    // ---- rendering ----------------------------------------------------

    function render(moveFocus) {
      if (!state.open) return;
      var root = dialog.getRootNode();
      var active = root && root.activeElement;
      var hadFocus = !!active && dialog.contains(active);
      var activeKey = hadFocus ? active.getAttribute("data-key") : null;
      var scrollTop = body.scrollTop;
      clear(body);
      renderTranscript();
      var prompt = renderStep();
      if (state.view === "confirmed" && state.confirmation) context.seen.add(state.confirmation.booking_id);
      var keep = activeKey && body.querySelector('[data-key="' + cssEscape(activeKey) + '"]');
      if (!moveFocus && keep) keep.focus({ preventScroll: true });
      else if (moveFocus || (hadFocus && !active.isConnected)) {
        (prompt || closeButton).focus({ preventScroll: true });
      }
      // A new step scrolls its question to the top; a refresh of the same
      // step keeps the visitor's scroll position.
      if (moveFocus && prompt) body.scrollTop = prompt.offsetTop - body.offsetTop - 12;
      else body.scrollTop = scrollTop;
    }

    function renderTranscript() {
      var view = state.view;
      var past = ["durations", "slots", "form"];
      if (past.indexOf(view) === -1 || !state.type) return;
      bubble("bot", strings.greeting);
      bubble("visitor", state.type.name);
      var severalDurations = (state.type.durations_ms || []).length > 1;
      if (severalDurations && view !== "durations" && state.durationMs) {
        bubble("bot", strings.chooseDuration);
        bubble("visitor", durationLabel(state.durationMs));
      }
      if (view === "form" && state.slot && state.slots) {
        bubble("bot", text("chooseSlot", { timeZone: zoneLabel(state.slots.time_zone) }));
        bubble("visitor", slotLabel(state.slot, state.slotDate, state.slots.time_zone));
      }
    }

    function renderStep() {
      switch (state.view) {
        case "connecting":
          return prompt(strings.connecting);
        case "unavailable":
          return prompt(strings.bookingUnavailable);
        case "types":
          return renderTypes();
        case "durations":
          return renderDurations();
        case "slots":
          return renderSlots();
        case "form":
          return renderForm();
        case "confirmed":
          return renderConfirmation();
      }
    }

    function renderTypes() {
      var heading = prompt(strings.greeting);
      renderNotice();
      if (!state.types) return loading(heading);
      if (!state.types.length) {
        body.appendChild(el("p", { className: "sc-empty" }, [strings.noMeetingTypes]));
        return heading;
      }
      var list = el("ul", { className: "sc-choices" });
      state.types.forEach(function (type) {
        list.appendChild(el("li", {}, [typeButton(type)]));
      });
      body.appendChild(list);
      return heading;
    }

    function typeButton(type) {
      var offline = type.status !== "available";
      var parts = [el("span", { className: "sc-choice-name" }, [type.name])];
      if (type.hosts && type.hosts.length) {
        parts.push(el("span", { className: "sc-choice-detail" }, [text("withHosts", { hosts: joinList(type.hosts) })]));
      }
      if (offline) {
        parts.push(el("span", { className: "sc-offline-label" }, [strings.offline]));
        parts.push(el("span", { className: "sc-choice-detail" }, [offlineReason(type)]));
      }
      var button = el("button", {
        type: "button",
        className: "sc-choice" + (offline ? " sc-choice-offline" : ""),
        "data-key": "type:" + type.id,
        "data-meeting-type": type.id
      }, parts);
      if (offline) button.disabled = true;
      else button.addEventListener("click", function () { chooseType(type); });
      return button;
    }

    function offlineReason(type) {
      var key = "offline_" + type.offline_reason;
      return strings[key] || type.offline_message || strings.offline_link_unavailable;
    }

    function renderDurations() {
      var heading = prompt(strings.chooseDuration);
      var list = el("ul", { className: "sc-choices" });
      (state.type.durations_ms || []).forEach(function (durationMs) {
        var button = el("button", {
          type: "button",
          className: "sc-choice",
          "data-key": "duration:" + durationMs,
          "data-duration-ms": String(durationMs)
        }, [durationLabel(durationMs)]);
        button.addEventListener("click", function () { chooseDuration(durationMs); });
        list.appendChild(el("li", {}, [button]));
      });
      body.appendChild(list);
      backButton();
      return heading;
    }

    function renderSlots() {
      var zone = state.slots ? state.slots.time_zone : null;
      var heading = prompt(text("chooseSlot", { timeZone: zoneLabel(zone) }));
      renderNotice();
      if (!state.slots) {
        loading(heading);
        backButton();
        return heading;
      }
      var days = state.slots.days || [];
      if (!days.length) body.appendChild(el("p", { className: "sc-empty" }, [strings.noSlots]));
      days.forEach(function (day) {
        var dayHeadingId = uid("day");
        var list = el("ul", { className: "sc-slots", "aria-labelledby": dayHeadingId });
        day.slots.forEach(function (slot) {
          var button = el("button", {
            type: "button",
            className: "sc-slot",
            "data-key": "slot:" + slot.start,
            "data-start": slot.start
          }, [timeLabel(slot.start, zone, slot.local_time)]);
          button.addEventListener("click", function () { chooseSlot(slot, day.date); });
          list.appendChild(el("li", {}, [button]));
        });
        body.appendChild(el("section", { className: "sc-day" }, [
          el("h3", { id: dayHeadingId, className: "sc-day-title" }, [dayLabel(day.date)]),
          list
        ]));
      });
      backButton();
      return heading;
    }

    function renderConfirmation() {
      var booking = state.confirmation;
      var heading = prompt(strings.confirmedTitle);
      heading.classList.add("sc-confirmed");
      if (state.missed) body.appendChild(el("p", {}, [strings.missedConfirmation]));
      body.appendChild(el("p", { className: "sc-confirmation-text" }, [text("confirmedText", {
        meeting: booking.meeting_name,
        date: dayLabel(booking.local_date),
        time: timeLabel(booking.start, booking.time_zone, booking.local_time),
        timeZone: zoneLabel(booking.time_zone)
      })]));
      if (booking.on_calendar === false) body.appendChild(el("p", {}, [strings.notOnCalendar]));
      var again = el("button", { type: "button", className: "sc-secondary", "data-key": "again" }, [strings.bookAnother]);
      again.addEventListener("click", function () {
        state.confirmation = null;
        state.missed = false;
        startOver();
      });
      body.appendChild(again);
      return heading;
    }

    function renderNotice() {
      if (!state.notice) return;
      body.appendChild(el("p", { className: "sc-notice", role: "alert" }, [state.notice]));
    }

    function prompt(message) {
      var node = el("p", {
        className: "sc-bubble sc-bot sc-prompt",
        tabindex: "-1",
        "data-key": "prompt:" + state.view
      }, [message]);
      body.appendChild(node);
      return node;
    }

    function bubble(sender, message) {
      body.appendChild(el("p", { className: "sc-bubble sc-" + sender }, [message]));
    }

    function loading(heading) {
      body.appendChild(el("p", { className: "sc-loading" }, [strings.loadingPanel]));
      return heading;
    }

    function backButton() {
      var button = el("button", { type: "button", className: "sc-secondary sc-back", "data-key": "back" }, [strings.back]);
      button.addEventListener("click", goBack);
      body.appendChild(button);
    }

    function setStatus(message) {
      if (status.textContent !== message) status.textContent = message;
    }

    // ---- the form -----------------------------------------------------

    function renderForm() {
      var heading = prompt(strings.formIntro);
      var busy = !!state.attempt;
      var form = el("form", { className: "sc-form", novalidate: "" });
      if (state.formError) form.appendChild(el("p", { className: "sc-notice", role: "alert" }, [state.formError]));
      formFields().forEach(function (field) {
        form.appendChild(fieldControl(field, busy));
      });
      var consent = state.slots && state.slots.form && state.slots.form.consent;
      if (consent) appendConsent(form, consent, busy);
      var submit = el("button", { type: "submit", className: "sc-primary", "data-key": "submit" }, [
        busy ? strings.booking : strings.submit
      ]);
      if (busy) submit.setAttribute("aria-disabled", "true");
      form.appendChild(submit);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (!state.attempt) submitBooking();
      });
      body.appendChild(form);
      if (!busy) backButton();
      return heading;
    }

    // The fixed contact fields followed by the meeting link's own questions.
    function formFields() {
      var fields = [
        { name: "first_name", label: strings.firstName, field_type: "text", required: true, autocomplete: "given-name" },
        { name: "last_name", label: strings.lastName, field_type: "text", required: true, autocomplete: "family-name" },
        { name: "email", label: strings.email, field_type: "email", required: true, autocomplete: "email" }
      ];
      var questions = (state.slots && state.slots.form && state.slots.form.fields) || [];
      return fields.concat(questions.filter(function (field) {
        return !isContactField(field.name);
      }));
    }

    // Whether a question of the meeting link requests a contact field the
    // form already has; HubSpot-style names vary (`firstname`, `firstName`).
    function isContactField(name) {
      var normalized = String(name).toLowerCase().replace(/_/g, "");
      return ["firstname", "lastname", "email"].indexOf(normalized) !== -1;
    }

    function contactFieldName(name) {
      var normalized = String(name).toLowerCase().replace(/_/g, "");
      if (normalized === "firstname") return "first_name";
      if (normalized === "lastname") return "last_name";
      return "email";
    }

    function fieldExists(name) {
      if (name === "processing_consent" || name.indexOf("consent:") === 0) return true;
      return formFields().some(function (field) { return field.name === name; });
    }

    function fieldControl(field, busy) {
      var id = uid("field");
      var errorId = id + "-error";
      var error = state.errors[field.name];
      var wrapper = el("div", { className: "sc-field" });
      var label = el("label", { "for": id }, [field.label || field.name]);
      if (field.required) label.appendChild(el("span", { className: "sc-required" }, [" " + strings.requiredHint]));
      var input = inputFor(field, id);
      input.setAttribute("data-key", "field:" + field.name);
      input.setAttribute("data-field", field.name);
      if (field.required) input.required = true;
      if (busy) input.disabled = true;
      var errorNode = el("p", { id: errorId, className: "sc-error" }, [error || ""]);
      errorNode.hidden = !error;
      if (error) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", errorId);
      }
      if (field.field_type === "booleancheckbox") {
        wrapper.classList.add("sc-check");
        wrapper.appendChild(input);
        wrapper.appendChild(label);
      } else {
        wrapper.appendChild(label);
        wrapper.appendChild(input);
      }
      wrapper.appendChild(errorNode);
      return wrapper;
    }

    function inputFor(field, id) {
      var value = state.values[field.name];
      var input;
      var type = field.field_type;
      if (type === "select" || type === "radio" || type === "checkbox") {
        input = el("select", { id: id, name: field.name });
        input.appendChild(el("option", { value: "" }, [strings.selectPlaceholder]));
        (field.options || []).forEach(function (option) {
          input.appendChild(el("option", { value: option.value }, [option.label || option.value]));
        });
        input.value = value || "";
      } else if (type === "textarea") {
        input = el("textarea", { id: id, name: field.name, rows: "3" });
        input.value = value || "";
      } else if (type === "booleancheckbox") {
        input = el("input", { id: id, name: field.name, type: "checkbox" });
        input.checked = value === "true";
      } else {
        input = el("input", { id: id, name: field.name, type: htmlInputType(type) });
        if (field.autocomplete) input.setAttribute("autocomplete", field.autocomplete);
        input.value = value || "";
      }
      input.addEventListener(input.type === "checkbox" ? "change" : "input", function () {
        state.values[field.name] = input.type === "checkbox" ? String(input.checked) : input.value;
      });
      return input;
    }

    function htmlInputType(fieldType) {
      if (fieldType === "email") return "email";
      if (fieldType === "number") return "number";
      if (fieldType === "phonenumber") return "tel";
      if (fieldType === "date") return "date";
      return "text";
    }

    function appendConsent(form, consent, busy) {
      if (consent.processing_text) form.appendChild(el("p", { className: "sc-consent-text" }, [plainText(consent.processing_text)]));
      if (consent.processing_required) {
        form.appendChild(fieldControl({
          name: "processing_consent",
          label: plainText(consent.processing_label || ""),
          field_type: "booleancheckbox",
          required: true
        }, busy));
      }
      (consent.communication || []).forEach(function (option) {
        form.appendChild(fieldControl({
          name: "consent:" + option.communication_type_id,
          label: plainText(option.label || ""),
          field_type: "booleancheckbox",
          required: !!option.required
        }, busy));
      });
      if (consent.privacy_text) form.appendChild(el("p", { className: "sc-consent-text" }, [plainText(consent.privacy_text)]));
    }

    function validate() {
      var errors = {};
      var fields = formFields();
      var consent = state.slots && state.slots.form && state.slots.form.consent;
      if (consent && consent.processing_required) fields.push({ name: "processing_consent", required: true, field_type: "booleancheckbox" });
      ((consent && consent.communication) || []).forEach(function (option) {
        fields.push({ name: "consent:" + option.communication_type_id, required: !!option.required, field_type: "booleancheckbox" });
      });
      fields.forEach(function (field) {
        var value = (state.values[field.name] || "").trim();
        if (field.field_type === "booleancheckbox") {
          if (field.required && value !== "true") errors[field.name] = strings.checkRequired;
        } else if (field.required && !value) {
          errors[field.name] = strings.fieldRequired;
        } else if (field.name === "email" && !EMAIL_PATTERN.test(value)) {
          errors[field.name] = strings.emailInvalid;
        }
      });
      return errors;
    }

    function submitBooking() {
      state.errors = validate();
      state.formError = null;
      if (Object.keys(state.errors).length) {
        render(false);
        return focusFirstInvalid();
      }
      var frame = bookingFrame();
      state.attempt = { key: frame.idempotency_key, frame: frame };
      setStatus(strings.booking);
      render(false);
      connection.send(frame);
    }

    function bookingFrame() {
      var values = state.values;
      var trimmed = function (name) { return (values[name] || "").trim(); };
      var answers = [];
      (state.slots.form && state.slots.form.fields || []).forEach(function (field) {
        // A question for a contact field gets the answer from the form's
        // own contact input, so a server that requires it is satisfied.
        var value = isContactField(field.name) ? trimmed(contactFieldName(field.name)) : trimmed(field.name);
        if (value) answers.push({ name: field.name, value: value });
      });
      var frame = {
        type: "book",
        idempotency_key: newIdempotencyKey(),
        meeting_type_id: state.type.id,
        start: state.slot.start,
        duration_ms: state.slots.duration_ms,
        first_name: trimmed("first_name"),
        last_name: trimmed("last_name"),
        email: trimmed("email"),
        answers: answers
      };
      var consent = state.slots.form && state.slots.form.consent;
      if (consent) {
        frame.consents = (consent.communication || []).map(function (option) {
          return {
            communication_type_id: option.communication_type_id,
            consented: values["consent:" + option.communication_type_id] === "true"
          };
        });
        frame.processing_consent = !consent.processing_required || values.processing_consent === "true";
      }
      return frame;
    }

    function focusFirstInvalid() {
      var invalid = body.querySelector('[aria-invalid="true"]') || body.querySelector(".sc-notice");
      if (invalid) {
        if (!invalid.hasAttribute("tabindex") && invalid.tagName === "P") invalid.setAttribute("tabindex", "-1");
        invalid.focus();
        invalid.scrollIntoView({ block: "nearest" });
      }
    }

    // Maps an error's `field` path (`email`, `answers[0].value`,
    // `answers.company_size`, `consents[1]`) to the name of a form control.
    function fieldNameFromPath(path, sentFrame) {
      if (!path) return null;
      var name = path;
      var answer = /^answers\[(\d+)\]/.exec(path);
      var consent = /^consents\[(\d+)\]/.exec(path);
      var named = /^(?:answers|form_fields)\.(.+)$/.exec(path);
      if (answer && sentFrame.answers[Number(answer[1])]) {
        name = sentFrame.answers[Number(answer[1])].name;
      } else if (consent && sentFrame.consents && sentFrame.consents[Number(consent[1])]) {
        return "consent:" + sentFrame.consents[Number(consent[1])].communication_type_id;
      } else if (named) {
        name = named[1];
      }
      return isContactField(name) ? contactFieldName(name) : name;
    }

    // ---- formatting ---------------------------------------------------

    function dayLabel(date) {
      var parts = String(date).split("-").map(Number);
      if (parts.length !== 3 || parts.some(isNaN)) return String(date);
      var noon = Date.UTC(parts[0], parts[1] - 1, parts[2], 12);
      return formatWith({ weekday: "long", month: "long", day: "numeric", timeZone: "UTC" }, noon, String(date));
    }

    function timeLabel(start, timeZone, fallback) {
      var instant = Date.parse(start);
      if (isNaN(instant) || !timeZone) return fallback || String(start);
      return formatWith({ hour: "numeric", minute: "2-digit", timeZone: timeZone }, instant, fallback);
    }

    function slotLabel(slot, date, timeZone) {
      return dayLabel(date) + ", " + timeLabel(slot.start, timeZone, slot.local_time);
    }

    function formatWith(options, instant, fallback) {
      try {
        return new Intl.DateTimeFormat(locale, options).format(instant);
      } catch (error) {
        return fallback;
      }
    }

    function durationLabel(durationMs) {
      var minutes = Math.round(durationMs / 60000);
      var hours = minutes % 60 === 0;
      try {
        return new Intl.NumberFormat(locale, {
          style: "unit",
          unit: hours ? "hour" : "minute",
          unitDisplay: "long"
        }).format(hours ? minutes / 60 : minutes);
      } catch (error) {
        return minutes + " min";
      }
    }

    function zoneLabel(timeZone) {
      return String(timeZone || "UTC").replace(/_/g, " ");
    }

    function joinList(items) {
      try {
        return new Intl.ListFormat(locale, { style: "long", type: "conjunction" }).format(items);
      } catch (error) {
        return items.join(", ");
      }
    }
  }

  // ---- helpers shared by every panel ------------------------------------

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === "className") node.className = attributes[name];
      else node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function find(items, predicate) {
    for (var i = 0; i < items.length; i++) if (predicate(items[i])) return items[i];
    return null;
  }

  function countSlots(days) {
    return days.reduce(function (total, day) { return total + day.slots.length; }, 0);
  }

  // Consent texts from HubSpot may carry HTML; only their text is shown.
  function plainText(html) {
    var parsed = new DOMParser().parseFromString(String(html), "text/html");
    return (parsed.body.textContent || "").trim();
  }

  function cssEscape(value) {
    return window.CSS && CSS.escape ? CSS.escape(value) : String(value).replace(/["\\]/g, "\\$&");
  }

  function newIdempotencyKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
    else for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    var key = Array.prototype.map.call(bytes, function (byte) {
      return (byte + 256).toString(16).slice(1);
    }).join("");
    return KEY_PATTERN.test(key) ? key : String(Date.now()) + key;
  }
})();

// Workflows: the list, a form to create and edit one, activation, and the
// runs (which visitor matched, when, and what happened to the push).

import { api, listFrom } from "./api.js";
import { h, replaceChildren, announce, formatTime, errorBox, badge, table } from "./ui.js";
import { adviceFor, statusTone } from "./advice.js";

const CONDITION_TYPES = {
  quality_score_at_least: "Quality score is at least",
  page_visited: "Visited a page",
  has_email: "Has an email address",
};
const PAGE_MATCHES = { exact: "is exactly", prefix: "starts with", contains: "contains" };

export function renderWorkflows(main) {
  const listCard = h("section", { class: "card", "aria-labelledby": "workflows-title" });
  const editorCard = h("section", { class: "card", "aria-labelledby": "workflow-editor-title", hidden: true });
  const runsCard = h("section", { class: "card", "aria-labelledby": "runs-title" });
  replaceChildren(main, h("h1", {}, "Workflows"),
    h("p", { class: "note" },
      "A workflow pushes visitors to HubSpot when they match its conditions. Conditions are checked whenever a visitor " +
        "is created or updated or views a page. Each visitor is pushed once per workflow, and again only after its data changes."),
    editorCard, listCard, runsCard);

  let workflows = [];
  let runsFilter = "";

  async function loadList() {
    replaceChildren(listCard, h("h2", { id: "workflows-title" }, "Your workflows"), h("p", { class: "note" }, "Loading…"));
    try {
      workflows = listFrom(await api("GET", "/api/v1/workflows"), "workflows");
      drawList();
    } catch (error) {
      replaceChildren(listCard, h("h2", { id: "workflows-title" }, "Your workflows"), errorBox(error));
    }
  }

  function drawList() {
    const newButton = h("button", { type: "button", onclick: () => openEditor(null) }, "New workflow");
    const rows = workflows.map((workflow) => h("tr", {},
      h("th", { scope: "row" }, workflow.name),
      h("td", {}, badge(workflow.active ? "active" : "inactive", workflow.active ? "good" : "")),
      h("td", {}, describeRules(workflow)),
      h("td", {}, formatTime(workflow.updated_at)),
      h("td", {}, h("div", { class: "toolbar" },
        h("button", { type: "button", class: "small secondary", "aria-label": `Edit ${workflow.name}`,
          onclick: () => openEditor(workflow) }, "Edit"),
        h("button", { type: "button", class: "small secondary", "aria-pressed": String(workflow.active),
          "aria-label": `${workflow.active ? "Deactivate" : "Activate"} ${workflow.name}`,
          onclick: (event) => setActive(workflow, !workflow.active, event.currentTarget) },
          workflow.active ? "Deactivate" : "Activate"),
        h("button", { type: "button", class: "small secondary", "aria-label": `Show runs of ${workflow.name}`,
          onclick: () => showRuns(workflow.id) }, "Runs")))));
    replaceChildren(listCard,
      h("h2", { id: "workflows-title" }, "Your workflows"),
      h("div", { class: "toolbar" }, newButton),
      table("Workflows", ["Name", "Status", "Rules", "Updated", "Actions"], rows,
        "No workflows yet. Create one to push matching visitors automatically."));
  }

  async function setActive(workflow, active, button) {
    button.disabled = true;
    try {
      const updated = await api("PATCH", `/api/v1/workflows/${encodeURIComponent(workflow.id)}`, { active });
      workflows = workflows.map((old) => (old.id === updated.id ? updated : old));
      drawList();
      announce(`${updated.name} is ${updated.active ? "active" : "inactive"}.`);
    } catch (error) {
      listCard.appendChild(errorBox(error));
      button.disabled = false;
    }
  }

  function openEditor(workflow) {
    editorCard.hidden = false;
    drawEditor(editorCard, workflow, async (saved) => {
      editorCard.hidden = true;
      announce(`Workflow ${saved.name} saved.`);
      await loadList();
      loadRuns();
    }, () => {
      editorCard.hidden = true;
    });
    editorCard.querySelector("input").focus();
  }

  function showRuns(workflowId) {
    runsFilter = workflowId;
    loadRuns();
    runsCard.scrollIntoView({ block: "start" });
  }

  async function loadRuns() {
    const title = h("h2", { id: "runs-title" }, "Runs");
    const select = h("select", { id: "runs-filter" },
      h("option", { value: "" }, "All workflows"),
      workflows.map((workflow) => h("option", { value: workflow.id }, workflow.name)));
    select.value = runsFilter;
    select.addEventListener("change", () => {
      runsFilter = select.value;
      loadRuns();
    });
    const refresh = h("button", { type: "button", class: "secondary", onclick: loadRuns }, "Refresh");
    const toolbar = h("div", { class: "toolbar" }, h("label", { for: "runs-filter" }, "Workflow"), select, refresh);
    replaceChildren(runsCard, title, toolbar, h("p", { class: "note" }, "Loading…"));
    const path = runsFilter
      ? `/api/v1/workflows/${encodeURIComponent(runsFilter)}/runs?limit=100`
      : "/api/v1/workflow-runs?limit=100";
    try {
      const runs = listFrom(await api("GET", path), "runs");
      replaceChildren(runsCard, title, toolbar,
        table("Recent runs, newest first",
          ["When", "Workflow", "Visitor", "Trigger", "Data version", "Outcome", "Push"],
          runs.map(runRow),
          "No runs yet. A run is recorded when an active workflow matches a visitor."));
    } catch (error) {
      replaceChildren(runsCard, title, toolbar, errorBox(error));
    }
  }

  loadList().then(loadRuns);
  return () => {};
}

function runRow(run) {
  const pushStatus = run.push_status || null;
  const advice = run.push_error ? adviceFor(null, run.push_error) : null;
  return h("tr", {},
    h("td", {}, formatTime(run.created_at)),
    h("td", {}, run.workflow_name || run.workflow_id),
    h("td", {}, h("code", {}, run.visitor_id)),
    h("td", {}, run.trigger.replaceAll("_", " ")),
    h("td", {}, String(run.data_version)),
    h("td", {}, badge(run.outcome, statusTone(run.outcome))),
    h("td", {}, pushStatus ? badge(pushStatus, statusTone(pushStatus)) : "—",
      run.push_error ? h("div", {}, run.push_error) : null,
      advice ? h("div", { class: "advice" }, advice) : null));
}

// Returns a sentence that describes a workflow's rules.
export function describeRules(workflow) {
  const parts = workflow.conditions.map((condition) => {
    switch (condition.type) {
      case "quality_score_at_least":
        return `quality score ≥ ${condition.value}`;
      case "page_visited":
        return `visited a page that ${PAGE_MATCHES[condition.match] || condition.match} ${condition.value}`;
      case "has_email":
        return "has an email";
      default:
        return condition.type;
    }
  });
  const joiner = workflow.match === "any" ? " or " : " and ";
  return `Push when ${parts.join(joiner)}`;
}

// Draws the create/edit form into `card`. `onSaved` gets the stored workflow.
function drawEditor(card, workflow, onSaved, onCancel) {
  const editing = Boolean(workflow);
  const draft = workflow
    ? JSON.parse(JSON.stringify(workflow))
    : { name: "", active: false, match: "all", conditions: [{ type: "page_visited", match: "prefix", value: "/pricing" }] };

  const nameInput = h("input", { id: "workflow-name", type: "text", maxlength: 120, required: true, value: draft.name,
    "data-field": "name" });
  const activeInput = h("input", { id: "workflow-active", type: "checkbox", checked: draft.active, "data-field": "active" });
  const matchSelect = h("select", { id: "workflow-match", "data-field": "match" },
    h("option", { value: "all" }, "all conditions hold"),
    h("option", { value: "any" }, "any condition holds"));
  matchSelect.value = draft.match;
  const conditionsHolder = h("div");
  const formError = h("div", { role: "alert" });

  const readConditions = () =>
    [...conditionsHolder.querySelectorAll(".condition")].map((row) => readCondition(row));

  const drawConditions = () => {
    replaceChildren(conditionsHolder, draft.conditions.map((condition, index) =>
      conditionRow(condition, index, draft.conditions.length, {
        changeType: (type) => {
          draft.conditions = readConditions();
          draft.conditions[index] = defaultCondition(type);
          drawConditions();
        },
        remove: () => {
          draft.conditions = readConditions();
          draft.conditions.splice(index, 1);
          drawConditions();
        },
      })));
  };
  drawConditions();

  const addButton = h("button", { type: "button", class: "secondary" }, "Add condition");
  addButton.addEventListener("click", () => {
    draft.conditions = readConditions();
    draft.conditions.push(defaultCondition("quality_score_at_least"));
    drawConditions();
  });

  const form = h("form", { class: "workflow-form", novalidate: true },
    h("div", {}, h("label", { for: "workflow-name" }, "Name"), h("div", {}, nameInput)),
    h("div", {}, activeInput, " ", h("label", { for: "workflow-active" }, "Active"),
      h("p", { class: "help" }, "An inactive workflow is saved but never runs.")),
    h("div", {}, h("label", { for: "workflow-match" }, "Push a visitor when"), " ", matchSelect),
    h("fieldset", {}, h("legend", {}, "Conditions"), conditionsHolder, addButton),
    formError,
    h("div", { class: "toolbar" },
      h("button", { type: "submit" }, editing ? "Save changes" : "Create workflow"),
      h("button", { type: "button", class: "secondary", onclick: onCancel }, "Cancel")));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    formError.textContent = "";
    const body = {
      name: nameInput.value,
      active: activeInput.checked,
      match: matchSelect.value,
      conditions: readConditions(),
    };
    try {
      const saved = editing
        ? await api("PATCH", `/api/v1/workflows/${encodeURIComponent(workflow.id)}`, body)
        : await api("POST", "/api/v1/workflows", { ...body, action: "push_to_hubspot" });
      onSaved(saved);
    } catch (error) {
      if (!showFieldError(form, error)) {
        formError.replaceChildren(errorBox(error));
      }
    }
  });

  replaceChildren(card, h("h2", { id: "workflow-editor-title" }, editing ? `Edit ${workflow.name}` : "New workflow"), form);
}

function defaultCondition(type) {
  switch (type) {
    case "quality_score_at_least":
      return { type, value: 70 };
    case "page_visited":
      return { type, match: "prefix", value: "/" };
    default:
      return { type };
  }
}

function conditionRow(condition, index, count, actions) {
  const id = (name) => `condition-${index}-${name}`;
  const field = (name) => `conditions[${index}].${name}`;
  const typeSelect = h("select", { id: id("type"), "data-field": field("type"), "data-part": "type" },
    Object.entries(CONDITION_TYPES).map(([value, label]) => h("option", { value }, label)));
  typeSelect.value = condition.type;
  typeSelect.addEventListener("change", () => actions.changeType(typeSelect.value));

  const parts = [h("div", {}, h("label", { for: id("type") }, `Condition ${index + 1}`), typeSelect)];
  if (condition.type === "quality_score_at_least") {
    parts.push(h("div", {}, h("label", { for: id("value") }, "Score (0 to 100)"),
      h("input", { id: id("value"), type: "number", min: 0, max: 100, step: 1, value: String(condition.value ?? ""),
        "data-field": field("value"), "data-part": "value" })));
  }
  if (condition.type === "page_visited") {
    const matchSelect = h("select", { id: id("match"), "data-field": field("match"), "data-part": "match" },
      Object.entries(PAGE_MATCHES).map(([value, label]) => h("option", { value }, `path ${label}`)));
    matchSelect.value = condition.match || "prefix";
    parts.push(h("div", {}, h("label", { for: id("match") }, "Match"), matchSelect));
    parts.push(h("div", {}, h("label", { for: id("value") }, "Path or URL"),
      h("input", { id: id("value"), type: "text", maxlength: 2048, value: condition.value || "", placeholder: "/pricing",
        "data-field": field("value"), "data-part": "value", "aria-describedby": id("value-help") }),
      h("p", { class: "help", id: id("value-help") }, "A path such as /pricing, or a full URL starting with http.")));
  }
  parts.push(h("div", {}, h("button", { type: "button", class: "small danger", disabled: count <= 1,
    "aria-label": `Remove condition ${index + 1}`, onclick: actions.remove }, "Remove")));
  return h("div", { class: "condition" }, parts);
}

function readCondition(row) {
  const part = (name) => row.querySelector(`[data-part="${name}"]`);
  const type = part("type").value;
  if (type === "quality_score_at_least") {
    const text = part("value").value.trim();
    return { type, value: text === "" ? null : Number(text) };
  }
  if (type === "page_visited") {
    return { type, match: part("match").value, value: part("value").value.trim() };
  }
  return { type };
}

function clearFieldErrors(form) {
  form.querySelectorAll(".field-error").forEach((node) => node.remove());
  form.querySelectorAll("[aria-invalid]").forEach((node) => {
    node.removeAttribute("aria-invalid");
    const describedBy = (node.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.endsWith("-error"));
    if (describedBy.length) {
      node.setAttribute("aria-describedby", describedBy.join(" "));
    } else {
      node.removeAttribute("aria-describedby");
    }
  });
}

// Marks the input named by the error's field path; returns whether one matched.
function showFieldError(form, error) {
  if (!error.field) {
    return false;
  }
  let input = form.querySelector(`[data-field="${CSS.escape(error.field)}"]`);
  if (!input && error.field.startsWith("conditions[")) {
    const index = error.field.match(/^conditions\[(\d+)\]/);
    input = index ? form.querySelector(`[data-field="conditions[${index[1]}].type"]`) : null;
  }
  if (!input) {
    return false;
  }
  const messageId = `${input.id}-error`;
  input.setAttribute("aria-invalid", "true");
  const describedBy = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  input.setAttribute("aria-describedby", [...describedBy, messageId].join(" "));
  input.parentElement.appendChild(h("p", { class: "field-error", id: messageId }, error.message));
  input.focus();
  return true;
}

//! Steps a visitor takes in the widget, reaching into its open Shadow DOM
//! through script, because WebDriver's CSS lookup stops at shadow roots.

use std::time::{Duration, Instant};

use fantoccini::Client;
use fantoccini::elements::{Element, ElementRef};
use fantoccini::key::Key;
use serde_json::{Value, json};

/// How long a step waits for the widget to show what it expects.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(15);
const POLL_INTERVAL: Duration = Duration::from_millis(100);
/// Key of a web element reference in WebDriver's JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

const QUERY_ALL: &str = "
    const host = document.querySelector('slotchat-widget');
    if (!host || !host.shadowRoot) return [];
    return Array.from(host.shadowRoot.querySelectorAll(arguments[0]));";

/// The widget on a page open in `client`.
pub struct Widget<'a> {
    pub client: &'a Client,
}

impl<'a> Widget<'a> {
    pub fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// Returns every element in the widget's shadow root matching `selector`.
    pub async fn find_all(&self, selector: &str) -> Vec<Element> {
        let value = self
            .client
            .execute(QUERY_ALL, vec![json!(selector)])
            .await
            .expect("query the widget's shadow root");
        let Value::Array(items) = value else { return Vec::new() };
        items
            .into_iter()
            .filter_map(|item| item.get(ELEMENT_KEY).and_then(Value::as_str).map(String::from))
            .map(|id| Element::from_element_id(self.client.clone(), ElementRef::from(id)))
            .collect()
    }

    /// Waits for a displayed element matching `selector`.
    pub async fn wait_for(&self, selector: &str) -> Element {
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            for element in self.find_all(selector).await {
                if element.is_displayed().await.unwrap_or(false) {
                    return element;
                }
            }
            assert!(
                Instant::now() < deadline,
                "the widget showed no `{selector}` within {STEP_TIMEOUT:?}"
            );
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Waits until no displayed element matches `selector`.
    pub async fn wait_for_none(&self, selector: &str) {
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            let mut displayed = false;
            for element in self.find_all(selector).await {
                displayed |= element.is_displayed().await.unwrap_or(false);
            }
            if !displayed {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the widget still shows `{selector}` after {STEP_TIMEOUT:?}"
            );
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Runs `script` with the widget's shadow root as `arguments[0]`.
    pub async fn eval(&self, script: &str) -> Value {
        let wrapped = format!(
            "const root = document.querySelector('slotchat-widget').shadowRoot; \
             return (function (root) {{ {script} }})(root);"
        );
        self.client.execute(&wrapped, Vec::new()).await.expect("run script in the page")
    }

    /// Scrolls `element` into the middle of its scroll container, then
    /// clicks it. WebDriver's own scrolling can leave an element of a
    /// scrolled panel outside the viewport.
    pub async fn click(&self, element: &Element) {
        let argument = serde_json::to_value(element).expect("serialize the element reference");
        self.client
            .execute("arguments[0].scrollIntoView({block: 'center'});", vec![argument])
            .await
            .expect("scroll the element into view");
        element.click().await.expect("click the element");
    }

    /// Returns the `class` of the focused element inside the widget, if any.
    pub async fn focused_class(&self) -> Option<String> {
        let value =
            self.eval("return root.activeElement ? root.activeElement.className : null;").await;
        value.as_str().map(String::from)
    }

    /// Waits for the launcher button to be painted and returns it.
    pub async fn launcher(&self) -> Element {
        self.wait_for("button.sc-launcher").await
    }

    /// Opens the chat and waits for the dialog.
    pub async fn open(&self) -> Element {
        self.click(&self.launcher().await).await;
        self.wait_for("[role=dialog]").await
    }

    /// Presses Escape on the focused element.
    pub async fn press_escape(&self) {
        let focused = self.client.active_element().await.expect("find the focused element");
        focused.send_keys(&Key::Escape.to_string()).await.expect("press Escape");
    }

    /// Waits for the meeting type list and returns its buttons.
    pub async fn meeting_type_buttons(&self) -> Vec<Element> {
        self.wait_for("button.sc-choice[data-meeting-type]").await;
        self.find_all("button.sc-choice[data-meeting-type]").await
    }

    /// Picks the first enabled meeting type and, when the widget offers
    /// several durations, the first one. Returns the meeting type id.
    pub async fn choose_first_available_type(&self) -> String {
        for button in self.meeting_type_buttons().await {
            if button.is_enabled().await.expect("read enabled state") {
                let id = button.attr("data-meeting-type").await.expect("read id").expect("has id");
                self.click(&button).await;
                self.choose_first_duration_if_offered().await;
                return id;
            }
        }
        panic!("the widget lists no enabled meeting type");
    }

    async fn choose_first_duration_if_offered(&self) {
        let deadline = Instant::now() + STEP_TIMEOUT;
        while Instant::now() < deadline {
            if let Some(duration) =
                self.find_all("button[data-duration-ms]").await.into_iter().next()
            {
                self.click(&duration).await;
                return;
            }
            if !self.find_all("button.sc-slot, .sc-empty").await.is_empty() {
                return;
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Picks the first offered slot and returns its UTC start.
    pub async fn choose_first_slot(&self) -> String {
        let slot = self.wait_for("button.sc-slot").await;
        let start = slot.attr("data-start").await.expect("read start").expect("slot has a start");
        self.click(&slot).await;
        start
    }

    /// Fills the contact fields, then answers every required question and
    /// ticks every required consent box.
    pub async fn fill_form(&self, first_name: &str, last_name: &str, email: &str) {
        self.wait_for("form.sc-form").await;
        for (field, value) in
            [("first_name", first_name), ("last_name", last_name), ("email", email)]
        {
            let input = self.wait_for(&format!("[data-field={field}]")).await;
            input.send_keys(value).await.expect("type into the field");
        }
        for input in self.find_all("form.sc-form [required]").await {
            let field = input.attr("data-field").await.expect("read field").unwrap_or_default();
            if ["first_name", "last_name", "email"].contains(&field.as_str()) {
                continue;
            }
            self.answer_required(&input).await;
        }
    }

    /// Submits the booking form.
    pub async fn submit(&self) {
        let submit = self.wait_for("form.sc-form button[type=submit]").await;
        self.click(&submit).await;
    }

    async fn answer_required(&self, input: &Element) {
        let tag = input.tag_name().await.expect("read tag name").to_lowercase();
        let kind = input.attr("type").await.expect("read type").unwrap_or_default();
        if tag == "select" {
            // Arrow Down picks the option after the placeholder, as a
            // keyboard user would.
            input.send_keys(&Key::Down.to_string()).await.expect("choose the first option");
        } else if kind == "checkbox" {
            self.click(input).await;
        } else if kind == "number" {
            input.send_keys("1").await.expect("type a number");
        } else {
            input.send_keys("An answer").await.expect("type an answer");
        }
    }
}

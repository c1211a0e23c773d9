//! The widget in a real browser against the real server.

use crate::customer_site::CustomerSite;
use crate::driver::{Browser, browser_tests_enabled};
use crate::helpers::{TestApp, connect_hubspot, spawn_app};
use crate::widget::Widget;

/// A running slotchat app, a customer site on another origin that embeds
/// the widget, and the slotchat site that allows that origin.
struct Setup {
    app: TestApp,
    customer: CustomerSite,
    site_id: String,
}

async fn set_up() -> Setup {
    let app = spawn_app().await;
    let mut customer = CustomerSite::bind();
    let site = app
        .state
        .db
        .create_site(
            &app.workspace.id,
            "Browser test site",
            &[customer.origin.clone()],
            app.clock.now_ms(),
        )
        .await
        .expect("create the browser test site");
    customer.serve(&format!("{}/widget.js", app.address), &site.site_key);
    Setup { app, customer, site_id: site.id }
}

#[tokio::test]
async fn launcher_dialog_keyboard_and_isolation() {
    if !browser_tests_enabled("launcher_dialog_keyboard_and_isolation") {
        return;
    }
    let setup = set_up().await;
    let browser = Browser::start().await;
    browser.client.goto(&setup.customer.url("/")).await.expect("open the customer page");
    let widget = Widget::new(&browser.client);

    let launcher = widget.launcher().await;
    assert_eq!(launcher.tag_name().await.unwrap().to_lowercase(), "button");
    assert_eq!(launcher.attr("aria-label").await.unwrap().as_deref(), Some("Book a meeting"));
    assert_eq!(launcher.attr("aria-expanded").await.unwrap().as_deref(), Some("false"));
    // The host page sets every button to 40px text on green; the Shadow DOM
    // keeps that out of the launcher.
    assert_ne!(launcher.css_value("font-size").await.unwrap(), "40px");
    assert_ne!(launcher.css_value("background-color").await.unwrap(), "rgba(0, 187, 0, 1)");

    let dialog = widget.open().await;
    // The page sets `* { font-family: serif !important }`, which reaches the
    // widget's host element; the widget's own font must win inside.
    let prompt = widget.wait_for(".sc-prompt").await;
    let font = prompt.css_value("font-family").await.unwrap();
    assert!(font.starts_with("system-ui"), "the panel kept its own font, got `{font}`");
    assert_ne!(prompt.css_value("color").await.unwrap(), "rgba(187, 0, 0, 1)");
    assert_eq!(launcher.attr("aria-expanded").await.unwrap().as_deref(), Some("true"));
    let title = widget
        .eval(
            "const id = root.querySelector('[role=dialog]').getAttribute('aria-labelledby'); \
               return root.getElementById(id).textContent;",
        )
        .await;
    assert_eq!(title.as_str(), Some("Book a meeting"));
    let focused = widget.focused_class().await.unwrap_or_default();
    assert!(focused.contains("sc-prompt"), "focus moved into the dialog, got `{focused}`");
    assert!(dialog.is_displayed().await.unwrap());

    widget.press_escape().await;
    widget.wait_for_none("[role=dialog]").await;
    assert_eq!(widget.focused_class().await.as_deref(), Some("sc-launcher"));
    assert_eq!(launcher.attr("aria-expanded").await.unwrap().as_deref(), Some("false"));

    browser.close().await;
    drop(setup.app);
}

#[tokio::test]
async fn visitor_books_meeting_end_to_end() {
    if !browser_tests_enabled("visitor_books_meeting_end_to_end") {
        return;
    }
    let setup = set_up().await;
    connect_hubspot(&setup.app).await;
    let browser = Browser::start().await;
    browser.client.goto(&setup.customer.url("/")).await.expect("open the customer page");
    let widget = Widget::new(&browser.client);
    widget.open().await;

    // Offline meeting types stay listed, greyed and not clickable.
    let mut offline_seen = 0;
    for button in widget.meeting_type_buttons().await {
        if button.attr("class").await.unwrap().unwrap_or_default().contains("sc-choice-offline") {
            offline_seen += 1;
            assert!(button.is_displayed().await.unwrap(), "the offline type is visible");
            assert!(!button.is_enabled().await.unwrap(), "the offline type is disabled");
            assert!(button.text().await.unwrap().contains("Offline"));
        }
    }
    assert!(offline_seen >= 1, "the seeded portal has an offline meeting type");

    let meeting_type_id = widget.choose_first_available_type().await;
    let start = widget.choose_first_slot().await;
    widget.fill_form("Maria", "Lopez", "maria.lopez@acme.example").await;
    // The form shows each contact field once, even when the meeting link
    // lists it among its own questions.
    let labels = widget
        .eval("return Array.from(root.querySelectorAll('.sc-field label'), l => l.textContent);")
        .await;
    let labels: Vec<&str> = labels.as_array().unwrap().iter().filter_map(|l| l.as_str()).collect();
    for contact_label in ["First name", "Last name", "Email"] {
        let count = labels.iter().filter(|label| label.starts_with(contact_label)).count();
        assert_eq!(count, 1, "`{contact_label}` appears once in {labels:?}");
    }
    widget.submit().await;

    let confirmation = widget.wait_for(".sc-confirmation-text").await;
    let text = confirmation.text().await.unwrap();
    assert!(!text.is_empty(), "the confirmation names the meeting and time");
    let title = widget.wait_for(".sc-confirmed").await.text().await.unwrap();
    assert_eq!(title, "You're booked!");

    let meetings: serde_json::Value =
        setup.app.sandbox_get("/_sandbox/meetings").await.json().await.expect("meetings JSON");
    let meetings = meetings["meetings"].as_array().expect("a meetings array");
    assert_eq!(meetings.len(), 1, "exactly one meeting was booked: {meetings:?}");
    let meeting = &meetings[0];
    assert_eq!(meeting["email"], "maria.lopez@acme.example");
    assert_eq!(meeting["firstName"], "Maria");
    assert_eq!(meeting["slug"].as_str(), Some(meeting_type_id.as_str()));
    let booked_start =
        chrono::DateTime::parse_from_rfc3339(&start).expect("slot start is RFC 3339");
    assert_eq!(meeting["startMs"].as_i64(), Some(booked_start.timestamp_millis()));

    browser.close().await;
}

#[tokio::test]
async fn site_overrides_widget_strings() {
    if !browser_tests_enabled("site_overrides_widget_strings") {
        return;
    }
    let setup = set_up().await;
    let browser = Browser::start().await;
    let page = setup.customer.url("/translated/pricing");
    browser.client.goto(&page).await.expect("open the translated page");
    let widget = Widget::new(&browser.client);

    let launcher = widget.launcher().await;
    let label = launcher.attr("aria-label").await.unwrap();
    assert_eq!(label.as_deref(), Some("Reservar una reunión"), "data-strings wins");
    widget.open().await;
    let title = widget.wait_for(".sc-title").await.text().await.unwrap();
    assert_eq!(title, "Reservar", "window.slotchatStrings applies");
    let close = widget.wait_for(".sc-close").await;
    assert_eq!(close.attr("aria-label").await.unwrap().as_deref(), Some("Close"));

    browser.close().await;
}

#[tokio::test]
async fn server_field_error_then_retry() {
    if !browser_tests_enabled("server_field_error_then_retry") {
        return;
    }
    let setup = set_up().await;
    connect_hubspot(&setup.app).await;
    let browser = Browser::start().await;
    browser.client.goto(&setup.customer.url("/")).await.expect("open the customer page");
    let widget = Widget::new(&browser.client);
    widget.open().await;
    widget.choose_first_available_type().await;
    widget.choose_first_slot().await;

    // The widget's own check lets this address through; the server's
    // stricter one rejects the empty domain label.
    widget.fill_form("Maria", "Lopez", "maria@acme..example").await;
    widget.submit().await;
    let email = widget.wait_for("[data-field=email][aria-invalid=true]").await;
    let described_by = email.attr("aria-describedby").await.unwrap().expect("points to its error");
    let message =
        widget.eval(&format!("return root.getElementById('{described_by}').textContent;")).await;
    assert_eq!(message.as_str(), Some("Please enter a valid email address."));
    let focused_field = widget.eval("return root.activeElement.getAttribute('data-field');").await;
    assert_eq!(focused_field.as_str(), Some("email"));

    // A new attempt gets a new idempotency key; resending the first key
    // would only return the first outcome, the error, again.
    email.clear().await.expect("clear the email");
    email.send_keys("maria@acme.example").await.expect("type the email");
    widget.submit().await;
    widget.wait_for(".sc-confirmed").await;
    let meetings: serde_json::Value =
        setup.app.sandbox_get("/_sandbox/meetings").await.json().await.expect("meetings JSON");
    assert_eq!(meetings["meetings"].as_array().map(Vec::len), Some(1));

    browser.close().await;
}

#[tokio::test]
async fn spa_navigation_records_page_views() {
    if !browser_tests_enabled("spa_navigation_records_page_views") {
        return;
    }
    let setup = set_up().await;
    let browser = Browser::start().await;
    browser.client.goto(&setup.customer.url("/")).await.expect("open the customer page");
    let widget = Widget::new(&browser.client);
    widget.launcher().await;
    let token = wait_for_resume_token(&browser).await;

    browser
        .client
        .execute("history.pushState({}, '', '/pricing'); document.title = 'Pricing';", Vec::new())
        .await
        .expect("navigate like a single-page site");
    wait_for_page_views(&setup, &token, 2).await;
    browser.client.back().await.expect("go back");
    let views = wait_for_page_views(&setup, &token, 3).await;

    // Newest first: back to the home page, the pushed page, the first load.
    let urls: Vec<&str> = views.iter().map(|view| view.url.as_str()).collect();
    let home = setup.customer.url("/");
    let pricing = setup.customer.url("/pricing");
    assert_eq!(urls, [home.as_str(), pricing.as_str(), home.as_str()]);
    assert_eq!(views[1].title.as_deref(), Some("Pricing"));

    browser.close().await;
}

/// Waits for the widget's `welcome` and returns the resume token it kept.
async fn wait_for_resume_token(browser: &Browser) -> String {
    let deadline = std::time::Instant::now() + crate::widget::STEP_TIMEOUT;
    loop {
        let value = browser
            .client
            .execute(
                "for (let i = 0; i < sessionStorage.length; i++) { \
                   const key = sessionStorage.key(i); \
                   if (key.startsWith('slotchat.resume_token.')) return sessionStorage.getItem(key); } \
                 return null;",
                Vec::new(),
            )
            .await
            .expect("read sessionStorage");
        if let Some(token) = value.as_str() {
            return token.to_string();
        }
        assert!(std::time::Instant::now() < deadline, "the widget got no welcome");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Waits until the session's visitor has `count` page views; returns them
/// newest first.
async fn wait_for_page_views(
    setup: &Setup,
    resume_token: &str,
    count: usize,
) -> Vec<slotchat::storage::visitors::PageView> {
    let db = &setup.app.state.db;
    let deadline = std::time::Instant::now() + crate::widget::STEP_TIMEOUT;
    loop {
        let session = db
            .resumable_widget_session(&setup.site_id, resume_token, 0)
            .await
            .expect("read the widget session");
        if let Some(visitor_id) = session.and_then(|session| session.visitor_id) {
            let views = db.page_views(&visitor_id, 10).await.expect("read page views");
            if views.len() >= count {
                return views;
            }
        }
        assert!(std::time::Instant::now() < deadline, "fewer than {count} page views recorded");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn resumed_session_shows_missed_confirmation() {
    if !browser_tests_enabled("resumed_session_shows_missed_confirmation") {
        return;
    }
    let setup = set_up().await;
    connect_hubspot(&setup.app).await;
    let browser = Browser::start().await;
    browser.client.goto(&setup.customer.url("/")).await.expect("open the customer page");
    let widget = Widget::new(&browser.client);
    widget.open().await;
    widget.choose_first_available_type().await;
    widget.choose_first_slot().await;
    widget.fill_form("Maria", "Lopez", "maria@acme.example").await;
    widget.submit().await;
    widget.wait_for(".sc-confirmed").await;

    // Forget that the confirmation was shown, as when the page reloads
    // before the outcome arrives, then reload: the resumed session's
    // welcome carries the booking.
    browser
        .client
        .execute(
            "Object.keys(sessionStorage).filter(k => k.startsWith('slotchat.seen_bookings.')) \
               .forEach(k => sessionStorage.removeItem(k));",
            Vec::new(),
        )
        .await
        .expect("clear the seen confirmations");
    browser.client.refresh().await.expect("reload the page");
    widget.wait_for(".sc-badge").await;
    let launcher = widget.launcher().await;
    let label = launcher.attr("aria-label").await.unwrap();
    assert_eq!(label.as_deref(), Some("Book a meeting (1 new confirmation)"));

    widget.open().await;
    widget.wait_for(".sc-confirmed").await;
    let text = widget.eval("return root.querySelector('.sc-body').textContent;").await;
    let text = text.as_str().unwrap_or_default();
    assert!(text.contains("Your earlier booking went through."), "got `{text}`");
    widget.wait_for_none(".sc-badge").await;

    browser.close().await;
}

//! Steps on the site owner's dashboard for the browser tests: waiting for
//! text, clicking buttons, reading table rows, confirm dialogs and the tab
//! the dashboard opens for HubSpot's consent page.

use std::time::{Duration, Instant};

use fantoccini::wd::WindowHandle;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Maximum wait for one step, such as a table refresh or a push.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(20);
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Reads the text of the first element matching `selector`, or an empty
/// string when there is none.
pub async fn read_text(client: &Client, selector: &str) -> String {
    let text = client
        .execute(
            "const node = document.querySelector(arguments[0]); return node ? node.innerText : '';",
            vec![json!(selector)],
        )
        .await
        .expect("read the text of an element");
    text.as_str().unwrap_or_default().to_string()
}

/// Waits until the text of the first element matching `selector` contains
/// `expected`, and returns that text.
pub async fn wait_for_text(client: &Client, selector: &str, expected: &str) -> String {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let text = read_text(client, selector).await;
        if text.contains(expected) {
            return text;
        }
        assert!(Instant::now() < deadline, "`{selector}` never showed `{expected}`; it shows:\n{text}");
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Waits until the text of the first element matching `selector` no longer
/// contains `unexpected`, and returns that text.
pub async fn wait_for_text_without(client: &Client, selector: &str, unexpected: &str) -> String {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let text = read_text(client, selector).await;
        if !text.is_empty() && !text.contains(unexpected) {
            return text;
        }
        assert!(Instant::now() < deadline, "`{selector}` still shows `{unexpected}`:\n{text}");
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Clicks the button whose visible text is `label`.
pub async fn click_button(client: &Client, label: &str) {
    let xpath = format!("//button[normalize-space(.)='{label}']");
    let button = client
        .find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|_| panic!("no `{label}` button"));
    button.click().await.unwrap_or_else(|error| panic!("click `{label}`: {error}"));
}

/// Clicks the element whose `aria-label` is `label`, such as a row's Push
/// button or checkbox. Rows are redrawn often, so it is looked up afresh.
pub async fn click_labelled(client: &Client, label: &str) {
    let selector = format!("[aria-label=\"{label}\"]");
    let element = client
        .find(Locator::Css(&selector))
        .await
        .unwrap_or_else(|_| panic!("nothing labelled `{label}`"));
    element.click().await.unwrap_or_else(|error| panic!("click `{label}`: {error}"));
}

/// Opens the dashboard and submits `token` on the sign-in form.
pub async fn sign_in(client: &Client, app: &TestApp, token: &str) {
    client.goto(&format!("{}/dashboard", app.address)).await.expect("open the dashboard");
    let field = client.find(Locator::Id("admin-token")).await.expect("token field");
    field.clear().await.expect("clear the token field");
    field.send_keys(token).await.expect("type the token");
    client
        .find(Locator::Css("#sign-in-form button"))
        .await
        .expect("sign-in button")
        .click()
        .await
        .expect("click sign in");
}

/// Follows the dashboard's link to `page` (`Visitors`, `Integrations`, ...),
/// as the owner would, and waits for its heading.
pub async fn open_page(client: &Client, page: &str) {
    let xpath = format!("//nav//a[normalize-space(.)='{page}']");
    client
        .find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|_| panic!("no `{page}` link"))
        .click()
        .await
        .unwrap_or_else(|error| panic!("open `{page}`: {error}"));
    wait_for_text(client, "#content h1", page).await;
}

/// Reads the cell texts of every body row of the table captioned `caption`.
pub async fn table_rows(client: &Client, caption: &str) -> Vec<Vec<String>> {
    let rows = client
        .execute(
            "const table = Array.from(document.querySelectorAll('table')) \
               .find((node) => node.caption && node.caption.innerText.trim() === arguments[0]); \
             if (!table) { return []; } \
             return Array.from(table.tBodies[0].rows) \
               .map((row) => Array.from(row.cells).map((cell) => cell.innerText.trim()));",
            vec![json!(caption)],
        )
        .await
        .expect("read table rows");
    serde_json::from_value(rows).expect("rows are arrays of strings")
}

/// Waits until the table captioned `caption` has a row with a cell that
/// contains `key` and whose cell `column` starts with the line `expected`
/// (a status badge), and returns that row.
pub async fn wait_for_row(client: &Client, caption: &str, key: &str, column: usize, expected: &str) -> Vec<String> {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let rows = table_rows(client, caption).await;
        if let Some(row) = matching_row(&rows, key, column, expected) {
            return row;
        }
        assert!(
            Instant::now() < deadline,
            "table `{caption}` never had a `{key}` row with `{expected}` in column {column}: {rows:#?}"
        );
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Clicks `Refresh` until the table captioned `caption` has a row as
/// [`wait_for_row`] describes, for data that only a reload shows.
pub async fn refresh_until_row(client: &Client, caption: &str, key: &str, column: usize, expected: &str) -> Vec<String> {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let rows = table_rows(client, caption).await;
        if let Some(row) = matching_row(&rows, key, column, expected) {
            return row;
        }
        assert!(
            Instant::now() < deadline,
            "table `{caption}` never had a `{key}` row with `{expected}` in column {column}: {rows:#?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        click_button(client, "Refresh").await;
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Finds the first row with a cell that contains `key` and returns it if
/// the first line of its cell `column` is `expected`. Comparing whole lines keeps `pushed` from
/// matching `not pushed`.
fn matching_row(rows: &[Vec<String>], key: &str, column: usize, expected: &str) -> Option<Vec<String>> {
    let row = rows.iter().find(|row| row.iter().any(|cell| cell.contains(key)))?;
    let cell = row.get(column)?;
    (cell.lines().next() == Some(expected)).then(|| row.clone())
}

/// Waits for a `window.confirm` dialog, accepts it and returns its text.
pub async fn accept_confirm(client: &Client) -> String {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        if let Ok(text) = client.get_alert_text().await {
            client.accept_alert().await.expect("accept the dialog");
            return text;
        }
        assert!(Instant::now() < deadline, "no confirm dialog opened");
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Waits until the browser has a window other than `known` and returns it.
pub async fn wait_for_new_window(client: &Client, known: &WindowHandle) -> WindowHandle {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let windows = client.windows().await.expect("list windows");
        if let Some(window) = windows.into_iter().find(|window| window != known) {
            return window;
        }
        assert!(Instant::now() < deadline, "the dashboard opened no new tab");
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Waits until the current window's URL starts with `prefix`.
pub async fn wait_for_url(client: &Client, prefix: &str) -> String {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let url = client.current_url().await.expect("read the URL").to_string();
        if url.starts_with(prefix) {
            return url;
        }
        assert!(Instant::now() < deadline, "the tab never reached {prefix}; it is on {url}");
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Runs `script` in the page and returns its result.
pub async fn run_script(client: &Client, script: &str) -> Value {
    client.execute(script, Vec::new()).await.expect("run a script in the page")
}

//! Connects the demo workspace to the sandbox the way a site owner would:
//! ask for the authorize URL, let the sandbox's consent page redirect, and
//! deliver the code to slotchat's OAuth callback.

use anyhow::{Context, bail};

/// Runs the OAuth flow against the server at `server_url`.
pub async fn connect_through_oauth(server_url: &str, admin_token: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let response = client
        .post(format!("{server_url}/api/v1/integrations/hubspot/connect"))
        .bearer_auth(admin_token)
        .send()
        .await?;
    if !response.status().is_success() {
        bail!("connect returned {}", response.status());
    }
    let body: serde_json::Value = response.json().await?;
    let authorize_url = body["authorize_url"].as_str().context("connect answer has no authorize_url")?;

    let consent = client.get(authorize_url).send().await?;
    let callback = consent
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .context("the sandbox's authorize page did not redirect")?
        .to_string();
    let finished = client.get(&callback).send().await?;
    if !finished.status().is_success() {
        bail!("the OAuth callback returned {}", finished.status());
    }
    Ok(())
}

//! Bulk push benchmark: 1,000 visitors pushed to an in-process HubSpot
//! sandbox through the real server, queue and HubSpot client.
//!
//! Half the visitors are already contacts in the portal, a fifth have no
//! company domain, and the others share 150 domains, a third of which are
//! already companies in the portal. The run reports HubSpot calls per
//! visitor (from the sandbox's `/_sandbox/stats`), wall time, 429 responses
//! and duplicates found afterwards. Run it with
//! `cargo bench --bench bulk_push`; `SLOTCHAT_BENCH_VISITORS` changes the
//! visitor count (at most 1,000, the bulk push limit).

use std::collections::HashSet;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use slotchat::clock::Clock;
use slotchat::crypto::TokenCipher;
use slotchat::sandbox::SandboxConfig;
use slotchat::settings::Settings;
use slotchat::startup::{AppState, Application};

const READ_TOKEN: &str = "pat-bench-read-token";
const DOMAINS: usize = 150;
/// Maximum wait for the bulk push to finish.
const TIMEOUT: Duration = Duration::from_secs(600);

struct Bench {
    client: reqwest::Client,
    address: String,
    sandbox_url: String,
    admin_token: String,
    state: AppState,
    workspace_id: String,
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let count: usize = std::env::var("SLOTCHAT_BENCH_VISITORS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(1_000);
    let bench = start().await?;
    connect(&bench).await?;
    let ids = seed(&bench, count).await?;
    bench
        .client
        .post(format!("{}/_sandbox/reset", bench.sandbox_url))
        .send()
        .await?;

    let started = Instant::now();
    let bulk_id = queue_bulk(&bench, &ids).await?;
    let bulk = wait_for_bulk(&bench, &bulk_id).await?;
    let wall = started.elapsed();

    let stats: Value = bench
        .client
        .get(format!("{}/_sandbox/stats", bench.sandbox_url))
        .send()
        .await?
        .json()
        .await?;
    let calls = stats["requests"].as_u64().unwrap_or(0);
    let (contacts, duplicate_emails) = count_duplicates(&bench, "contacts", "email").await?;
    let (companies, duplicate_domains) = count_duplicates(&bench, "companies", "domain").await?;

    println!("visitors: {count}");
    println!("pushed: {}, failed: {}", bulk["done"], bulk["failed"]);
    println!("wall time: {:.1} s", wall.as_secs_f64());
    println!(
        "HubSpot calls: {calls} ({:.3} per visitor)",
        calls as f64 / count as f64
    );
    println!("429 responses: {}", stats["rate_limited"]);
    println!("contacts in portal: {contacts}, duplicate emails: {duplicate_emails}");
    println!("companies in portal: {companies}, duplicate domains: {duplicate_domains}");
    println!(
        "calls by endpoint: {}",
        serde_json::to_string_pretty(&stats["by_endpoint"])?
    );
    Ok(())
}

async fn start() -> anyhow::Result<Bench> {
    let sandbox_config = SandboxConfig {
        private_app_token: Some(READ_TOKEN.into()),
        ..SandboxConfig::default()
    };
    let sandbox =
        slotchat::sandbox::spawn(sandbox_config.clone(), TcpListener::bind("127.0.0.1:0")?).await?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let address = format!("http://127.0.0.1:{port}");
    let database = std::env::temp_dir().join(format!(
        "slotchat_bench_{}.db",
        uuid::Uuid::new_v4().simple()
    ));
    let settings = Settings {
        listen: format!("127.0.0.1:{port}"),
        public_url: address.clone(),
        database_url: format!("sqlite://{}", database.display()),
        hubspot_api_base_url: sandbox.base_url.clone(),
        hubspot_auth_base_url: sandbox.base_url.clone(),
        hubspot_client_id: sandbox_config.client_id.clone(),
        hubspot_client_secret: Some(sandbox_config.client_secret.clone().into()),
        encryption_key: Some(TokenCipher::generate_key()),
        ..Settings::default()
    };
    let application =
        Application::build_with_listener(settings, Clock::default(), listener).await?;
    let state = application.state().clone();
    tokio::spawn(application.run_until_stopped());
    let admin_token = slotchat::crypto::random_token();
    let workspace = state
        .db
        .create_workspace("Bench", &admin_token, state.clock.now_ms())
        .await?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    Ok(Bench {
        client,
        address,
        sandbox_url: sandbox.base_url,
        admin_token,
        state,
        workspace_id: workspace.id,
    })
}

/// Connects the workspace through the sandbox's OAuth flow.
async fn connect(bench: &Bench) -> anyhow::Result<()> {
    let response = bench
        .client
        .post(format!(
            "{}/api/v1/integrations/hubspot/connect",
            bench.address
        ))
        .bearer_auth(&bench.admin_token)
        .json(&json!({}))
        .send()
        .await?;
    let body: Value = response.json().await?;
    let authorize_url = body["authorize_url"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no authorize_url: {body}"))?;
    let redirect = bench.client.get(authorize_url).send().await?;
    let callback = redirect
        .headers()
        .get(reqwest::header::LOCATION)
        .ok_or_else(|| anyhow::anyhow!("the authorize page did not redirect"))?
        .to_str()?
        .to_string();
    let status = bench.client.get(callback).send().await?.status();
    anyhow::ensure!(
        status.is_success(),
        "the OAuth callback failed with {status}"
    );
    Ok(())
}

/// Stores the visitors and puts half of them, and a third of the domains,
/// into the portal beforehand.
async fn seed(bench: &Bench, count: usize) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::with_capacity(count);
    let mut existing_contacts = Vec::new();
    for index in 0..count {
        let domain = index % DOMAINS;
        let company = if index % 5 == 4 {
            json!({"name": format!("Corner shop {index}"), "city": "Lyon"})
        } else {
            json!({"name": format!("Company {domain}"), "domain": format!("bench-{domain}.com"), "industry": "Computer Software", "employees": "1,200"})
        };
        let email = format!("person.{index}@bench-{domain}.com");
        let body = json!({
            "email": email,
            "first_name": format!("Person{index}"),
            "last_name": "Bench",
            "quality_score": index % 101,
            "company": company,
            "pages": [{"url": format!("https://bench.test/pricing?v={index}"), "title": "Pricing", "viewed_at": "2026-06-12T10:00:00Z"}]
        });
        let request: slotchat::domain::VisitorRequest = serde_json::from_value(body)?;
        let input = request.validate()?;
        ids.push(
            bench
                .state
                .db
                .save_visitor(&bench.workspace_id, &input, bench.state.clock.now_ms())
                .await?
                .id,
        );
        if index % 2 == 0 {
            existing_contacts.push(
                json!({"properties": {"email": email, "lastname": "Existing"}, "associations": []}),
            );
        }
    }
    let existing_companies: Vec<Value> = (0..DOMAINS)
        .step_by(3)
        .map(|domain| json!({"properties": {"name": format!("Company {domain}"), "domain": format!("bench-{domain}.com")}, "associations": []}))
        .collect();
    sandbox_batch_create(bench, "contacts", existing_contacts).await?;
    sandbox_batch_create(bench, "companies", existing_companies).await?;
    Ok(ids)
}

async fn sandbox_batch_create(
    bench: &Bench,
    object: &str,
    inputs: Vec<Value>,
) -> anyhow::Result<()> {
    for chunk in inputs.chunks(100) {
        let response = bench
            .client
            .post(format!(
                "{}/crm/v3/objects/{object}/batch/create",
                bench.sandbox_url
            ))
            .bearer_auth(READ_TOKEN)
            .json(&json!({"inputs": chunk}))
            .send()
            .await?;
        anyhow::ensure!(
            response.status().is_success(),
            "seeding {object} failed: {}",
            response.status()
        );
        // Stay under the sandbox's private-app rate limit.
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    Ok(())
}

async fn queue_bulk(bench: &Bench, ids: &[String]) -> anyhow::Result<String> {
    let response = bench
        .client
        .post(format!("{}/api/v1/visitors/push", bench.address))
        .bearer_auth(&bench.admin_token)
        .json(&json!({"visitor_ids": ids}))
        .send()
        .await?;
    let body: Value = response.json().await?;
    Ok(body["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no bulk id: {body}"))?
        .to_string())
}

async fn wait_for_bulk(bench: &Bench, bulk_id: &str) -> anyhow::Result<Value> {
    let started = Instant::now();
    loop {
        let bulk: Value = bench
            .client
            .get(format!("{}/api/v1/push-jobs/{bulk_id}", bench.address))
            .bearer_auth(&bench.admin_token)
            .send()
            .await?
            .json()
            .await?;
        if bulk["finished"] == true {
            return Ok(bulk);
        }
        anyhow::ensure!(
            started.elapsed() < TIMEOUT,
            "the bulk push did not finish in {TIMEOUT:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Counts records of `object` and how many share a `property` value.
async fn count_duplicates(
    bench: &Bench,
    object: &str,
    property: &str,
) -> anyhow::Result<(usize, usize)> {
    let mut values = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut url = format!(
            "{}/crm/v3/objects/{object}?limit=100&properties={property}",
            bench.sandbox_url
        );
        if let Some(after) = &after {
            url.push_str(&format!("&after={after}"));
        }
        let page: Value = bench
            .client
            .get(url)
            .bearer_auth(READ_TOKEN)
            .send()
            .await?
            .json()
            .await?;
        for record in page["results"].as_array().cloned().unwrap_or_default() {
            values.push(record["properties"][property].as_str().map(str::to_string));
        }
        match page["paging"]["next"]["after"].as_str() {
            Some(next) => after = Some(next.to_string()),
            None => break,
        }
    }
    let with_value: Vec<String> = values.iter().flatten().cloned().collect();
    let distinct: HashSet<&String> = with_value.iter().collect();
    Ok((values.len(), with_value.len() - distinct.len()))
}

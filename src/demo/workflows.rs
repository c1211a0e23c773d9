//! The demo workspace's workflows, active from the start so a visitor who
//! subscribes to the newsletter and opens the pricing page, or whose quality
//! score is set to 70 or more, lands in the sandbox portal at once.

use crate::storage::Db;
use crate::workflows::input::NewWorkflow;
use crate::workflows::rules::{Action, Condition, MatchMode, PageMatch};

/// Inserts "Pricing visitors" (viewed a page under `/pricing` and has an
/// email) and "Hot leads" (quality score at least 70).
pub async fn seed_workflows(db: &Db, workspace_id: &str, now_ms: i64) -> Result<(), sqlx::Error> {
    let pricing = NewWorkflow {
        name: "Pricing visitors".into(),
        active: true,
        match_mode: MatchMode::All,
        conditions: vec![
            Condition::PageVisited { page_match: PageMatch::Prefix, value: "/pricing".into() },
            Condition::HasEmail,
        ],
        action: Action::PushToHubspot,
    };
    let hot_leads = NewWorkflow {
        name: "Hot leads".into(),
        active: true,
        match_mode: MatchMode::All,
        conditions: vec![Condition::QualityScoreAtLeast { value: 70 }],
        action: Action::PushToHubspot,
    };
    for workflow in [pricing, hot_leads] {
        db.insert_workflow(workspace_id, &workflow, now_ms).await?;
    }
    Ok(())
}

//! Workflow rules and how they match a visitor.
//!
//! A rule set is a list of conditions joined by `all` or `any`. Matching is a
//! pure function of [`VisitorFacts`], so it is tested without a database.

use serde::{Deserialize, Serialize};

/// The rule that combines the conditions of a workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMode {
    /// Every condition must hold.
    All,
    /// At least one condition must hold.
    Any,
}

/// The comparison of a `page_visited` value with a visited page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageMatch {
    /// The whole path (or URL) equals the value; a trailing `/` is ignored.
    Exact,
    /// The path (or URL) starts with the value.
    Prefix,
    /// The path (or URL) contains the value.
    Contains,
}

/// One condition of a workflow, in its wire and storage form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Condition {
    /// The visitor's quality score is known and at least `value`.
    QualityScoreAtLeast { value: i64 },
    /// The visitor viewed at least one page that matches.
    PageVisited {
        #[serde(rename = "match")]
        page_match: PageMatch,
        value: String,
    },
    /// The visitor has an email address.
    HasEmail,
}

/// The action a workflow performs for a matching visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Enqueue a push of the visitor to HubSpot.
    PushToHubspot,
}

impl MatchMode {
    /// Returns the wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchMode::All => "all",
            MatchMode::Any => "any",
        }
    }

    /// Parses the wire and storage name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "all" => Some(MatchMode::All),
            "any" => Some(MatchMode::Any),
            _ => None,
        }
    }
}

impl Action {
    /// Returns the wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::PushToHubspot => "push_to_hubspot",
        }
    }

    /// Parses the wire and storage name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "push_to_hubspot" => Some(Action::PushToHubspot),
            _ => None,
        }
    }
}

/// The visitor data that rules read, as stored when the event arrived.
#[derive(Debug, Clone, Default)]
pub struct VisitorFacts {
    /// Whether the visitor has an email, a name or company data, without
    /// which HubSpot has nothing to store.
    pub pushable: bool,
    pub email: Option<String>,
    pub quality_score: Option<i64>,
    /// URLs of the pages the visitor viewed, each once.
    pub page_urls: Vec<String>,
    /// Bumped by the visitor store whenever the visitor's data changes.
    pub data_version: i64,
}

/// Checks whether `conditions`, combined by `mode`, hold for `facts`. An empty
/// list never matches, so a workflow saved without conditions does nothing.
pub fn rules_match(mode: MatchMode, conditions: &[Condition], facts: &VisitorFacts) -> bool {
    if conditions.is_empty() {
        return false;
    }
    match mode {
        MatchMode::All => conditions.iter().all(|condition| condition_holds(condition, facts)),
        MatchMode::Any => conditions.iter().any(|condition| condition_holds(condition, facts)),
    }
}

/// Checks whether one condition holds for `facts`.
pub fn condition_holds(condition: &Condition, facts: &VisitorFacts) -> bool {
    match condition {
        Condition::QualityScoreAtLeast { value } => {
            facts.quality_score.is_some_and(|score| score >= *value)
        }
        Condition::PageVisited { page_match, value } => facts
            .page_urls
            .iter()
            .any(|url| page_matches(*page_match, value, url)),
        Condition::HasEmail => facts.email.as_deref().is_some_and(|email| !email.trim().is_empty()),
    }
}

/// Compares `value` with a visited page. A value that starts with `http` is
/// compared with the full URL (without its fragment); any other value with
/// the URL's path.
pub fn page_matches(page_match: PageMatch, value: &str, page_url: &str) -> bool {
    let subject = if value.starts_with("http") {
        full_url_without_fragment(page_url)
    } else {
        url_path(page_url)
    };
    match page_match {
        PageMatch::Exact => trim_trailing_slash(&subject) == trim_trailing_slash(value),
        PageMatch::Prefix => subject.starts_with(value),
        PageMatch::Contains => subject.contains(value),
    }
}

/// Extracts the path of `page_url`. A stored value that is not an absolute URL is
/// taken as a path, minus any query string or fragment.
fn url_path(page_url: &str) -> String {
    match url::Url::parse(page_url) {
        Ok(parsed) => parsed.path().to_string(),
        Err(_) => {
            let end = page_url.find(['?', '#']).unwrap_or(page_url.len());
            page_url[..end].to_string()
        }
    }
}

fn full_url_without_fragment(page_url: &str) -> String {
    match url::Url::parse(page_url) {
        Ok(mut parsed) => {
            parsed.set_fragment(None);
            parsed.to_string()
        }
        Err(_) => page_url.to_string(),
    }
}

/// Drops one trailing `/` unless the text is just `/`, so `/pricing/` and
/// `/pricing` compare equal.
fn trim_trailing_slash(text: &str) -> &str {
    if text.len() > 1 {
        text.strip_suffix('/').unwrap_or(text)
    } else {
        text
    }
}

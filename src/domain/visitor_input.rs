//! The body of `POST /api/v1/visitors`: the raw request as sent, and the
//! validated input that storage accepts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::text::{optional_linkedin_url, optional_text, optional_url};
use super::{CompanyDomain, Email, FieldError};

/// Maximum pages accepted in one request.
pub const MAX_PAGES_PER_REQUEST: usize = 100;
const MAX_NAME_CHARS: usize = 100;
const MAX_SHORT_TEXT_CHARS: usize = 200;
const MAX_DESCRIPTION_CHARS: usize = 5_000;
const MAX_NUMBER_TEXT_CHARS: usize = 50;
const MAX_PAGE_URL_CHARS: usize = 2_048;

/// A visitor as sent by the client. Unknown fields are rejected.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitorRequest {
    pub email: Option<String>,
    /// The widget's `anonymous_id` of this person, to link their page views.
    pub anonymous_id: Option<String>,
    pub external_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub lead_status: Option<String>,
    pub linkedin_url: Option<String>,
    pub quality_score: Option<i64>,
    #[serde(default)]
    pub pages: Vec<PageRequest>,
    pub company: Option<CompanyRequest>,
}

/// A visited page as sent by the client.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageRequest {
    pub url: String,
    pub title: Option<String>,
    pub viewed_at: String,
}

/// A visitor's company as sent by the client. `employees` and
/// `annual_revenue` may be JSON numbers or text such as `"1,200"`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyRequest {
    pub name: Option<String>,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub employees: Option<serde_json::Value>,
    pub annual_revenue: Option<serde_json::Value>,
    pub description: Option<String>,
    pub linkedin_url: Option<String>,
}

/// A validated visitor. `None` means "not given", never "clear".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VisitorInput {
    pub email: Option<Email>,
    /// The widget visitor to link to this person (see `slotchat.visitorId()`).
    pub anonymous_id: Option<String>,
    pub external_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub lead_status: Option<String>,
    pub linkedin_url: Option<String>,
    pub quality_score: Option<i64>,
    pub pages: Vec<PageInput>,
    pub company: Option<CompanyInput>,
}

/// A validated visited page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageInput {
    pub url: String,
    pub title: Option<String>,
    pub viewed_at: DateTime<Utc>,
}

/// A validated company, also the JSON stored in `visitors.company`.
/// `employees` and `annual_revenue` keep the client's text; they are turned
/// into HubSpot numbers when pushed, and skipped there when they cannot be.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<CompanyDomain>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employees: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_revenue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linkedin_url: Option<String>,
}

impl CompanyInput {
    /// Returns whether no field is set.
    pub fn is_empty(&self) -> bool {
        self == &CompanyInput::default()
    }

    /// Copies every field set in `newer` over this one; returns whether
    /// anything changed.
    pub fn merge(&mut self, newer: &CompanyInput) -> bool {
        let before = self.clone();
        let fields = [
            (&mut self.name, &newer.name),
            (&mut self.industry, &newer.industry),
            (&mut self.city, &newer.city),
            (&mut self.country, &newer.country),
            (&mut self.employees, &newer.employees),
            (&mut self.annual_revenue, &newer.annual_revenue),
            (&mut self.description, &newer.description),
            (&mut self.linkedin_url, &newer.linkedin_url),
        ];
        for (current, given) in fields {
            if given.is_some() {
                current.clone_from(given);
            }
        }
        if newer.domain.is_some() {
            self.domain.clone_from(&newer.domain);
        }
        *self != before
    }
}

impl VisitorRequest {
    /// Validates every field; the first invalid one is returned.
    pub fn validate(self) -> Result<VisitorInput, FieldError> {
        let email = match optional_text("email", self.email, 254)? {
            Some(text) => {
                Some(Email::parse(&text).map_err(|message| FieldError::new("email", message))?)
            }
            None => None,
        };
        let quality_score = match self.quality_score {
            Some(score) if !(0..=100).contains(&score) => {
                return Err(FieldError::new(
                    "quality_score",
                    "must be an integer from 0 to 100",
                ));
            }
            other => other,
        };
        if self.pages.len() > MAX_PAGES_PER_REQUEST {
            return Err(FieldError::new(
                "pages",
                format!(
                    "at most {MAX_PAGES_PER_REQUEST} pages per request; send the rest in another request"
                ),
            ));
        }
        let pages = self
            .pages
            .into_iter()
            .enumerate()
            .map(|(index, page)| page.validate(&format!("pages[{index}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let company = match self.company {
            Some(company) => Some(company.validate()?).filter(|company| !company.is_empty()),
            None => None,
        };
        let input = VisitorInput {
            email,
            anonymous_id: anonymous_id(self.anonymous_id)?,
            external_id: external_id(self.external_id)?,
            first_name: optional_text("first_name", self.first_name, MAX_NAME_CHARS)?,
            last_name: optional_text("last_name", self.last_name, MAX_NAME_CHARS)?,
            job_title: optional_text("job_title", self.job_title, MAX_SHORT_TEXT_CHARS)?,
            city: optional_text("city", self.city, MAX_NAME_CHARS)?,
            country: optional_text("country", self.country, MAX_NAME_CHARS)?,
            lead_status: optional_text("lead_status", self.lead_status, MAX_NAME_CHARS)?,
            linkedin_url: optional_linkedin_url("linkedin_url", self.linkedin_url)?,
            quality_score,
            pages,
            company,
        };
        input.check_identifier()?;
        Ok(input)
    }
}

impl VisitorInput {
    fn check_identifier(&self) -> Result<(), FieldError> {
        let has_domain = self
            .company
            .as_ref()
            .is_some_and(|company| company.domain.is_some());
        if self.email.is_none() && self.external_id.is_none() && !has_domain {
            return Err(FieldError::new(
                "email",
                "a visitor needs an identifier: give email, external_id or company.domain",
            ));
        }
        Ok(())
    }
}

/// Checks the widget's rule for anonymous ids: 8 to 64 characters of
/// `A-Z a-z 0-9 - _`.
fn anonymous_id(value: Option<String>) -> Result<Option<String>, FieldError> {
    let Some(id) = value else { return Ok(None) };
    let valid = (8..=64).contains(&id.len())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(FieldError::new(
            "anonymous_id",
            "must be 8 to 64 characters of A-Z, a-z, 0-9, - and _, as returned by slotchat.visitorId()",
        ));
    }
    Ok(Some(id))
}

fn external_id(value: Option<String>) -> Result<Option<String>, FieldError> {
    let id = optional_text("external_id", value, MAX_SHORT_TEXT_CHARS)?;
    if id
        .as_ref()
        .is_some_and(|id| id.chars().any(char::is_whitespace))
    {
        return Err(FieldError::new("external_id", "must not contain spaces"));
    }
    Ok(id)
}

impl PageRequest {
    fn validate(self, path: &str) -> Result<PageInput, FieldError> {
        let url = optional_url(&format!("{path}.url"), Some(self.url), MAX_PAGE_URL_CHARS)?
            .ok_or_else(|| FieldError::new(format!("{path}.url"), "is required"))?;
        let title = optional_text(
            &format!("{path}.title"),
            self.title,
            MAX_SHORT_TEXT_CHARS * 2,
        )?;
        let viewed_at = DateTime::parse_from_rfc3339(self.viewed_at.trim())
            .map_err(|_| {
                FieldError::new(
                    format!("{path}.viewed_at"),
                    "must be an RFC 3339 instant with a zone, such as 2026-06-12T10:02:13Z",
                )
            })?
            .with_timezone(&Utc);
        Ok(PageInput {
            url: url.to_string(),
            title,
            viewed_at,
        })
    }
}

impl CompanyRequest {
    fn validate(self) -> Result<CompanyInput, FieldError> {
        let domain = match optional_text("company.domain", self.domain, 2_048)? {
            Some(text) => Some(
                CompanyDomain::parse(&text)
                    .map_err(|message| FieldError::new("company.domain", message))?,
            ),
            None => None,
        };
        Ok(CompanyInput {
            name: optional_text("company.name", self.name, MAX_SHORT_TEXT_CHARS)?,
            domain,
            industry: optional_text("company.industry", self.industry, MAX_NAME_CHARS)?,
            city: optional_text("company.city", self.city, MAX_NAME_CHARS)?,
            country: optional_text("company.country", self.country, MAX_NAME_CHARS)?,
            employees: number_text("company.employees", self.employees)?,
            annual_revenue: number_text("company.annual_revenue", self.annual_revenue)?,
            description: optional_text(
                "company.description",
                self.description,
                MAX_DESCRIPTION_CHARS,
            )?,
            linkedin_url: optional_linkedin_url("company.linkedin_url", self.linkedin_url)?,
        })
    }
}

/// Accepts a JSON number or a short text; the text is checked for HubSpot
/// only when pushed.
fn number_text(
    field: &str,
    value: Option<serde_json::Value>,
) -> Result<Option<String>, FieldError> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(number)) => Ok(Some(number.to_string())),
        Some(serde_json::Value::String(text)) => {
            optional_text(field, Some(text), MAX_NUMBER_TEXT_CHARS)
        }
        Some(_) => Err(FieldError::new(
            field,
            "must be a number or a text such as \"1,200\"",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: serde_json::Value) -> Result<VisitorInput, FieldError> {
        let request: VisitorRequest = serde_json::from_value(json).expect("request shape");
        request.validate()
    }

    #[test]
    fn full_visitor_validates() {
        let input = parse(serde_json::json!({
            "email": "Maria@Acme.com",
            "first_name": " Maria ",
            "quality_score": 80,
            "pages": [{"url": "https://acme.com/pricing", "title": "Pricing", "viewed_at": "2026-06-12T10:02:13+02:00"}],
            "company": {"domain": "https://www.acme.com/", "employees": 250, "annual_revenue": "1.2M"}
        }))
        .expect("valid visitor");
        assert_eq!(input.email.expect("email").as_str(), "maria@acme.com");
        assert_eq!(input.first_name.as_deref(), Some("Maria"));
        assert_eq!(
            input.pages[0].viewed_at.to_rfc3339(),
            "2026-06-12T08:02:13+00:00"
        );
        let company = input.company.expect("company");
        assert_eq!(company.domain.expect("domain").as_str(), "acme.com");
        assert_eq!(company.employees.as_deref(), Some("250"));
    }

    #[test]
    fn errors_name_field_path() {
        let cases = [
            (serde_json::json!({"first_name": "Maria"}), "email"),
            (serde_json::json!({"email": "nope"}), "email"),
            (
                serde_json::json!({"email": "a@acme.com", "quality_score": 101}),
                "quality_score",
            ),
            (
                serde_json::json!({"email": "a@acme.com", "company": {"domain": "acme"}}),
                "company.domain",
            ),
            (
                serde_json::json!({"email": "a@acme.com", "linkedin_url": "https://evil.com/in/x"}),
                "linkedin_url",
            ),
            (
                serde_json::json!({"email": "a@acme.com", "pages": [{"url": "x", "viewed_at": "2026-06-12T10:02:13Z"}]}),
                "pages[0].url",
            ),
            (
                serde_json::json!({"email": "a@acme.com", "pages": [{"url": "https://a.com", "viewed_at": "2026-06-12T10:02:13"}]}),
                "pages[0].viewed_at",
            ),
            (
                serde_json::json!({"email": "a@acme.com", "first_name": "x".repeat(101)}),
                "first_name",
            ),
            (
                serde_json::json!({"email": "a@acme.com", "company": {"employees": true}}),
                "company.employees",
            ),
            (
                serde_json::json!({"email": "a@acme.com", "anonymous_id": "short"}),
                "anonymous_id",
            ),
        ];
        for (json, field) in cases {
            let error = parse(json.clone()).expect_err(&json.to_string());
            assert_eq!(error.field, field, "for {json}");
        }
    }

    #[test]
    fn company_domain_alone_identifies() {
        let input = parse(serde_json::json!({"company": {"domain": "acme.com"}})).expect("valid");
        assert!(input.email.is_none());
    }

    #[test]
    fn empty_strings_mean_not_given() {
        let input = parse(
            serde_json::json!({"email": "a@acme.com", "first_name": "  ", "company": {"name": ""}}),
        )
        .expect("valid");
        assert_eq!(input.first_name, None);
        assert_eq!(input.company, None);
    }
}

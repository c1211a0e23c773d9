use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Maximum length of an email address (RFC 5321 path limit).
const MAX_EMAIL_LEN: usize = 254;

/// An email address, trimmed and lower-cased. HubSpot stores contact emails
/// in lower case, so lower-casing keeps our lookups and its dedupe in step.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Parses `text`. The error describes the problem without the field name.
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err("must not be empty".into());
        }
        if trimmed.len() > MAX_EMAIL_LEN {
            return Err(format!("must be at most {MAX_EMAIL_LEN} characters"));
        }
        let parsed = email_address::EmailAddress::from_str(trimmed).map_err(|_| {
            "is not a valid email address; expected a form like name@example.com".to_string()
        })?;
        if !parsed.domain().contains('.') {
            return Err("needs a domain with a dot, for example name@example.com".into());
        }
        Ok(Self(trimmed.to_lowercase()))
    }

    /// Returns the address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Returns the part after `@`.
    pub fn domain(&self) -> &str {
        self.0
            .rsplit_once('@')
            .map(|(_, domain)| domain)
            .unwrap_or_default()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_lower_cased() {
        let email = Email::parse("  Maria.Lopez@Acme-Widgets.COM ").expect("valid email");
        assert_eq!(email.as_str(), "maria.lopez@acme-widgets.com");
        assert_eq!(email.domain(), "acme-widgets.com");
    }

    #[test]
    fn invalid_emails_are_rejected() {
        for text in [
            "",
            "maria",
            "maria@",
            "@acme.com",
            "maria@localhost",
            "a b@acme.com",
        ] {
            assert!(Email::parse(text).is_err(), "{text:?} should be rejected");
        }
    }
}

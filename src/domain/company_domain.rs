use std::fmt;

use serde::{Deserialize, Serialize};

/// Maximum length of a domain name in DNS.
const MAX_DOMAIN_LEN: usize = 253;

/// A company's bare domain (`acme-widgets.com`): lower case, without
/// scheme, `www.`, port, path or trailing dot, with non-ASCII names in their
/// `xn--` form. HubSpot uses the bare domain as its company dedupe key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CompanyDomain(String);

impl CompanyDomain {
    /// Normalises `text`, which may be a bare domain or a URL. The error
    /// describes the problem without the field name.
    pub fn parse(text: &str) -> Result<Self, String> {
        let host = host_part(text.trim());
        if host.is_empty() {
            return Err("must not be empty".into());
        }
        let ascii = url::Url::parse(&format!("http://{host}/"))
            .ok()
            .and_then(|url| match url.host() {
                Some(url::Host::Domain(domain)) => Some(domain.to_string()),
                _ => None,
            })
            .ok_or_else(invalid_message)?;
        let bare = ascii.strip_prefix("www.").unwrap_or(&ascii).to_string();
        check_labels(&bare)?;
        Ok(Self(bare))
    }

    /// Returns the domain as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Returns whether this is a free-mail provider's domain, which never becomes a
    /// company.
    pub fn is_free_mail(&self) -> bool {
        is_free_mail_domain(&self.0)
    }
}

fn invalid_message() -> String {
    "is not a valid domain; give a bare domain such as acme.com".into()
}

/// Drops the scheme, user info, path, query, fragment, port and trailing
/// dot, and lower-cases what is left.
fn host_part(text: &str) -> String {
    let without_scheme = text.split_once("://").map_or(text, |(_, rest)| rest);
    let authority = without_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host_and_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match host_and_port.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => host_and_port,
    };
    host.trim_end_matches('.').to_lowercase()
}

fn check_labels(domain: &str) -> Result<(), String> {
    if domain.len() > MAX_DOMAIN_LEN {
        return Err(format!("must be at most {MAX_DOMAIN_LEN} characters"));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err("needs at least one dot, for example acme.com".into());
    }
    for label in &labels {
        let valid = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !valid {
            return Err(invalid_message());
        }
    }
    let top = labels.last().expect("split yields at least one label");
    let top_valid = top.starts_with("xn--") || top.chars().all(|c| c.is_ascii_alphabetic());
    if !top_valid {
        return Err(invalid_message());
    }
    Ok(())
}

impl fmt::Display for CompanyDomain {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl TryFrom<String> for CompanyDomain {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CompanyDomain> for String {
    fn from(domain: CompanyDomain) -> Self {
        domain.0
    }
}

/// Free-mail domains matched exactly.
const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "msn.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "proton.me",
    "protonmail.com",
    "protonmail.ch",
    "pm.me",
    "ymail.com",
    "rocketmail.com",
    "web.de",
    "mail.com",
    "mail.ru",
    "zoho.com",
    "zohomail.com",
    "tutanota.com",
    "tuta.io",
    "fastmail.com",
    "hey.com",
    "qq.com",
    "163.com",
    "126.com",
    "naver.com",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "t-online.de",
    "libero.it",
    "hushmail.com",
    "inbox.com",
    "yandex.com",
];

/// Free-mail providers that serve many country domains (`yahoo.co.uk`,
/// `hotmail.fr`, `gmx.de`): matched on the first label when the rest is a
/// short suffix such as `com`, `de` or `co.uk`.
const FREE_MAIL_BRANDS: &[&str] = &["yahoo", "hotmail", "gmx", "live", "outlook", "yandex"];

/// Returns whether `domain` (already normalised) belongs to a free-mail
/// provider.
pub fn is_free_mail_domain(domain: &str) -> bool {
    if FREE_MAIL_DOMAINS.contains(&domain) {
        return true;
    }
    let Some((brand, suffix)) = domain.split_once('.') else {
        return false;
    };
    let short_suffix =
        suffix.split('.').count() <= 2 && suffix.split('.').all(|label| label.len() <= 3);
    FREE_MAIL_BRANDS.contains(&brand) && short_suffix
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_is_normalised() {
        let cases = [
            ("acme.com", "acme.com"),
            ("ACME.com", "acme.com"),
            ("https://www.acme.com/about?x=1", "acme.com"),
            ("http://acme.com:8080", "acme.com"),
            ("www.acme.co.uk.", "acme.co.uk"),
            ("shop.acme.com", "shop.acme.com"),
            ("bücher.de", "xn--bcher-kva.de"),
        ];
        for (input, expected) in cases {
            let domain = CompanyDomain::parse(input).expect(input);
            assert_eq!(domain.as_str(), expected, "input {input:?}");
        }
    }

    #[test]
    fn invalid_domains_are_rejected() {
        for input in [
            "",
            "acme",
            "acme..com",
            "-acme.com",
            "acme.123",
            "127.0.0.1",
            "ac me.com",
            "https://",
        ] {
            assert!(
                CompanyDomain::parse(input).is_err(),
                "{input:?} should be rejected"
            );
        }
    }

    #[test]
    fn free_mail_domains_are_detected() {
        for domain in [
            "gmail.com",
            "yahoo.com",
            "yahoo.co.uk",
            "hotmail.fr",
            "gmx.de",
            "gmx.net",
            "proton.me",
            "icloud.com",
            "outlook.com",
        ] {
            assert!(is_free_mail_domain(domain), "{domain} is free mail");
        }
        for domain in [
            "acme.com",
            "yahoo-fans.org",
            "live.acmecorp.com",
            "gmailer.com",
        ] {
            assert!(!is_free_mail_domain(domain), "{domain} is not free mail");
        }
    }
}

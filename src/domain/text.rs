//! Checks shared by the free-text fields of the visitor input.

use super::FieldError;

/// Trims `value` and checks its length; an empty value becomes `None`, so
/// an empty string never overwrites stored data or a HubSpot value.
pub fn optional_text(
    field: &str,
    value: Option<String>,
    max_chars: usize,
) -> Result<Option<String>, FieldError> {
    let Some(value) = value else { return Ok(None) };
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().count() > max_chars {
        return Err(FieldError::new(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(Some(trimmed.to_string()))
}

/// Checks that `value` is an absolute `http` or `https` URL of at most
/// `max_chars` characters.
pub fn optional_url(
    field: &str,
    value: Option<String>,
    max_chars: usize,
) -> Result<Option<url::Url>, FieldError> {
    let Some(text) = optional_text(field, value, max_chars)? else {
        return Ok(None);
    };
    let parsed = url::Url::parse(&text).map_err(|_| {
        FieldError::new(
            field,
            "is not a valid URL; give an absolute URL such as https://example.com/page",
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(FieldError::new(
            field,
            "must be an http or https URL with a host",
        ));
    }
    Ok(Some(parsed))
}

/// Checks that `value` is a LinkedIn URL (`https://www.linkedin.com/...`).
pub fn optional_linkedin_url(
    field: &str,
    value: Option<String>,
) -> Result<Option<String>, FieldError> {
    let Some(url) = optional_url(field, value, 500)? else {
        return Ok(None);
    };
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if host != "linkedin.com" && !host.ends_with(".linkedin.com") {
        return Err(FieldError::new(
            field,
            "must be a linkedin.com URL, for example https://www.linkedin.com/in/name",
        ));
    }
    Ok(Some(url.to_string()))
}

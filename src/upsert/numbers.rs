//! Turning number text such as `"1,200"` or `"$1.2M"` into the plain form
//! HubSpot number properties accept: digits with at most one `.`.
//! HubSpot rejects commas, spaces, a second `.` and exponents with a 400.

/// Parses `text` into HubSpot's number form. `integer` requires a whole
/// number. The error explains why the value cannot be sent.
pub fn to_hubspot_number(text: &str, integer: bool) -> Result<String, String> {
    let compact: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && !matches!(c, '$' | '€' | '£' | '¥'))
        .collect();
    let without_code = strip_currency_code(&compact);
    let (body, exponent) = split_multiplier(&without_code);
    if body.is_empty() {
        return Err("is not a number".into());
    }
    if body.starts_with('-') {
        return Err("must not be negative".into());
    }
    if body.contains(['+', '–']) || body[1..].contains('-') {
        return Err("is a range or bound; give one number such as 1200".into());
    }
    let (whole, fraction) = split_decimal(body)?;
    if !whole
        .chars()
        .chain(fraction.chars())
        .all(|c| c.is_ascii_digit())
        || whole.is_empty()
    {
        return Err("is not a number; give digits such as 1200 or 1.2M".into());
    }
    let digits = scale(&whole, &fraction, exponent);
    if integer && digits.contains('.') {
        return Err("must be a whole number".into());
    }
    Ok(digits)
}

fn strip_currency_code(text: &str) -> String {
    let upper = text.to_ascii_uppercase();
    for code in ["USD", "EUR", "GBP"] {
        if let Some(rest) = upper.strip_prefix(code) {
            return text[text.len() - rest.len()..].to_string();
        }
        if upper.ends_with(code) {
            return text[..text.len() - code.len()].to_string();
        }
    }
    text.to_string()
}

/// Splits a trailing `k`, `m`, `mm`, `mn`, `b`, `bn`, `million` or
/// `billion` into a power of ten.
fn split_multiplier(text: &str) -> (&str, u32) {
    let lower = text.to_ascii_lowercase();
    let suffixes = [
        ("billion", 9),
        ("million", 6),
        ("thousand", 3),
        ("bn", 9),
        ("mm", 6),
        ("mn", 6),
        ("k", 3),
        ("m", 6),
        ("b", 9),
    ];
    for (suffix, exponent) in suffixes {
        if lower.ends_with(suffix) && lower.len() > suffix.len() {
            return (&text[..text.len() - suffix.len()], exponent);
        }
    }
    (text, 0)
}

/// Splits `1,200,000.50` into `("1200000", "50")`. Commas must group three
/// digits; a lone comma such as `12,5` is ambiguous and rejected.
fn split_decimal(text: &str) -> Result<(String, String), String> {
    let dots = text.matches('.').count();
    let (whole, fraction) = if dots > 1 {
        (check_groups(text, '.')?, String::new())
    } else {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        (whole.to_string(), fraction.to_string())
    };
    let whole = if whole.contains(',') {
        check_groups(&whole, ',')?
    } else {
        whole
    };
    Ok((whole, fraction))
}

fn check_groups(text: &str, separator: char) -> Result<String, String> {
    let groups: Vec<&str> = text.split(separator).collect();
    let valid = !groups[0].is_empty()
        && groups[0].len() <= 3
        && groups[1..].iter().all(|group| group.len() == 3);
    if !valid {
        return Err(format!(
            "has a `{separator}` that is not a thousands separator; give digits such as 1200.5"
        ));
    }
    Ok(groups.concat())
}

/// Multiplies `whole.fraction` by `10^exponent` on the digits, without
/// floating point, and trims zeros.
fn scale(whole: &str, fraction: &str, exponent: u32) -> String {
    let shift = (exponent as usize).min(fraction.len());
    let mut integer_part = format!("{whole}{}", &fraction[..shift]);
    integer_part.push_str(&"0".repeat(exponent as usize - shift));
    let fraction_part = fraction[shift..].trim_end_matches('0');
    let integer_part = integer_part.trim_start_matches('0');
    let integer_part = if integer_part.is_empty() {
        "0"
    } else {
        integer_part
    };
    if fraction_part.is_empty() {
        integer_part.to_string()
    } else {
        format!("{integer_part}.{fraction_part}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_become_plain_digits() {
        let cases = [
            ("1200", true, "1200"),
            ("1,200", true, "1200"),
            ("1.200.000", true, "1200000"),
            (" 250 ", true, "250"),
            ("1.2M", false, "1200000"),
            ("1.2k", true, "1200"),
            ("$3.5 million", false, "3500000"),
            ("€2bn", false, "2000000000"),
            ("1200000.50", false, "1200000.5"),
            ("USD 1,500,000", false, "1500000"),
            ("0.75", false, "0.75"),
            ("007", true, "7"),
        ];
        for (input, integer, expected) in cases {
            assert_eq!(
                to_hubspot_number(input, integer).as_deref(),
                Ok(expected),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn unmappable_numbers_are_rejected() {
        let cases = [
            ("12,5", false),
            ("1.2e3", false),
            ("50-200", true),
            ("1000+", true),
            ("-5", true),
            ("12.5", true),
            ("lots", true),
            ("", true),
            ("M", false),
        ];
        for (input, integer) in cases {
            assert!(
                to_hubspot_number(input, integer).is_err(),
                "{input:?} should be rejected"
            );
        }
    }
}

//! Client-side checks of the rules the API documents, run before any I/O so that bad input
//! fails fast with an error naming the field and the rule, and nothing is sent.

use phonenumber::country;

use crate::error::{Error, Result};

/// The documented maximum length of `initial_greeting`, in characters.
pub const MAX_GREETING_CHARS: usize = 2000;
/// The documented maximum number of contacts in one campaign request.
pub const MAX_CONTACTS_PER_REQUEST: usize = 10_000;
/// The documented range of `per_page`.
pub const PER_PAGE_RANGE: std::ops::RangeInclusive<u32> = 1..=100;

/// `agent_` followed by at least one letter, digit, `_` or `-` (every documented example has
/// that form; the docs say "agent_<alphanumeric-string>").
pub(crate) fn agent_uuid(field: &str, value: &str) -> Result<()> {
    let rest = value.strip_prefix("agent_").ok_or_else(|| {
        Error::validation(
            field,
            "must start with `agent_` (e.g. agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og)",
        )
    })?;
    if rest.is_empty()
        || !rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(Error::validation(
            field,
            "must be `agent_` followed by letters, digits, `_` or `-`",
        ));
    }
    Ok(())
}

/// An ISO 3166-1 alpha-2 code known to the phone-number metadata (upper case, e.g. `IN`).
pub(crate) fn country_code(field: &str, value: &str) -> Result<country::Id> {
    let known = value.len() == 2 && value.chars().all(|c| c.is_ascii_uppercase());
    known
        .then(|| value.parse::<country::Id>().ok())
        .flatten()
        .ok_or_else(|| {
            Error::validation(
                field,
                format!("`{value}` is not an ISO 3166-1 alpha-2 country code (e.g. IN, US)"),
            )
        })
}

/// Digits only, without country code, and a plausible number for `country` (checked with the
/// `phonenumber` crate, a port of Google's libphonenumber).
pub(crate) fn national_number(field: &str, value: &str, country: country::Id) -> Result<()> {
    if value.is_empty() || !value.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::validation(
            field,
            "must be digits only, without country code, spaces or `+`",
        ));
    }
    let plausible = phonenumber::parse(Some(country), value)
        .map(|number| phonenumber::is_valid(&number))
        .unwrap_or(false);
    if !plausible {
        return Err(Error::validation(
            field,
            format!("`{value}` is not a valid phone number for {country:?}"),
        ));
    }
    Ok(())
}

/// A number the API normalizes itself (DND, campaign contacts): `9876543210` or
/// `+919876500000`. Digits with an optional leading `+`; with `+`, a valid international
/// number.
pub(crate) fn loose_phone(field: &str, value: &str) -> Result<()> {
    let digits = value.strip_prefix('+').unwrap_or(value);
    if digits.len() < 3 || digits.len() > 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::validation(
            field,
            "must be 3 to 15 digits, optionally after a leading `+` (e.g. 9876543210 or +919876543210)",
        ));
    }
    if value.starts_with('+') {
        let valid = phonenumber::parse(None, value)
            .map(|number| phonenumber::is_valid(&number))
            .unwrap_or(false);
        if !valid {
            return Err(Error::validation(
                field,
                format!("`{value}` is not a valid international phone number"),
            ));
        }
    }
    Ok(())
}

/// An `http` or `https` URL with a host.
pub(crate) fn webhook_url(field: &str, value: &str) -> Result<()> {
    let url = url::Url::parse(value)
        .map_err(|e| Error::validation(field, format!("is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(Error::validation(
            field,
            "must be an http or https URL with a host",
        ));
    }
    Ok(())
}

/// A whole number in `range`.
pub(crate) fn in_range(
    field: &str,
    value: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<()> {
    if !range.contains(&value) {
        return Err(Error::validation(
            field,
            format!(
                "must be between {} and {}, got {value}",
                range.start(),
                range.end()
            ),
        ));
    }
    Ok(())
}

/// At most `max` characters.
pub(crate) fn max_chars(field: &str, value: &str, max: usize) -> Result<()> {
    let count = value.chars().count();
    if count > max {
        return Err(Error::validation(
            field,
            format!("must be at most {max} characters, got {count}"),
        ));
    }
    Ok(())
}

/// Not empty after trimming whitespace.
pub(crate) fn non_empty(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::validation(field, "must not be empty"));
    }
    Ok(())
}

/// `per_page` within [`PER_PAGE_RANGE`].
pub(crate) fn per_page(value: u32) -> Result<()> {
    in_range(
        "per_page",
        i64::from(value),
        i64::from(*PER_PAGE_RANGE.start())..=i64::from(*PER_PAGE_RANGE.end()),
    )
}

/// A page number, 1-based.
pub(crate) fn page(value: u32) -> Result<()> {
    in_range("page", i64::from(value), 1..=i64::from(u32::MAX))
}

/// A JSON object (not an array or a scalar).
pub(crate) fn json_object(
    field: &str,
    value: serde_json::Value,
) -> Result<serde_json::Map<String, serde_json::Value>> {
    match value {
        serde_json::Value::Object(map) => Ok(map),
        other => Err(Error::validation(
            field,
            format!("must be a JSON object, got {}", json_kind(&other)),
        )),
    }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(result: Result<impl std::fmt::Debug>) -> String {
        match result {
            Err(Error::Validation { field, rule }) => format!("{field}: {rule}"),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn agent_uuid_form() {
        assert!(agent_uuid("agent_uuid", "agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og").is_ok());
        assert_eq!(
            rule(agent_uuid("agent_uuid", "IsZ3Q6Sf")),
            "agent_uuid: must start with `agent_` (e.g. agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og)"
        );
        assert!(agent_uuid("agent_uuid", "agent_").is_err());
        assert!(agent_uuid("agent_uuid", "agent_a b").is_err());
    }

    #[test]
    fn country_codes_and_national_numbers() {
        let india = country_code("country_code", "IN").unwrap();
        assert!(national_number("phone_number", "9876543210", india).is_ok());
        assert_eq!(
            rule(country_code("country_code", "XX")),
            "country_code: `XX` is not an ISO 3166-1 alpha-2 country code (e.g. IN, US)"
        );
        assert!(country_code("country_code", "in").is_err());
        assert!(country_code("country_code", "IND").is_err());
        assert_eq!(
            rule(national_number("phone_number", "+919876543210", india)),
            "phone_number: must be digits only, without country code, spaces or `+`"
        );
        assert_eq!(
            rule(national_number("phone_number", "12345", india)),
            "phone_number: `12345` is not a valid phone number for IN"
        );
    }

    #[test]
    fn loose_phones() {
        assert!(loose_phone("phone", "9876543210").is_ok());
        assert!(loose_phone("phone", "+919876500000").is_ok());
        assert!(loose_phone("phone", "98-76").is_err());
        assert!(loose_phone("phone", "+1").is_err());
        assert!(loose_phone("phone", "+999999999999").is_err());
    }

    #[test]
    fn urls_ranges_lengths() {
        assert!(webhook_url("webhook_url", "https://example.com/hook").is_ok());
        assert!(webhook_url("webhook_url", "http://10.0.0.1:8080/x").is_ok());
        assert!(webhook_url("webhook_url", "ftp://example.com").is_err());
        assert!(webhook_url("webhook_url", "mailto:a@b.c").is_err());
        assert!(webhook_url("webhook_url", "example.com").is_err());
        assert!(in_range("x", 30, 30..=1800).is_ok());
        assert_eq!(
            rule(in_range("x", 29, 30..=1800)),
            "x: must be between 30 and 1800, got 29"
        );
        assert!(max_chars("g", &"é".repeat(2000), 2000).is_ok());
        assert!(max_chars("g", &"é".repeat(2001), 2000).is_err());
        assert!(non_empty("c", "  ").is_err());
        assert!(per_page(100).is_ok());
        assert!(per_page(0).is_err() && per_page(101).is_err());
        assert_eq!(
            rule(json_object("additional_data", serde_json::json!([1]))),
            "additional_data: must be a JSON object, got an array"
        );
    }
}

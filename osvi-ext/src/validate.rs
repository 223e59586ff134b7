//! Client-side checks of the rules the API documents, run before any I/O so that bad input
//! fails fast with an error naming the field and the rule, and nothing is sent.
//!
//! The rules come from the spec: [`string`], [`integer`] and [`array`] apply the
//! `minLength`/`maxLength`/`pattern`/`format`, `minimum`/`maximum` and `minItems`/`maxItems`
//! that `cargo xtask regen` writes to `osvi_generated::spec::rules`, so a limit changed in
//! `openapi/osvi.yaml` changes the SDK after regen.
//!
//! **Never stricter than the API.** Nothing beyond the spec's own rules is checked: whether a
//! phone number is plausible for its country, or whether a country code exists, is left to
//! the server, which answers `400` ([`Error::BadRequest`]). The phone rules are those of
//! the spec: a call's `phone_number` is digits only (`^[0-9]+$`, without the country code);
//! the `phone` of DND entries and campaign contacts is 3 to 15 digits with an optional
//! leading `+`, spaces, dots, dashes and parentheses allowed between them
//! (`+1 555 111 2222`, `+91-98765-43210`, `9876543210`).

use osvi_generated::spec::rules;
use osvi_generated::{ArrayRule, IntegerRule, StringRule};

use crate::error::{Error, Result};
use crate::pattern;

/// The documented maximum length of `initial_greeting`, in characters (from the spec).
pub const MAX_GREETING_CHARS: usize =
    osvi_generated::limit(rules::call_request::INITIAL_GREETING.max_length);
/// The documented maximum number of contacts in one campaign request (from the spec).
pub const MAX_CONTACTS_PER_REQUEST: usize =
    osvi_generated::limit(rules::campaign_contacts_request::CONTACTS.max_items);

/// `value` of `field` against the spec's `rule`: length in characters, pattern, and format
/// (`uri`: an absolute URL).
pub(crate) fn string(field: &str, value: &str, rule: &StringRule) -> Result<()> {
    if rule.min_length.is_some() || rule.max_length.is_some() {
        let count = value.chars().count() as i64;
        match (rule.min_length, rule.max_length) {
            (Some(1), _) if count == 0 => {
                return Err(Error::validation(field, "must not be empty"));
            }
            (Some(min), _) if count < min => {
                return Err(Error::validation(
                    field,
                    format!("must be at least {min} characters, got {count}"),
                ));
            }
            (_, Some(max)) if count > max => {
                return Err(Error::validation(
                    field,
                    format!("must be at most {max} characters, got {count}"),
                ));
            }
            _ => {}
        }
    }
    if let Some(pattern) = rule.pattern
        && !pattern::matches(pattern, value)?
    {
        let rule = match rule.example {
            Some(example) => format!("must match `{pattern}` (e.g. {example})"),
            None => format!("must match `{pattern}`"),
        };
        return Err(Error::validation(field, rule));
    }
    if rule.format == Some("uri") && url::Url::parse(value).is_err() {
        return Err(Error::validation(field, "must be an absolute URL"));
    }
    Ok(())
}

/// `value` of `field` within the spec's `minimum`/`maximum`.
pub(crate) fn integer(field: &str, value: i64, rule: &IntegerRule) -> Result<()> {
    let message = match (rule.minimum, rule.maximum) {
        (Some(min), Some(max)) if !(min..=max).contains(&value) => {
            format!("must be between {min} and {max}, got {value}")
        }
        (Some(min), None) if value < min => format!("must be at least {min}, got {value}"),
        (None, Some(max)) if value > max => format!("must be at most {max}, got {value}"),
        _ => return Ok(()),
    };
    Err(Error::validation(field, message))
}

/// An array of `len` items within the spec's `minItems`/`maxItems`.
pub(crate) fn array(field: &str, len: usize, rule: &ArrayRule) -> Result<()> {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    if let Some(min) = rule.min_items
        && len < min
    {
        return Err(Error::validation(
            field,
            format!("must hold at least {min} item(s), got {len}"),
        ));
    }
    if let Some(max) = rule.max_items
        && len > max
    {
        return Err(Error::validation(
            field,
            format!("must hold at most {max} items, got {len}"),
        ));
    }
    Ok(())
}

/// A country code of the spec's form (`^[A-Za-z]{2}$`, either case), returned upper-cased
/// as it is sent. Whether the country exists is the server's to say.
pub(crate) fn country_code(field: &str, value: &str, rule: &StringRule) -> Result<String> {
    string(field, value, rule)?;
    Ok(value.to_ascii_uppercase())
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

/// A string that must not be empty or blank where the API documents it as required, for
/// the fields the spec gives no rule (the operator message of `support`).
pub(crate) fn non_empty(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::validation(field, "must not be empty"));
    }
    Ok(())
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
    fn both_lists_share_the_page_rules() {
        assert_eq!(rules::list_calls::PAGE, rules::list_dnd_numbers::PAGE);
        assert_eq!(
            rules::list_calls::PER_PAGE,
            rules::list_dnd_numbers::PER_PAGE
        );
    }

    #[test]
    fn every_pattern_of_the_spec_compiles() {
        for pattern in rules::PATTERNS {
            assert!(pattern::matches(pattern, "").is_ok(), "{pattern}");
        }
    }

    #[test]
    fn agent_ids_follow_the_pattern_of_the_spec() {
        let agent = &rules::call_request::AGENT_UUID;
        assert!(string("agent_uuid", "agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og", agent).is_ok());
        assert_eq!(
            rule(string("agent_uuid", "IsZ3Q6Sf", agent)),
            "agent_uuid: must match `^agent_[A-Za-z0-9_-]+$` (e.g. agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og)"
        );
        assert!(string("agent_uuid", "agent_", agent).is_err());
        assert!(string("agent_uuid", "agent_a b", agent).is_err());
    }

    #[test]
    fn country_codes_either_case_and_digit_only_numbers() {
        let code = &rules::call_request::COUNTRY_CODE;
        let number = &rules::call_request::PHONE_NUMBER;
        assert_eq!(country_code("country_code", "in", code).unwrap(), "IN");
        // Whether `XX` is a country is the server's to say (it answers 400).
        assert_eq!(country_code("country_code", "XX", code).unwrap(), "XX");
        assert!(country_code("country_code", "IND", code).is_err());
        assert!(string("phone_number", "9876543210", number).is_ok());
        // The docs' US example: not a valid number by phone metadata, but digits only.
        assert!(string("phone_number", "5551112222", number).is_ok());
        assert_eq!(
            rule(string("phone_number", "+919876543210", number)),
            "phone_number: must match `^[0-9]+$` (e.g. 9876543210)"
        );
    }

    #[test]
    fn urls_ranges_lengths_items() {
        let url = &rules::call_request::WEBHOOK_URL;
        assert!(string("webhook_url", "https://example.com/hook", url).is_ok());
        assert!(string("webhook_url", "http://10.0.0.1:8080/x", url).is_ok());
        assert!(string("webhook_url", "ftp://example.com", url).is_err());
        assert!(string("webhook_url", "mailto:a@b.c", url).is_err());
        assert!(string("webhook_url", "example.com", url).is_err());
        let duration = &rules::call_config_overrides::MAX_CALL_DURATION_SECONDS;
        assert!(integer("x", 30, duration).is_ok());
        assert_eq!(
            rule(integer("x", 29, duration)),
            "x: must be between 30 and 1800, got 29"
        );
        let greeting = &rules::call_request::INITIAL_GREETING;
        assert!(string("g", &"é".repeat(2000), greeting).is_ok());
        assert_eq!(
            rule(string("g", &"é".repeat(2001), greeting)),
            "g: must be at most 2000 characters, got 2001"
        );
        let contacts = &rules::campaign_contacts_request::CONTACTS;
        assert_eq!(
            rule(array("contacts", 0, contacts)),
            "contacts: must hold at least 1 item(s), got 0"
        );
        assert!(array("contacts", 10_000, contacts).is_ok());
        assert!(array("contacts", 10_001, contacts).is_err());
        assert_eq!(
            rule(json_object("additional_data", serde_json::json!([1]))),
            "additional_data: must be a JSON object, got an array"
        );
    }
}

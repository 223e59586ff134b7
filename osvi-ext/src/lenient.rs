//! Reading fields whose JSON type the spec only assumes (`x-osvi-assumed` on a scalar): the
//! generated field is a `serde_json::Value`, and these functions take any plausible JSON type
//! for it, so a number sent as a string (or the reverse) is read, not refused.

use serde_json::Value;

/// A string from a string, a number or a boolean (as written); `None` for `null`, absent, or
/// a list or object (which no plausible reading turns into one string).
pub(crate) fn string(value: Option<Value>) -> Option<String> {
    match value? {
        Value::String(text) => Some(text),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// An integer from an integer, a whole float (`30.0`) or a string holding one (`"30"`);
/// `None` for anything else.
pub(crate) fn integer(value: Option<Value>) -> Option<i64> {
    match value? {
        Value::Number(number) => number.as_i64().or_else(|| whole(number.as_f64()?)),
        Value::String(text) => {
            let text = text.trim();
            text.parse::<i64>()
                .ok()
                .or_else(|| whole(text.parse::<f64>().ok()?))
        }
        _ => None,
    }
}

/// `value` as an `i64` when it is a whole number within range.
fn whole(value: f64) -> Option<i64> {
    let in_range = value.is_finite() && value.fract() == 0.0 && value.abs() < 9.0e18;
    in_range.then_some(value as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_from_any_scalar() {
        assert_eq!(string(Some(json!("dormant"))).as_deref(), Some("dormant"));
        assert_eq!(string(Some(json!(7))).as_deref(), Some("7"));
        assert_eq!(string(Some(json!(true))).as_deref(), Some("true"));
        assert_eq!(string(Some(json!(null))), None);
        assert_eq!(string(Some(json!({"a": 1}))), None);
        assert_eq!(string(None), None);
    }

    #[test]
    fn integers_from_numbers_and_numeric_strings() {
        assert_eq!(integer(Some(json!(1800))), Some(1800));
        assert_eq!(integer(Some(json!(1800.0))), Some(1800));
        assert_eq!(integer(Some(json!(" 1800 "))), Some(1800));
        assert_eq!(integer(Some(json!("1800.0"))), Some(1800));
        assert_eq!(integer(Some(json!(1.5))), None);
        assert_eq!(integer(Some(json!("soon"))), None);
        assert_eq!(integer(Some(json!(1e300))), None);
        assert_eq!(integer(Some(json!(true))), None);
    }
}

//! [`Lenient`], the type of every optional scalar field of an answer: what the docs show only
//! through an example value is read in every plausible JSON form, and a form no reading turns
//! into the field's type is kept as sent instead of making the whole answer unreadable.
//!
//! The forms read (anything else is [`Lenient::Unread`]):
//! - integers ([`LenientInt`]): a JSON integer, a float without a fraction (`42.0`), a string
//!   holding either (`"42"`, `" 42.0 "`);
//! - floats ([`LenientFloat`]): any JSON number, a string holding one;
//! - booleans ([`LenientBool`]): `true`/`false`, the strings `"true"`/`"false"` (any case);
//! - text ([`LenientText`]): a string, a number or a boolean as written (`7` → `"7"`);
//! - timestamps ([`LenientTime`]): RFC 3339 (`2026-06-12T09:30:00+05:30`), the same with a
//!   space instead of `T`, a date and time without a zone (`2026-06-12 09:30:00`, **read as
//!   UTC**), or epoch seconds (a number or a numeric string).
//!
//! `null` and an absent field are `None` of the surrounding `Option`, not a `Lenient`.
//! `cargo xtask regen` gives every optional scalar property of a received schema one of these
//! types (the normalize rule "received scalars are read leniently").

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::Timestamp;

/// An answer field read leniently: its value, or what was sent when no reading fits.
#[derive(Clone, Debug, PartialEq)]
pub enum Lenient<T> {
    /// The field, read as its type.
    Read(T),
    /// A value of a form no reading turns into the type (a word where a number was
    /// expected, a timestamp in an unknown format), kept exactly as sent. Boxed so that a
    /// `Lenient<T>` is no larger than it must be (the usual case is `Read`).
    Unread(Box<Value>),
}

/// An integer field of an answer.
pub type LenientInt = Lenient<i64>;
/// A floating-point field of an answer.
pub type LenientFloat = Lenient<f64>;
/// A boolean field of an answer.
pub type LenientBool = Lenient<bool>;
/// A text field of an answer.
pub type LenientText = Lenient<String>;
/// A timestamp field of an answer.
pub type LenientTime = Lenient<Timestamp>;

impl<T> Lenient<T> {
    /// The value, if it was read.
    #[inline]
    pub fn into_read(self) -> Option<T> {
        match self {
            Lenient::Read(value) => Some(value),
            Lenient::Unread(_) => None,
        }
    }
}

/// The `success` of an answer that states it twice (top level and inside `data`, as older
/// legacy answers do): `false` if either says so, else whichever is known.
pub fn both(top: Option<bool>, nested: Option<bool>) -> Option<bool> {
    match (top, nested) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (top, nested) => top.or(nested),
    }
}

impl<T> From<T> for Lenient<T> {
    fn from(value: T) -> Self {
        Lenient::Read(value)
    }
}

impl From<&str> for Lenient<String> {
    fn from(value: &str) -> Self {
        Lenient::Read(value.to_string())
    }
}

impl From<DateTime<Utc>> for Lenient<Timestamp> {
    fn from(value: DateTime<Utc>) -> Self {
        Lenient::Read(Timestamp(value))
    }
}

/// The readings of one scalar type from each JSON form (`None`: not this type).
pub trait Scalar: Sized {
    /// What serde's error says was expected.
    const EXPECTED: &'static str;
    /// From a JSON integer.
    fn from_i64(value: i64) -> Option<Self>;
    /// From a JSON integer above `i64::MAX`.
    #[inline]
    fn from_u64(value: u64) -> Option<Self> {
        Self::from_f64(value as f64)
    }
    /// From a JSON number with a fraction or exponent.
    fn from_f64(value: f64) -> Option<Self>;
    /// From a JSON boolean.
    fn from_bool(value: bool) -> Option<Self>;
    /// From a JSON string.
    fn from_text(text: &str) -> Option<Self>;
}

impl Scalar for i64 {
    const EXPECTED: &'static str = "an integer";
    #[inline]
    fn from_i64(value: i64) -> Option<Self> {
        Some(value)
    }
    #[inline]
    fn from_u64(value: u64) -> Option<Self> {
        i64::try_from(value).ok()
    }
    #[inline]
    fn from_f64(value: f64) -> Option<Self> {
        let whole = value.is_finite() && value.fract() == 0.0 && value.abs() < 9.0e18;
        whole.then_some(value as i64)
    }
    #[inline]
    fn from_bool(_: bool) -> Option<Self> {
        None
    }
    #[inline]
    fn from_text(text: &str) -> Option<Self> {
        let text = text.trim();
        text.parse()
            .ok()
            .or_else(|| Self::from_f64(text.parse().ok()?))
    }
}

impl Scalar for f64 {
    const EXPECTED: &'static str = "a number";
    #[inline]
    fn from_i64(value: i64) -> Option<Self> {
        Some(value as f64)
    }
    #[inline]
    fn from_f64(value: f64) -> Option<Self> {
        Some(value)
    }
    #[inline]
    fn from_bool(_: bool) -> Option<Self> {
        None
    }
    #[inline]
    fn from_text(text: &str) -> Option<Self> {
        text.trim().parse().ok().filter(|n: &f64| n.is_finite())
    }
}

impl Scalar for bool {
    const EXPECTED: &'static str = "a boolean";
    #[inline]
    fn from_i64(_: i64) -> Option<Self> {
        None
    }
    #[inline]
    fn from_f64(_: f64) -> Option<Self> {
        None
    }
    #[inline]
    fn from_bool(value: bool) -> Option<Self> {
        Some(value)
    }
    #[inline]
    fn from_text(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("true") {
            Some(true)
        } else if text.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            None
        }
    }
}

impl Scalar for String {
    const EXPECTED: &'static str = "text";
    #[inline]
    fn from_i64(value: i64) -> Option<Self> {
        Some(value.to_string())
    }
    #[inline]
    fn from_u64(value: u64) -> Option<Self> {
        Some(value.to_string())
    }
    #[inline]
    fn from_f64(value: f64) -> Option<Self> {
        serde_json::Number::from_f64(value).map(|n| n.to_string())
    }
    #[inline]
    fn from_bool(value: bool) -> Option<Self> {
        Some(value.to_string())
    }
    #[inline]
    fn from_text(text: &str) -> Option<Self> {
        Some(text.to_string())
    }
}

impl Scalar for Timestamp {
    const EXPECTED: &'static str = "a timestamp";
    #[inline]
    fn from_i64(value: i64) -> Option<Self> {
        DateTime::from_timestamp(value, 0).map(Timestamp)
    }
    #[inline]
    fn from_f64(value: f64) -> Option<Self> {
        if !value.is_finite() || value.abs() > 1.0e14 {
            return None;
        }
        let (seconds, fraction) = (value.floor(), value - value.floor());
        let nanos = ((fraction * 1e9).round() as u32).min(999_999_999);
        DateTime::from_timestamp(seconds as i64, nanos).map(Timestamp)
    }
    #[inline]
    fn from_bool(_: bool) -> Option<Self> {
        None
    }
    #[inline]
    fn from_text(text: &str) -> Option<Self> {
        if let Ok(time) = Timestamp::from_str(text) {
            return Some(time);
        }
        let text = text.trim();
        if let Ok(time) = Timestamp::from_str(text) {
            return Some(time);
        }
        for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
            if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
                return Some(Timestamp(naive.and_utc()));
            }
        }
        let epoch = text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
        if epoch && !text.is_empty() {
            return Self::from_f64(text.parse().ok()?);
        }
        None
    }
}

impl<T: serde::Serialize> serde::Serialize for Lenient<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Lenient::Read(value) => value.serialize(serializer),
            Lenient::Unread(raw) => raw.serialize(serializer),
        }
    }
}

impl<'de, T: Scalar> serde::Deserialize<'de> for Lenient<T> {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientVisitor(std::marker::PhantomData))
    }
}

/// An unreadable value, boxed (rare: out of the way of the inlined common case).
#[cold]
#[inline(never)]
fn unread<T>(raw: Value) -> Lenient<T> {
    Lenient::Unread(Box::new(raw))
}

/// Reads any JSON value: the scalar's readings first, the value as sent otherwise.
struct LenientVisitor<T>(std::marker::PhantomData<T>);

impl<T> LenientVisitor<T> {
    #[inline(always)]
    fn pick(read: Option<T>, raw: impl FnOnce() -> Value) -> Lenient<T> {
        match read {
            Some(value) => Lenient::Read(value),
            None => unread(raw()),
        }
    }
}

impl<'de, T: Scalar> Visitor<'de> for LenientVisitor<T> {
    type Value = Lenient<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTED)
    }

    #[inline]
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(Self::pick(T::from_i64(value), || Value::from(value)))
    }

    #[inline]
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(Self::pick(T::from_u64(value), || Value::from(value)))
    }

    #[inline]
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(Self::pick(T::from_f64(value), || Value::from(value)))
    }

    #[inline]
    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(Self::pick(T::from_bool(value), || Value::Bool(value)))
    }

    #[inline]
    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Self::pick(T::from_text(text), || Value::from(text)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient::Unread(Box::new(Value::Null)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let raw = serde::Deserialize::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Lenient::Unread(Box::new(raw)))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let raw = serde::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Lenient::Unread(Box::new(raw)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read<T: Scalar>(value: Value) -> Lenient<T> {
        serde_json::from_value(value).unwrap_or_else(|e| panic!("{e}"))
    }

    fn time(text: &str) -> Timestamp {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn integers_from_whole_floats_and_numeric_strings() {
        for form in [json!(42), json!(42.0), json!("42"), json!(" 42.0 ")] {
            assert_eq!(read::<i64>(form.clone()), Lenient::Read(42), "{form}");
        }
        for form in [
            json!(42.5),
            json!("soon"),
            json!(true),
            json!([1]),
            json!(1e300),
        ] {
            assert_eq!(
                read::<i64>(form.clone()),
                Lenient::Unread(Box::new(form.clone())),
                "{form}"
            );
        }
    }

    #[test]
    fn booleans_from_their_words() {
        assert_eq!(read::<bool>(json!("true")), Lenient::Read(true));
        assert_eq!(read::<bool>(json!("False")), Lenient::Read(false));
        assert_eq!(read::<bool>(json!(false)), Lenient::Read(false));
        assert_eq!(read::<bool>(json!(1)), Lenient::Unread(Box::new(json!(1))));
    }

    #[test]
    fn text_from_any_scalar() {
        assert_eq!(read::<String>(json!(7)), Lenient::Read("7".into()));
        assert_eq!(read::<String>(json!(1.5)), Lenient::Read("1.5".into()));
        assert_eq!(read::<String>(json!(true)), Lenient::Read("true".into()));
        assert_eq!(
            read::<String>(json!({"a": 1})),
            Lenient::Unread(Box::new(json!({"a": 1})))
        );
    }

    #[test]
    fn floats_from_numbers_and_strings() {
        assert_eq!(read::<f64>(json!(2)), Lenient::Read(2.0));
        assert_eq!(read::<f64>(json!("2.5")), Lenient::Read(2.5));
        assert_eq!(
            read::<f64>(json!("NaN")),
            Lenient::Unread(Box::new(json!("NaN")))
        );
    }

    #[test]
    fn timestamps_in_every_form_the_issue_names() {
        let utc = time("2026-06-12T09:30:00Z");
        for form in [
            json!("2026-06-12T09:30:00Z"),
            json!("2026-06-12T15:00:00+05:30"),
            json!("2026-06-12 09:30:00"),
            json!("2026-06-12T09:30:00"),
            json!("2026-06-12 09:30:00Z"),
            json!(utc.timestamp()),
            json!(utc.timestamp() as f64),
            json!(utc.timestamp().to_string()),
        ] {
            assert_eq!(
                read::<Timestamp>(form.clone()),
                Lenient::Read(utc),
                "{form}"
            );
        }
        assert_eq!(
            read::<Timestamp>(json!("2026-06-12 09:30:00.250")),
            Lenient::Read(time("2026-06-12T09:30:00.25Z"))
        );
        for form in [json!("next Tuesday"), json!(""), json!(true), json!(1e300)] {
            assert_eq!(
                read::<Timestamp>(form.clone()),
                Lenient::Unread(Box::new(form.clone())),
                "{form}"
            );
        }
    }

    #[test]
    fn a_read_value_serializes_as_itself_and_an_unread_one_as_sent() {
        let read = Lenient::Read(42i64);
        assert_eq!(serde_json::to_value(&read).ok(), Some(json!(42)));
        let unread: Lenient<i64> = Lenient::Unread(Box::new(json!("forty-two")));
        assert_eq!(serde_json::to_value(&unread).ok(), Some(json!("forty-two")));
    }

    #[test]
    fn a_lenient_field_is_no_larger_than_its_plain_type_needs() {
        use std::mem::size_of;
        assert_eq!(size_of::<Option<LenientText>>(), size_of::<String>());
        assert!(size_of::<Option<LenientInt>>() <= 16);
        assert!(size_of::<Option<LenientTime>>() <= 16);
    }

    #[test]
    fn optional_fields_keep_null_as_none() {
        #[derive(serde::Deserialize)]
        struct Answer {
            #[serde(default)]
            n: Option<LenientInt>,
        }
        let answer: Answer =
            serde_json::from_value(json!({"n": null})).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(answer.n, None);
        let answer: Answer = serde_json::from_value(json!({})).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(answer.n, None);
    }
}

//! [`Timestamp`], the type of every `format: date-time` field of the generated types: a
//! `chrono::DateTime<Utc>` whose decoding skips chrono's general-purpose parser for the one
//! shape servers send (`2026-06-12T09:30:00Z`, `2026-06-12T09:30:00.123+05:30`).
//!
//! chrono reads a timestamp through its format-item machinery, about 1,400 instructions each;
//! a call carries two or three, so that was 2% of a whole request's CPU in the benchmarks
//! (BENCHMARKS.md). The fast path below reads fixed positions instead. Any string it does not
//! recognise outright (leap seconds, lowercase `t` or `z`, a space for `T`, more than nine
//! fraction digits, an invalid date, ...) goes to chrono, so a `Timestamp` accepts exactly
//! what `DateTime<Utc>` accepts, with the same value, and fails with chrono's message.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

/// A point in time read from (and written as) an RFC 3339 timestamp. Derefs to
/// `chrono::DateTime<Utc>`; convert with `.into()` either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Deref for Timestamp {
    type Target = DateTime<Utc>;

    fn deref(&self) -> &DateTime<Utc> {
        &self.0
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(time: DateTime<Utc>) -> Self {
        Timestamp(time)
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(time: Timestamp) -> Self {
        time.0
    }
}

/// RFC 3339 in UTC with `Z` (`2026-06-12T04:00:00Z`), as serialized, so it parses back.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

impl FromStr for Timestamp {
    type Err = chrono::ParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Some(time) = fast(text) {
            return Ok(Timestamp(time));
        }
        text.parse::<DateTime<FixedOffset>>()
            .map(|time| Timestamp(time.with_timezone(&Utc)))
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Timestamp, E> {
                text.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)` read by position; `None` for anything else.
fn fast(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':')) {
        return None;
    }
    let date =
        NaiveDate::from_ymd_opt(number(b, 0, 4)? as i32, number(b, 5, 2)?, number(b, 8, 2)?)?;
    let (second, mut i) = (number(b, 17, 2)?, 19);
    let mut nanos = 0;
    if at(i, b'.') {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) {
            return None;
        }
        nanos = number(b, i + 1, digits)? * 10u32.pow(9 - digits as u32);
        i += 1 + digits;
    }
    let time = NaiveTime::from_hms_nano_opt(number(b, 11, 2)?, number(b, 14, 2)?, second, nanos)
        .filter(|_| second < 60)?;
    let offset = match b.get(i..)? {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (number(b, i + 1, 2)?, number(b, i + 4, 2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i64::from(hours * 3600 + minutes * 60);
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    let utc = NaiveDateTime::new(date, time).checked_sub_signed(TimeDelta::seconds(offset))?;
    Some(DateTime::from_naive_utc_and_offset(utc, Utc))
}

/// The decimal number in `b[start..start + len]`; `None` if any byte is not a digit.
fn number(b: &[u8], start: usize, len: usize) -> Option<u32> {
    b.get(start..start + len)?.iter().try_fold(0u32, |n, c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What chrono alone makes of `text`.
    fn chrono(text: &str) -> Option<DateTime<Utc>> {
        text.parse::<DateTime<FixedOffset>>()
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    #[test]
    fn the_fast_path_reads_what_servers_send_as_chrono_does() {
        for text in [
            "2026-06-12T09:30:00Z",
            "2026-06-12T09:30:00+05:30",
            "2026-06-12T09:30:00-08:00",
            "2026-06-12T09:30:00-00:00",
            "2026-06-12T09:30:00.1Z",
            "2026-06-12T09:30:00.123456+05:30",
            "2026-06-12T09:30:00.123456789Z",
            "2024-02-29T23:59:59+23:59",
            "0000-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-23:59",
        ] {
            assert!(fast(text).is_some(), "{text} took the slow path");
            assert_eq!(fast(text), chrono(text), "{text}");
        }
    }

    #[test]
    fn every_other_shape_is_chronos_answer() {
        for text in [
            "2026-06-12t09:30:00z",
            "2026-06-12 09:30:00Z",
            "2026-06-12T09:30:60Z",
            "2026-06-12T09:30:00.1234567891Z",
            "2026-06-12T09:30:00.Z",
            "2026-02-30T09:30:00Z",
            "2026-13-12T09:30:00Z",
            "2026-06-12T24:00:00Z",
            "2026-06-12T09:60:00Z",
            "2026-06-12T09:30:00+24:00",
            "2026-06-12T09:30:00+05:60",
            "2026-06-12T09:30:00+0530",
            "2026-06-12T09:30:00+05",
            "2026-06-12T09:30:00",
            "2026-06-12T09:30:00Zx",
            "+2026-06-12T09:30:00Z",
            "2026-6-12T09:30:00Z",
            "2026-06-12",
            "",
            "٢٠٢٦-06-12T09:30:00Z",
        ] {
            assert_eq!(
                text.parse::<Timestamp>().ok().map(|t| t.0),
                chrono(text),
                "{text}"
            );
        }
    }

    #[test]
    fn fraction_digits_and_offsets_all_agree_with_chrono() {
        let fractions = ["", ".5", ".05", ".123", ".000001", ".999999999"];
        let offsets = ["Z", "+00:00", "+05:30", "-03:45", "+14:00", "-12:00"];
        for day in ["1970-01-01", "2000-02-29", "2026-12-31"] {
            for clock in ["00:00:00", "12:34:56", "23:59:59"] {
                for fraction in fractions {
                    for offset in offsets {
                        let text = format!("{day}T{clock}{fraction}{offset}");
                        assert!(fast(&text).is_some(), "{text}");
                        assert_eq!(fast(&text), chrono(&text), "{text}");
                    }
                }
            }
        }
    }

    #[test]
    fn serde_round_trips_and_reports_chronos_error() {
        let time: Timestamp = serde_json::from_str("\"2026-06-12T09:30:00+05:30\"").unwrap();
        assert_eq!(time.to_rfc3339(), "2026-06-12T04:00:00+00:00");
        assert_eq!(
            serde_json::to_string(&time).unwrap(),
            serde_json::to_string(&time.0).unwrap()
        );
        assert_eq!(time.to_string(), "2026-06-12T04:00:00Z");
        assert_eq!(serde_json::to_string(&time).unwrap(), format!("\"{time}\""));
        assert_eq!(time.to_string().parse::<Timestamp>().unwrap(), time);
        let error = serde_json::from_str::<Timestamp>("\"yesterday\"").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("input contains invalid characters"),
            "{error}"
        );
    }
}

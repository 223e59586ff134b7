//! The spec's `pattern`s, compiled once. Most have one simple shape, `^literal[class]quantifier$`
//! (`^[0-9]+$`, `^[A-Za-z]{2}$`, `^agent_[A-Za-z0-9_-]+$`): those are checked directly,
//! character by character, which costs a few instructions per character where regex-lite's
//! engine cost ~9,000 per check (a call placement checks three). Any other pattern goes to
//! regex-lite. Both give the answer a JSON Schema `pattern` gives (the tests below compare the
//! direct check with regex-lite on every simple pattern of the spec, on random strings).

use std::sync::OnceLock;

use osvi_generated::spec::rules::PATTERNS;

use crate::error::{Error, Result};

/// A compiled pattern.
enum Matcher {
    Simple(Simple),
    Regex(regex_lite::Regex),
}

impl Matcher {
    fn compile(pattern: &str) -> std::result::Result<Matcher, String> {
        if let Some(simple) = Simple::parse(pattern) {
            return Ok(Matcher::Simple(simple));
        }
        regex_lite::Regex::new(pattern)
            .map(Matcher::Regex)
            .map_err(|e| e.to_string())
    }

    fn is_match(&self, value: &str) -> bool {
        match self {
            Matcher::Simple(simple) => simple.is_match(value),
            Matcher::Regex(regex) => regex.is_match(value),
        }
    }
}

/// `^prefix[class]{min,max}$`: an ASCII literal prefix, then between `min` and `max`
/// characters of an ASCII class (no negation, no escapes), then the end.
struct Simple {
    prefix: String,
    class: [bool; 128],
    min: usize,
    max: Option<usize>,
}

impl Simple {
    /// The simple form of `pattern`, or `None` when it has another shape.
    fn parse(pattern: &str) -> Option<Simple> {
        let body = pattern.strip_prefix('^')?.strip_suffix('$')?;
        let (prefix, rest) = body.split_once('[')?;
        if !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return None;
        }
        let (class, quantifier) = rest.split_once(']')?;
        let class = parse_class(class)?;
        let (min, max) = parse_quantifier(quantifier)?;
        Some(Simple {
            prefix: prefix.to_string(),
            class,
            min,
            max,
        })
    }

    fn is_match(&self, value: &str) -> bool {
        let Some(rest) = value.strip_prefix(self.prefix.as_str()) else {
            return false;
        };
        // All ASCII, so one byte is one character.
        let in_class = rest
            .bytes()
            .all(|b| self.class.get(usize::from(b)).copied().unwrap_or(false));
        in_class && rest.len() >= self.min && self.max.is_none_or(|max| rest.len() <= max)
    }
}

/// The ASCII characters of a class body (`A-Za-z0-9_-`): single characters and ranges; a
/// `-` first or last is itself. `None` for a negation, an escape or anything non-ASCII.
fn parse_class(body: &str) -> Option<[bool; 128]> {
    let chars: Vec<char> = body.chars().collect();
    if chars.is_empty() || chars[0] == '^' {
        return None;
    }
    let mut class = [false; 128];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !c.is_ascii() || c == '\\' || c == '[' {
            return None;
        }
        if i + 2 < chars.len() && chars[i + 1] == '-' {
            let end = chars[i + 2];
            if !end.is_ascii() || end == '\\' || end < c {
                return None;
            }
            for b in c as u8..=end as u8 {
                class[usize::from(b)] = true;
            }
            i += 3;
        } else {
            class[c as usize] = true;
            i += 1;
        }
    }
    Some(class)
}

/// `+`, `*`, `{n}`, `{n,}` or `{n,m}` as (min, max).
fn parse_quantifier(quantifier: &str) -> Option<(usize, Option<usize>)> {
    match quantifier {
        "+" => Some((1, None)),
        "*" => Some((0, None)),
        _ => {
            let inner = quantifier.strip_prefix('{')?.strip_suffix('}')?;
            match inner.split_once(',') {
                None => {
                    let n = inner.parse().ok()?;
                    Some((n, Some(n)))
                }
                Some((min, "")) => Some((min.parse().ok()?, None)),
                Some((min, max)) => {
                    let (min, max) = (min.parse().ok()?, max.parse().ok()?);
                    (min <= max).then_some((min, Some(max)))
                }
            }
        }
    }
}

/// Whether `pattern` (from the spec) matches `value`, as JSON Schema reads it. The spec's
/// patterns ([`PATTERNS`]) are compiled once, on first use; any other is compiled each time.
pub(crate) fn matches(pattern: &str, value: &str) -> Result<bool> {
    static COMPILED: OnceLock<Vec<(&'static str, std::result::Result<Matcher, String>)>> =
        OnceLock::new();
    let compiled = COMPILED.get_or_init(|| {
        PATTERNS
            .iter()
            .map(|pattern| (*pattern, Matcher::compile(pattern)))
            .collect()
    });
    let fresh;
    let matcher = match compiled.iter().find(|(known, _)| *known == pattern) {
        Some((_, matcher)) => matcher,
        None => {
            fresh = Matcher::compile(pattern);
            &fresh
        }
    };
    match matcher {
        Ok(matcher) => Ok(matcher.is_match(value)),
        Err(e) => Err(Error::config(format!(
            "the spec's pattern `{pattern}` does not compile: {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_simple(pattern: &str) -> bool {
        Simple::parse(pattern).is_some()
    }

    fn regex_matches(pattern: &str, value: &str) -> Option<bool> {
        regex_lite::Regex::new(pattern)
            .ok()
            .map(|regex| regex.is_match(value))
    }

    #[test]
    fn the_simple_shapes_are_read_and_the_rest_left_to_regex() {
        for pattern in [
            "^[0-9]+$",
            "^[A-Za-z]{2}$",
            "^agent_[A-Za-z0-9_-]+$",
            "^[a-c]{1,3}$",
        ] {
            assert!(is_simple(pattern), "{pattern}");
        }
        for pattern in [
            "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@]+",
            "^\\+?[ ().-]*([0-9][ ().-]*){3,15}$",
            "^[^a]+$",
            "[0-9]+$",
            "^[0-9]+",
            "^a.b[0-9]+$",
            "^[\\d]+$",
            "^[z-a]+$",
        ] {
            assert!(!is_simple(pattern), "{pattern}");
        }
    }

    #[test]
    fn simple_patterns_answer_as_regex_does() {
        let values = [
            "",
            "1",
            "12",
            "123",
            "a",
            "ab",
            "AB",
            "aB1",
            "agent_",
            "agent_x",
            "agent_A-b_9",
            "agent_é",
            "Agent_x",
            "xagent_y",
            "9876543210",
            "98765 43210",
            "12\n",
            "é",
            "-",
            "_",
        ];
        for pattern in [
            "^[0-9]+$",
            "^[A-Za-z]{2}$",
            "^agent_[A-Za-z0-9_-]+$",
            "^[a-c-]{1,3}$",
            "^x[0-9]*$",
            "^[0-9]{2,}$",
        ] {
            for value in values {
                assert_eq!(
                    matches(pattern, value).unwrap(),
                    regex_matches(pattern, value).unwrap(),
                    "{pattern} on {value:?}"
                );
            }
        }
    }

    #[test]
    fn the_spec_s_simple_patterns_answer_as_regex_does_on_random_strings() {
        let alphabet: Vec<char> = "agent_AZaz09-+ ().\né/".chars().collect();
        let mut rng = fastrand::Rng::with_seed(2026);
        let simple: Vec<&str> = PATTERNS.iter().copied().filter(|p| is_simple(p)).collect();
        assert!(simple.len() >= 3, "{simple:?}");
        for pattern in simple {
            for _ in 0..10_000 {
                let length = rng.usize(0..12);
                let mut value: String = (0..length)
                    .map(|_| alphabet[rng.usize(..alphabet.len())])
                    .collect();
                if rng.bool() {
                    value.insert_str(0, "agent_");
                }
                assert_eq!(
                    matches(pattern, &value).unwrap(),
                    regex_matches(pattern, &value).unwrap(),
                    "{pattern} on {value:?}"
                );
            }
        }
    }
}

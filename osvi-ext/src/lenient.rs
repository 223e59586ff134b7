//! Reading the generated answer fields of type [`Lenient`] (every optional scalar of an
//! answer, read from any plausible JSON form by osvi-generated) into the SDK's plain types,
//! keeping what could not be read where the user can see it: the `unreadable` map of the
//! answer type, by wire name, as sent.

use osvi_generated::Lenient;
use serde_json::{Map, Value};

/// The fields of one answer that arrived in a form no reading fits, by wire name.
#[derive(Default)]
pub(crate) struct Unreadable(Map<String, Value>);

impl Unreadable {
    /// The field's value as `U` (`None` when absent, `null`, or unreadable; an unreadable
    /// value is kept under `name`).
    #[inline(always)]
    pub(crate) fn read<T, U: From<T>>(
        &mut self,
        name: &str,
        field: Option<Lenient<T>>,
    ) -> Option<U> {
        match field? {
            Lenient::Read(value) => Some(U::from(value)),
            Lenient::Unread(raw) => {
                self.keep(name, *raw);
                None
            }
        }
    }

    /// Keeps an unreadable value (rare: out of the way of the inlined common case).
    #[cold]
    #[inline(never)]
    fn keep(&mut self, name: &str, raw: Value) {
        self.0.insert(name.to_string(), raw);
    }

    /// What was kept.
    pub(crate) fn into_map(self) -> Map<String, Value> {
        self.0
    }
}

/// The field's value, for answer types that keep no `unreadable` map: a text field (any
/// scalar reads as text, so only a list or object lands here) or a flag.
#[inline]
pub(crate) fn read<T>(field: Option<Lenient<T>>) -> Option<T> {
    field?.into_read()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn read_values_pass_and_unread_ones_are_kept_by_name() {
        let mut unreadable = Unreadable::default();
        let n: Option<i64> = unreadable.read("n", Some(Lenient::Read(4)));
        let m: Option<i64> =
            unreadable.read("m", Some(Lenient::<i64>::Unread(Box::new(json!("four")))));
        let absent: Option<i64> = unreadable.read("absent", None::<Lenient<i64>>);
        assert_eq!((n, m, absent), (Some(4), None, None));
        assert_eq!(Value::Object(unreadable.into_map()), json!({"m": "four"}));
    }
}

//! The two traits that turn a generated response body into what an operation returns:
//! [`Envelope`] says where a body keeps its `success` flag and its data, [`FromWire`] builds
//! the SDK's answer type from the generated wire type. They sit at the bottom of the crate:
//! the answer types implement them, the transport's decoding uses them.

use serde::de::DeserializeOwned;

/// A response body type: where its `success` flag and its data are. Envelope-less bodies
/// report no flag and are their own data.
pub(crate) trait Envelope: DeserializeOwned {
    /// What the operation returns once the envelope is removed.
    type Data;
    /// `(success, data)`.
    fn into_parts(self) -> (Option<bool>, Option<Self::Data>);
}

// The unwrapping of every success body, generated from the spec's response schemas
// (`cargo xtask regen`); only bodies the spec marks `x-osvi-envelope: hand-written` are
// implemented by hand, next to their answer type.
osvi_generated::impl_envelopes!(crate::wire::Envelope);

/// Conversion from a generated wire type into a domain type; `Err` names what is missing or
/// wrong, and becomes an [`Error::Decode`](crate::Error::Decode) that keeps the response's
/// status and body.
pub(crate) trait FromWire<W>: Sized {
    fn from_wire(wire: W) -> std::result::Result<Self, String>;
}

impl<W, T: FromWire<W>> FromWire<Vec<W>> for Vec<T> {
    fn from_wire(wire: Vec<W>) -> std::result::Result<Self, String> {
        wire.into_iter().map(T::from_wire).collect()
    }
}

/// An answer without data (`{success, message}`) returns `()`.
impl FromWire<()> for () {
    fn from_wire(_: ()) -> std::result::Result<Self, String> {
        Ok(())
    }
}

/// An answer that repeats an id the request named (a session id of the path, the call id of
/// a transcript). The docs show the echo, but an answer without it still answers that
/// request: the answer type's id is then the one sent.
pub(crate) trait Echo: Sized {
    /// The answer, its echoed id filled with `sent` when the answer had none.
    fn echo(self, sent: &str) -> Self;
}

/// Implements [`Echo`] for answer types whose echoed id is the `String` field named.
macro_rules! echoes {
    ($($answer:ty: $field:ident),* $(,)?) => {
        $(impl $crate::wire::Echo for $answer {
            fn echo(mut self, sent: &str) -> Self {
                if self.$field.is_empty() {
                    sent.clone_into(&mut self.$field);
                }
                self
            }
        })*
    };
}
pub(crate) use echoes;

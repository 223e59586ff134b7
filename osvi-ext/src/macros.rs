//! Crate-internal macros.

/// Defines a string enum of the API that keeps values it does not know in `Unknown(String)`,
/// so a value the server adds later never fails decoding. It (de)serializes as its wire
/// string, displays as it, and converts from any string. Each variant names the constant of
/// `osvi_generated::spec::enums` that holds its wire value, so the values come from the spec.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $wire:path, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )*
            /// A value this version of the SDK does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The value as it travels on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Unknown(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )*
                    other => Self::Unknown(other.to_string()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }
    };
}
pub(crate) use string_enum;

/// Makes a request builder awaitable: `builder.await` runs `builder.<method>().await`
/// (`send` for every operation; `run` for the waits). The future is boxed so that its type
/// can be named, and it is `Send` and `'static` (the builder owns what it needs).
macro_rules! awaitable {
    ($($builder:ty: $method:ident => $output:ty),* $(,)?) => {$(
        impl std::future::IntoFuture for $builder {
            type Output = crate::Result<$output>;
            type IntoFuture = std::pin::Pin<
                Box<dyn std::future::Future<Output = crate::Result<$output>> + Send>,
            >;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.$method())
            }
        }
    )*};
}
pub(crate) use awaitable;

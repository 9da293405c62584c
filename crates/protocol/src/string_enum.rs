//! Enums of string codes that a newer server may add to.
//!
//! A server is free to send a code this crate does not know yet: a new `errorType`, a new
//! per-user invite outcome. Such a value must still decode, so every such enum has a hidden
//! catch-all variant that keeps the code as it was sent. Its payload is [`PrivOwnedStr`], a type
//! users cannot name: code cannot match on the text of an unknown code (and silently stop
//! matching once that code gets a variant of its own); it compares [`as_str`] instead, which
//! keeps working when the variant arrives.
//!
//! [`as_str`]: crate::ErrorKind::as_str

use std::fmt;

/// The text of a code this crate does not know. Not nameable outside this crate.
#[doc(hidden)]
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PrivOwnedStr(pub(crate) Box<str>);

impl fmt::Debug for PrivOwnedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Defines a non-exhaustive enum of string codes with a hidden catch-all variant, and its
/// conversions: `as_str`, `From<&str>`, `Display`, serde (as a plain string) and, with the
/// `schema` feature, a JSON Schema listing the known codes while allowing others.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident => $code:literal, )*
        }
        schema_description = $description:literal;
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$variant_meta])* $variant, )*
            #[doc(hidden)]
            _Custom($crate::string_enum::PrivOwnedStr),
        }

        impl $name {
            /// Every code this version of the crate has a variant for, in declaration order.
            pub const KNOWN: &'static [&'static str] = &[$($code),*];

            /// The code as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $code,)*
                    Self::_Custom(code) => &code.0,
                }
            }

            /// Whether this version of the crate has a variant for the code.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::_Custom(_))
            }
        }

        impl From<&str> for $name {
            fn from(code: &str) -> Self {
                match code {
                    $($code => Self::$variant,)*
                    other => Self::_Custom($crate::string_enum::PrivOwnedStr(other.into())),
                }
            }
        }

        impl From<String> for $name {
            fn from(code: String) -> Self {
                Self::from(code.as_str())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::from(&*code))
            }
        }

        #[cfg(feature = "schema")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "description": $description,
                    "anyOf": [
                        { "enum": Self::KNOWN },
                        { "type": "string" }
                    ]
                })
            }
        }
    };
}

pub(crate) use string_enum;

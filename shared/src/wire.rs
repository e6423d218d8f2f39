//! Closed sets of names the wire and the store spell the same way (a job's
//! state, a query's mode, …): one enum each, declared with [`wire_names!`],
//! so a comparison is a `match` the compiler checks, not a string.

/// A text that is none of a type's names: an unknown value read from the
/// database or a peer, reported with the type it was meant to be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind}: {value:?}")]
pub struct UnknownName {
    /// What the text was read as (`job state`, `query mode`, …).
    pub kind: &'static str,
    /// The text, as read.
    pub value: String,
}

/// A type whose values are a closed set of names ([`wire_names!`]).
pub trait WireName: Sized + Copy + 'static {
    /// What a value of the type is, for an error (`job state`).
    const KIND: &'static str;
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// The name on the wire and in the store.
    fn as_str(self) -> &'static str;
    /// The value named `text`.
    fn parse(text: &str) -> Result<Self, UnknownName> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == text)
            .ok_or_else(|| UnknownName {
                kind: Self::KIND,
                value: text.to_owned(),
            })
    }
}

/// Declares an enum of wire names: serde (and the OpenAPI schema) with
/// exactly the names given, [`WireName`], `as_str`, `parse`, `Display`
/// and `FromStr`.
#[macro_export]
macro_rules! wire_names {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($kind:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        // The names are the variants in SCREAMING_SNAKE_CASE (checked by
        // the tests against `$text`): serde and utoipa both read
        // `rename_all`, while utoipa does not see a per-variant rename
        // passed through a macro.
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $crate::wire::WireName for $name {
            const KIND: &'static str = $kind;
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }
        }

        impl $name {
            /// The name on the wire and in the store.
            pub fn as_str(self) -> &'static str {
                <Self as $crate::wire::WireName>::as_str(self)
            }

            /// The value named `text`.
            pub fn parse(text: &str) -> Result<Self, $crate::wire::UnknownName> {
                <Self as $crate::wire::WireName>::parse(text)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                // `pad`, not `write_str`: a table's `{:<8}` must still align.
                f.pad(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::wire::UnknownName;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queries::{JobState, QueryMode};

    /// Serde's name of every value is its `as_str`.
    fn serde_agrees<
        T: WireName + serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    >() {
        for v in T::ALL {
            let json = serde_json::to_string(v).unwrap();
            assert_eq!(json, format!("\"{}\"", v.as_str()), "{}", T::KIND);
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), *v);
        }
    }

    #[test]
    fn serde_names_are_the_declared_ones() {
        serde_agrees::<JobState>();
        serde_agrees::<QueryMode>();
        serde_agrees::<crate::users::RequestState>();
        serde_agrees::<crate::users::RequestAction>();
        serde_agrees::<crate::cases::CaseState>();
        serde_agrees::<crate::tickets::TicketState>();
    }

    #[test]
    fn names_round_trip_and_unknown_ones_are_errors() {
        for s in JobState::ALL {
            assert_eq!(JobState::parse(s.as_str()), Ok(*s));
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert_eq!(QueryMode::Names.as_str(), "NAMES");
        assert_eq!(
            JobState::parse("queued"),
            Err(UnknownName {
                kind: "job state",
                value: "queued".into()
            })
        );
        assert!(serde_json::from_str::<QueryMode>("\"BOTH\"").is_err());
    }
}

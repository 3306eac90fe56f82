//! A journey's revision constraint: `">=2025-06-18"`, `">=2025-06-18, <2026-07-28"` (all must hold) or a list of
//! such constraints (any may hold). Revisions are dates, so they compare as text.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::REVISIONS;

/// The revisions a journey applies to: a disjunction of constraints, each a conjunction of comparisons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revisions(pub Vec<String>);

/// One comparison of a constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ge,
    Gt,
    Le,
    Lt,
}

impl Revisions {
    /// The first revision of the stateless era (`server/discover`, no sessions).
    pub const STATELESS_ERA: &'static str = "2026-07-28";

    /// The revisions of `revision`'s era: `<2026-07-28` for a stateful revision, `>=2026-07-28` for the
    /// stateless one. A journey recorded or scaffolded on one revision applies to its era (the methods and
    /// flows differ between eras, not within one).
    pub fn era_of(revision: &str) -> Revisions {
        let era = Revisions::STATELESS_ERA;
        Revisions(vec![if revision < era { format!("<{era}") } else { format!(">={era}") }])
    }

    /// Checks the syntax and that every revision named is one the harness knows; `Err` says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.0.is_empty() {
            return Err("`revisions` is empty".to_owned());
        }
        for constraint in &self.0 {
            comparisons(constraint)?;
        }
        if REVISIONS.iter().all(|r| !self.allows(r)) {
            return Err(format!(
                "`revisions` {} allows none of the revisions {}",
                self.describe(),
                REVISIONS.join(", ")
            ));
        }
        Ok(())
    }

    /// Whether `revision` (`"2025-11-25"`) satisfies the constraint. A malformed constraint allows nothing.
    pub fn allows(&self, revision: &str) -> bool {
        self.0.iter().any(|c| {
            comparisons(c).is_ok_and(|cmp| {
                cmp.iter().all(|(op, r)| match op {
                    Op::Eq => revision == *r,
                    Op::Ge => revision >= *r,
                    Op::Gt => revision > *r,
                    Op::Le => revision <= *r,
                    Op::Lt => revision < *r,
                })
            })
        })
    }

    /// The known revisions it allows, oldest first.
    pub fn allowed(&self) -> Vec<&'static str> {
        REVISIONS.iter().copied().filter(|r| self.allows(r)).collect()
    }

    /// The constraint as written (`">=2025-06-18" or "2026-07-28"`).
    pub fn describe(&self) -> String {
        self.0.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(" or ")
    }
}

/// The comparisons of one constraint.
fn comparisons(constraint: &str) -> Result<Vec<(Op, &str)>, String> {
    let mut out = Vec::new();
    for part in constraint.split(',').map(str::trim) {
        let (op, rest) = [(">=", Op::Ge), ("<=", Op::Le), (">", Op::Gt), ("<", Op::Lt), ("=", Op::Eq)]
            .into_iter()
            .find_map(|(prefix, op)| part.strip_prefix(prefix).map(|rest| (op, rest.trim())))
            .unwrap_or((Op::Eq, part));
        if !REVISIONS.contains(&rest) {
            return Err(format!(
                "`revisions`: `{part}` does not name a known revision (one of {}), with an optional >=, >, <=, < or =",
                REVISIONS.join(", ")
            ));
        }
        out.push((op, rest));
    }
    Ok(out)
}

impl Serialize for Revisions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => serializer.serialize_str(one),
            many => many.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Revisions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Revisions, D::Error> {
        struct Visitor;

        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Revisions;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a revision constraint such as \">=2025-06-18\", or a list of them")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Revisions, E> {
                Ok(Revisions(vec![v.to_owned()]))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Revisions, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<String>()? {
                    out.push(item);
                }
                Ok(Revisions(out))
            }
        }

        deserializer.deserialize_any(Visitor)
    }
}

impl JsonSchema for Revisions {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Revisions".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let constraint = serde_json::json!({
            "type": "string",
            "pattern": r"^\s*(>=|<=|>|<|=)?\s*\d{4}-\d{2}-\d{2}\s*(,\s*(>=|<=|>|<|=)?\s*\d{4}-\d{2}-\d{2}\s*)*$"
        });
        schemars::json_schema!({
            "description": "A revision constraint (\">=2025-06-18\", \">=2025-06-18, <2026-07-28\": all must hold), or a list of them (any may hold).",
            "anyOf": [constraint, {"type": "array", "items": constraint, "minItems": 1}]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(items: &[&str]) -> Revisions {
        Revisions(items.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn constraints_select_revisions() {
        assert_eq!(r(&[">=2025-06-18"]).allowed(), ["2025-06-18", "2025-11-25", "2026-07-28"]);
        assert_eq!(r(&[">=2025-06-18, <2026-07-28"]).allowed(), ["2025-06-18", "2025-11-25"]);
        assert_eq!(r(&["2025-03-26", "2026-07-28"]).allowed(), ["2025-03-26", "2026-07-28"]);
        assert_eq!(r(&["=2025-11-25"]).allowed(), ["2025-11-25"]);
        assert!(r(&[">2026-07-28"]).validate().unwrap_err().contains("allows none"));
        assert!(r(&[">=2025-13-01"]).validate().unwrap_err().contains("does not name a known revision"));
        assert!(r(&[]).validate().is_err());
    }
}

//! The structured, parameterised query language of `data_query`.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Record, StoreError};

/// A comparison applied to one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FilterOp {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
    /// String field contains the (string) value.
    Contains,
}

/// `field op value`; the value is always a bound parameter, never spliced into text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub(crate) struct Filter {
    /// Field name: letters, digits and `_`, starting with a letter or `_`.
    pub field: String,
    /// Comparison.
    pub op: FilterOp,
    /// Value compared against.
    pub value: Value,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SortOrder {
    /// Ascending.
    #[default]
    Asc,
    /// Descending.
    Desc,
}

/// A query over one collection: all filters must hold (AND).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Query {
    /// Collection to search; all collections when absent.
    pub collection: Option<String>,
    /// Conditions, combined with AND.
    pub filters: Vec<Filter>,
    /// Field to sort by (`id` when absent).
    pub order_by: Option<String>,
    /// Sort direction.
    pub order: SortOrder,
    /// Maximum number of rows returned.
    pub max_rows: usize,
}

/// Whether `name` is a safe field identifier (`[A-Za-z_][A-Za-z0-9_]{0,63}`).
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 64
}

impl Query {
    /// Rejects field names that are not identifiers and values of the wrong shape.
    pub(crate) fn validate(&self) -> Result<(), StoreError> {
        let fields = self.filters.iter().map(|f| f.field.as_str()).chain(self.order_by.as_deref());
        for field in fields {
            if !is_identifier(field) {
                return Err(StoreError::Invalid(format!("invalid field name {field:?}")));
            }
        }
        for filter in &self.filters {
            if filter.op == FilterOp::Contains && !filter.value.is_string() {
                return Err(StoreError::Invalid("`contains` needs a string value".into()));
            }
        }
        Ok(())
    }

    /// Whether `record` satisfies every filter.
    pub(crate) fn matches(&self, record: &Record) -> bool {
        if self.collection.as_ref().is_some_and(|c| c != &record.collection) {
            return false;
        }
        self.filters.iter().all(|filter| {
            let Some(actual) = field(record, &filter.field) else {
                return filter.op == FilterOp::Ne;
            };
            match filter.op {
                FilterOp::Eq => actual == filter.value,
                FilterOp::Ne => actual != filter.value,
                FilterOp::Contains => match (actual.as_str(), filter.value.as_str()) {
                    (Some(haystack), Some(needle)) => haystack.contains(needle),
                    _ => false,
                },
                op => compare(&actual, &filter.value).is_some_and(|ord| match op {
                    FilterOp::Lt => ord == Ordering::Less,
                    FilterOp::Le => ord != Ordering::Greater,
                    FilterOp::Gt => ord == Ordering::Greater,
                    _ => ord != Ordering::Less,
                }),
            }
        })
    }

    /// Orders two records by `order_by`.
    pub(crate) fn order(&self, a: &Record, b: &Record) -> Ordering {
        let ord = match self.order_by.as_deref() {
            None | Some("id") => a.id.cmp(&b.id),
            Some(name) => match (field(a, name), field(b, name)) {
                (Some(x), Some(y)) => compare(&x, &y).unwrap_or(Ordering::Equal),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
            .then_with(|| a.id.cmp(&b.id)),
        };
        match self.order {
            SortOrder::Asc => ord,
            SortOrder::Desc => ord.reverse(),
        }
    }
}

fn field(record: &Record, name: &str) -> Option<Value> {
    match name {
        "id" => Some(Value::String(record.id.clone())),
        "collection" => Some(Value::String(record.collection.clone())),
        "version" => Some(Value::from(record.version)),
        _ => record.data.get(name).cloned(),
    }
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_reject_injection_attempts() {
        assert!(is_identifier("price_2"));
        assert!(!is_identifier("price; DROP TABLE t"));
        assert!(!is_identifier("1abc"));
        assert!(!is_identifier(""));
    }

    #[test]
    fn validate_rejects_bad_fields() {
        let query = Query {
            collection: None,
            filters: vec![Filter { field: "a'--".into(), op: FilterOp::Eq, value: Value::Null }],
            order_by: None,
            order: SortOrder::Asc,
            max_rows: 10,
        };
        assert!(query.validate().is_err());
    }
}

//! The SQL builder of [`PostgresStore`](super::PostgresStore): `data_query` as one
//! parameterised `SELECT`.
//!
//! # No caller string ever reaches SQL text
//!
//! The statement text is assembled only from `&'static str` fragments and `$n`
//! placeholders whose numbers this module generates. Field names go through an
//! allow-list: `id`, `collection` and `version` map to fixed column expressions; every
//! other field is read from the JSONB `data` column as `(data -> $n::text)`, i.e. the
//! field *name* is itself a bound parameter. Values are bound as `jsonb`, the row limit
//! as `bigint`. The unit tests check that two queries of the same shape but different
//! field names and values produce byte-identical SQL text.
//!
//! # Semantics (matching the in-memory store)
//!
//! * `eq` / `ne`: JSONB equality; `ne` also matches records without the field.
//! * `lt` / `le` / `gt` / `ge`: only between values of the same JSON type (numbers,
//!   strings, booleans); strings compare by the database collation.
//! * `contains`: the field is a string containing the (string) value (`strpos`, no
//!   pattern characters).
//! * Order: by the field (records without it last when ascending), then by `id`.

use serde_json::Value;
use tokio_postgres::types::ToSql;

use super::{Query, SortOrder, query::FilterOp};

/// The table of records; see the migrations in `postgres.rs`.
pub(crate) const COLUMNS: &str = "id, collection, data, version, created_at_ms, updated_at_ms";

/// One bound parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    /// A `text` parameter (collection, JSON field name, `contains` needle).
    Text(String),
    /// A `jsonb` parameter (filter value).
    Json(Value),
    /// A `bigint` parameter (row limit).
    Int(i64),
}

impl Param {
    /// The parameter as `tokio-postgres` binds it.
    pub(crate) fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Self::Text(text) => text,
            Self::Json(value) => value,
            Self::Int(int) => int,
        }
    }
}

/// A statement and its parameters, in `$1..$n` order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Statement {
    /// SQL text: fixed fragments and placeholders only.
    pub text: String,
    /// Bound parameters.
    pub params: Vec<Param>,
}

impl Statement {
    fn bind(&mut self, param: Param) -> String {
        self.params.push(param);
        format!("${}", self.params.len())
    }

    /// Parameters as `tokio-postgres` takes them.
    pub(crate) fn sql_params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params.iter().map(Param::as_sql).collect()
    }
}

/// The JSONB expression of `field`: a fixed column expression from the allow-list, or
/// `(data -> $n::text)` with the name bound as parameter `$n`.
fn field_expr(statement: &mut Statement, field: &str) -> String {
    match field {
        "id" => "to_jsonb(id)".into(),
        "collection" => "to_jsonb(collection)".into(),
        "version" => "to_jsonb(version)".into(),
        name => {
            let placeholder = statement.bind(Param::Text(name.to_owned()));
            format!("(data -> {placeholder}::text)")
        }
    }
}

/// Builds the `SELECT` for `query`, fetching `max_rows + 1` rows so the caller can tell
/// whether the result was truncated. `query` must already be validated.
pub(crate) fn select(query: &Query) -> Statement {
    let mut statement = Statement { text: format!("SELECT {COLUMNS} FROM mcp_records WHERE TRUE"), params: Vec::new() };
    if let Some(collection) = &query.collection {
        let p = statement.bind(Param::Text(collection.clone()));
        statement.text.push_str(&format!(" AND collection = {p}::text"));
    }
    for filter in &query.filters {
        let expr = field_expr(&mut statement, &filter.field);
        let condition = if filter.op == FilterOp::Contains {
            let needle = statement.bind(Param::Text(filter.value.as_str().unwrap_or_default().to_owned()));
            format!("jsonb_typeof({expr}) = 'string' AND strpos({expr} #>> '{{}}', {needle}::text) > 0")
        } else {
            let value = statement.bind(Param::Json(filter.value.clone()));
            let operator = match filter.op {
                FilterOp::Eq => "=",
                FilterOp::Ne => "IS DISTINCT FROM",
                FilterOp::Lt => "<",
                FilterOp::Le => "<=",
                FilterOp::Gt => ">",
                FilterOp::Ge | FilterOp::Contains => ">=",
            };
            match filter.op {
                FilterOp::Eq | FilterOp::Ne => format!("{expr} {operator} {value}::jsonb"),
                _ => format!(
                    "jsonb_typeof({expr}) = jsonb_typeof({value}::jsonb) \
                     AND jsonb_typeof({expr}) IN ('number', 'string', 'boolean') \
                     AND {expr} {operator} {value}::jsonb"
                ),
            }
        };
        statement.text.push_str(" AND (");
        statement.text.push_str(&condition);
        statement.text.push(')');
    }
    let (direction, nulls) = match query.order {
        SortOrder::Asc => ("ASC", "NULLS LAST"),
        SortOrder::Desc => ("DESC", "NULLS FIRST"),
    };
    statement.text.push_str(" ORDER BY ");
    match query.order_by.as_deref() {
        None | Some("id") => {}
        Some(field) => {
            let expr = field_expr(&mut statement, field);
            statement.text.push_str(&format!("{expr} {direction} {nulls}, "));
        }
    }
    statement.text.push_str(&format!("id {direction}"));
    let limit = i64::try_from(query.max_rows.saturating_add(1)).unwrap_or(i64::MAX);
    let p = statement.bind(Param::Int(limit));
    statement.text.push_str(&format!(" LIMIT {p}"));
    statement
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::store::Filter;

    fn query(field: &str, op: FilterOp, value: Value, order_by: Option<&str>) -> Query {
        Query {
            collection: Some("items".into()),
            filters: vec![Filter { field: field.into(), op, value }],
            order_by: order_by.map(Into::into),
            order: SortOrder::Desc,
            max_rows: 10,
        }
    }

    #[test]
    fn builds_a_parameterised_select() {
        let statement = select(&query("qty", FilterOp::Ge, json!(3), Some("qty")));
        assert_eq!(
            statement.text,
            "SELECT id, collection, data, version, created_at_ms, updated_at_ms FROM mcp_records \
             WHERE TRUE AND collection = $1::text AND (jsonb_typeof((data -> $2::text)) = \
             jsonb_typeof($3::jsonb) AND jsonb_typeof((data -> $2::text)) IN ('number', 'string', \
             'boolean') AND (data -> $2::text) >= $3::jsonb) ORDER BY (data -> $4::text) DESC \
             NULLS FIRST, id DESC LIMIT $5"
        );
        assert_eq!(
            statement.params,
            vec![
                Param::Text("items".into()),
                Param::Text("qty".into()),
                Param::Json(json!(3)),
                Param::Text("qty".into()),
                Param::Int(11),
            ]
        );
    }

    #[test]
    fn builtin_fields_use_fixed_columns() {
        let statement = select(&query("version", FilterOp::Eq, json!(2), Some("id")));
        assert!(statement.text.contains("to_jsonb(version) = $2::jsonb"));
        assert!(statement.text.ends_with("ORDER BY id DESC LIMIT $3"));
        assert_eq!(statement.params.len(), 3);
    }

    #[test]
    fn hostile_strings_stay_in_parameters() {
        let evil = "x') OR 1=1; DROP TABLE mcp_records; --";
        let statement = select(&query(evil, FilterOp::Contains, json!(evil), Some(evil)));
        assert!(!statement.text.contains("DROP"));
        assert!(!statement.text.contains("1=1"));
        assert_eq!(statement.params.iter().filter(|p| **p == Param::Text(evil.into())).count(), 3);
    }

    fn op() -> impl Strategy<Value = FilterOp> {
        prop_oneof![
            Just(FilterOp::Eq),
            Just(FilterOp::Ne),
            Just(FilterOp::Lt),
            Just(FilterOp::Le),
            Just(FilterOp::Gt),
            Just(FilterOp::Ge),
            Just(FilterOp::Contains),
        ]
    }

    proptest! {
        /// The SQL text depends only on the query's shape: any field name outside the
        /// allow-list and any value give the same text as a fixed placeholder query.
        #[test]
        fn sql_text_is_independent_of_caller_strings(
            field in ".{1,40}",
            order_by in ".{1,40}",
            collection in ".{0,40}",
            text in ".{0,40}",
            op in op(),
        ) {
            prop_assume!(!["id", "collection", "version"].contains(&field.as_str()));
            prop_assume!(!["id", "collection", "version"].contains(&order_by.as_str()));
            let value = if op == FilterOp::Contains { json!(text) } else { json!({"v": text}) };
            let mut hostile = query(&field, op, value, Some(&order_by));
            hostile.collection = Some(collection);
            let baseline = query("f", op, json!("v"), Some("o"));
            prop_assert_eq!(select(&hostile).text, select(&baseline).text);
        }
    }
}

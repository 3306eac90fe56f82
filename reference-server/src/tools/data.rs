//! Domain tools over the [`Store`](crate::store::Store) and
//! [`TieredCache`](crate::cache::TieredCache): CRUD, a parameterised query with a row
//! limit, and CPU-heavy analysis on a bounded blocking pool.
//!
//! # Observability `_meta`
//!
//! * `io.mcp-harness/cache`: `l1` (in-process LRU hit), `l2` (Redis hit) or `miss`, on
//!   `get_data`, `data_query` and `cpu_intensive_analysis` results.
//! * `io.mcp-harness/retries`: how many times the store call was retried after transient
//!   errors, on every store-backed result (including tool errors).

use std::collections::BTreeMap;

use rmcp::model::{CallToolResult, JsonObject, MetaObject};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{
    Availability, Invocation, ToolFuture, ToolResult, ToolSpec, additive, destructive, read_only, tool_error,
    tool_with_input,
};
use crate::{
    cache::{CacheLevel, cache_key},
    resilience::track_retries,
    sealing::{FieldSealer, OpenError},
    server::Shared,
    store::{Filter, Query, QueryResult, Record, SortOrder, StoreError},
};

/// Upper bound of `max_rows` whatever the caller asks for.
const MAX_ROWS_LIMIT: usize = 1000;
/// Upper bound of generated samples in `cpu_intensive_analysis`.
const MAX_SAMPLES: u32 = 2_000_000;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct CreateArgs {
    /// Collection name (`[A-Za-z_][A-Za-z0-9_]*`).
    collection: String,
    /// Fields of the new record.
    data: BTreeMap<String, Value>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct IdArgs {
    /// Record id as returned by `create_data`.
    id: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct UpdateArgs {
    /// Record id.
    id: String,
    /// Fields to set; a `null` value removes the field.
    data: BTreeMap<String, Value>,
    /// Fail unless the record still has this version (optimistic locking).
    #[serde(default)]
    expected_version: Option<u64>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct QueryArgs {
    /// Collection to search (all when absent).
    #[serde(default)]
    collection: Option<String>,
    /// Conditions combined with AND; values are bound parameters.
    #[serde(default)]
    filters: Vec<Filter>,
    /// Field to sort by (default `id`).
    #[serde(default)]
    order_by: Option<String>,
    /// Sort direction.
    #[serde(default)]
    order: SortOrder,
    /// Maximum rows returned (1–1000, default 100).
    #[serde(default = "default_max_rows")]
    max_rows: usize,
}

fn default_max_rows() -> usize {
    100
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct AnalysisArgs {
    /// Values to analyse; when absent, `size` pseudo-random samples are generated.
    #[serde(default)]
    values: Option<Vec<f64>>,
    /// Number of generated samples (1–2,000,000, default 100,000).
    #[serde(default)]
    size: Option<u32>,
    /// Seed of the generator, for reproducible runs.
    #[serde(default)]
    seed: Option<u64>,
}

/// Result of `data_query`.
#[derive(Serialize, schemars::JsonSchema)]
struct QueryOutput {
    /// Matching records.
    rows: Vec<Record>,
    /// Whether more rows matched than `max_rows`.
    truncated: bool,
}

/// Result of `delete_data`.
#[derive(Serialize, schemars::JsonSchema)]
struct DeleteOutput {
    /// The id that was deleted.
    id: String,
    /// Whether a record existed.
    deleted: bool,
}

/// Result of `cpu_intensive_analysis`.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Analysis {
    count: usize,
    mean: f64,
    std_dev: f64,
    min: f64,
    max: f64,
    median: f64,
    p95: f64,
}

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            tool_with_input::<CreateArgs>("create_data", "Creates a record in a collection")
                .with_output_schema::<Record>()
                .annotate(additive("Create data")),
            Availability::Always,
            create,
        ),
        ToolSpec::new(
            tool_with_input::<IdArgs>("get_data", "Reads one record by id")
                .with_output_schema::<Record>()
                .annotate(read_only("Get data")),
            Availability::Always,
            get,
        ),
        ToolSpec::new(
            tool_with_input::<UpdateArgs>("update_data", "Merges fields into a record (optimistic locking optional)")
                .with_output_schema::<Record>()
                .annotate(destructive("Update data", false)),
            Availability::Always,
            update,
        ),
        ToolSpec::new(
            tool_with_input::<IdArgs>("delete_data", "Deletes a record by id")
                .with_output_schema::<DeleteOutput>()
                .annotate(destructive("Delete data", true)),
            Availability::Always,
            delete,
        ),
        ToolSpec::new(
            tool_with_input::<QueryArgs>(
                "data_query",
                "Queries records with structured filters (bound parameters, never SQL text), sorted, at most max_rows",
            )
            .with_output_schema::<QueryOutput>()
            .annotate(read_only("Query data")),
            Availability::Always,
            query,
        ),
        ToolSpec::new(
            tool_with_input::<AnalysisArgs>(
                "cpu_intensive_analysis",
                "Computes descriptive statistics of a data set on a bounded CPU pool; results are cached",
            )
            .with_output_schema::<Analysis>()
            .annotate(read_only("CPU-intensive analysis")),
            Availability::Always,
            analysis,
        ),
    ]
}

macro_rules! parse_or_return {
    ($inv:expr) => {
        match $inv.parse() {
            Ok(args) => args,
            Err(invalid) => return Ok(tool_error(invalid)),
        }
    };
}

/// `_meta` key: where a read was answered (`l1`, `l2` or `miss`).
pub(crate) const META_CACHE: &str = "io.mcp-harness/cache";
/// `_meta` key: store retries (after transient errors) made for this call.
pub(crate) const META_RETRIES: &str = "io.mcp-harness/retries";

/// A structured result with the observability `_meta` entries that apply.
fn structured<T: Serialize>(value: &T, cache: Option<CacheLevel>, retries: Option<u32>) -> ToolResult {
    let mut result = CallToolResult::structured(json!(value));
    let mut meta = MetaObject::new();
    if let Some(level) = cache {
        meta.insert(META_CACHE.into(), Value::from(level.as_str()));
    }
    if let Some(retries) = retries {
        meta.insert(META_RETRIES.into(), Value::from(retries));
    }
    if !meta.is_empty() {
        result.meta = Some(meta);
    }
    Ok(result.into())
}

/// A tool error that still reports the retries made.
fn store_error(error: StoreError, retries: u32) -> ToolResult {
    let mut result = CallToolResult::error(vec![rmcp::model::ContentBlock::text(error.to_string())]);
    let mut meta = MetaObject::new();
    meta.insert(META_RETRIES.into(), Value::from(retries));
    result.meta = Some(meta);
    Ok(result.into())
}

/// A record (or a value holding records) to answer with, its sensitive fields opened.
fn opened(shared: &Shared, mut value: Value, rows: bool) -> Result<Value, OpenError> {
    let result = if rows {
        value
            .get_mut("rows")
            .and_then(Value::as_array_mut)
            .map_or(Ok(()), |rows| rows.iter_mut().try_for_each(|row| shared.sealer.open_record_value(row)))
    } else {
        shared.sealer.open_record_value(&mut value)
    };
    result.map(|()| value)
}

/// A record written by the store answered with its sensitive fields opened.
fn answer_record(shared: &Shared, record: &Record, retries: u32) -> ToolResult {
    match opened(shared, json!(record), false) {
        Ok(record) => structured(&record, None, Some(retries)),
        Err(error) => Ok(tool_error(error.to_string())),
    }
}

fn create(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let args: CreateArgs = parse_or_return!(inv);
        create_record(inv.shared(), args).await
    })
}

/// `create_data` once its arguments are parsed.
async fn create_record(shared: &Shared, mut args: CreateArgs) -> ToolResult {
    shared.sealer.seal_fields(&mut args.data);
    match track_retries(shared.store.create(&args.collection, args.data)).await {
        (Ok(record), retries) => answer_record(shared, &record, retries),
        (Err(error), retries) => store_error(error, retries),
    }
}

/// Cache-aside read of a store-backed result, keyed by the store generation (see
/// [`crate::cache`] for why this never serves stale data). `Ok(None)` when `read` finds
/// nothing (not cached).
/// The cached values are the store's, sensitive fields still sealed: the caches (and Redis) hold no plaintext.
async fn cached_read<F>(
    shared: &Shared,
    tool: &str,
    args: &JsonObject,
    read: F,
) -> Result<(Option<Value>, CacheLevel), StoreError>
where
    F: Future<Output = Result<Option<Value>, StoreError>>,
{
    let generation = shared.store.generation().await?;
    let key = cache_key(tool, &Value::Object(args.clone()), &generation.to_string());
    if let (Some(hit), level) = shared.cache.lookup(&key, shared.cache_ttl).await {
        return Ok((Some(hit), level));
    }
    let value = read.await?;
    if let Some(value) = &value {
        shared.cache.fill(&key, value.clone(), shared.cache_ttl).await;
    }
    Ok((value, CacheLevel::Miss))
}

fn get(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let args: IdArgs = parse_or_return!(inv);
        get_record(inv.shared(), &inv.name, &inv.args, &args.id).await
    })
}

/// `get_data` of `id`, whose raw arguments `args` (and tool name) key the cache.
async fn get_record(shared: &Shared, tool: &str, args: &JsonObject, id: &str) -> ToolResult {
    let read = async { Ok(shared.store.get(id).await?.map(|record| json!(record))) };
    match track_retries(cached_read(shared, tool, args, read)).await {
        (Ok((Some(record), level)), retries) => match opened(shared, record, false) {
            Ok(record) => structured(&record, Some(level), Some(retries)),
            Err(error) => Ok(tool_error(error.to_string())),
        },
        (Ok((None, _)), _) => Ok(tool_error(format!("no record with id {id:?}"))),
        (Err(error), retries) => store_error(error, retries),
    }
}

fn update(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let mut args: UpdateArgs = parse_or_return!(inv);
        let shared = inv.shared();
        shared.sealer.seal_fields(&mut args.data);
        match track_retries(shared.store.update(&args.id, args.data, args.expected_version)).await {
            (Ok(Some(record)), retries) => answer_record(shared, &record, retries),
            (Ok(None), _) => Ok(tool_error(format!("no record with id {:?}", args.id))),
            (Err(error), retries) => store_error(error, retries),
        }
    })
}

fn delete(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let args: IdArgs = parse_or_return!(inv);
        match track_retries(inv.shared().store.delete(&args.id)).await {
            (Ok(deleted), retries) => structured(&DeleteOutput { id: args.id, deleted }, None, Some(retries)),
            (Err(error), retries) => store_error(error, retries),
        }
    })
}

fn query(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let args: QueryArgs = parse_or_return!(inv);
        if !(1..=MAX_ROWS_LIMIT).contains(&args.max_rows) {
            return Ok(tool_error(format!("`max_rows` must be between 1 and {MAX_ROWS_LIMIT}")));
        }
        let query = Query {
            collection: args.collection,
            filters: args.filters,
            order_by: args.order_by,
            order: args.order,
            max_rows: args.max_rows,
        };
        if let Err(error) = query.validate() {
            return store_error(error, 0);
        }
        if let Some(refusal) = FieldSealer::refusal(&query) {
            return Ok(tool_error(refusal));
        }
        let shared = inv.shared();
        let read = async {
            let QueryResult { rows, truncated } = shared.store.query(&query).await?;
            Ok(Some(json!(QueryOutput { rows, truncated })))
        };
        match track_retries(cached_read(shared, &inv.name, &inv.args, read)).await {
            (Ok((Some(output), level)), retries) => match opened(shared, output, true) {
                Ok(output) => structured(&output, Some(level), Some(retries)),
                Err(error) => Ok(tool_error(error.to_string())),
            },
            (Ok((None, _)), _) => Ok(tool_error("query produced no result")),
            (Err(error), retries) => store_error(error, retries),
        }
    })
}

fn analysis(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let args: AnalysisArgs = parse_or_return!(inv);
        let size = args.size.unwrap_or(100_000);
        if args.values.is_none() && !(1..=MAX_SAMPLES).contains(&size) {
            return Ok(tool_error(format!("`size` must be between 1 and {MAX_SAMPLES}")));
        }
        if args.values.as_ref().is_some_and(|v| v.is_empty() || v.iter().any(|x| !x.is_finite())) {
            return Ok(tool_error("`values` must be a non-empty list of finite numbers"));
        }
        let shared = inv.shared();
        // A pure function of its arguments: no store generation in the key.
        let key = cache_key(&inv.name, &Value::Object(inv.args.clone()), "");
        if let (Some(hit), level) = shared.cache.lookup(&key, shared.cache_ttl).await {
            return structured(&hit, Some(level), None);
        }
        let Ok(_slot) = shared.cpu_slots.clone().acquire_owned().await else {
            return Ok(tool_error("CPU pool is closed"));
        };
        let values = args.values;
        let seed = args.seed.unwrap_or(0x5eed);
        let computed = tokio::task::spawn_blocking(move || {
            let data = values.unwrap_or_else(|| generate(size as usize, seed));
            analyse(data)
        })
        .await;
        match computed {
            Ok(analysis) => {
                let output = json!(analysis);
                shared.cache.fill(&key, output.clone(), shared.cache_ttl).await;
                structured(&output, Some(CacheLevel::Miss), None)
            }
            Err(error) => Ok(tool_error(format!("analysis failed: {error}"))),
        }
    })
}

/// Deterministic pseudo-random samples (xorshift64*), roughly uniform in [0, 1000).
fn generate(size: usize, seed: u64) -> Vec<f64> {
    let mut state = seed.max(1);
    (0..size)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64 * 1000.0
        })
        .collect()
}

/// Statistics of `data` (finite numbers, at least one). Mean and standard deviation are computed on the values
/// divided by the largest magnitude and scaled back, so values near `f64::MAX` cannot overflow a sum or a square
/// into infinity (which JSON cannot carry: it would serialise as `null`, breaking the output schema).
fn analyse(mut data: Vec<f64>) -> Analysis {
    let count = data.len();
    let scale = data.iter().fold(0f64, |m, x| m.max(x.abs()));
    let scale = if scale > 0.0 && scale.is_finite() { scale } else { 1.0 };
    let scaled_mean = data.iter().map(|x| x / scale).sum::<f64>() / count as f64;
    let scaled_variance = data.iter().map(|x| (x / scale - scaled_mean).powi(2)).sum::<f64>() / count as f64;
    let mean = scaled_mean * scale;
    let std_dev = scaled_variance.sqrt() * scale;
    data.sort_by(f64::total_cmp);
    let percentile = |p: f64| data[((p * (count - 1) as f64).round() as usize).min(count - 1)];
    Analysis {
        count,
        mean,
        std_dev,
        min: data[0],
        max: data[count - 1],
        median: percentile(0.5),
        p95: percentile(0.95),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;
    use rmcp::model::CallToolResponse;

    use super::*;
    use crate::cli::Cli;

    fn structured_content(result: ToolResult) -> Value {
        let Ok(CallToolResponse::Complete(result)) = result else {
            panic!("not a complete result: {result:?}");
        };
        assert_ne!(result.is_error, Some(true), "{result:?}");
        result.structured_content.expect("structured content")
    }

    /// The memory store and the result cache hold `enc:v1:` ciphertext; the tools answer with the plaintext.
    #[tokio::test]
    async fn sensitive_fields_are_ciphertext_at_rest_and_plaintext_in_answers() {
        let cli =
            Cli::parse_from(["mcp-reference-server", "--data-key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="]);
        let shared = Shared::new(&cli).await.expect("shared state");
        let data: BTreeMap<String, Value> =
            serde_json::from_value(json!({"secret": "hunter2", "email": "ada@example.com", "qty": 1})).unwrap();
        let created =
            structured_content(create_record(&shared, CreateArgs { collection: "people".into(), data }).await);
        assert_eq!(created["data"], json!({"secret": "hunter2", "email": "ada@example.com", "qty": 1}));
        let id = created["id"].as_str().expect("id").to_owned();

        let stored = shared.store.get(&id).await.unwrap().expect("stored");
        for (field, plaintext) in [("secret", "hunter2"), ("email", "ada@example.com")] {
            let at_rest = stored.data[field].as_str().expect("a sealed string");
            assert!(at_rest.starts_with("enc:v1:") && !at_rest.contains(plaintext), "{field}: {at_rest}");
        }
        assert_eq!(stored.data["qty"], json!(1), "other fields stay plain");

        let args: JsonObject = serde_json::from_value(json!({"id": id})).unwrap();
        for expected_level in ["miss", "l1"] {
            let result = get_record(&shared, "get_data", &args, &id).await;
            let Ok(CallToolResponse::Complete(complete)) = &result else { panic!("{result:?}") };
            let level = complete.meta.as_ref().and_then(|m| m.get(META_CACHE)).cloned();
            assert_eq!(level, Some(json!(expected_level)));
            assert_eq!(structured_content(result)["data"]["secret"], "hunter2");
        }
        let generation = shared.store.generation().await.unwrap();
        let key = cache_key("get_data", &Value::Object(args), &generation.to_string());
        let (cached, _) = shared.cache.lookup(&key, shared.cache_ttl).await;
        let cached = cached.expect("cached").to_string();
        assert!(cached.contains("enc:v1:") && !cached.contains("hunter2"), "{cached}");
    }

    #[test]
    fn analysis_of_known_values() {
        let result = analyse(vec![4.0, 1.0, 3.0, 2.0, 5.0]);
        assert_eq!(result.count, 5);
        assert_eq!(result.mean, 3.0);
        assert_eq!(result.median, 3.0);
        assert_eq!(result.min, 1.0);
        assert_eq!(result.max, 5.0);
        assert!((result.std_dev - 2f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn analysis_of_values_near_the_largest_double_stays_finite() {
        // Found by mcp-harness's unit suite: [1e308, 0] gave a standard deviation of infinity, sent as null.
        let result = analyse(vec![1e308, 0.0]);
        assert_eq!(result.mean, 5e307);
        assert!((result.std_dev - 5e307).abs() < 1e293, "{}", result.std_dev);
        let result = analyse(vec![f64::MAX, f64::MAX, -f64::MAX]);
        assert!(result.mean.is_finite() && result.std_dev.is_finite());
    }

    #[test]
    fn generator_is_deterministic_and_in_range() {
        let a = generate(1000, 7);
        assert_eq!(a, generate(1000, 7));
        assert!(a.iter().all(|x| (0.0..1000.0).contains(x)));
        assert_ne!(a, generate(1000, 8));
    }
}

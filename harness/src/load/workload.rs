//! What a load run sends. The user's mix (`--load-tool`/`--load-args`, `--load-mix FILE`) when given; otherwise
//! the first read-only tool whose arguments, synthesised from its input schema, it answers successfully and
//! promptly; otherwise `tools/list` when the server offers tools; otherwise `ping`.

use std::time::{Duration, Instant};

use proptest::strategy::{Strategy, ValueTree};
use serde_json::{Value, json};

use super::options::MixEntry;
use super::request::{ClientMeta, PreparedRequest};
use crate::check::{Capability, CheckContext, Outcome};
use crate::report::performance::WorkloadEntry;

/// How long one probe call of a candidate tool may take: a tool slower than this is not a load workload.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);
/// How long choosing may take in all.
const CHOOSE_BUDGET: Duration = Duration::from_secs(8);
/// Candidate tools probed at most.
const MAX_CANDIDATES: usize = 12;
/// Argument draws tried per candidate tool.
const DRAWS_PER_TOOL: usize = 3;
/// `tools/list` pages read at most.
const MAX_PAGES: usize = 5;

/// The requests of a load run, prepared, with what the report says of them.
#[derive(Debug, Clone)]
pub struct Workload {
    /// For the report.
    pub entries: Vec<WorkloadEntry>,
    /// For the wire.
    pub requests: Vec<PreparedRequest>,
}

impl Workload {
    /// The requests' weights, in order.
    pub fn weights(&self) -> Vec<u32> {
        self.entries.iter().map(|e| e.weight).collect()
    }

    fn push(&mut self, entry: WorkloadEntry, cx: &CheckContext, client: &ClientMeta) {
        let params = match (&entry.tool, &entry.arguments) {
            (Some(tool), args) => Some(json!({"name": tool, "arguments": args.clone().unwrap_or_else(|| json!({}))})),
            (None, Some(args)) if !args.is_null() => Some(args.clone()),
            (None, _) => None,
        };
        self.requests.push(PreparedRequest::new(&entry.method, params, cx.revision(), client));
        self.entries.push(entry);
    }
}

/// The client the load presents: the harness, advertising no client capabilities (the generator serves no
/// server requests).
pub fn client_meta(cx: &CheckContext) -> ClientMeta {
    ClientMeta { capabilities: json!({}), info: cx.session_options().client_info }
}

/// Chooses the workload. `Err` is the outcome of a check that cannot load the target (a user-named tool the run
/// may not call, no session to choose with).
pub async fn choose(cx: &mut CheckContext, mix: &[MixEntry], client: &ClientMeta) -> Result<Workload, Outcome> {
    let mut w = Workload { entries: Vec::new(), requests: Vec::new() };
    if !mix.is_empty() {
        for m in mix {
            if let Some(tool) = &m.tool {
                let listed = find_tool(cx, tool).await?;
                let listed = listed.unwrap_or_else(|| json!({"name": tool}));
                if !crate::checks::tools::catalog::may_call(cx, &listed) {
                    return Err(Outcome::skip(
                        crate::check::SkipReason::OptInRequired,
                        format!("tool `{tool}` is not annotated read-only: load calls it only with --call-tools"),
                    ));
                }
            }
            let entry = WorkloadEntry {
                method: m.method.clone(),
                tool: m.tool.clone(),
                arguments: Some(m.arguments.clone()).filter(|a| !a.is_null()),
                weight: m.weight,
                chosen_because: Some("given".to_owned()),
            };
            w.push(entry, cx, client);
        }
        return Ok(w);
    }
    let started = Instant::now();
    if cx.profile().has(Capability::Tools) {
        let callable: Vec<Value> =
            list_tools(cx).await?.into_iter().filter(|t| crate::checks::tools::catalog::may_call(cx, t)).collect();
        let seed = cx.options().unit.seed_for("performance.workload");
        let mut tried = 0;
        for tool in &callable {
            if tried >= MAX_CANDIDATES || started.elapsed() > CHOOSE_BUDGET {
                break;
            }
            tried += 1;
            let name = tool.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
            let schema = tool.get("inputSchema").cloned().unwrap_or_else(|| json!({"type": "object"}));
            for args in draws(&schema, seed, DRAWS_PER_TOOL) {
                let t0 = Instant::now();
                let params = json!({"name": name, "arguments": args});
                let Ok(reply) = cx.session()?.request_within("tools/call", Some(params), PROBE_TIMEOUT).await else {
                    // Slow, silent or broken for these arguments: not a workload (the other suites judge it).
                    break;
                };
                let ok = reply.result().is_some_and(|r| r.get("isError").and_then(Value::as_bool) != Some(true));
                if ok {
                    let entry = WorkloadEntry {
                        method: "tools/call".to_owned(),
                        tool: Some(name.clone()),
                        arguments: Some(args),
                        weight: 1,
                        chosen_because: Some(format!(
                            "the first read-only tool whose arguments synthesised from its input schema it answered \
                             successfully (in {} ms)",
                            t0.elapsed().as_millis()
                        )),
                    };
                    w.push(entry, cx, client);
                    return Ok(w);
                }
            }
        }
        let because = if tried == 0 {
            "no tool is annotated read-only (pass --load-tool NAME with --call-tools to load one)".to_owned()
        } else {
            format!(
                "none of the {tried} read-only tools tried answered synthesised arguments successfully within {PROBE_TIMEOUT:?}"
            )
        };
        let entry = WorkloadEntry {
            method: "tools/list".to_owned(),
            tool: None,
            arguments: None,
            weight: 1,
            chosen_because: Some(because),
        };
        w.push(entry, cx, client);
        return Ok(w);
    }
    let entry = WorkloadEntry {
        method: "ping".to_owned(),
        tool: None,
        arguments: None,
        weight: 1,
        chosen_because: Some("the server offers no tools".to_owned()),
    };
    w.push(entry, cx, client);
    Ok(w)
}

/// The server's tools (first pages).
async fn list_tools(cx: &mut CheckContext) -> Result<Vec<Value>, Outcome> {
    let mut tools = Vec::new();
    let mut cursor: Option<Value> = None;
    for _ in 0..MAX_PAGES {
        let params = cursor.take().map(|c| json!({"cursor": c}));
        let reply = cx.session()?.request("tools/list", params).await.map_err(Outcome::from)?;
        let Some(result) = reply.result() else {
            return Err(Outcome::error(format!("could not choose a workload: tools/list answered {}", reply.brief())));
        };
        tools.extend(result.get("tools").and_then(Value::as_array).cloned().unwrap_or_default());
        match result.get("nextCursor") {
            Some(c) if !c.is_null() => cursor = Some(c.clone()),
            _ => break,
        }
    }
    Ok(tools)
}

async fn find_tool(cx: &mut CheckContext, name: &str) -> Result<Option<Value>, Outcome> {
    if !cx.profile().has(Capability::Tools) {
        return Ok(None);
    }
    Ok(list_tools(cx).await?.into_iter().find(|t| t.get("name").and_then(Value::as_str) == Some(name)))
}

/// Up to `n` argument objects drawn (seeded) from `schema`; empty when the schema yields none.
fn draws(schema: &Value, seed: u64, n: usize) -> Vec<Value> {
    let space = crate::unit::input_space(schema);
    let mut runner = crate::unit::seeded_runner(seed);
    (0..n).filter_map(|_| space.valid.new_tree(&mut runner).ok().map(|t| t.current())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_follow_the_schema_and_the_seed() {
        let schema = json!({"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]});
        let a = draws(&schema, 5, 3);
        assert_eq!(a.len(), 3);
        assert!(a.iter().all(|v| v["message"].is_string()));
        assert_eq!(a, draws(&schema, 5, 3));
        assert!(draws(&json!({"not": {}}), 5, 2).is_empty());
    }
}

//! Tool catalog and the [`Invocation`] every tool receives.
//!
//! Each file of this module contributes a family of tools as [`ToolSpec`]s:
//! the advertised [`Tool`] (schema, annotations, icons) plus a plain function
//! that runs it. [`catalog`] fixes the listing order, which stays deterministic.

#![allow(deprecated)] // logging notifications are a legacy-era feature.

mod conformance;
mod data;
mod everything;
pub(crate) mod input_required;
mod interactive;
mod ops;
mod tasks;

use std::{collections::HashMap, sync::atomic::Ordering};

use futures::future::BoxFuture;
use rmcp::{
    ErrorData, RoleServer,
    model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, InputResponses, JsonObject,
        LoggingLevel, LoggingMessageNotificationParam, ProgressNotificationParam, Tool, ToolAnnotations,
    },
    service::RequestContext,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::server::{Era, ReferenceServer, Shared};

/// What a tool returns: a result (possibly `isError` or input-required) or a protocol error.
pub(crate) type ToolResult = Result<CallToolResponse, ErrorData>;

/// The future a tool function returns.
pub(crate) type ToolFuture = BoxFuture<'static, ToolResult>;

/// The function that runs a tool.
pub(crate) type ToolFn = fn(Invocation) -> ToolFuture;

/// In which protocol eras a tool is listed and callable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Availability {
    /// Both eras.
    Always,
    /// Only sessions negotiated with `initialize` (it sends requests to the client).
    Legacy,
    /// Only 2026-07-28 requests (it returns input-required results).
    Modern,
    /// Listed only while `toggle-dynamic-tool` has switched it on.
    Dynamic,
}

/// One tool: what is advertised and how it runs.
pub(crate) struct ToolSpec {
    pub tool: Tool,
    pub availability: Availability,
    pub run: ToolFn,
    /// The tool's `inputSchema`, compiled: arguments are validated before the tool runs ("Servers MUST: Validate
    /// all tool inputs"). `None` only if the advertised schema did not compile (a bug a test catches).
    input: Option<jsonschema::Validator>,
}

impl ToolSpec {
    pub(crate) fn new(tool: Tool, availability: Availability, run: fn(Invocation) -> ToolFuture) -> Self {
        let schema = Value::Object((*tool.input_schema).clone());
        let input = jsonschema::validator_for(&schema).ok();
        Self { tool, availability, run, input }
    }

    /// Why `arguments` (an object) do not fit the tool's `inputSchema` (the first few errors, with where), or `None`.
    pub(crate) fn invalid_arguments(&self, arguments: &Value) -> Option<String> {
        let validator = self.input.as_ref()?;
        // The common case, valid arguments, builds no error.
        if validator.is_valid(arguments) {
            return None;
        }
        let errors: Vec<String> = validator
            .iter_errors(arguments)
            .take(3)
            .map(|e| {
                let at = e.instance_path().to_string();
                if at.is_empty() { e.to_string() } else { format!("{at}: {e}") }
            })
            .collect();
        (!errors.is_empty()).then(|| errors.join("; "))
    }

    /// Whether the tool is listed and callable for a request of `era`.
    pub(crate) fn is_visible(&self, era: Era, shared: &Shared) -> bool {
        match self.availability {
            Availability::Always => true,
            Availability::Legacy => era == Era::Legacy,
            Availability::Modern => era == Era::Modern,
            Availability::Dynamic => shared.dynamic_tool.load(Ordering::Acquire),
        }
    }
}

/// All tools in listing order, with a name index.
pub(crate) struct Catalog {
    specs: Vec<ToolSpec>,
    by_name: HashMap<String, usize>,
}

impl Catalog {
    /// The spec of `name`, whatever its availability.
    pub(crate) fn get(&self, name: &str) -> Option<&ToolSpec> {
        self.by_name.get(name).map(|&i| &self.specs[i])
    }

    /// Specs visible to a request of `era`, in listing order.
    pub(crate) fn visible<'a>(&'a self, era: Era, shared: &'a Shared) -> impl Iterator<Item = &'a ToolSpec> + 'a {
        self.specs.iter().filter(move |spec| spec.is_visible(era, shared))
    }

    /// Names of the tools annotated `readOnlyHint: true`.
    pub(crate) fn read_only_names(&self) -> std::collections::HashSet<String> {
        self.specs
            .iter()
            .filter(|spec| spec.tool.annotations.as_ref().is_some_and(|a| a.read_only_hint == Some(true)))
            .map(|spec| spec.tool.name.to_string())
            .collect()
    }

    #[cfg(test)]
    pub(crate) fn all(&self) -> &[ToolSpec] {
        &self.specs
    }
}

/// Builds the catalog: domain tools first, then "everything" tools, then fixtures.
pub(crate) fn catalog() -> Catalog {
    let specs: Vec<ToolSpec> = [
        data::specs(),
        ops::specs(),
        everything::specs(),
        interactive::specs(),
        conformance::specs(),
        input_required::specs(),
        tasks::specs(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let by_name = specs.iter().enumerate().map(|(i, s)| (s.tool.name.to_string(), i)).collect();
    Catalog { specs, by_name }
}

/// Annotations of a tool that only reads.
pub(crate) fn read_only(title: &str) -> ToolAnnotations {
    ToolAnnotations::with_title(title).read_only(true).destructive(false).idempotent(true).open_world(false)
}

/// Annotations of a tool that changes state without destroying anything.
pub(crate) fn additive(title: &str) -> ToolAnnotations {
    ToolAnnotations::with_title(title).read_only(false).destructive(false).idempotent(false).open_world(false)
}

/// Annotations of a tool that may destroy or overwrite data.
pub(crate) fn destructive(title: &str, idempotent: bool) -> ToolAnnotations {
    ToolAnnotations::with_title(title).read_only(false).destructive(true).idempotent(idempotent).open_world(false)
}

/// A tool whose input is the object schema of `T`.
pub(crate) fn tool_with_input<T: schemars::JsonSchema + 'static>(
    name: &'static str,
    description: &'static str,
) -> Tool {
    Tool::new(name, description, rmcp::handler::server::common::schema_for_type::<T>())
}

/// A tool without arguments.
pub(crate) fn tool_without_input(name: &'static str, description: &'static str) -> Tool {
    Tool::new(name, description, rmcp::handler::server::common::schema_for_empty_input())
}

/// A tool whose input schema is written out by hand.
pub(crate) fn tool_with_schema(name: &'static str, description: &'static str, schema: Value) -> Tool {
    let Value::Object(schema) = schema else {
        unreachable!("tool input schemas are JSON objects");
    };
    Tool::new(name, description, schema)
}

/// A successful text result.
pub(crate) fn text(text: impl Into<String>) -> ToolResult {
    Ok(CallToolResult::success(vec![ContentBlock::text(text)]).into())
}

/// A tool-level error (`isError: true`) the caller gets to read.
pub(crate) fn tool_error(message: impl Into<String>) -> CallToolResponse {
    CallToolResult::error(vec![ContentBlock::text(message)]).into()
}

/// Everything a running tool may use.
pub(crate) struct Invocation {
    pub server: ReferenceServer,
    pub name: String,
    pub args: JsonObject,
    pub input_responses: Option<InputResponses>,
    pub request_state: Option<String>,
    pub cx: RequestContext<RoleServer>,
}

impl Invocation {
    pub(crate) fn new(server: ReferenceServer, request: CallToolRequestParams, cx: RequestContext<RoleServer>) -> Self {
        Self {
            server,
            name: request.name.to_string(),
            args: request.arguments.unwrap_or_default(),
            input_responses: request.input_responses,
            request_state: request.request_state,
            cx,
        }
    }

    /// Shared process state.
    pub(crate) fn shared(&self) -> &Shared {
        &self.server.shared
    }

    /// The arguments as `T`, or a message for an `isError` result (SEP-1303:
    /// input validation failures are tool errors the model can read and fix).
    pub(crate) fn parse<T: DeserializeOwned>(&self) -> Result<T, String> {
        serde_json::from_value(Value::Object(self.args.clone()))
            .map_err(|error| format!("invalid arguments for {}: {error}", self.name))
    }

    /// The protocol era of this call.
    pub(crate) fn era(&self) -> Era {
        Era::of(&self.cx)
    }

    /// Sends `notifications/message` if the client wants it: legacy sessions
    /// filter by `logging/setLevel`; 2026 requests only log when their `_meta`
    /// asked for a level.
    pub(crate) async fn log(&self, level: LoggingLevel, data: Value) {
        let wanted = match self.era() {
            Era::Legacy => self.server.session.wants_log(level),
            Era::Modern => self
                .cx
                .meta
                .log_level()
                .is_some_and(|min| crate::server::severity(level) >= crate::server::severity(min)),
        };
        if wanted {
            let param = LoggingMessageNotificationParam::new(level, data).with_logger("mcp-reference-server");
            if let Err(error) = self.cx.peer.notify_logging_message(param).await {
                tracing::debug!(%error, "log notification not delivered");
            }
        }
    }

    /// Sends `notifications/progress` when the request carried a progress token.
    pub(crate) async fn progress(&self, progress: f64, total: Option<f64>, message: &str) {
        let Some(token) = self.cx.meta.get_progress_token() else {
            return;
        };
        let mut param = ProgressNotificationParam::new(token, progress).with_message(message);
        if let Some(total) = total {
            param = param.with_total(total);
        }
        if let Err(error) = self.cx.peer.notify_progress(param).await {
            tracing::debug!(%error, "progress notification not delivered");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_are_unique_and_well_formed() {
        let catalog = catalog();
        let mut seen = HashSet::new();
        for spec in catalog.all() {
            let name = spec.tool.name.as_ref();
            assert!(seen.insert(name.to_owned()), "duplicate tool {name}");
            assert!(
                (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)),
                "bad tool name {name}"
            );
            assert!(spec.tool.description.is_some(), "{name} lacks a description");
            assert!(spec.tool.annotations.is_some(), "{name} lacks annotations");
        }
    }

    #[test]
    fn read_only_tools_are_never_destructive() {
        for spec in catalog().all() {
            let annotations = spec.tool.annotations.as_ref().unwrap();
            if annotations.read_only_hint == Some(true) {
                assert_ne!(annotations.destructive_hint, Some(true), "{}", spec.tool.name);
            }
        }
    }
}

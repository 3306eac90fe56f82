//! The journey format's types: what a `*.journey.yaml` file holds, read with the source line of every journey, step
//! and assertion, and written back as YAML (the serializer leaves out what is empty or defaulted).
//!
//! Every struct denies unknown fields, so a misspelt key is an error that names the line; the rules serde cannot
//! state (one action per step, one kind per assertion, known sessions and variables) are checked by
//! [`super::parse_journey_file`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use serde_saphyr::Spanned;

use super::revisions::Revisions;

/// A journey file: one or more journeys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct JourneyFile {
    /// The journeys, each one check `e2e.<file stem>.<name>`.
    #[schemars(with = "Vec<Journey>", length(min = 1))]
    pub journeys: Vec<Spanned<Journey>>,
}

/// One user journey: named sessions, set-up steps, the steps proper and tear-down steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Journey {
    /// Lowercase letters, digits and dashes; the last segment of the check id, unique in the file.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub name: String,
    /// What the journey shows, in a sentence or two; its first line is the check's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tags for selection (`--tag`), in addition to `e2e` and `journey`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The protocol revisions the journey applies to: a constraint such as `">=2025-06-18"` or
    /// `">=2025-06-18, <2026-07-28"` (all must hold), or a list of them (any may hold). Outside it the journey is
    /// not applicable. Default: every revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revisions: Option<Revisions>,
    /// The transport the journey applies to (`stdio`, `http`); default any. A journey whose sessions must share
    /// one server process (a change in one session seen by another) is `http`: over stdio every session is a
    /// process of its own.
    #[serde(default, skip_serializing_if = "TransportFilter::is_any")]
    pub transport: TransportFilter,
    /// Server capabilities the journey needs; a server that does not advertise one of them skips the journey.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<RequiredCapability>,
    /// The named sessions the steps run on, each opened (with its own handshake) on first use; the first is the
    /// default session of a step. Default: `[main]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<String>,
    /// Steps that prepare the journey; a failure there means the journey could not be set up (an error).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<Step>")]
    pub setup: Vec<Spanned<Step>>,
    /// The journey proper; the first failing step fails the journey and the rest are skipped.
    #[schemars(with = "Vec<Step>", length(min = 1))]
    pub steps: Vec<Spanned<Step>>,
    /// Steps that always run at the end, whatever happened; their failures are reported but change nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<Step>")]
    pub teardown: Vec<Spanned<Step>>,
}

/// The transport a journey applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TransportFilter {
    /// stdio and Streamable HTTP.
    #[default]
    Any,
    /// Only stdio targets.
    Stdio,
    /// Only Streamable HTTP targets.
    Http,
}

impl TransportFilter {
    /// Whether this is the default, [`TransportFilter::Any`].
    pub fn is_any(&self) -> bool {
        *self == TransportFilter::Any
    }
}

/// A server capability a journey needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub enum RequiredCapability {
    /// `capabilities.tools`.
    #[serde(rename = "tools")]
    Tools,
    /// `capabilities.resources`.
    #[serde(rename = "resources")]
    Resources,
    /// `capabilities.resources.subscribe`.
    #[serde(rename = "resources.subscribe")]
    ResourcesSubscribe,
    /// `capabilities.prompts`.
    #[serde(rename = "prompts")]
    Prompts,
    /// `capabilities.completions`.
    #[serde(rename = "completions")]
    Completions,
    /// `capabilities.logging`.
    #[serde(rename = "logging")]
    Logging,
}

/// One step: exactly one action, and what its answer must be.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(transform = one_action)]
pub struct Step {
    /// A label for the report (default: the action).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Action: list every page of `tools/list`, `resources/list`, `resources/templates/list` or `prompts/list`; the
    /// answer is the first page's result with all pages' items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<ListKind>,
    /// Action: `tools/call`. A `2026-07-28` input-required result is answered (with `answers`, else the harness's
    /// defaults) and the call repeated until it completes; the answer is the complete result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<CallAction>,
    /// Action: `resources/read` of this URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<String>,
    /// Action: `prompts/get` (input-required results are answered as for `call`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub get: Option<GetAction>,
    /// Action: `completion/complete` for a prompt argument or a resource-template variable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete: Option<CompleteAction>,
    /// Action: `resources/subscribe` to this URI (2025 revisions). Over HTTP the session's standalone stream is
    /// opened, where the server sends the updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribe: Option<String>,
    /// Action: `resources/unsubscribe` from this URI (2025 revisions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsubscribe: Option<String>,
    /// Action: `subscriptions/listen` (2026-07-28): opens the session's notification stream; the answer is the
    /// server's `notifications/subscriptions/acknowledged` params. The stream stays open until the session ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen: Option<ListenAction>,
    /// Action: `logging/setLevel` to this level (2025 revisions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_level: Option<LogLevel>,
    /// Action: `ping` (write `ping: {}` or `ping:`).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub ping: Option<Ping>,
    /// Action: send this JSON-RPC message as it is (a request when it has an `id`, awaited; anything else is only
    /// sent). No `_meta` is added.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub raw: Option<Value>,
    /// The session the step runs on (default: the journey's first session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// Time to wait for the answer, in milliseconds (default: the run's request timeout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub timeout_ms: Option<u64>,
    /// Scripted replies to what the server asks the client during the step (sampling, elicitation, roots; and
    /// the input requests of a 2026-07-28 input-required result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<Answers>,
    /// Assertions on the answer. A step without an `error` assertion expects a result, and a `call` step without an
    /// `is-error` assertion expects `isError` to be absent or false.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<Assertion>")]
    pub expect: Vec<Spanned<Assertion>>,
    /// Variables bound from the answer (`name: JSONPath`) for later steps to use as `${name}`; a path that selects
    /// nothing fails the step.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capture: BTreeMap<String, String>,
    /// Notifications that must arrive after the step began, each within its time limit of the answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<NotificationExpectation>")]
    pub notifications: Vec<Spanned<NotificationExpectation>>,
}

/// What a `list` step lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ListKind {
    /// `tools/list` (items under `tools`).
    Tools,
    /// `resources/list` (items under `resources`).
    Resources,
    /// `resources/templates/list` (items under `resourceTemplates`).
    Templates,
    /// `prompts/list` (items under `prompts`).
    Prompts,
}

impl ListKind {
    /// The method and the result member that holds the items.
    pub fn method_and_member(self) -> (&'static str, &'static str) {
        match self {
            ListKind::Tools => ("tools/list", "tools"),
            ListKind::Resources => ("resources/list", "resources"),
            ListKind::Templates => ("resources/templates/list", "resourceTemplates"),
            ListKind::Prompts => ("prompts/list", "prompts"),
        }
    }
}

/// A `tools/call`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CallAction {
    /// The tool's name.
    pub tool: String,
    /// Its arguments (default `{}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub arguments: Option<Value>,
    /// Ask for progress notifications (sends a `progressToken` in `_meta`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub progress: bool,
}

/// A `prompts/get`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GetAction {
    /// The prompt's name.
    pub prompt: String,
    /// Its arguments (strings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub arguments: Option<Value>,
}

/// A `completion/complete`: one of `prompt` and `resource` names what is completed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CompleteAction {
    /// A prompt's name (`ref/prompt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// A resource template's URI template (`ref/resource`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The argument (or template variable) being completed.
    pub argument: String,
    /// What has been typed so far (default empty).
    #[serde(default)]
    pub value: String,
    /// Values of the other arguments already chosen (`context.arguments`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, String>,
}

/// A `subscriptions/listen` filter (2026-07-28).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ListenAction {
    /// Resource URIs whose `notifications/resources/updated` the stream carries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// Ask for `notifications/tools/list_changed`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tools_list_changed: bool,
    /// Ask for `notifications/prompts/list_changed`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prompts_list_changed: bool,
    /// Ask for `notifications/resources/list_changed`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resources_list_changed: bool,
}

/// A log level of `logging/setLevel` (RFC 5424 severities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[expect(missing_docs, reason = "the syslog severity names speak for themselves")]
pub enum LogLevel {
    Debug,
    Info,
    Notice,
    Warning,
    Error,
    Critical,
    Alert,
    Emergency,
}

impl LogLevel {
    /// The level as MCP spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Notice => "notice",
            LogLevel::Warning => "warning",
            LogLevel::Error => "error",
            LogLevel::Critical => "critical",
            LogLevel::Alert => "alert",
            LogLevel::Emergency => "emergency",
        }
    }
}

/// The `ping` action: it has no parameters (`ping:`, `ping: {}` or `ping: true`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ping;

impl Serialize for Ping {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_map(Some(0)).and_then(serde::ser::SerializeMap::end)
    }
}

impl<'de> Deserialize<'de> for Ping {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Ping, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Null | Value::Bool(true) => Ok(Ping),
            Value::Object(m) if m.is_empty() => Ok(Ping),
            other => {
                Err(serde::de::Error::custom(format!("`ping` takes no parameters (write `ping: {{}}`), got {other}")))
            }
        }
    }
}

impl JsonSchema for Ping {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Ping".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "No parameters: `ping:`, `ping: {}` or `ping: true`.",
            "anyOf": [{"type": "null"}, {"const": true}, {"type": "object", "maxProperties": 0}]
        })
    }
}

/// Scripted replies to the server's requests during a step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Answers {
    /// The reply to `elicitation/create`: an `ElicitResult` (`{action: accept, content: {…}}`, `{action: decline}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub elicitation: Option<Value>,
    /// The reply to `sampling/createMessage`: a `CreateMessageResult`, or a string for an assistant text message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<Value>,
    /// The roots `roots/list` returns (`[{uri, name}]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<serde_json::Map<String, Value>>>")]
    pub roots: Option<Vec<Value>>,
}

/// One assertion: exactly one kind, and for the kinds that inspect a value, an optional JSONPath selecting it.
///
/// The answer a step's assertions and captures address (`$`) is the JSON-RPC `result`, or the `error` object when
/// the server answered with an error. A path selecting one node asserts on that node, several on the list of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(transform = one_assertion)]
pub struct Assertion {
    /// RFC 9535 JSONPath into the answer (default `$`), for `equals`, `contains`, `matches`, `schema`, `exists`,
    /// `count` and `snapshot`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The selected value equals this JSON value.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub equals: Option<Value>,
    /// The selected value contains this: a substring of a string; for objects every member given, contained in
    /// the member; for arrays every element given, contained in some element; other values are equal.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    pub contains: Option<Value>,
    /// The selected string matches this regular expression (Rust `regex` syntax, unanchored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<String>,
    /// The selected value is valid against this JSON Schema (draft 2020-12 unless `$schema` says otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub schema: Option<Value>,
    /// The path selects something (`true`) or nothing (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
    /// The path selects exactly this many nodes; with a path selecting one array, that array has this many
    /// elements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// The tool result's `isError` is this (absent counts as `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    /// The server answered with a JSON-RPC error with this code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<i64>,
    /// The answer arrived within this many milliseconds of the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// The selected value, normalised (redactions applied, keys sorted, pretty JSON), equals the accepted snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotSpec>,
}

/// A snapshot assertion: where the accepted answer is kept and what to leave out of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SnapshotSpec {
    /// The snapshot's name: `snapshots/<file stem>__<journey>__<name>.snap` beside the journey file.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9_-]*$"))]
    pub name: String,
    /// JSONPaths whose nodes are replaced by `"[redacted]"` before comparing (ids, timestamps).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redact: Vec<String>,
}

/// A notification a step expects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NotificationExpectation {
    /// The notification's method (`notifications/resources/updated`).
    pub method: String,
    /// The session it must arrive on (default: the step's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// How long after the step's answer it may take, in milliseconds (default 2000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_ms: Option<u64>,
    /// Assertions on its `params` (`$`): only a notification satisfying all of them counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<Assertion>")]
    pub expect: Vec<Spanned<Assertion>>,
}

/// The default of [`NotificationExpectation::within_ms`].
pub const DEFAULT_NOTIFICATION_WITHIN_MS: u64 = 2000;

impl Step {
    /// The step's action, if it has exactly one; `Err` lists the actions it has (none or several).
    pub fn action(&self) -> Result<Action<'_>, Vec<&'static str>> {
        let mut found = Vec::new();
        if let Some(k) = self.list {
            found.push(Action::List(k));
        }
        if let Some(c) = &self.call {
            found.push(Action::Call(c));
        }
        if let Some(u) = &self.read {
            found.push(Action::Read(u));
        }
        if let Some(g) = &self.get {
            found.push(Action::Get(g));
        }
        if let Some(c) = &self.complete {
            found.push(Action::Complete(c));
        }
        if let Some(u) = &self.subscribe {
            found.push(Action::Subscribe(u));
        }
        if let Some(u) = &self.unsubscribe {
            found.push(Action::Unsubscribe(u));
        }
        if let Some(l) = &self.listen {
            found.push(Action::Listen(l));
        }
        if let Some(l) = self.set_level {
            found.push(Action::SetLevel(l));
        }
        if self.ping.is_some() {
            found.push(Action::Ping);
        }
        if let Some(r) = &self.raw {
            found.push(Action::Raw(r));
        }
        if found.len() == 1 { Ok(found.remove(0)) } else { Err(found.iter().map(Action::key).collect()) }
    }
}

/// A step's action, borrowed from the step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action<'a> {
    /// `list`.
    List(ListKind),
    /// `call`.
    Call(&'a CallAction),
    /// `read`.
    Read(&'a str),
    /// `get`.
    Get(&'a GetAction),
    /// `complete`.
    Complete(&'a CompleteAction),
    /// `subscribe`.
    Subscribe(&'a str),
    /// `unsubscribe`.
    Unsubscribe(&'a str),
    /// `listen`.
    Listen(&'a ListenAction),
    /// `set-level`.
    SetLevel(LogLevel),
    /// `ping`.
    Ping,
    /// `raw`.
    Raw(&'a Value),
}

/// Every action key, in the order the format documents them.
pub const ACTION_KEYS: [&str; 11] =
    ["list", "call", "read", "get", "complete", "subscribe", "unsubscribe", "listen", "set-level", "ping", "raw"];

impl Action<'_> {
    /// The key the action is written with.
    pub fn key(&self) -> &'static str {
        match self {
            Action::List(_) => "list",
            Action::Call(_) => "call",
            Action::Read(_) => "read",
            Action::Get(_) => "get",
            Action::Complete(_) => "complete",
            Action::Subscribe(_) => "subscribe",
            Action::Unsubscribe(_) => "unsubscribe",
            Action::Listen(_) => "listen",
            Action::SetLevel(_) => "set-level",
            Action::Ping => "ping",
            Action::Raw(_) => "raw",
        }
    }

    /// The action in one line, for reports (`call create_data`, `read test://static-text`).
    pub fn describe(&self) -> String {
        match self {
            Action::List(k) => format!("list {}", k.method_and_member().1),
            Action::Call(c) => format!("call {}", c.tool),
            Action::Read(u) => format!("read {u}"),
            Action::Get(g) => format!("get {}", g.prompt),
            Action::Complete(c) => match (&c.prompt, &c.resource) {
                (Some(p), _) => format!("complete {p} {}", c.argument),
                (None, Some(r)) => format!("complete {r} {}", c.argument),
                (None, None) => format!("complete {}", c.argument),
            },
            Action::Subscribe(u) => format!("subscribe {u}"),
            Action::Unsubscribe(u) => format!("unsubscribe {u}"),
            Action::Listen(_) => "listen".to_owned(),
            Action::SetLevel(l) => format!("set-level {}", l.as_str()),
            Action::Ping => "ping".to_owned(),
            Action::Raw(r) => match r.get("method").and_then(Value::as_str) {
                Some(m) => format!("raw {m}"),
                None => "raw".to_owned(),
            },
        }
    }
}

/// The kinds of assertion, for reports and for the fixture table's proof that each can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AssertionKind {
    /// `equals`.
    Equals,
    /// `contains`.
    Contains,
    /// `matches`.
    Matches,
    /// `schema`.
    Schema,
    /// `exists`.
    Exists,
    /// `count`.
    Count,
    /// `is-error` (also the implicit `is-error: false` of a `call` step).
    IsError,
    /// `error` (also the implicit "a result, not an error" of every step without one).
    Error,
    /// `latency-ms`.
    Latency,
    /// `snapshot`.
    Snapshot,
    /// A `notifications` expectation.
    Notification,
    /// A `capture`: its path must select something.
    Capture,
}

impl AssertionKind {
    /// Every kind.
    pub const ALL: [AssertionKind; 12] = [
        AssertionKind::Equals,
        AssertionKind::Contains,
        AssertionKind::Matches,
        AssertionKind::Schema,
        AssertionKind::Exists,
        AssertionKind::Count,
        AssertionKind::IsError,
        AssertionKind::Error,
        AssertionKind::Latency,
        AssertionKind::Snapshot,
        AssertionKind::Notification,
        AssertionKind::Capture,
    ];

    /// The key it is written with.
    pub fn as_str(self) -> &'static str {
        match self {
            AssertionKind::Equals => "equals",
            AssertionKind::Contains => "contains",
            AssertionKind::Matches => "matches",
            AssertionKind::Schema => "schema",
            AssertionKind::Exists => "exists",
            AssertionKind::Count => "count",
            AssertionKind::IsError => "is-error",
            AssertionKind::Error => "error",
            AssertionKind::Latency => "latency-ms",
            AssertionKind::Snapshot => "snapshot",
            AssertionKind::Notification => "notification",
            AssertionKind::Capture => "capture",
        }
    }
}

impl Assertion {
    /// The assertion's kind, if it has exactly one; `Err` lists the kinds it has (none or several).
    pub fn kind(&self) -> Result<AssertionKind, Vec<&'static str>> {
        let kinds: Vec<AssertionKind> = [
            (self.equals.is_some(), AssertionKind::Equals),
            (self.contains.is_some(), AssertionKind::Contains),
            (self.matches.is_some(), AssertionKind::Matches),
            (self.schema.is_some(), AssertionKind::Schema),
            (self.exists.is_some(), AssertionKind::Exists),
            (self.count.is_some(), AssertionKind::Count),
            (self.is_error.is_some(), AssertionKind::IsError),
            (self.error.is_some(), AssertionKind::Error),
            (self.latency_ms.is_some(), AssertionKind::Latency),
            (self.snapshot.is_some(), AssertionKind::Snapshot),
        ]
        .into_iter()
        .filter_map(|(present, kind)| present.then_some(kind))
        .collect();
        match kinds.as_slice() {
            [one] => Ok(*one),
            _ => Err(kinds.iter().map(|k| k.as_str()).collect()),
        }
    }

    /// Whether the kind inspects a value selected by `path`.
    pub fn takes_path(kind: AssertionKind) -> bool {
        matches!(
            kind,
            AssertionKind::Equals
                | AssertionKind::Contains
                | AssertionKind::Matches
                | AssertionKind::Schema
                | AssertionKind::Exists
                | AssertionKind::Count
                | AssertionKind::Snapshot
        )
    }
}

/// Deserializes a present key as `Some`, even when its value is `null` (so `equals: null` asserts null).
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Adds "exactly one action" to the step schema.
fn one_action(schema: &mut schemars::Schema) {
    let options: Vec<Value> = ACTION_KEYS.iter().map(|k| serde_json::json!({"required": [k]})).collect();
    schema.insert("oneOf".to_owned(), Value::Array(options));
}

/// Adds "exactly one kind" to the assertion schema.
fn one_assertion(schema: &mut schemars::Schema) {
    let options: Vec<Value> =
        ["equals", "contains", "matches", "schema", "exists", "count", "is-error", "error", "latency-ms", "snapshot"]
            .iter()
            .map(|k| serde_json::json!({"required": [k]}))
            .collect();
    schema.insert("oneOf".to_owned(), Value::Array(options));
}

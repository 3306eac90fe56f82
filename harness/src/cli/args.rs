//! Command-line arguments (clap). The help text here is the user's manual: keep it true.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Outcomes: passed; failed (a MUST the server's observed behaviour breaks, named with its quote); warning (a SHOULD);
skipped (not advertised, opt-in missing); error (could not test: the target could not be started or reached, or
stayed silent); not-applicable (other transport or revision: listed, not counted); interrupted.

Exit codes:
  0    every evaluated check passed (warnings allowed, unless --warnings-as-errors)
  1    at least one check failed (not listed in --baseline), or errored while others could be evaluated, or a
       --baseline entry is stale (listed but passed), or a check warned under --warnings-as-errors; a server that
       answers wrongly (even its handshake) is 1
  2    usage or configuration error (bad flag, invalid or unmatched --check pattern, unknown --tag, bad --baseline,
       --out not writable); nothing is run and no report is written
  3    could not test: the target could not be started or reached, exited before answering, or stayed silent
  4    nothing was evaluated: no check selected, or every selected check skipped or not applicable
  130  interrupted by SIGINT (Ctrl-C), 143 by SIGTERM: the report is still written, the unfinished checks marked
       interrupted, and the target's processes ended (a second signal exits at once)";

const REPORT_MERGE_EXIT_CODES: &str = "\
Exit codes:
  0-4  the merged report's exit code, judged anew from the merged checks exactly as `run` judges a run's (0
       passed, 1 failed, 3 could not test: an input report could not test its target, 4 nothing evaluated)
  2    bad input: a file that cannot be read, is not an mcp-harness report or has another schema major version;
       two reports of one target with different results for one check; DIR not writable";

const REPORT_DIFF_EXIT_CODES: &str = "\
Exit codes:
  0    nothing regressed (fixed, new passing, removed and changed-severity checks are listed but pass)
  1    at least one check regressed: a pass (or skip) that now fails or warns, a warning that now fails, or a
       check only in NEW that fails or warns
  2    bad input: a file that cannot be read, is not an mcp-harness report or has another schema major version";

const REPORT_RENDER_EXIT_CODES: &str = "\
Exit codes:
  0    written
  2    bad input: a file that cannot be read, is not an mcp-harness report or has another schema major version;
       FILE not writable";

const SURFACE_EXIT_CODES: &str = "\
Exit codes:
  0    the lock was written
  1    the server answered its handshake or a list request wrongly (nothing is written)
  2    usage error (bad flag, FILE's directory not writable); nothing is started
  3    could not record: the target could not be started or reached, exited before answering, or stayed silent
  130  interrupted by SIGINT (Ctrl-C), 143 by SIGTERM: nothing is written";

const RECORD_EXIT_CODES: &str = "\
Exit codes:
  0    the session was recorded and the journey written (also when the server exited by itself)
  2    usage error (bad flag, FILE exists without --append or --force, FILE not named *.journey.yaml or not
       writable, an --append FILE that is not a valid journey file); nothing is started
  3    the server could not be started; nothing is written
  130  interrupted by SIGINT (Ctrl-C), 143 by SIGTERM: what was recorded is still written, the server ended";

const JOURNEY_INIT_EXIT_CODES: &str = "\
Exit codes:
  0    the starter journey was written
  1    the server answered its handshake or a list request wrongly (nothing is written)
  2    usage error (bad flag, FILE exists without --force, not named *.journey.yaml or not writable)
  3    could not connect: the target could not be started or reached, exited before answering, or stayed silent
  130  interrupted by SIGINT (Ctrl-C), 143 by SIGTERM: nothing is written";

/// Test harness and conformance framework for MCP (Model Context Protocol) servers.
///
/// Connects as an MCP client to a target (a stdio command, a Streamable HTTP URL, or the bundled reference
/// server), runs suites of checks and writes one report: DIR/report.json (versioned JSON, schema in
/// harness/schema/report.schema.json), DIR/junit.xml and DIR/report.html, plus Markdown, SARIF and CTRF on
/// request (`--report md,sarif,ctrf`). `mcp-harness report` merges, compares and re-renders reports.
#[derive(Debug, Parser)]
#[command(name = "mcp-harness", version, after_help = EXIT_CODES, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
#[expect(clippy::large_enum_variant, reason = "parsed once per process; boxing would only obscure clap's derive")]
pub(crate) enum Command {
    /// Run checks against a target and write the report.
    ///
    /// Without a target option, runs against the bundled reference server over stdio.
    ///
    /// Examples:
    ///   mcp-harness run
    ///   mcp-harness run --stdio "npx -y @modelcontextprotocol/server-everything"
    ///   mcp-harness run --url http://127.0.0.1:3001/mcp --bearer-env MY_TOKEN
    ///   mcp-harness run --url https://127.0.0.1:3443/mcp --ca-cert test-ca.pem
    ///   mcp-harness run --url https://mcp.example.com/mcp --oauth-client-id ID --oauth-client-secret-env VAR
    ///   mcp-harness run --reference http --protocol 2026-07-28 --check 'jsonrpc.*'
    #[command(after_help = EXIT_CODES, verbatim_doc_comment)]
    Run(RunArgs),
    /// List the checks `run` would select with the same flags, and whether each would run, without starting or
    /// connecting to anything — except with the unit suite selected (`--suite unit`), whose checks are generated
    /// from the target's tools and prompts: the target is then started once and listed.
    List(ListArgs),
    /// Record the server's tool surface in a lock file, for `run --surface FILE` to compare with.
    ///
    /// Connects like `run` (same target flags), lists every tool, resource, resource template
    /// and prompt (following pagination) and writes FILE: JSON, one entry per item sorted by
    /// name or URI, with its schemas, annotations and prompt arguments, and every title and
    /// description as a SHA-256 hash plus the text itself (--hash-only leaves the texts out).
    ///
    /// Commit the file beside the server. A run with --surface FILE then fails on a breaking
    /// change (a removed item or argument, a new required argument, a narrowed input type, a
    /// widened output type), warns on a silent one (a changed title, description or annotation:
    /// a rug pull until the author re-locks) and passes additions.
    ///
    /// Re-lock after an intended change: run this command again with the same flags and commit
    /// the new file; its diff is the change for review.
    ///
    /// Examples:
    ///   mcp-harness surface --stdio "node build/index.js" --write mcp-surface.lock.json
    ///   mcp-harness run --stdio "node build/index.js" --surface mcp-surface.lock.json
    ///   mcp-harness surface --url http://127.0.0.1:3001/mcp --write surface.lock.json
    #[command(after_help = SURFACE_EXIT_CODES, verbatim_doc_comment)]
    Surface(SurfaceArgs),
    /// Record a real client's session with a stdio server as a journey: a manual session becomes a regression test.
    ///
    /// Configure the host application (an IDE, a chat app, an inspector) to start this
    /// command instead of the server: `mcp-harness record --out FILE -- CMD ARGS…`. The
    /// harness starts CMD, passes every byte between the two unchanged (the server's
    /// stderr goes to this process's stderr), and when the session ends writes it to FILE
    /// as one journey (check e2e.<file stem>.<name>):
    ///   - one step per request: tools/call → call, resources/read → read, prompts/get →
    ///     get, completion/complete → complete, lists → list (all pages), subscribe,
    ///     unsubscribe, logging/setLevel, ping; other requests and client notifications
    ///     → raw; the handshake is left out (every replay does its own);
    ///   - the observed answers as editable expectations: `equals` on the structured
    ///     content (else the content, a read's contents, a prompt's messages), `error:
    ///     <code>` for a JSON-RPC error, `is-error: true` for an error result, list items by
    ///     name or URI; timestamps, UUIDs and time-like members (`createdAt`, `*_ms`) are
    ///     checked by type only;
    ///   - a string the server returned that the client later sent back (an id, a URI)
    ///     is captured and used as ${variable}, so the replay follows the new values;
    ///   - the client's answers to elicitation, sampling and roots requests (and the
    ///     2026-07-28 input-required rounds) as the step's scripted `answers`;
    ///   - resource updates and list_changed notifications as expected `notifications`.
    ///
    /// Anything it could not express is printed as a note on stderr.
    ///
    /// Replay: mcp-harness run --stdio "CMD ARGS…" --suite e2e --journeys DIR
    ///
    /// Examples:
    ///   mcp-harness record --out mcp-journeys/session.journey.yaml -- node build/index.js
    ///   mcp-harness record --out mcp-journeys/s.journey.yaml --append --name search -- uvx my-server
    #[command(after_help = RECORD_EXIT_CODES, verbatim_doc_comment)]
    Record(RecordArgs),
    /// Journey files: `journey init` writes a starter journey from a server's surface.
    #[command(subcommand)]
    Journey(JourneyCommand),
    /// Reports: merge shards or targets into one, compare two runs, render a report.json in another format.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Authorization material: `auth keygen` writes the key the harness signs access tokens with and the JWKS a
    /// server under test is configured to trust.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Serve the bundled reference server (the same program as `mcp-reference-server`); pass its flags after
    /// `--`, e.g. `mcp-harness serve-reference -- --transport http --listen 127.0.0.1:3000`.
    ServeReference {
        /// Flags for the reference server (see `mcp-harness serve-reference -- --help`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Print a shell completion script for mcp-harness on stdout.
    ///
    /// Examples:
    ///   mcp-harness completions bash > ~/.local/share/bash-completion/completions/mcp-harness
    ///   mcp-harness completions zsh > "${fpath[1]}/_mcp-harness"
    ///   mcp-harness completions fish > ~/.config/fish/completions/mcp-harness.fish
    #[command(verbatim_doc_comment)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Which checks.
#[derive(Debug, Args, Clone)]
pub(crate) struct FilterArgs {
    /// Suites to run, comma-separated, or `all`: unit (each tool and prompt alone: inputs drawn from its schema,
    /// valid ones answered, invalid ones refused, structured output valid, sequences of calls fed with returned
    /// values, resource templates read; read-only tools unless --call-tools; the target is listed first to
    /// generate the checks), conformance (protocol rules of the spec, for any server),
    /// integration (the data-tools contract over real Postgres/Redis, with fault injection; needs Docker or
    /// DATABASE_URL/REDIS_URL), security (HTTP defences: Host and Origin, CORS, sessions; OAuth authorization
    /// when a token or --auth-signing-key is given; tool metadata poisoning; leaked secrets; robustness against
    /// malformed input and floods; with --danger-intrusive only, injection payloads into tool arguments and
    /// resources/read: path traversal, command, SQL, SSRF, tampered requestState; each finding with severity and
    /// CWE, also written to report.sarif), e2e (user journeys from
    /// *.journey.yaml files, see --journeys; and with --surface FILE the surface lock's checks), performance (one
    /// open-loop load run, ≈ 20 s by default, judged against SLOs: mean and p95 latency, error rate, throughput,
    /// memory growth, the 40 ms quantum; see the "Performance suite" options).
    #[arg(long, value_delimiter = ',', default_value = "conformance")]
    pub suite: Vec<String>,
    /// Only checks whose id matches: a glob (`jsonrpc.*`) or a dotted prefix (`lifecycle`). Repeatable.
    #[arg(long = "check", value_name = "GLOB")]
    pub check: Vec<String>,
    /// Leave out checks whose id matches (glob or dotted prefix). Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Only checks with this tag or level (`MUST`, `SHOULD`, `transport`, …). Repeatable.
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// A directory of journey files (`*.journey.yaml`) for the e2e suite: each journey becomes the check
    /// `e2e.<file stem>.<journey name>`. Repeatable; replaces the default, which is ./mcp-journeys/ when it exists
    /// plus the journeys shipped for the bundled reference server when that is the target. A journey file with a
    /// mistake is a usage error (exit 2) naming FILE:LINE.
    #[arg(long = "journeys", value_name = "DIR")]
    pub journeys: Vec<PathBuf>,
    /// Run one shard of the selected checks: `hash:K/N` (by a hash of the check id: a check keeps its shard when
    /// others are added) or `count:K/N` (round robin over the selection: even shards), 1 ≤ K ≤ N. For CI matrix
    /// jobs: each job runs one shard, `mcp-harness report merge` joins their report.json files.
    #[arg(long, value_name = "KIND:K/N")]
    pub partition: Option<mcp_harness::runner::Partition>,
}

/// Transport for the bundled reference server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReferenceArg {
    /// A child process over stdin/stdout.
    Stdio,
    /// Streamable HTTP on a free loopback port.
    Http,
}

/// A backing service for `--with`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ServiceArg {
    /// PostgreSQL (the target gets DATABASE_URL).
    Postgres,
    /// Redis (the target gets REDIS_URL).
    Redis,
}

/// An opt-in set of checks for `--profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProfileArg {
    /// The `official.*` checks: the official conformance suite's server scenarios, judged by its fixture names
    /// (tools `test_simple_text`, …, resources `test://static-text`, …, prompts `test_simple_prompt`, …).
    OfficialFixtures,
}

/// Report formats written only on request (`run --report`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExtraFormat {
    /// report.md: a Markdown summary.
    Md,
    /// report.sarif: SARIF 2.1.0 (security findings).
    Sarif,
    /// ctrf-report.json: CTRF JSON.
    Ctrf,
}

/// Every format a report can be rendered in (`report render --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RenderFormat {
    /// Self-contained HTML page.
    Html,
    /// Markdown summary.
    Md,
    /// JUnit XML.
    Junit,
    /// SARIF 2.1.0 (security findings).
    Sarif,
    /// CTRF JSON.
    Ctrf,
    /// The report's own JSON (rewritten in this build's schema version).
    Json,
}

/// `report diff` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    /// A table on stdout.
    Human,
    /// JSON on stdout: {regressed, fixed, new, removed, changedSeverities, unchanged}.
    Json,
}

/// `mcp-harness report …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ReportCommand {
    /// Merge reports (shards of one run, or runs against several targets) into one and write every format.
    ///
    /// Checks are concatenated; the same check id (same suite) in two reports of the same target must have the
    /// same result (it is then kept once), else the merge is refused. Totals, coverage, verdict and exit code are
    /// judged anew from the merged checks, not summed. Writes DIR/report.json, junit.xml, report.html, report.md,
    /// report.sarif and ctrf-report.json; with GITHUB_STEP_SUMMARY set, also the step summary and annotations.
    ///
    /// Example:
    ///   mcp-harness report merge shard-1/report.json shard-2/report.json --out merged
    #[command(after_help = REPORT_MERGE_EXIT_CODES, verbatim_doc_comment)]
    Merge(ReportMergeArgs),
    /// Compare two reports check by check: regressed, fixed, new and removed checks, changed severities.
    ///
    /// Regressed: a check that passed (or was skipped) and now fails or warns, one that warned and now fails, or
    /// one only in NEW that fails or warns. Exit 1 when anything regressed.
    ///
    /// Example:
    ///   mcp-harness report diff baseline/report.json target/mcp-harness/report.json
    #[command(after_help = REPORT_DIFF_EXIT_CODES, verbatim_doc_comment)]
    Diff(ReportDiffArgs),
    /// Render a report.json in another format, to FILE or stdout.
    ///
    /// Example:
    ///   mcp-harness report render target/mcp-harness/report.json --format md
    #[command(after_help = REPORT_RENDER_EXIT_CODES, verbatim_doc_comment)]
    Render(ReportRenderArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ReportMergeArgs {
    /// The reports (report.json files).
    #[arg(required = true, num_args = 1.., value_name = "REPORT")]
    pub reports: Vec<PathBuf>,
    /// Directory for the merged reports (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct ReportDiffArgs {
    /// The earlier report.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The later report.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Output on stdout.
    #[arg(long, value_enum, default_value = "human")]
    pub format: DiffFormat,
}

#[derive(Debug, Args)]
pub(crate) struct ReportRenderArgs {
    /// The report.json to render.
    #[arg(value_name = "REPORT")]
    pub report: PathBuf,
    /// The format.
    #[arg(long, value_enum)]
    pub format: RenderFormat,
    /// Write here instead of stdout (HTML: the performance plots are looked up beside REPORT).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorArg {
    /// When stderr is a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// What to test. `list` uses only the transport it implies.
#[derive(Debug, Args, Clone)]
pub(crate) struct TargetArgs {
    /// Test a stdio server: the command line to start it (split like a shell would, but no shell runs it).
    /// A new process is started for each connection; its stderr goes into the report.
    #[arg(long, value_name = "COMMAND", conflicts_with_all = ["url", "reference"])]
    pub stdio: Option<String>,
    /// Environment for the stdio server, `KEY=VALUE`. Repeatable.
    #[arg(long = "env", value_name = "KEY=VALUE", requires = "stdio")]
    pub env: Vec<String>,
    /// Working directory for the stdio server.
    #[arg(long, value_name = "DIR", requires = "stdio")]
    pub cwd: Option<PathBuf>,
    /// Test a running Streamable HTTP server at this URL (e.g. http://127.0.0.1:3001/mcp or
    /// https://mcp.example.com/mcp). HTTPS speaks HTTP/2 or HTTP/1.1 (ALPN) and trusts the platform's roots
    /// (Mozilla's when the platform has none).
    #[arg(long, value_name = "URL", conflicts_with = "reference")]
    pub url: Option<String>,
    /// Extra HTTP header for every request, `Name: value`. Repeatable.
    #[arg(long = "header", value_name = "NAME: VALUE", requires = "url")]
    pub header: Vec<String>,
    /// Name of an environment variable holding a bearer token for the HTTP target (tokens are never taken from
    /// the command line, and are redacted from reports).
    #[arg(long, value_name = "VAR", requires = "url")]
    pub bearer_env: Option<String>,
    /// Name of an environment variable holding the bearer token of a second principal (another user of the same
    /// server). Enables security.http.session-binding: a session opened with the --bearer-env token is presented
    /// with this one, and must be refused. Without it that check is skipped (opt-in required).
    #[arg(long, value_name = "VAR", requires = "bearer_env")]
    pub second_bearer_env: Option<String>,
    /// PEM file of CA certificates to trust for an https:// target, besides the default roots (e.g. the CA of a
    /// self-signed test server). Repeatable.
    #[arg(long, value_name = "FILE", requires = "url")]
    pub ca_cert: Vec<PathBuf>,
    /// DANGER: accept any TLS certificate of an https:// target. The run then proves nothing about the server's
    /// identity; a warning is printed and the report says so.
    #[arg(long, requires = "url")]
    pub insecure: bool,
    /// OAuth 2.1 client id for a target that answers 401: the harness discovers the protected-resource metadata
    /// (RFC 9728) and the authorization server (RFC 8414), then runs a client-credentials grant with the
    /// `resource` parameter (RFC 8707). Needs --oauth-client-secret-env.
    #[arg(long, value_name = "ID", requires_all = ["url", "oauth_client_secret_env"], conflicts_with = "bearer_env")]
    pub oauth_client_id: Option<String>,
    /// Name of an environment variable holding the OAuth client secret (never taken from the command line,
    /// redacted everywhere).
    #[arg(long, value_name = "VAR", requires = "oauth_client_id")]
    pub oauth_client_secret_env: Option<String>,
    /// Scope(s) to ask the authorization server for (space-separated, as one argument).
    #[arg(long, value_name = "SCOPE", requires = "oauth_client_id")]
    pub oauth_scope: Option<String>,
    /// Test the bundled reference server (the default target) over stdio or HTTP.
    #[arg(long, value_enum, num_args = 0..=1, default_missing_value = "stdio", value_name = "TRANSPORT")]
    pub reference: Option<ReferenceArg>,
}

impl TargetArgs {
    /// Whether the target is reached over stdio (the default target is the reference server over stdio).
    pub(crate) fn is_stdio(&self) -> bool {
        self.stdio.is_some() || (self.url.is_none() && self.reference != Some(ReferenceArg::Http))
    }
}

/// What decides, before connecting, whether a selected check runs: the revision and the opt-ins.
#[derive(Debug, Args, Clone)]
pub(crate) struct PlanArgs {
    /// Protocol revision to speak: auto (probe with server/discover, fall back to initialize), 2025-03-26,
    /// 2025-06-18, 2025-11-25 or 2026-07-28. Checks of other revisions are not applicable.
    #[arg(long, default_value = "auto", value_name = "REV")]
    pub protocol: String,
    /// Enable the intrusive security probes (security.inject.*): attack payloads (path traversal, shell and
    /// argument injection, SQL, SSRF, tampered requestState) sent to tools and resources/read. Off by default.
    /// The tools probed are those --tool-allow names or, without it, read-only tools stating no destroying verb;
    /// every probe is bounded and non-destructive, and the report lists the tools probed.
    #[arg(long)]
    pub danger_intrusive: bool,
    /// Opt-in check profiles. Repeatable.
    ///
    /// `official-fixtures` adds the `official.*` checks: the official MCP conformance suite's server scenarios
    /// (tools-call-*, resources-read-*, prompts-get-*, completion-complete, elicitation-sep*, json-schema-2020-12,
    /// input-required-result-*, …), judged as that suite judges them, by its fixture names (tool
    /// `test_simple_text`, resource `test://static-text`, prompt `test_simple_prompt`, …). For SDK authors whose
    /// test server implements those fixtures; a server without them fails these checks. Without the profile
    /// they are not run (named with --check they are reported as skipped, opt-in required). The other checks
    /// need no fixtures and run either way.
    /// To run only the profile: --profile official-fixtures --check 'official.*'.
    #[arg(long = "profile", value_enum, value_name = "PROFILE")]
    pub profile: Vec<ProfileArg>,
    /// Compare the server with a surface lock written by `mcp-harness surface --write FILE`.
    ///
    /// Adds the surface.* checks (suite e2e: surface.tools, surface.resources, surface.templates,
    /// surface.prompts) to whatever suites run; --check, --exclude and --tag narrow them like any check. Each
    /// lists its kind of item and compares it with the lock: a removed item, a removed argument or output
    /// property, a newly required argument, a narrowed input type (a type, enum value or bound dropped,
    /// additionalProperties turned false) or a widened output type fails (a breaking change); a changed title,
    /// description or annotation, or a schema change the harness cannot judge (oneOf, not, …), warns (a rug pull
    /// until the author re-locks); additions pass, with a note. The evidence names each item and shows old and
    /// new. After an intended change, re-lock: run `mcp-harness surface` with the same target and --write FILE.
    #[arg(long, value_name = "FILE")]
    pub surface: Option<PathBuf>,
}

/// Where defaults come from (read before parsing, see `cli::config_file`).
#[derive(Debug, Args, Clone)]
pub(crate) struct ConfigArgs {
    /// Defaults for this command's flags from a TOML file: each key of its `[run]` table is a flag without its
    /// dashes (`stdio = "node build/index.js"`, `suite = ["conformance", "security"]`, `fail-fast = true`); flags
    /// given here override it. Default: ./mcp-harness.toml when it exists.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore ./mcp-harness.toml.
    #[arg(long)]
    pub no_config: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub auth: AuthArgs,
    /// An extra flag for the bundled reference server when the harness launches it (`--reference`), e.g.
    /// `--reference-arg=--auth-jwks=target/auth/jwks.json`. Repeatable; write it with `=` when ARG starts with `-`.
    #[arg(long = "reference-arg", value_name = "ARG", allow_hyphen_values = true, conflicts_with_all = ["url", "stdio"])]
    pub reference_arg: Vec<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Directory for the reports (created if missing; checked writable before anything runs): report.json,
    /// junit.xml and report.html always, report.sarif when the security suite ran, the --report formats, and the
    /// performance plots.
    #[arg(long, default_value = "target/mcp-harness", value_name = "DIR")]
    pub out: PathBuf,
    /// Additional report formats, comma-separated: md (report.md, a Markdown summary), sarif (report.sarif, the
    /// security suite's findings as SARIF 2.1.0; written anyway when the security suite ran), ctrf
    /// (ctrf-report.json, https://ctrf.io). With GITHUB_STEP_SUMMARY set (GitHub Actions), the Markdown summary is
    /// also appended to that file and failures and warnings are printed to stdout as workflow annotations.
    #[arg(long = "report", value_enum, value_delimiter = ',', value_name = "FORMATS")]
    pub report: Vec<ExtraFormat>,
    /// Make warnings (unmet SHOULDs) fail the run: verdict failed, exit code 1, and JUnit writes them as
    /// <failure type="SHOULD"> (without it they are passing cases with an outcome=warning property).
    #[arg(long)]
    pub warnings_as_errors: bool,
    /// Timeout for one request, in milliseconds (each check may take at most 3× this, at least 30 s).
    #[arg(long, default_value_t = 10_000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub timeout_ms: u64,
    /// How long to keep listening for a late reply, in milliseconds, once a follow-up request proved the target
    /// alive. Silence to a message that needs a reply is judged this way instead of waiting --timeout-ms.
    #[arg(long, default_value_t = 300, value_name = "N", value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub silence_ms: u64,
    /// Largest message read from the target, in bytes (one stdio line or one HTTP body). A larger message fails
    /// `wire.message-size` and the check that received it.
    #[arg(long, default_value_t = 16 << 20, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1024..=1 << 30))]
    pub max_message_bytes: u64,
    /// Call tools that are not annotated read-only, with arguments synthesised from their schemas (they may
    /// have side effects). Without it only read-only tools are called.
    #[arg(long)]
    pub call_tools: bool,
    /// Tools that may be called beyond read-only ones (globs, repeatable; needs --call-tools or
    /// --danger-intrusive). With --call-tools, only these are called. With --danger-intrusive, the injection
    /// checks (security.inject.*) send attack payloads to exactly these tools, whatever their annotations; without
    /// it they probe only tools annotated readOnlyHint: true whose name and description state no destroying verb.
    #[arg(long, value_name = "GLOB")]
    pub tool_allow: Vec<String>,
    /// Unit suite: valid inputs drawn per tool (edge values weighted in); up to twice as many invalid ones.
    #[arg(long, default_value_t = mcp_harness::runner::DEFAULT_UNIT_CASES, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub cases: u32,
    /// Unit suite: the seed inputs are drawn from (default: a new one each run, printed in every unit check's
    /// evidence). The same seed, target and check draw the same inputs: a reported failure replays with
    /// `--check ID --seed N`.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Backing services to give the target, comma-separated: postgres, redis. Each is taken from
    /// DATABASE_URL / REDIS_URL (or TEST_DATABASE_URL / TEST_REDIS_URL) when set, else started as a container
    /// through the local Docker engine (removed afterwards, also on Ctrl-C); the target (a --stdio command or the
    /// bundled reference server) gets DATABASE_URL / REDIS_URL in its environment. The integration suite asks for
    /// both by itself. Without Docker or URLs the checks that need them are skipped, with the reason.
    #[arg(long = "with", value_enum, value_delimiter = ',', value_name = "SERVICES")]
    pub with: Vec<ServiceArg>,
    /// Fail (exit 3, "could not test") when backing services cannot be provided, instead of skipping the checks
    /// that need them. For CI, where a skip would hide a broken set-up.
    #[arg(long)]
    pub require_services: bool,
    /// Postgres image for service containers (official interface: POSTGRES_USER/PASSWORD/DB, `-c` args).
    /// Default: postgres:16. Air-gapped machines: build local images with scripts/offline-images/build.sh.
    #[arg(long, value_name = "IMAGE:TAG", env = "MCP_HARNESS_POSTGRES_IMAGE")]
    pub postgres_image: Option<String>,
    /// Redis image for service containers. Default: redis:7.
    #[arg(long, value_name = "IMAGE:TAG", env = "MCP_HARNESS_REDIS_IMAGE")]
    pub redis_image: Option<String>,
    /// Expected failures: the official MCP conformance suite's YAML (`server:` list of check ids, globs or
    /// dotted prefixes; `scenario:check-id` accepted). Listed checks that fail do not fail the run; listed checks
    /// that pass do ("listed in baseline but passed: remove it").
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// After the run, rewrite the --baseline FILE (created if missing) to list the checks that failed or warned.
    #[arg(long, requires = "baseline")]
    pub update_baseline: bool,
    /// Accept the answers of journey `snapshot` assertions that differ from their accepted snapshots: overwrite
    /// the `.snap` files (beside the journey files, under snapshots/) instead of failing.
    #[arg(long)]
    pub update_snapshots: bool,
    /// Code coverage to include in the report: a `cargo llvm-cov report --json --summary-only` file.
    #[arg(long, value_name = "FILE")]
    pub coverage_json: Option<PathBuf>,
    /// A command run after the checks, once the target has ended (and an instrumented target has written its
    /// profile), that writes the --coverage-json FILE, e.g. "cargo llvm-cov report --json --summary-only
    /// --output-path cov.json". Split like a shell would split it; no shell runs it. If it fails, the report says
    /// code coverage was not measured and why. Recipe: the README's "Code coverage".
    #[arg(long, value_name = "COMMAND", requires = "coverage_json")]
    pub coverage_command: Option<String>,
    /// Colour on stderr.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
    /// Do not draw the progress bar (it is also hidden when stderr is not a terminal, and under CI).
    #[arg(long)]
    pub no_progress: bool,
    /// End the run at the first check that fails or cannot be evaluated (a failure the --baseline expects does
    /// not count): the checks left are reported skipped (`fail-fast`), the target is ended, the reports are
    /// written.
    #[arg(long)]
    pub fail_fast: bool,
    /// Print less: no progress, only failures, warnings, errors and the final `Summary:` line on stderr.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more: every check as it finishes (status, id, time, reason), beside the usual story.
    #[arg(short, long)]
    pub verbose: bool,
    #[command(flatten)]
    pub load: LoadArgs,
}

/// The performance suite's load: what it sends, how fast, for how long, and the SLOs it is judged against.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Performance suite (--suite performance)")]
pub(crate) struct LoadArgs {
    /// Load profile: `load` (a fixed rate for --duration), `stress` (the rate multiplied by --stress-factor each
    /// step, up to --stress-steps steps, until an SLO breaks; the report names the knee, the highest rate within
    /// every SLO, and the checks judge that step) or `endurance` (a long run, default 5 min, watching memory and
    /// descriptors).
    #[arg(long, value_enum, default_value = "load", value_name = "PROFILE")]
    pub load_profile: LoadProfileArg,
    /// Requests per second offered (open loop: request i is due at start + i/rate whatever the answers, and its
    /// latency counts from then, so a stalling server is charged for every request it delayed).
    #[arg(long, default_value_t = mcp_harness::load::DEFAULT_RATE, value_name = "N")]
    pub rate: f64,
    /// Closed loop instead: this many virtual users, each sending its next request when the last is answered (as
    /// wrk, k6 VUs and most MCP load tools do; blind to stalls). For comparison with such tools.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub virtual_users: Option<u32>,
    /// The measured window (per stress step): `15s`, `500ms`, `2m`, `1h`; a bare number is seconds. Default 15s
    /// (endurance: 5m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<std::time::Duration>,
    /// Warm-up before measuring, excluded from every figure.
    #[arg(long, default_value = "3s", value_name = "DURATION", value_parser = parse_duration)]
    pub warmup: std::time::Duration,
    /// HTTP keep-alive connections the load uses (TCP_NODELAY on).
    #[arg(long, default_value_t = mcp_harness::load::DEFAULT_CONNECTIONS, value_name = "N")]
    pub connections: u32,
    /// Requests in flight at once at most (open loop); the scheduler waits when it is reached and the wait is
    /// charged to the server's latency.
    #[arg(long, default_value_t = 1024, value_name = "N")]
    pub in_flight: u32,
    /// HTTP session use: `auto` (a session per connection on 2025 revisions, stateless requests on 2026-07-28) or
    /// `churn` (initialize → initialized → call → DELETE for every request, as the published MCP server
    /// benchmarks do; latency is then the whole iteration's).
    #[arg(long, value_enum, default_value = "auto", value_name = "PATTERN")]
    pub load_pattern: LoadPatternArg,
    /// The tool the load calls (default: the first read-only tool that answers arguments synthesised from its
    /// schema successfully, else tools/list, else ping). A tool not annotated read-only needs --call-tools.
    #[arg(long, value_name = "NAME", conflicts_with = "load_mix")]
    pub load_tool: Option<String>,
    /// Arguments for --load-tool, as a JSON object.
    #[arg(long, value_name = "JSON", requires = "load_tool")]
    pub load_args: Option<String>,
    /// A weighted mix of requests: a JSON file holding a list of `{"tool": NAME, "arguments": {…}, "weight": N}`
    /// or `{"method": "tools/list", "weight": N}`.
    #[arg(long, value_name = "FILE")]
    pub load_mix: Option<PathBuf>,
    /// SLO: corrected mean latency below this many milliseconds.
    #[arg(long, default_value_t = 200.0, value_name = "MS")]
    pub slo_mean_ms: f64,
    /// SLO: corrected 95th percentile below this many milliseconds.
    #[arg(long, default_value_t = 500.0, value_name = "MS")]
    pub slo_p95_ms: f64,
    /// SLO: errors (JSON-RPC errors, tool errors, timeouts, transport failures, non-2xx) below this percentage.
    #[arg(long, default_value_t = 1.0, value_name = "PERCENT")]
    pub slo_error_percent: f64,
    /// SLO: the target's resident memory grows by less than this many megabytes (local targets).
    #[arg(long, default_value_t = 50.0, value_name = "MB")]
    pub slo_rss_growth_mb: f64,
    /// SLO: at least this percentage of the offered rate answered per second.
    #[arg(long, default_value_t = 95.0, value_name = "PERCENT")]
    pub slo_achieved_percent: f64,
    /// Stress profile: the factor each step multiplies the rate by.
    #[arg(long, default_value_t = 2.0, value_name = "X")]
    pub stress_factor: f64,
    /// Stress profile: steps at most.
    #[arg(long, default_value_t = 6, value_name = "N")]
    pub stress_steps: u32,
    /// Also write the load as a k6 script (HTTP targets): the same requests, rate, warm-up and duration as an
    /// open-model `constant-arrival-rate` scenario, for k6's distributed executors (k6-operator, k6 cloud) when one
    /// load machine is not enough. Run it with `k6 run --summary-export summary.json FILE` (MCP_URL overrides the
    /// endpoint, MCP_BEARER_TOKEN adds a token) and bring the result back with --import-k6.
    #[arg(long, value_name = "FILE")]
    pub export_k6: Option<PathBuf>,
    /// Judge a k6 summary (`k6 run --summary-export`, of a script from --export-k6) instead of running load: the
    /// performance checks apply the same SLOs to k6's figures (k6 times from the actual send, so its latency is
    /// the uncorrected one; the report's notes say what the summary lacks).
    #[arg(long, value_name = "FILE", conflicts_with = "export_k6")]
    pub import_k6: Option<PathBuf>,
}

/// `--load-profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LoadProfileArg {
    /// A fixed rate.
    Load,
    /// Rising rates until an SLO breaks.
    Stress,
    /// A long fixed-rate run.
    Endurance,
}

/// `--load-pattern`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LoadPatternArg {
    /// What the revision implies.
    Auto,
    /// A whole session per request.
    Churn,
}

/// Parses `15s`, `500ms`, `2m`, `1h` or a bare number of seconds.
pub(crate) fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let n: f64 = number.parse().map_err(|_| format!("`{s}` is not a duration (examples: 15s, 500ms, 2m)"))?;
    let seconds = match unit.trim() {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        other => return Err(format!("unknown unit `{other}` in `{s}` (use ms, s, m or h)")),
    };
    if !seconds.is_finite() || !(0.0..=86_400.0).contains(&seconds) {
        return Err(format!("`{s}` is out of range (0 to 24 h)"));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ListFormat,
}

/// Arguments of `surface`.
#[derive(Debug, Args)]
pub(crate) struct SurfaceArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Protocol revision to speak: auto (probe with server/discover, fall back to initialize), 2025-03-26,
    /// 2025-06-18, 2025-11-25 or 2026-07-28. The lock records the revision spoken.
    #[arg(long, default_value = "auto", value_name = "REV")]
    pub protocol: String,
    /// The lock file to write (overwritten; its directory is created if missing).
    #[arg(long, value_name = "FILE")]
    pub write: PathBuf,
    /// Store only the SHA-256 of each title and description, not the text: every change is still detected, but
    /// a run's evidence can show only the new text beside the locked hash. For long or confidential texts.
    #[arg(long)]
    pub hash_only: bool,
    /// Timeout for one request, in milliseconds.
    #[arg(long, default_value_t = 10_000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub timeout_ms: u64,
}

/// Arguments of `record`.
#[derive(Debug, Args)]
pub(crate) struct RecordArgs {
    /// The journey file to write (`*.journey.yaml`; its directory is created if missing). A file that exists is
    /// refused unless --append or --force says what to do with it.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The journey's name (lowercase letters, digits and dashes); with --append a `-2`, `-3`, … is added when
    /// the file already has a journey of this name.
    #[arg(long, default_value = "recorded", value_name = "NAME")]
    pub name: String,
    /// Add the journey to FILE when it exists (the file is read and written again: its comments are not kept).
    #[arg(long, conflicts_with = "force")]
    pub append: bool,
    /// Overwrite FILE when it exists.
    #[arg(long)]
    pub force: bool,
    /// Environment for the server, `KEY=VALUE`. Repeatable.
    #[arg(long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Working directory for the server.
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// Largest message recorded, in bytes (larger lines are still passed on, with a note).
    #[arg(long, default_value_t = 16 << 20, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1024..=1 << 30))]
    pub max_message_bytes: u64,
    /// The server's command and arguments, after `--`.
    #[arg(last = true, required = true, num_args = 1.., value_name = "CMD")]
    pub command: Vec<String>,
}

/// The authorization flags of `run` (the security suite's `security.auth.*` checks). Tokens are never taken from
/// the command line: the `*-env` flags name environment variables, and every token is redacted from reports.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct AuthArgs {
    /// PEM file of the RSA private key (PKCS#8 or PKCS#1) the target trusts (its public half in the target's JWKS;
    /// `mcp-harness auth keygen` writes both). The harness then mints RS256 access tokens: the run's own token with
    /// every scope of the target's protected resource metadata (`scopes_supported`), used as the bearer token
    /// when no --bearer-env is given, and the expired, not-yet-valid, wrong-audience, scope-less and badly signed
    /// variants the security.auth.* checks present.
    #[arg(long, value_name = "FILE", conflicts_with = "stdio")]
    pub auth_signing_key: Option<PathBuf>,
    /// The `kid` of minted tokens (the JWKS entry the target looks the key up by).
    #[arg(long, value_name = "KID", default_value = mcp_harness::auth::DEFAULT_KEY_ID, requires = "auth_signing_key")]
    pub auth_key_id: String,
    /// The `iss` of minted tokens. Default: the first `authorization_servers` entry of the target's protected
    /// resource metadata (/.well-known/oauth-protected-resource).
    #[arg(long, value_name = "ISS", requires = "auth_signing_key")]
    pub auth_issuer: Option<String>,
    /// The `aud` of minted tokens. Default: the metadata's `resource`, else the target's URL.
    #[arg(long, value_name = "URI", requires = "auth_signing_key")]
    pub auth_audience: Option<String>,
    /// Name of an environment variable holding an expired token of the target's authorization server
    /// (security.auth.invalid-token presents it; with --auth-signing-key the harness mints one instead).
    #[arg(long, value_name = "VAR", conflicts_with = "stdio")]
    pub expired_token_env: Option<String>,
    /// Name of an environment variable holding a valid token of the same authorization server issued for another
    /// resource (security.auth.audience; with --auth-signing-key the harness mints one instead).
    #[arg(long, value_name = "VAR", conflicts_with = "stdio")]
    pub wrong_audience_token_env: Option<String>,
    /// Name of an environment variable holding a valid token without the scopes MCP requests need
    /// (security.auth.insufficient-scope; with --auth-signing-key the harness mints one with no scope instead).
    #[arg(long, value_name = "VAR", conflicts_with = "stdio")]
    pub low_scope_token_env: Option<String>,
}

/// `auth` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum AuthCommand {
    /// Write a fresh RSA 2048 signing key (`signing-key.pem`, PKCS#8, mode 0600) and its public JWK Set
    /// (`jwks.json`: `kid`, `alg: RS256`, `use: sig`) into DIR. Configure the server under test to trust
    /// jwks.json, then run with --auth-signing-key DIR/signing-key.pem.
    ///
    /// Example:
    ///   mcp-harness auth keygen --out target/auth
    ///   mcp-harness run --reference http --reference-arg=--auth-jwks=target/auth/jwks.json \
    ///     --reference-arg=--auth-issuer=https://auth.example.test \
    ///     --auth-signing-key target/auth/signing-key.pem --suite security
    #[command(verbatim_doc_comment)]
    Keygen(KeygenArgs),
}

/// Arguments of `auth keygen`.
#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// The directory to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The key id written into the JWKS (and what --auth-key-id must then be).
    #[arg(long, value_name = "KID", default_value = mcp_harness::auth::DEFAULT_KEY_ID)]
    pub kid: String,
    /// Overwrite an existing signing-key.pem.
    #[arg(long)]
    pub force: bool,
}

/// `journey` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum JourneyCommand {
    /// Write a starter journey from a server's advertised surface.
    ///
    /// Connects like `run` (same target flags), lists the tools, resources and prompts, and
    /// writes FILE with one journey: the tool list (every name), one call per tool annotated
    /// read-only with arguments synthesised from its input schema (its structuredContent
    /// checked against its output schema), a read of the first resource and a get of the
    /// first prompt (required arguments set to "example"). Tools that are not read-only are
    /// named in the file's header, not called. Then edit it and run it:
    ///   mcp-harness run --stdio "CMD" --suite e2e --journeys mcp-journeys
    ///
    /// Examples:
    ///   mcp-harness journey init --stdio "node build/index.js"
    ///   mcp-harness journey init --url http://127.0.0.1:3001/mcp --out mcp-journeys/smoke.journey.yaml
    #[command(after_help = JOURNEY_INIT_EXIT_CODES, verbatim_doc_comment)]
    Init(JourneyInitArgs),
}

/// Arguments of `journey init`.
#[derive(Debug, Args)]
pub(crate) struct JourneyInitArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Protocol revision to speak: auto, 2025-03-26, 2025-06-18, 2025-11-25 or 2026-07-28.
    #[arg(long, default_value = "auto", value_name = "REV")]
    pub protocol: String,
    /// The journey file to write (`*.journey.yaml`; its directory is created if missing).
    #[arg(long, default_value = "mcp-journeys/starter.journey.yaml", value_name = "FILE")]
    pub out: PathBuf,
    /// The journey's name.
    #[arg(long, default_value = "starter", value_name = "NAME")]
    pub name: String,
    /// Overwrite FILE when it exists.
    #[arg(long)]
    pub force: bool,
    /// Timeout for one request, in milliseconds.
    #[arg(long, default_value_t = 10_000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub timeout_ms: u64,
}

/// Output of `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListFormat {
    /// One check per line.
    Text,
    /// A JSON array of check records.
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_takes_the_server_command_after_the_separator() {
        let cli =
            Cli::try_parse_from(["mcp-harness", "record", "--out", "a.journey.yaml", "--", "node", "--flag", "x"])
                .unwrap();
        let Command::Record(args) = cli.command else { panic!() };
        assert_eq!(args.command, ["node", "--flag", "x"]);
        assert_eq!(args.name, "recorded");
        assert!(Cli::try_parse_from(["mcp-harness", "record", "--out", "a.journey.yaml"]).is_err());
        assert!(
            Cli::try_parse_from(["mcp-harness", "record", "--out", "a", "--append", "--force", "--", "x"]).is_err()
        );
        let cli = Cli::try_parse_from(["mcp-harness", "journey", "init", "--stdio", "node x"]).unwrap();
        let Command::Journey(JourneyCommand::Init(args)) = cli.command else { panic!() };
        assert_eq!(args.out, PathBuf::from("mcp-journeys/starter.journey.yaml"));
    }

    #[test]
    fn report_formats_and_the_report_subcommand_parse() {
        let cli = Cli::try_parse_from(["mcp-harness", "run", "--report", "md,ctrf", "--warnings-as-errors"]).unwrap();
        let Command::Run(args) = cli.command else { panic!() };
        assert_eq!(args.report, [ExtraFormat::Md, ExtraFormat::Ctrf]);
        assert!(args.warnings_as_errors);
        assert!(Cli::try_parse_from(["mcp-harness", "run", "--report", "pdf"]).is_err());
        let cli = Cli::try_parse_from(["mcp-harness", "report", "merge", "a.json", "b.json", "--out", "m"]).unwrap();
        let Command::Report(ReportCommand::Merge(args)) = cli.command else { panic!() };
        assert_eq!(args.reports.len(), 2);
        assert!(Cli::try_parse_from(["mcp-harness", "report", "merge", "a.json"]).is_err(), "--out is required");
        assert!(Cli::try_parse_from(["mcp-harness", "report", "diff", "a.json"]).is_err(), "NEW is required");
        let cli = Cli::try_parse_from(["mcp-harness", "report", "render", "r.json", "--format", "ctrf"]).unwrap();
        let Command::Report(ReportCommand::Render(args)) = cli.command else { panic!() };
        assert_eq!((args.format, args.out), (RenderFormat::Ctrf, None));
    }

    #[test]
    fn the_ci_auth_command_line_parses() {
        let cli = Cli::try_parse_from([
            "mcp-harness",
            "run",
            "--reference",
            "http",
            "--reference-arg=--auth-jwks=target/auth/jwks.json",
            "--reference-arg",
            "--auth-issuer=https://auth.example.test",
            "--auth-signing-key",
            "target/auth/signing-key.pem",
            "--suite",
            "security",
        ])
        .unwrap();
        let Command::Run(args) = cli.command else { panic!() };
        assert_eq!(
            args.reference_arg,
            ["--auth-jwks=target/auth/jwks.json", "--auth-issuer=https://auth.example.test"]
        );
        assert_eq!(args.auth.auth_signing_key, Some(PathBuf::from("target/auth/signing-key.pem")));
        assert_eq!(args.auth.auth_key_id, "mcp-harness");
        // The key's companions need the key; a stdio target has no use for either.
        assert!(Cli::try_parse_from(["mcp-harness", "run", "--auth-issuer", "https://x"]).is_err());
        assert!(Cli::try_parse_from(["mcp-harness", "run", "--stdio", "x", "--auth-signing-key", "k"]).is_err());
        assert!(Cli::try_parse_from(["mcp-harness", "run", "--url", "http://h/mcp", "--reference-arg=-x"]).is_err());
        let cli = Cli::try_parse_from(["mcp-harness", "auth", "keygen", "--out", "d"]).unwrap();
        let Command::Auth(AuthCommand::Keygen(k)) = cli.command else { panic!() };
        assert_eq!((k.out, k.kid.as_str(), k.force), (PathBuf::from("d"), "mcp-harness", false));
    }

    #[test]
    fn the_cli_is_well_formed() {
        <Cli as clap::CommandFactory>::command().debug_assert();
    }

    #[test]
    fn reference_defaults_to_stdio_and_targets_conflict() {
        let cli = Cli::try_parse_from(["mcp-harness", "run", "--reference"]).unwrap();
        let Command::Run(args) = cli.command else { panic!() };
        assert_eq!(args.target.reference, Some(ReferenceArg::Stdio));
        assert!(Cli::try_parse_from(["mcp-harness", "run", "--stdio", "x", "--url", "http://h"]).is_err());
        assert!(Cli::try_parse_from(["mcp-harness", "run", "--header", "a: b"]).is_err());
    }

    #[test]
    fn tls_and_oauth_flags_need_a_url_and_oauth_needs_its_secret() {
        let run = |args: &[&str]| Cli::try_parse_from(["mcp-harness", "run"].iter().chain(args)).map(|_| ());
        assert!(run(&["--url", "https://h/mcp", "--ca-cert", "a.pem", "--ca-cert", "b.pem", "--insecure"]).is_ok());
        assert!(run(&["--insecure"]).is_err());
        assert!(run(&["--ca-cert", "a.pem"]).is_err());
        let oauth = ["--url", "https://h/mcp", "--oauth-client-id", "c", "--oauth-client-secret-env", "S"];
        assert!(run(&oauth).is_ok());
        assert!(run(&[&oauth[..], &["--oauth-scope", "a b"]].concat()).is_ok());
        assert!(run(&oauth[..4]).is_err(), "the secret's variable is required");
        assert!(run(&[&oauth[..], &["--bearer-env", "T"]].concat()).is_err(), "one credential source");
        assert!(run(&["--url", "https://h/mcp", "--oauth-scope", "a"]).is_err());
    }

    #[test]
    fn profiles_are_repeatable_value_enums() {
        let cli = Cli::try_parse_from([
            "mcp-harness",
            "run",
            "--profile",
            "official-fixtures",
            "--profile",
            "official-fixtures",
        ])
        .unwrap();
        let Command::Run(args) = cli.command else { panic!() };
        assert_eq!(args.plan.profile, vec![ProfileArg::OfficialFixtures, ProfileArg::OfficialFixtures]);
        assert!(Cli::try_parse_from(["mcp-harness", "run", "--profile", "no-such-profile"]).is_err());
    }

    #[test]
    fn journey_directories_are_repeatable_on_run_and_list() {
        let cli =
            Cli::try_parse_from(["mcp-harness", "run", "--journeys", "a", "--journeys", "b", "--update-snapshots"])
                .unwrap();
        let Command::Run(args) = cli.command else { panic!() };
        assert_eq!(args.filter.journeys, [PathBuf::from("a"), PathBuf::from("b")]);
        assert!(args.update_snapshots);
        let cli = Cli::try_parse_from(["mcp-harness", "list", "--journeys", "a"]).unwrap();
        let Command::List(args) = cli.command else { panic!() };
        assert_eq!(args.filter.journeys, [PathBuf::from("a")]);
    }

    #[test]
    fn surface_needs_a_file_to_write_and_run_and_list_take_a_lock() {
        assert!(Cli::try_parse_from(["mcp-harness", "surface", "--stdio", "srv"]).is_err(), "--write is required");
        let cli = Cli::try_parse_from([
            "mcp-harness",
            "surface",
            "--url",
            "http://h/mcp",
            "--write",
            "l.json",
            "--hash-only",
        ])
        .unwrap();
        let Command::Surface(args) = cli.command else { panic!() };
        assert_eq!((args.write.to_str(), args.hash_only, args.protocol.as_str()), (Some("l.json"), true, "auto"));
        assert_eq!(args.target.url.as_deref(), Some("http://h/mcp"));
        for command in ["run", "list"] {
            let cli = Cli::try_parse_from(["mcp-harness", command, "--surface", "l.json"]).unwrap();
            let plan = match cli.command {
                Command::Run(a) => a.plan,
                Command::List(a) => a.plan,
                _ => panic!(),
            };
            assert_eq!(plan.surface.as_deref(), Some(std::path::Path::new("l.json")));
        }
    }

    #[test]
    fn update_baseline_needs_a_baseline_file() {
        assert!(Cli::try_parse_from(["mcp-harness", "run", "--update-baseline"]).is_err());
        let cli = Cli::try_parse_from(["mcp-harness", "run", "--baseline", "b.yml", "--update-baseline"]).unwrap();
        let Command::Run(args) = cli.command else { panic!() };
        assert_eq!(args.baseline.as_deref(), Some(std::path::Path::new("b.yml")));
        assert!(args.update_baseline);
    }
}

//! Baselines: the expected-failures file a target's repository keeps, in the official MCP conformance suite's
//! YAML format, and the judgement of a run's results against it.
//!
//! # Format
//!
//! ```yaml
//! # conformance-baseline.yml
//! server:
//!   - http.origin-403            # one check, by id
//!   - jsonrpc.*                  # a glob over check ids
//!   - tools                      # a dotted prefix: every `tools.…` check
//!   - tools-list:tools.list.shape  # the official `scenario:check-id` form (no space after the colon)
//! client:                        # accepted and ignored (mcp-harness tests servers only)
//!   - auth/client-credentials-jwt
//! ```
//!
//! - Top-level keys: `server` and `client` only, each at most once, each a block list (`- item` lines) or `[]`.
//!   Comments (`#`), blank lines and a leading `---` are allowed; nothing else of YAML is.
//! - A `server` entry is a check id, an id glob (`*`, `?`, `[…]`, `{…}`) or a dotted prefix, matched like
//!   `--check`. An entry `scenario:check` is matched by the part after the first `:` when that part matches a known
//!   check; otherwise the whole string is taken as the id (which, as ids have no `:`, then matches nothing and is
//!   rejected).
//! - Rejected (a usage error, exit code 2, with the file and line): a mapping entry (`- a: b`; write `a:b`), an
//!   entry both whole and per check for one scenario (`- s` with `- s:c`), an exact id also covered by another
//!   entry's glob or prefix, a duplicate entry, an unknown top-level key, an entry matching no known check.
//!
//! # Semantics
//!
//! | outcome | listed | result |
//! |---|---|---|
//! | failed or warning | yes | expected failure (xfail): does not fail the run |
//! | failed or warning | no | a regression: fails the run as usual |
//! | passed | yes | stale baseline (xpass): fails the run — "listed in baseline but passed: remove it" |
//! | passed | no | passed |
//! | skipped or error | either | unchanged (a baselined check that could not run is tolerated) |
//!
//! An entry is **stale** when it matched at least one check that passed and none that failed or warned, like a
//! whole scenario of the official suite that now passes; each passing check it matched is marked stale. A glob
//! entry that still matches a failing check is therefore not stale, and its passing checks are plain passes.
//!
//! Parsing is a small strict hand parser for this subset rather than a YAML crate: the format needs a dozen lines
//! of grammar, the strictness (mapping entries, unknown keys, contradictions) has to be checked by hand anyway,
//! errors carry line numbers, and the workspace gains no dependency (`serde_yaml` is deprecated; its successors
//! pull in a full YAML implementation for two lists of strings).

mod judge;
mod parse;

pub use judge::{Judgement, Mark};
pub use parse::{Baseline, BaselineError, Entry, render_baseline};

//! Injection through arguments (`security.inject.*`, `../shared/reference/security-checks.md` §3.2): intrusive
//! probes that call tools (and read resources) with attack payloads, only with `--danger-intrusive`, only on the
//! tools [`targets`] makes eligible, judged by oracles (content signatures, a baseline diff, out-of-band canaries:
//! [`listener`], [`probe`]), each ending with a liveness probe.

pub(crate) mod command;
pub(crate) mod listener;
pub(crate) mod path_traversal;
pub(crate) mod probe;
pub(crate) mod request_state;
pub(crate) mod resource_traversal;
pub(crate) mod sql;
pub(crate) mod ssrf;
pub(crate) mod targets;

use std::sync::LazyLock;

use regex::Regex;

use crate::check::{Applicability, Capability, OptIn};

/// Every injection check: a server with tools, `--danger-intrusive`.
pub(crate) const INTRUSIVE_TOOLS: Applicability = Applicability {
    capability: Some(Capability::Tools),
    opt_in: Some(OptIn::DangerIntrusive),
    ..Applicability::ALWAYS
};

/// A line of `/etc/passwd` (the root account) or the `[fonts]` section of `win.ini`: a file outside any root.
pub(crate) static FILE_SIGNATURE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)root:[^:\r\n]*:0:0:|^\s*\[fonts\]").expect("signature compiles"));

/// The first match of the file signature in `text`.
pub(crate) fn file_signature(text: &str) -> Option<String> {
    FILE_SIGNATURE.find(text).map(|m| m.as_str().trim().to_owned())
}

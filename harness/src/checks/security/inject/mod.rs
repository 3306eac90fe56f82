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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{SkipReason, Status};
    use crate::protocol::RevisionChoice;
    use crate::runner::{PlanContext, Selection};

    /// Without `--danger-intrusive` no injection check runs: the plan skips each one before connecting (its
    /// function, the only code that sends payloads, is never called), naming the flag.
    #[test]
    fn without_the_flag_every_injection_check_is_skipped_naming_it() {
        let cx = |danger_intrusive| PlanContext {
            stdio: Some(true),
            protocol: RevisionChoice::Auto,
            danger_intrusive,
            official_fixtures: false,
            surface_lock: false,
        };
        let selection = Selection { include: vec!["security.inject.*".to_owned()], ..Selection::default() };
        let plan = crate::runner::Plan::new(crate::checks::all(), &selection, cx(false)).unwrap();
        assert_eq!(plan.checks.len(), 6);
        for planned in &plan.checks {
            let skip = planned.skip.as_ref().unwrap_or_else(|| panic!("{} runs", planned.check.meta.id));
            assert_eq!((skip.status, skip.skip), (Status::Skipped, Some(SkipReason::OptInRequired)));
            assert!(skip.reason.as_deref().unwrap_or_default().contains("--danger-intrusive"));
        }
        let plan = crate::runner::Plan::new(crate::checks::all(), &selection, cx(true)).unwrap();
        assert!(plan.checks.iter().all(|p| p.skip.is_none()));
    }

    #[test]
    fn the_file_signatures_are_passwd_and_win_ini() {
        assert_eq!(file_signature("x\nroot:x:0:0:root:/root:/bin/bash\n").as_deref(), Some("root:x:0:0:"));
        assert_eq!(file_signature("; for 16-bit app support\n[fonts]\n").as_deref(), Some("[fonts]"));
        assert_eq!(file_signature("no root here: root:x:1000:1000:"), None);
    }
}

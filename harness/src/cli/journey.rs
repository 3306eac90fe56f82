//! `mcp-harness journey init`, and writing journey files for it and for `record`.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use mcp_harness::ExitCode;
use mcp_harness::journey::{JOURNEY_SUFFIX, scaffold, try_steps};
use mcp_harness_suites::journey::{JOURNEY_SCHEMA, JourneyFile, is_journey_name, journey_file_to_yaml};

use super::args::JourneyInitArgs;
use super::run::{UsageError, ensure_writable};
use super::surface::{report, with_surface};

/// Writes the starter journey; returns the exit code (usage errors as [`UsageError`]).
pub(crate) async fn init(args: JourneyInitArgs) -> Result<ExitCode> {
    check_out(&args.out, &args.name)?;
    if args.out.exists() && !args.force {
        return Err(UsageError(format!("--out {} exists; --force overwrites it", args.out.display())).into());
    }
    let name = args.name.clone();
    let build = async |session: &mut mcp_harness::session::Session, captured: mcp_harness::surface::Captured| {
        let mut scaffold = scaffold(&captured.lock, &name);
        try_steps(session, &mut scaffold).await;
        (captured.notes, scaffold)
    };
    let (notes, scaffold) = match with_surface(&args.target, &args.protocol, args.timeout_ms, true, build).await? {
        Ok(built) => built,
        Err(failure) => return Ok(report(failure, "no journey written")),
    };
    for note in &notes {
        eprintln!("note: {note}");
    }
    write_journey_file(&args.out, &scaffold.file, &scaffold.header)?;
    let steps = scaffold.file.journeys.first().map_or(0, |j| j.value.steps.len());
    eprintln!(
        "Wrote {} (journey `{}`, {steps} steps). Edit it, then run it:\n  mcp-harness run {} --suite e2e --journeys {}",
        args.out.display(),
        args.name,
        target_flags(&args.target),
        parent_of(&args.out).display(),
    );
    Ok(ExitCode::Passed)
}

/// The target flags of `args` again, for the hint printed at the end.
fn target_flags(t: &super::args::TargetArgs) -> String {
    if let Some(cmd) = &t.stdio {
        format!("--stdio {}", shell_quote(cmd))
    } else if let Some(url) = &t.url {
        format!("--url {}", shell_quote(url))
    } else if t.reference == Some(super::args::ReferenceArg::Http) {
        "--reference http".to_owned()
    } else {
        "--reference".to_owned()
    }
}

/// `s` in single quotes for a POSIX shell.
pub(crate) fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c)) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The directory of `path` (`.` for a bare file name).
pub(crate) fn parent_of(path: &Path) -> PathBuf {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => dir.to_owned(),
        None => PathBuf::from("."),
    }
}

/// Checks that `out` is a journey file name whose stem and `name` can be part of check ids, and that its
/// directory is writable.
pub(crate) fn check_out(out: &Path, name: &str) -> Result<()> {
    let usage = |m: String| -> anyhow::Error { UsageError(m).into() };
    let file = out.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let Some(stem) = file.strip_suffix(JOURNEY_SUFFIX) else {
        return Err(usage(format!(
            "--out {}: a journey file is named NAME{JOURNEY_SUFFIX} (that is how `run --journeys DIR` finds it)",
            out.display()
        )));
    };
    if !is_journey_name(stem) {
        return Err(usage(format!(
            "--out {}: the name before {JOURNEY_SUFFIX} must be lowercase letters, digits and dashes (it becomes part of check ids)",
            out.display()
        )));
    }
    if !is_journey_name(name) {
        return Err(usage(format!("--name {name:?}: a journey name is lowercase letters, digits and dashes")));
    }
    ensure_writable(&parent_of(out)).map_err(|e| usage(format!("--out {}: {e:#}", out.display())))
}

/// Writes `file` to `path` (through a temporary file, so a reader never sees half of it) with `header` comments
/// and a schema reference for editors: `journey.schema.json` beside it or `../schemas/journey.schema.json` when
/// one is there, else the schema is written beside it.
pub(crate) fn write_journey_file(path: &Path, file: &JourneyFile, header: &[String]) -> Result<()> {
    let dir = parent_of(path);
    let schema_ref = if dir.join("journey.schema.json").exists() {
        "journey.schema.json"
    } else if dir.join("../schemas/journey.schema.json").exists() {
        "../schemas/journey.schema.json"
    } else {
        std::fs::write(dir.join("journey.schema.json"), JOURNEY_SCHEMA)
            .with_context(|| format!("failed to write {}", dir.join("journey.schema.json").display()))?;
        "journey.schema.json"
    };
    let text = journey_file_to_yaml(file, schema_ref, header, &path.display().to_string())
        .context("the journey written does not read back (a bug in mcp-harness)")?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("journey"),
        std::process::id()
    ));
    std::fs::write(&tmp, text).with_context(|| format!("failed to write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("failed to write {}", path.display()))?;
    Ok(())
}

//! `mcp-harness record`: proxies a client's session with a stdio server and writes it as a journey.

use anyhow::{Context as _, Result};
use time::format_description::well_known::Rfc3339;

use mcp_harness::ExitCode;
use mcp_harness::record::{SessionEnd, journey_from, proxy};
use mcp_harness::runner::Interrupt;
use mcp_harness::wire::StdioCommand;
use mcp_harness_suites::journey::{JourneyFile, parse_journey_file, unlocated};

use super::args::RecordArgs;
use super::journey::{check_out, parent_of, shell_quote, write_journey_file};
use super::run::UsageError;

/// Records one session; returns the exit code (usage errors as [`UsageError`]).
pub(crate) async fn record(args: RecordArgs) -> Result<ExitCode> {
    check_out(&args.out, &args.name)?;
    let existing = match (args.out.exists(), args.append, args.force) {
        (false, _, _) | (true, false, true) => None,
        (true, true, _) => {
            let text = std::fs::read_to_string(&args.out)
                .map_err(|e| UsageError(format!("--append {}: {e}", args.out.display())))?;
            Some(
                parse_journey_file(&text, &args.out.display().to_string())
                    .map_err(|e| UsageError(format!("--append: {e}")))?,
            )
        }
        (true, false, false) => {
            return Err(UsageError(format!(
                "--out {} exists; --append adds this session to it, --force overwrites it",
                args.out.display()
            ))
            .into());
        }
    };
    let mut env = Vec::new();
    for pair in &args.env {
        let Some((k, v)) = pair.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(UsageError(format!("--env {pair:?}: expected KEY=VALUE")).into());
        };
        env.push((k.to_owned(), v.to_owned()));
    }
    let (program, rest) =
        args.command.split_first().ok_or_else(|| UsageError("no server command after `--`".into()))?;
    let command = StdioCommand { program: program.clone(), args: rest.to_vec(), env, cwd: args.cwd.clone() };
    let interrupt = Interrupt::on_signals().context("failed to install the SIGINT/SIGTERM handlers")?;
    let max = usize::try_from(args.max_message_bytes).unwrap_or(usize::MAX);
    eprintln!(
        "mcp-harness record: proxying `{}`; the session is written to {} when it ends",
        command.display(),
        args.out.display()
    );
    let session = match proxy(&command, tokio::io::stdin(), tokio::io::stdout(), max, &interrupt).await {
        Ok(session) => session,
        Err(e) => {
            eprintln!("mcp-harness: error: {e}; nothing written");
            return Ok(ExitCode::CouldNotTest);
        }
    };

    let mut file = existing.unwrap_or(JourneyFile { journeys: Vec::new() });
    let name = unique_name(&file, &args.name);
    let now = time::OffsetDateTime::now_utc().format(&Rfc3339).unwrap_or_default();
    let description = format!("Recorded by `mcp-harness record` from `{}` on {now}.", command.display());
    let recorded = journey_from(&session.log, &name, Some(description));
    let steps = recorded.journey.steps.len();
    let replay = format!(
        "mcp-harness run --stdio {}{} --suite e2e --journeys {}",
        shell_quote(&command.display()),
        recorded.revision.as_ref().map(|r| format!(" --protocol {r}")).unwrap_or_default(),
        shell_quote(&parent_of(&args.out).display().to_string()),
    );
    let captures: usize = recorded.journey.steps.iter().map(|s| s.value.capture.len()).sum();
    file.journeys.push(unlocated(recorded.journey));
    let header = vec![
        "Journeys recorded by `mcp-harness record`: the observed answers are the expectations; edit them freely."
            .to_owned(),
        format!("Replay: {replay}"),
    ];
    write_journey_file(&args.out, &file, &header)?;
    for note in &recorded.notes {
        eprintln!("note: {note}");
    }
    let ended = match &session.end {
        SessionEnd::ClientClosed => "the client closed the session".to_owned(),
        SessionEnd::ServerClosed => "the server closed its output".to_owned(),
        SessionEnd::WriteFailed(why) => why.clone(),
        SessionEnd::Interrupted(signal) => format!("interrupted by {signal}"),
    };
    eprintln!(
        "mcp-harness record: {ended} (server: {}); wrote journey `{name}` ({steps} steps, {captures} captured values) to {}\nReplay it: {replay}",
        session.server_exit,
        args.out.display()
    );
    Ok(match session.end {
        SessionEnd::Interrupted(signal) => ExitCode::Interrupted(signal),
        _ => ExitCode::Passed,
    })
}

/// `base`, or `base-2`, `base-3`, … when the file already has a journey of that name.
fn unique_name(file: &JourneyFile, base: &str) -> String {
    let taken = |n: &str| file.journeys.iter().any(|j| j.value.name == n);
    if !taken(base) {
        return base.to_owned();
    }
    (2..).map(|i| format!("{base}-{i}")).find(|n| !taken(n)).unwrap_or_else(|| base.to_owned())
}

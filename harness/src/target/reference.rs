//! The bundled reference server: the harness binary (or a cargo-test binary using the bridge) re-executes
//! itself with [`REFERENCE_ENV`] set, and that process serves the reference server instead of running checks.

use std::ffi::OsString;

use crate::wire::StdioCommand;

/// Environment variable that turns the current executable into the reference server. Its value is ignored;
/// the process arguments after the program name are the reference server's own flags.
pub const REFERENCE_ENV: &str = "MCP_HARNESS_SERVE_REFERENCE";

/// If this process was started as the bundled reference server, serves it and exits; otherwise returns.
///
/// Call it first thing in `main` of any binary that may launch [`crate::TargetSpec::Reference`] (the CLI and
/// every cargo-test binary using [`crate::bridge`] do).
pub fn serve_reference_if_requested() {
    if std::env::var_os(REFERENCE_ENV).is_none() {
        return;
    }
    let args: Vec<OsString> =
        std::iter::once(OsString::from("mcp-reference-server")).chain(std::env::args_os().skip(1)).collect();
    let code = mcp_reference_server::main_from_args(args);
    // Flush nothing else: this process exists only to serve.
    std::process::exit(if code == std::process::ExitCode::SUCCESS { 0 } else { 1 });
}

/// The command that starts the reference server with the given flags.
pub(crate) fn reference_command(server_args: &[&str]) -> std::io::Result<StdioCommand> {
    let exe = std::env::current_exe()?;
    Ok(StdioCommand {
        program: exe.to_string_lossy().into_owned(),
        args: server_args.iter().map(|s| (*s).to_owned()).collect(),
        env: vec![(REFERENCE_ENV.to_owned(), "1".to_owned())],
        cwd: None,
    })
}

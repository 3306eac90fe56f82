//! The `mcp-harness` binary: parses the command line and maps outcomes to the documented exit codes.

mod cli;

use clap::Parser as _;

use cli::args::{AuthCommand, Cli, Command, JourneyCommand};
use mcp_harness::ExitCode;

fn main() -> std::process::ExitCode {
    // When re-executed as the bundled reference server, serve and exit.
    mcp_harness::target::serve_reference_if_requested();
    let args = match cli::config_file::args_with_config(std::env::args_os().collect()) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("mcp-harness: error: {e}");
            return ExitCode::Usage.into();
        }
    };
    let cli = Cli::parse_from(args);
    init_logging();
    let code = match cli.command {
        Command::ServeReference { args } => {
            let argv = std::iter::once("mcp-reference-server".to_owned()).chain(args);
            return mcp_reference_server::main_with(mcp_reference_server::Cli::parse_from(argv));
        }
        Command::List(args) => match cli::list::list(&args) {
            Ok(_) => ExitCode::Passed,
            Err(e) => fail(ExitCode::Usage, &e),
        },
        Command::Run(args) => block_on(cli::run::run(args)),
        Command::Surface(args) => block_on(cli::surface::surface(args)),
        Command::Record(args) => block_on(cli::record::record(args)),
        Command::Journey(JourneyCommand::Init(args)) => block_on(cli::journey::init(args)),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "mcp-harness", &mut std::io::stdout());
            ExitCode::Passed
        }
        Command::Report(command) => match cli::report::report(command) {
            Ok(code) => code,
            Err(e) if e.is::<cli::run::UsageError>() => fail(ExitCode::Usage, &e),
            Err(e) => fail(ExitCode::CouldNotTest, &e),
        },
        Command::Auth(AuthCommand::Keygen(args)) => match cli::auth::keygen(&args) {
            Ok(()) => ExitCode::Passed,
            Err(e) => fail(ExitCode::Usage, &e),
        },
    };
    code.into()
}

/// Runs an async command on a two-thread runtime and maps its error: a usage error is exit 2, anything else 3.
fn block_on(command: impl std::future::Future<Output = anyhow::Result<ExitCode>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail(ExitCode::CouldNotTest, &anyhow::anyhow!("failed to start the async runtime: {e}")),
    };
    let outcome = runtime.block_on(command);
    // A blocking read of stdin (`record`) must not keep the process alive once the command is done.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match outcome {
        Ok(code) => code,
        Err(e) if e.is::<cli::run::UsageError>() => fail(ExitCode::Usage, &e),
        Err(e) => fail(ExitCode::CouldNotTest, &e),
    }
}

fn fail(code: ExitCode, e: &anyhow::Error) -> ExitCode {
    eprintln!("mcp-harness: error: {e:#}");
    code
}

/// Structured logs on stderr, off unless `RUST_LOG` asks for them.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

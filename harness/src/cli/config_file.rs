//! `mcp-harness.toml`: defaults for `run` and `list` kept beside the server, so CI and people type the same
//! command. Every key of its `[run]` table is one of `run`'s long flags without the dashes (`suite`, `stdio`,
//! `slo-p95-ms`, …): a string or number is the flag's value, an array repeats the flag, `true` gives a switch,
//! `false` leaves it out. Flags on the command line override the file: a flag given there drops the file's key of
//! the same flag, and any target flag (`--stdio`, `--url`, `--reference`) drops the file's target keys.
//!
//! The file is read from `--config FILE`, else from `./mcp-harness.toml` when it exists; `--no-config` ignores it.
//! Implemented by turning the file into command-line arguments parsed by the same clap definitions, so the file
//! accepts exactly what the flags accept, with the same validation and messages.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;

/// The file read when no `--config` is given.
pub(crate) const DEFAULT_CONFIG_FILE: &str = "mcp-harness.toml";

/// The flags that name the target: one given on the command line replaces all of the file's.
const TARGET_FLAGS: &[&str] = &["stdio", "url", "reference"];

/// A configuration file that cannot be used: a usage error (exit 2), in one line.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub(crate) struct ConfigError {
    path: String,
    message: String,
}

/// The process arguments with the configuration file's defaults put in, for `run` and `list`; other commands and
/// runs without a file get `args` unchanged.
pub(crate) fn args_with_config(args: Vec<OsString>) -> Result<Vec<OsString>, ConfigError> {
    let Some(subcommand) = args.get(1).and_then(|a| a.to_str()).map(str::to_owned) else { return Ok(args) };
    if subcommand != "run" && subcommand != "list" {
        return Ok(args);
    }
    let Some(path) = config_path(&args[2..]) else { return Ok(args) };
    let error = |message: String| ConfigError { path: path.display().to_string(), message };
    let text = std::fs::read_to_string(&path).map_err(|e| error(format!("cannot read it: {e}")))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| error(one_line(&e.to_string())))?;
    for key in table.keys() {
        if key != "run" {
            return Err(error(format!("unknown table `[{key}]` (the file has one table, `[run]`)")));
        }
    }
    let Some(run) = table.get("run") else { return Ok(args) };
    let run = run.as_table().ok_or_else(|| error("`run` must be a table: `[run]`".to_owned()))?;

    let mut command = <super::args::Cli as clap::CommandFactory>::command();
    // Built, so each argument knows how many values it takes.
    command.build();
    let sub = command.find_subcommand(&subcommand).expect("run and list are subcommands");
    // Keys are `run`'s flags; `list` takes the ones it has and ignores the others (the load, report flags, …).
    let run_command = command.find_subcommand("run").expect("run is a subcommand");
    // What the command line gave, to let it override the file. A command line clap rejects is left for the real
    // parse to report.
    let given: Vec<String> = match command.clone().try_get_matches_from(&args) {
        Ok(matches) => match matches.subcommand_matches(&subcommand) {
            Some(m) => sub
                .get_arguments()
                .filter(|a| m.value_source(a.get_id().as_str()) == Some(ValueSource::CommandLine))
                .filter_map(|a| a.get_long().map(str::to_owned))
                .collect(),
            None => Vec::new(),
        },
        Err(_) => return Ok(args),
    };
    let target_given = given.iter().any(|g| TARGET_FLAGS.contains(&g.as_str()));

    let mut from_file: Vec<OsString> = Vec::new();
    for (key, value) in run {
        if !run_command.get_arguments().any(|a| a.get_long() == Some(key.as_str())) {
            return Err(error(format!("unknown key `{key}` in [run]: not a flag of `mcp-harness run`")));
        }
        if key == "config" || key == "no-config" {
            return Err(error(format!("`{key}` cannot be set in the configuration file itself")));
        }
        let Some(arg) = sub.get_arguments().find(|a| a.get_long() == Some(key.as_str())) else { continue };
        let overridden = given.contains(key)
            || (target_given && TARGET_FLAGS.contains(&key.as_str()))
            || sub
                .get_arg_conflicts_with(arg)
                .iter()
                .any(|c| c.get_long().is_some_and(|l| given.iter().any(|g| g == l)));
        if overridden {
            continue;
        }
        let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
        let values = match value {
            toml::Value::Array(items) => items.iter().map(|v| scalar(key, v)).collect::<Result<Vec<_>, _>>(),
            other => scalar(key, other).map(|v| vec![v]),
        }
        .map_err(error)?;
        for value in values {
            match (takes_value, value) {
                (false, Scalar::Bool(true)) => from_file.push(format!("--{key}").into()),
                (false, Scalar::Bool(false)) => {}
                (false, _) => return Err(error(format!("`{key}` is a switch: write `{key} = true`"))),
                (true, Scalar::Bool(_)) => {
                    return Err(error(format!("`{key}` takes a value, not true/false")));
                }
                (true, Scalar::Text(text)) => from_file.push(format!("--{key}={text}").into()),
            }
        }
    }
    if from_file.is_empty() {
        return Ok(args);
    }
    // `run <file's flags> <command line's flags>`: a trailing `--` section of the command line stays last.
    let mut merged = args[..2].to_vec();
    merged.extend(from_file);
    merged.extend(args[2..].iter().cloned());
    Ok(merged)
}

/// `--config FILE` (or `--config=FILE`) from the subcommand's arguments, else `./mcp-harness.toml` when it
/// exists; nothing with `--no-config`.
fn config_path(args: &[OsString]) -> Option<PathBuf> {
    let mut explicit = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let Some(arg) = arg.to_str() else { continue };
        match arg {
            "--" => break,
            "--no-config" => return None,
            "--config" => explicit = iter.next().map(PathBuf::from),
            _ => {
                if let Some(path) = arg.strip_prefix("--config=") {
                    explicit = Some(PathBuf::from(path));
                }
            }
        }
    }
    explicit.or_else(|| Path::new(DEFAULT_CONFIG_FILE).is_file().then(|| PathBuf::from(DEFAULT_CONFIG_FILE)))
}

enum Scalar {
    Bool(bool),
    Text(String),
}

fn scalar(key: &str, value: &toml::Value) -> Result<Scalar, String> {
    Ok(match value {
        toml::Value::Boolean(b) => Scalar::Bool(*b),
        toml::Value::String(s) => Scalar::Text(s.clone()),
        toml::Value::Integer(i) => Scalar::Text(i.to_string()),
        toml::Value::Float(f) => Scalar::Text(f.to_string()),
        _ => return Err(format!("`{key}` must be a string, number, boolean or an array of them")),
    })
}

/// TOML errors span several lines (a source excerpt); the first line names the position and the problem.
fn one_line(message: &str) -> String {
    message
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_file(text: &str, cli: &[&str]) -> Result<Vec<String>, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.toml");
        std::fs::write(&path, text).unwrap();
        let mut args: Vec<OsString> = ["mcp-harness"].iter().chain(cli).map(OsString::from).collect();
        args.insert(2, OsString::from(format!("--config={}", path.display())));
        args_with_config(args).map(|a| a.into_iter().map(|s| s.into_string().unwrap()).collect())
    }

    #[test]
    fn keys_become_flags_and_the_command_line_overrides_them() {
        let file = r#"
            [run]
            stdio = "node build/index.js"
            suite = ["conformance", "security"]
            timeout-ms = 5000
            fail-fast = true
            call-tools = false
            slo-p95-ms = 250.5
        "#;
        let args = with_file(file, &["run", "--suite", "unit"]).unwrap();
        assert!(args.contains(&"--stdio=node build/index.js".to_owned()), "{args:?}");
        assert!(args.contains(&"--timeout-ms=5000".to_owned()));
        assert!(args.contains(&"--fail-fast".to_owned()));
        assert!(args.contains(&"--slo-p95-ms=250.5".to_owned()));
        assert!(!args.iter().any(|a| a == "--call-tools"));
        // The command line's --suite replaces the file's.
        assert!(!args.iter().any(|a| a.starts_with("--suite=")), "{args:?}");
        // A target on the command line replaces the file's target.
        let args = with_file(file, &["run", "--url", "http://127.0.0.1:1/mcp"]).unwrap();
        assert!(!args.iter().any(|a| a.starts_with("--stdio")), "{args:?}");
        // The merged arguments parse.
        let args = with_file(file, &["run"]).unwrap();
        <super::super::args::Cli as clap::Parser>::try_parse_from(&args).unwrap();
        // A flag conflicting with a key (here --verbose against the file's quiet) drops the key.
        let args = with_file("[run]\nquiet = true\n", &["run", "-v"]).unwrap();
        assert!(!args.iter().any(|a| a == "--quiet"), "{args:?}");
        // `list` takes the keys it has and ignores run-only ones.
        let args = with_file("[run]\nquiet = true\nsuite = \"unit\"\n", &["list"]).unwrap();
        assert!(!args.iter().any(|a| a == "--quiet") && args.contains(&"--suite=unit".to_owned()), "{args:?}");
    }

    #[test]
    fn mistakes_are_one_line_usage_errors() {
        for (file, expected) in [
            ("[run]\nsuites = [\"x\"]\n", "unknown key `suites` in [run]"),
            ("[targets]\n", "unknown table `[targets]`"),
            ("[run]\nfail-fast = \"yes\"\n", "`fail-fast` is a switch"),
            ("[run]\ntimeout-ms = true\n", "`timeout-ms` takes a value"),
            ("[run\n", "TOML parse error"),
        ] {
            let error = with_file(file, &["run"]).unwrap_err().to_string();
            assert!(error.contains(expected), "{file:?}: {error}");
            assert!(!error.contains('\n'), "{error}");
        }
    }

    #[test]
    fn the_readme_example_is_a_valid_configuration() {
        let readme = include_str!("../../../README.md");
        let start = readme.find("# mcp-harness.toml, beside the server").expect("the README shows an example");
        let example = &readme[start..readme[start..].find("```").map(|end| start + end).expect("closed block")];
        let example: String = example.lines().map(|l| l.trim_start()).collect::<Vec<_>>().join("\n");
        let args = with_file(&example, &["run"]).unwrap();
        assert!(args.contains(&"--slo-p95-ms=250".to_owned()), "{args:?}");
        <super::super::args::Cli as clap::Parser>::try_parse_from(&args).unwrap();
    }

    #[test]
    fn other_commands_and_no_config_are_untouched() {
        let args: Vec<OsString> = ["mcp-harness", "run", "--no-config"].iter().map(OsString::from).collect();
        assert_eq!(args_with_config(args.clone()).unwrap(), args);
        let args: Vec<OsString> = ["mcp-harness", "completions", "bash"].iter().map(OsString::from).collect();
        assert_eq!(args_with_config(args.clone()).unwrap(), args);
    }
}

//! The options that shape a run rather than what it checks: `--fail-fast`, `--quiet`/`--verbose`, `--partition`,
//! the configuration file (`mcp-harness.toml`, `--config`) and `completions`. Real processes, bounded in time.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

mod common;

use common::{code, harness, harness_with};

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("run-options").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn read_report(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("report.json")).expect("JSON")
}

fn checks(report: &Value) -> Vec<&Value> {
    report["suites"].as_array().unwrap().iter().flat_map(|s| s["checks"].as_array().unwrap()).collect()
}

#[test]
fn fail_fast_ends_the_run_at_the_first_failure_and_reports_the_rest_skipped() {
    let dir = out_dir("fail-fast");
    // Answers nothing but non-JSON: the handshake's check fails first.
    let script = "sh -c 'while :; do echo this is not json; sleep 0.01; done'";
    let args = ["run", "--no-config", "--stdio", script, "--timeout-ms", "1500", "--fail-fast", "--out"];
    let out = harness(&[&args[..], &[dir.to_str().unwrap()]].concat(), Duration::from_secs(90));
    assert_eq!(code(&out), 1, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let report = read_report(&dir);
    let all = checks(&report);
    let failed: Vec<&&Value> = all.iter().filter(|c| c["outcome"] == "failed").collect();
    assert_eq!(failed.len(), 1, "exactly one failure before the stop: {failed:?}");
    let first = failed[0]["id"].as_str().unwrap();
    let stopped: Vec<&&Value> = all.iter().filter(|c| c["skipKind"] == "fail-fast").collect();
    assert!(!stopped.is_empty(), "the checks after the failure are reported skipped");
    for c in &stopped {
        assert_eq!(c["outcome"], "skipped", "{c}");
        assert!(c["reason"].as_str().unwrap().contains(&format!("`{first}` failed")), "{c}");
    }
}

#[test]
fn quiet_prints_only_the_summary_and_verbose_every_check() {
    let dir = out_dir("quiet");
    let out = harness(
        &["run", "--no-config", "--check", "jsonrpc.parse-error", "-q", "--out", dir.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert_eq!(code(&out), 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim(), "Summary: 1 passed, 0 failed, 0 skipped", "quiet stderr:\n{stderr}");

    let dir = out_dir("verbose");
    let out = harness(
        &["run", "--no-config", "--check", "jsonrpc.parse-error", "-v", "--out", dir.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert_eq!(code(&out), 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.lines().any(|l| l.starts_with("PASSED jsonrpc.parse-error (")), "verbose stderr:\n{stderr}");
    assert!(stderr.contains("mcp-harness: connected to"), "the story is still told:\n{stderr}");
    let both = harness(&["run", "-q", "-v"], Duration::from_secs(30));
    assert_eq!(code(&both), 2, "--quiet and --verbose conflict");
}

#[test]
fn shards_of_a_partition_run_disjoint_checks_that_cover_the_selection() {
    let ids = |dir: &Path| -> BTreeSet<String> {
        checks(&read_report(dir)).iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
    };
    let whole = out_dir("partition-whole");
    let base = ["run", "--no-config", "--check", "jsonrpc", "--check", "lifecycle", "--out"];
    assert_eq!(code(&harness(&[&base[..], &[whole.to_str().unwrap()]].concat(), Duration::from_secs(90))), 0);
    let all = ids(&whole);
    let mut joined = BTreeSet::new();
    for shard in ["hash:1/2", "hash:2/2"] {
        let dir = out_dir(&format!("partition-{}", shard.replace([':', '/'], "-")));
        let args = [&base[..], &[dir.to_str().unwrap(), "--partition", shard]].concat();
        let out = harness(&args, Duration::from_secs(90));
        assert!(matches!(code(&out), 0 | 4), "{shard}: {}", String::from_utf8_lossy(&out.stderr));
        let part = ids(&dir);
        assert!(part.is_disjoint(&joined), "{shard} overlaps an earlier shard");
        joined.extend(part);
    }
    assert_eq!(joined, all, "the shards together are the whole selection");
    let bad = harness(&["run", "--partition", "hash:3/2"], Duration::from_secs(30));
    assert_eq!(code(&bad), 2);
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("invalid partition `hash:3/2`"), "{stderr}");
}

#[test]
fn the_configuration_file_supplies_flags_that_the_command_line_overrides() {
    let dir = out_dir("config");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("mcp-harness.toml");
    std::fs::write(
        &config,
        "[run]\nreference = \"stdio\"\ncheck = [\"jsonrpc.parse-error\"]\nout = \"from-config\"\nquiet = true\n",
    )
    .unwrap();
    // Found in the working directory.
    let out = harness_with(
        &["run"],
        |c| {
            c.current_dir(&dir);
        },
        Duration::from_secs(60),
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(checks(&read_report(&dir.join("from-config"))).len(), 1);
    // A flag overrides its key; --config names another file; --no-config ignores it.
    let out = harness_with(
        &["run", "--check", "jsonrpc.id-echo"],
        |c| {
            c.current_dir(&dir);
        },
        Duration::from_secs(60),
    );
    assert_eq!(code(&out), 0);
    let ids: Vec<String> =
        checks(&read_report(&dir.join("from-config"))).iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, ["jsonrpc.id-echo"]);
    let other = dir.join("other.toml");
    std::fs::write(&other, "[run]\nsuites = \"typo\"\n").unwrap();
    let out = harness(&["run", "--config", other.to_str().unwrap()], Duration::from_secs(30));
    assert_eq!(code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown key `suites` in [run]") && stderr.lines().count() == 1, "{stderr}");
}

#[test]
fn completions_are_generated_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = harness(&["completions", shell], Duration::from_secs(30));
        assert_eq!(code(&out), 0, "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.contains("partition") && script.contains("fail-fast"), "{shell} completes the flags");
    }
}

#[test]
fn a_coverage_command_runs_after_the_target_has_ended_and_its_export_is_reported() {
    let dir = out_dir("coverage-command");
    std::fs::create_dir_all(&dir).unwrap();
    let export = r#"{"type":"llvm.coverage.json.export","version":"3.1.0","data":[{"totals":{
        "lines":{"count":200,"covered":150,"percent":75.0},"functions":{"count":10,"covered":8,"percent":80.0}}}]}"#;
    let source = dir.join("export-source.json");
    std::fs::write(&source, export).unwrap();
    let target = dir.join("cov.json");
    let copy = format!("cp {} {}", source.display(), target.display());
    let args = ["run", "--no-config", "--check", "jsonrpc.parse-error", "--coverage-json", target.to_str().unwrap()];
    let run = |command: &str, out: &Path| {
        let all = [&args[..], &["--coverage-command", command, "--out", out.to_str().unwrap()]].concat();
        harness(&all, Duration::from_secs(60))
    };
    let out = run(&copy, &dir.join("measured"));
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let coverage = &read_report(&dir.join("measured"))["coverage"]["code"];
    assert_eq!(coverage["status"], "measured", "{coverage}");
    assert_eq!(coverage["lines"]["covered"], 150);
    // A command that fails leaves the coverage not measured, saying why; the run's verdict is unchanged.
    let out = run("false", &dir.join("failed"));
    assert_eq!(code(&out), 0);
    let coverage = &read_report(&dir.join("failed"))["coverage"]["code"];
    assert_eq!(coverage["status"], "not-measured", "{coverage}");
    assert!(coverage["reason"].as_str().unwrap().contains("--coverage-command exited with"), "{coverage}");
}

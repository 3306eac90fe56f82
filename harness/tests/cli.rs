//! The CLI contract, end to end: real processes, real reports. Each run is bounded; a run that overstays its
//! bound is killed and the test fails (the harness must never hang on what a target does).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const HARNESS: &str = env!("CARGO_BIN_EXE_mcp-harness");

/// Runs the harness with `args`, killing it after `limit`.
fn harness(args: &[&str], limit: Duration) -> Output {
    harness_with(args, |_| {}, limit)
}

/// [`harness`] with a hook to change the process's environment.
fn harness_with(args: &[&str], env: impl FnOnce(&mut Command), limit: Duration) -> Output {
    let mut command = Command::new(HARNESS);
    env(&mut command);
    let mut child = command
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mcp-harness");
    // Drain both pipes while waiting: output larger than a pipe buffer (`list --format json`) would block the child.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("poll") {
            return Output { status, stdout: stdout.join().expect("stdout"), stderr: stderr.join().expect("stderr") };
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "mcp-harness {args:?} did not finish within {limit:?}\nstderr:\n{}",
                String::from_utf8_lossy(&stderr.join().expect("stderr"))
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn read_report(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("report.json")).expect("report.json written");
    serde_json::from_str(&text).expect("report.json is JSON")
}

fn assert_valid_report(report: &Value) {
    let validator = jsonschema::draft202012::new(mcp_harness::report::report_json_schema()).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(report).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "report violates its schema:\n{}", errors.join("\n"));
}

/// Counts `<testcase>` children by kind in the JUnit file, and compares with the JSON summary.
fn assert_junit_matches(dir: &Path, report: &Value) {
    let xml = std::fs::read_to_string(dir.join("junit.xml")).expect("junit.xml written");
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("junit.xml parses");
    let s = &report["summary"];
    assert_eq!(parsed.tests as u64, s["total"].as_u64().unwrap(), "tests");
    let stale = s.get("staleBaseline").and_then(Value::as_u64).unwrap_or(0);
    assert_eq!(parsed.failures as u64, s["failed"].as_u64().unwrap() + stale, "failures");
    assert_eq!(parsed.errors as u64, s["errors"].as_u64().unwrap(), "errors");
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

#[test]
fn the_readme_run_command_passes_against_the_reference_server() {
    let dir = out_dir("reference");
    let out = harness(&["run", "--out", dir.to_str().unwrap()], Duration::from_secs(120));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 0, "stderr:\n{stderr}");
    let report = read_report(&dir);
    assert_valid_report(&report);
    assert_junit_matches(&dir, &report);
    assert_eq!(report["verdict"], "passed");
    assert!(report["summary"]["passed"].as_u64().unwrap() > 0);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("Summary: ") || stderr.contains("\nSummary: "), "no summary line in:\n{stderr}");
}

#[test]
fn a_target_that_exits_at_once_is_could_not_test() {
    let dir = out_dir("exits");
    let out = harness(&["run", "--stdio", "sh -c 'echo bye >&2; exit 1'", "--timeout-ms", "2000", "--out", dir.to_str().unwrap()], Duration::from_secs(60));
    assert_eq!(code(&out), 3, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let report = read_report(&dir);
    assert_valid_report(&report);
    assert_junit_matches(&dir, &report);
    assert_eq!(report["summary"]["failed"], 0, "a dead target is not a failed server");
    assert!(report["summary"]["errors"].as_u64().unwrap() > 0);
}

#[test]
fn a_target_that_hangs_is_could_not_test_within_the_timeouts() {
    let dir = out_dir("hangs");
    let out = harness(&["run", "--stdio", "sleep 600", "--timeout-ms", "1500", "--out", dir.to_str().unwrap()], Duration::from_secs(60));
    assert_eq!(code(&out), 3, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let report = read_report(&dir);
    assert_valid_report(&report);
    assert!(report["exit"]["reason"].as_str().unwrap().len() > 5);
}

#[test]
fn a_target_that_prints_garbage_is_could_not_test() {
    let dir = out_dir("garbage");
    let out = harness(&["run", "--stdio", "sh -c 'while :; do echo this is not json; sleep 0.01; done'", "--timeout-ms", "1500", "--out", dir.to_str().unwrap()], Duration::from_secs(60));
    assert_eq!(code(&out), 3, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    assert_valid_report(&read_report(&dir));
}

#[test]
fn an_unreachable_url_is_could_not_test() {
    // A port from a listener we close again: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = out_dir("unreachable");
    let url = format!("http://127.0.0.1:{port}/mcp");
    let out = harness(&["run", "--url", &url, "--timeout-ms", "2000", "--out", dir.to_str().unwrap()], Duration::from_secs(60));
    assert_eq!(code(&out), 3, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    assert_valid_report(&read_report(&dir));
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    for args in [
        vec!["run", "--bogus-flag"],
        vec!["run", "--check", "no-such-check-anywhere"],
        vec!["run", "--tag", "no-such-tag"],
        vec!["run", "--protocol", "1999-01-01"],
        vec!["run", "--suite", "nonsense"],
        vec!["run", "--url", "ftp://example.com"],
        vec!["run", "--with", "mysql"],
        vec!["run", "--with", "postgres", "--postgres-image", "Not A Valid Image"],
    ] {
        let out = harness(&args, Duration::from_secs(30));
        assert_eq!(code(&out), 2, "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!out.stderr.is_empty(), "{args:?} printed no error");
    }
}

/// No Docker engine and no URLs: the integration checks are skipped with the reason (exit 0), or, with
/// `--require-services`, the run is "could not test" (exit 3). The report is written either way.
#[test]
fn without_docker_or_urls_integration_checks_skip_or_with_require_services_exit_3() {
    let no_services = |c: &mut Command| {
        c.env("DOCKER_HOST", "unix:///nonexistent/mcp-harness-test.sock");
        for var in ["DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL", "TEST_REDIS_URL"] {
            c.env_remove(var);
        }
    };
    let dir = out_dir("integration-no-docker");
    let args = ["run", "--reference", "--suite", "integration", "--out", dir.to_str().unwrap()];
    let out = harness_with(&args, no_services, Duration::from_secs(60));
    assert_eq!(code(&out), 0, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let report = read_report(&dir);
    assert_valid_report(&report);
    let checks = report["suites"][0]["checks"].as_array().expect("checks");
    assert!(checks.len() >= 9, "{checks:?}");
    for c in checks {
        assert_eq!(c["outcome"], "skipped", "{c}");
        let reason = c["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("no Docker engine"), "unclear reason: {reason}");
    }

    let dir = out_dir("integration-no-docker-required");
    let args = ["run", "--reference", "--suite", "integration", "--require-services", "--out", dir.to_str().unwrap()];
    let out = harness_with(&args, no_services, Duration::from_secs(60));
    assert_eq!(code(&out), 3, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--require-services"), "{stderr}");
    let report = read_report(&dir);
    assert_valid_report(&report);
    assert!(report["suites"][0]["checks"].as_array().unwrap().iter().all(|c| c["outcome"] == "error"));
}

#[test]
fn selecting_nothing_exits_4_and_still_writes_the_report() {
    let dir = out_dir("nothing");
    // The e2e suite has no checks with these ids: a valid selection that matches nothing.
    let out = harness(&["run", "--suite", "e2e", "--out", dir.to_str().unwrap()], Duration::from_secs(30));
    assert_eq!(code(&out), 4, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    assert_valid_report(&read_report(&dir));
}

#[test]
fn list_prints_every_check_as_json_without_connecting() {
    let out = harness(&["list", "--suite", "all", "--format", "json"], Duration::from_secs(30));
    assert_eq!(code(&out), 0);
    let list: Value = serde_json::from_slice(&out.stdout).expect("list --format json is JSON");
    let ids: Vec<&str> = list.as_array().unwrap().iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids.len(), mcp_harness::checks::all().len());
    assert!(ids.contains(&"jsonrpc.unknown-method"));
}

#[test]
fn list_into_a_closed_pipe_ends_quietly() {
    // `mcp-harness list | head -1`: the reader goes away after the first bytes.
    let mut child = Command::new(HARNESS)
        .args(["list", "--suite", "all", "--format", "json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mcp-harness");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}

#[test]
fn a_baseline_entry_that_passes_is_stale_and_a_malformed_baseline_is_a_usage_error() {
    let dir = out_dir("baseline");
    std::fs::create_dir_all(&dir).unwrap();
    let stale = dir.join("stale.yml");
    std::fs::write(&stale, "server:\n  - jsonrpc.unknown-method\n").unwrap();
    let out = harness(
        &["run", "--check", "jsonrpc.unknown-method", "--baseline", stale.to_str().unwrap(), "--out", dir.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert_eq!(code(&out), 1, "a passing baselined check fails the run as stale: {}", String::from_utf8_lossy(&out.stderr));
    let report = read_report(&dir);
    assert_valid_report(&report);
    assert_junit_matches(&dir, &report);
    assert_eq!(report["summary"]["staleBaseline"], 1);

    let mapping = dir.join("mapping.yml");
    std::fs::write(&mapping, "server:\n  - jsonrpc: unknown-method\n").unwrap();
    let out = harness(&["run", "--baseline", mapping.to_str().unwrap(), "--out", dir.to_str().unwrap()], Duration::from_secs(30));
    assert_eq!(code(&out), 2, "{}", String::from_utf8_lossy(&out.stderr));
}

/// Runs the official-fixture profile against the bundled reference server over `transport`, in both eras: every
/// `official.*` check of the revision's window passes (the reference server implements every fixture), the others
/// are skipped as out of window.
fn official_profile_passes_over(transport: &str) {
    use mcp_harness::protocol::Revision;
    for revision in [Revision::V2025_11_25, Revision::V2026_07_28] {
        let dir = out_dir(&format!("official-{transport}-{revision}"));
        let args = ["run", "--reference", transport, "--profile", "official-fixtures", "--check", "official.*", "--protocol", revision.as_str(), "--out", dir.to_str().unwrap()];
        let out = harness(&args, Duration::from_secs(180));
        assert_eq!(code(&out), 0, "{args:?}\nstderr:\n{}", String::from_utf8_lossy(&out.stderr));
        let report = read_report(&dir);
        assert_valid_report(&report);
        assert_junit_matches(&dir, &report);
        let checks: Vec<&Value> = report["suites"].as_array().unwrap().iter().flat_map(|s| s["checks"].as_array().unwrap()).collect();
        let mut passed = 0;
        for c in &checks {
            let id = c["id"].as_str().unwrap();
            let check = mcp_harness::checks::find(id).unwrap_or_else(|| panic!("unknown check {id}"));
            if check.meta.applies.covers_revision(revision) {
                assert_eq!(c["outcome"], "passed", "{transport} {revision}: {c}");
                passed += 1;
            } else {
                assert_eq!(c["outcome"], "skipped", "{transport} {revision}: {c}");
            }
        }
        assert_eq!(checks.len(), mcp_harness::checks::all().iter().filter(|c| c.meta.id.as_str().starts_with("official.")).count());
        assert!(passed >= 20, "{transport} {revision}: only {passed} official checks passed");
    }
}

#[test]
fn the_official_fixture_profile_passes_against_the_reference_server_over_stdio() {
    official_profile_passes_over("stdio");
}

#[test]
fn the_official_fixture_profile_passes_against_the_reference_server_over_http() {
    official_profile_passes_over("http");
}

#[test]
fn without_the_profile_official_checks_are_skipped_as_opt_in_and_help_explains_the_profile() {
    let dir = out_dir("official-opt-in");
    let out = harness(&["run", "--check", "official.*", "--protocol", "2025-11-25", "--out", dir.to_str().unwrap()], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let report = read_report(&dir);
    assert_valid_report(&report);
    for c in report["suites"][0]["checks"].as_array().unwrap() {
        assert_eq!(c["outcome"], "skipped", "{c}");
        let reason = c["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("--profile official-fixtures") || reason.contains("does not apply"), "{reason}");
    }
    let help = harness(&["run", "--help"], Duration::from_secs(30));
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("--profile") && text.contains("official-fixtures") && text.contains("test_simple_text"), "{text}");
}

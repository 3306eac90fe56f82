//! The CLI contract, end to end: real processes, real reports. Each run is bounded; a run that overstays its
//! bound is killed and the test fails (the harness must never hang on what a target does).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;

use common::{HARNESS, code, harness, harness_with};

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
    let interrupted = s.get("interrupted").and_then(Value::as_u64).unwrap_or(0);
    assert_eq!(parsed.errors as u64, s["errors"].as_u64().unwrap() + interrupted, "errors");
}

/// The check with `id` in a report.
fn find_check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["suites"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["checks"].as_array().unwrap())
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in the report"))
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

/// The performance suite over both transports: every check passes against the reference server with a short load,
/// the report's performance section validates against the schema, and the SVG plots are written beside it.
#[test]
fn the_performance_suite_passes_against_the_reference_server_and_writes_its_section_and_plots() {
    for transport in ["stdio", "http"] {
        let dir = out_dir(&format!("performance-{transport}"));
        let args = [
            "run",
            "--reference",
            transport,
            "--suite",
            "performance",
            "--rate",
            "100",
            "--duration",
            "2s",
            "--warmup",
            "500ms",
            "--out",
            dir.to_str().unwrap(),
        ];
        let out = harness(&args, Duration::from_secs(120));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(code(&out), 0, "{transport}: stderr:\n{stderr}");
        let report = read_report(&dir);
        assert_valid_report(&report);
        assert_junit_matches(&dir, &report);
        let p = &report["performance"];
        assert_eq!(p["transport"], transport);
        assert_eq!(p["arrival"]["rate"], 100.0);
        assert!(p["sent"].as_u64().unwrap() >= 150, "{p}");
        assert!(p["latency"]["corrected"]["count"].as_u64().unwrap() >= 150, "{p}");
        assert!(!p["resources"]["pids"].as_array().map(Vec::is_empty).unwrap_or(true), "{p}");
        assert!(stderr.contains("load measured"), "{stderr}");
        for plot in ["latency.svg", "timeline.svg"] {
            let svg = std::fs::read_to_string(dir.join(plot)).unwrap_or_else(|e| panic!("{plot}: {e}"));
            assert!(svg.contains("<svg"), "{plot}");
            assert!(p["plots"].as_array().unwrap().iter().any(|r| r["path"] == plot), "{p}");
        }
    }
}

/// A k6 summary (a real `k6 run --summary-export` of a script the harness exported) is judged by the same checks:
/// its error rate (5 HTTP 503s and the script's JSON-RPC and tool errors) fails the objective, the figures k6 cannot
/// give (memory, the quantum's histogram) are skipped, and nothing is sent to the target but the handshake.
#[test]
fn an_imported_k6_summary_is_judged_by_the_performance_checks() {
    let dir = out_dir("performance-k6-import");
    let summary = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/k6-summary-export.json");
    let args = [
        "run",
        "--reference",
        "http",
        "--suite",
        "performance",
        "--import-k6",
        summary.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ];
    let out = harness(&args, Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report = read_report(&dir);
    assert_valid_report(&report);
    let p = &report["performance"];
    assert_eq!(p["source"], "k6", "{stderr}");
    assert!(p["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("actual send time")), "{p}");
    assert_eq!(find_check(&report, "performance.memory.rss-growth")["outcome"], "skipped");
    assert_eq!(find_check(&report, "performance.latency.quantum")["outcome"], "skipped");
    let errors = find_check(&report, "performance.errors.rate");
    let rate = p["errors"]["rate"].as_f64().unwrap();
    assert_eq!(errors["outcome"], if rate < 0.01 { "passed" } else { "failed" }, "{errors}");
    assert!(p["sent"].as_u64().unwrap() > 0);
    let _ = code(&out);
}

#[test]
fn a_target_that_exits_at_once_is_could_not_test() {
    let dir = out_dir("exits");
    let out = harness(
        &["run", "--stdio", "sh -c 'echo bye >&2; exit 1'", "--timeout-ms", "2000", "--out", dir.to_str().unwrap()],
        Duration::from_secs(60),
    );
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
    let out = harness(
        &["run", "--stdio", "sleep 600", "--timeout-ms", "1500", "--out", dir.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert_eq!(code(&out), 3, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let report = read_report(&dir);
    assert_valid_report(&report);
    assert!(report["exit"]["reason"].as_str().unwrap().len() > 5);
}

/// A server that prints only non-JSON lines answered wrongly: that is a verdict (exit 1), with a sample of what
/// it printed, not "could not test".
#[test]
fn a_target_that_prints_only_garbage_fails_with_a_sample_of_its_stdout() {
    let dir = out_dir("garbage");
    let script = "sh -c 'while :; do echo this is not json; sleep 0.01; done'";
    let out = harness(
        &["run", "--stdio", script, "--timeout-ms", "1500", "--out", dir.to_str().unwrap()],
        Duration::from_secs(90),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 1, "stderr:\n{stderr}");
    let report = read_report(&dir);
    assert_valid_report(&report);
    let check = find_check(&report, "stdio.stdout-only-messages");
    assert_eq!(check["outcome"], "failed", "{check}");
    assert!(check["observed"].as_str().unwrap().contains("this is not json"), "{check}");
    // The handshake's evidence shows the sample once, repeated lines counted.
    assert_eq!(stderr.matches("  stdout: this is not json (×").count(), 1, "{stderr}");
}

/// What a target prints cannot rewrite the terminal (escape sequences are shown escaped), and a target that floods
/// stdout forever cannot keep a wait past its deadline.
#[test]
fn a_flooding_target_with_escape_sequences_is_judged_within_its_deadlines() {
    let dir = out_dir("flood");
    let script = r#"sh -c 'printf "\033[2Jcleared\n"; exec yes'"#;
    // The bound is a hang guard (a flood that defeated the deadlines would run until the per-check budgets), not a
    // timing assertion.
    let out = harness(
        &["run", "--stdio", script, "--timeout-ms", "1000", "--out", dir.to_str().unwrap()],
        Duration::from_secs(90),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 1, "stderr:\n{stderr}");
    assert!(!stderr.contains('\u{1b}'), "a raw escape reached the console: {stderr}");
    assert!(stderr.contains("\\u{1b}[2Jcleared"), "{stderr}");
    assert_valid_report(&read_report(&dir));
}

#[test]
fn an_unreachable_url_is_could_not_test() {
    // A port from a listener we close again: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = out_dir("unreachable");
    let url = format!("http://127.0.0.1:{port}/mcp");
    let out = harness(
        &["run", "--url", &url, "--timeout-ms", "2000", "--out", dir.to_str().unwrap()],
        Duration::from_secs(60),
    );
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
        vec!["run", "--url", "http://example.com/mcp", "--insecure"],
        vec!["run", "--url", "https://example.com/mcp", "--ca-cert", "/no/such/ca.pem"],
        vec![
            "run",
            "--url",
            "https://example.com/mcp",
            "--oauth-client-id",
            "c",
            "--oauth-client-secret-env",
            "UNSET_VAR_X",
        ],
        vec!["run", "--with", "mysql"],
        vec!["run", "--with", "postgres", "--postgres-image", "Not A Valid Image"],
        vec!["run", "--suite", "performance", "--rate", "0"],
        vec!["run", "--suite", "performance", "--duration", "5 fortnights"],
        vec!["run", "--suite", "performance", "--load-tool", "echo", "--load-args", "[1, 2]"],
        vec!["run", "--suite", "performance", "--slo-error-percent", "150"],
        vec!["run", "--suite", "performance", "--load-mix", "/no/such/mix.json"],
        // --tool-allow names the tools --call-tools or --danger-intrusive may call: alone it would do nothing.
        vec!["run", "--tool-allow", "fs.*"],
    ] {
        let out = harness(&args, Duration::from_secs(30));
        assert_eq!(code(&out), 2, "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!out.stderr.is_empty(), "{args:?} printed no error");
    }
}

/// No Docker engine and no URLs: the integration checks are skipped with the reason, and a run that evaluated
/// nothing is exit 4 (it must not look green), or, with `--require-services`, "could not test" (exit 3). The
/// report is written either way.
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
    assert_eq!(code(&out), 4, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let report = read_report(&dir);
    assert_valid_report(&report);
    assert_eq!(report["verdict"], "failed", "nothing evaluated is not a pass");
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
    let empty = out_dir("nothing-journeys");
    std::fs::create_dir_all(&empty).unwrap();
    // The e2e suite over a directory without journeys: a valid selection that matches nothing.
    let args = ["run", "--suite", "e2e", "--journeys", empty.to_str().unwrap(), "--out", dir.to_str().unwrap()];
    let out = harness(&args, Duration::from_secs(30));
    assert_eq!(code(&out), 4, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    assert_valid_report(&read_report(&dir));
}

#[test]
fn list_prints_every_check_as_json_without_connecting() {
    // Every opt-in given: the official-fixture profile and a surface lock (the broken-server fixture's; list reads
    // it as run would, and connects to nothing). Every suite but the unit suite, whose checks are generated from
    // the target's surface (below).
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/broken-server/surface.lock.json");
    let out = harness(
        &[
            "list",
            "--suite",
            "conformance,integration,e2e,performance,security",
            "--profile",
            "official-fixtures",
            "--surface",
            lock.to_str().unwrap(),
            "--format",
            "json",
        ],
        Duration::from_secs(30),
    );
    assert_eq!(code(&out), 0);
    let list: Value = serde_json::from_slice(&out.stdout).expect("list --format json is JSON");
    let ids: Vec<&str> = list.as_array().unwrap().iter().filter_map(|c| c["id"].as_str()).collect();
    // Every registered check, and the journeys shipped for the reference server (the default target).
    let registry = mcp_harness::checks::registry(&[mcp_harness::journey::JourneySource::Reference]).unwrap();
    let not_unit = registry.checks.iter().filter(|c| c.meta.suite != mcp_harness::check::Suite::Unit).count();
    assert_eq!(ids.len(), not_unit);
    assert!(registry.journeys.len() >= 5);
    assert!(ids.contains(&"jsonrpc.unknown-method"));
    assert!(ids.contains(&"e2e.data-crud.record-lifecycle"));

    // The unit suite's checks are generated from the target's tools and prompts: list starts it to name them.
    let out = harness(&["list", "--suite", "unit", "--format", "json"], Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let list: Value = serde_json::from_slice(&out.stdout).expect("list --format json is JSON");
    let ids: Vec<&str> = list.as_array().unwrap().iter().filter_map(|c| c["id"].as_str()).collect();
    for id in
        ["unit.surface", "unit.tool.echo.valid-inputs", "unit.tool.echo.invalid-inputs", "unit.prompt.args-prompt.get"]
    {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
}

/// A journey directory of the test's own: `files` written into it.
fn journey_dir(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = out_dir(name);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

#[test]
fn a_journey_file_with_a_mistake_is_a_usage_error_naming_file_and_line() {
    let dir = journey_dir(
        "journeys-bad",
        &[("bad.journey.yaml", "journeys:\n  - name: a\n    steps:\n      - call: {tool: echo}\n        expct: []\n")],
    );
    for command in ["run", "list"] {
        let out = harness(&[command, "--suite", "e2e", "--journeys", dir.to_str().unwrap()], Duration::from_secs(30));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(code(&out), 2, "{command}: {stderr}");
        assert!(stderr.contains("bad.journey.yaml:5:9: unknown field `expct`"), "{command}: {stderr}");
    }
    let missing = out_dir("journeys-missing");
    let out = harness(&["list", "--journeys", missing.to_str().unwrap()], Duration::from_secs(30));
    assert_eq!(code(&out), 2, "{}", String::from_utf8_lossy(&out.stderr));
}

const ECHO_JOURNEYS: &str = "\
journeys:
  - name: echo-twice
    description: Echo answers what it is given.
    tags: [mine]
    steps:
      - call: {tool: echo, arguments: {message: first}}
        capture: {said: \"$.content[0].text\"}
        expect:
          - {path: \"$.content[0].text\", equals: first}
      - call: {tool: echo, arguments: {message: \"${said} again\"}}
        expect:
          - {path: \"$.content[0].text\", equals: first again}
          - {path: $.content, snapshot: {name: again}}
  - name: wrong
    steps:
      - call: {tool: echo, arguments: {message: hi}}
      - call: {tool: echo, arguments: {message: hi}}
        expect:
          - {path: \"$.content[0].text\", equals: bye}
      - ping: {}
    teardown:
      - call: {tool: echo, arguments: {message: cleanup}}
";

/// Journeys of a directory run as checks: the report carries each step, the captures and the failing step's
/// file and line; a missing snapshot is written, a changed one fails with a diff and a `.snap.new`, and
/// `--update-snapshots` accepts it.
#[test]
fn journeys_run_as_checks_with_steps_captures_and_snapshots() {
    let journeys = journey_dir("journeys-echo", &[("mine.journey.yaml", ECHO_JOURNEYS)]);
    let listed =
        harness(&["list", "--journeys", journeys.to_str().unwrap(), "--suite", "e2e"], Duration::from_secs(30));
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(text.contains("e2e.mine.echo-twice") && text.contains("e2e.mine.wrong"), "{text}");
    assert!(!text.contains("e2e.data-crud"), "--journeys replaces the default journeys: {text}");

    let run = |name: &str, extra: &[&str]| {
        let dir = out_dir(name);
        let mut args =
            vec!["run", "--suite", "e2e", "--journeys", journeys.to_str().unwrap(), "--out", dir.to_str().unwrap()];
        args.extend(extra);
        let out = harness(&args, Duration::from_secs(60));
        let report = read_report(&dir);
        assert_valid_report(&report);
        (code(&out), report, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (exit, report, stderr) = run("journeys-echo-1", &[]);
    assert_eq!(exit, 1, "{stderr}");
    let good = find_check(&report, "e2e.mine.echo-twice");
    assert_eq!(good["outcome"], "passed", "{good}");
    assert_eq!(good["details"]["captured"]["said"], "first");
    let steps = good["details"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert!(steps.iter().all(|s| s["latencyMs"].as_f64().is_some()));
    let notes = steps[1]["notes"].as_array().unwrap();
    assert!(notes.iter().any(|n| n.as_str().unwrap().contains("no accepted snapshot yet")), "{notes:?}");
    let snap = journeys.join("snapshots/mine__echo-twice__again.snap");
    let written = std::fs::read_to_string(&snap).expect("the missing snapshot was written");
    assert!(written.starts_with("---\nsource: ") && written.contains("first again"), "{written}");

    let bad = find_check(&report, "e2e.mine.wrong");
    assert_eq!(bad["outcome"], "failed");
    let reason = bad["reason"].as_str().unwrap();
    assert!(reason.contains("mine.journey.yaml:17: step 2 `call echo`"), "{reason}");
    assert!(reason.contains("equals \"bye\": got \"hi\""), "{reason}");
    assert_eq!(bad["specRef"]["id"], "e2e.journey-expectations");
    let outcomes: Vec<(&str, &str)> = bad["details"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["phase"].as_str().unwrap(), s["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        [("step", "passed"), ("step", "failed"), ("step", "skipped"), ("teardown", "passed")],
        "teardown runs after a failure"
    );

    // The snapshot no longer matches: a failure with a diff, and the answer in .snap.new.
    std::fs::write(&snap, written.replace("first again", "second again")).unwrap();
    let (exit, report, _) = run("journeys-echo-2", &["--check", "e2e.mine.echo-twice"]);
    assert_eq!(exit, 1);
    let changed = find_check(&report, "e2e.mine.echo-twice");
    assert_eq!(changed["outcome"], "failed");
    assert_eq!(changed["brokenRule"]["id"], "e2e.journey-snapshots");
    let observed = changed["observed"].as_str().unwrap();
    assert!(
        observed.contains("-    \"text\": \"second again\"") && observed.contains("+    \"text\": \"first again\""),
        "{observed}"
    );
    assert!(journeys.join("snapshots/mine__echo-twice__again.snap.new").exists());

    // --update-snapshots accepts the answer.
    let (exit, _, stderr) = run("journeys-echo-3", &["--check", "e2e.mine.echo-twice", "--update-snapshots"]);
    assert_eq!(exit, 0, "{stderr}");
    assert!(std::fs::read_to_string(&snap).unwrap().contains("first again"));
    assert!(!journeys.join("snapshots/mine__echo-twice__again.snap.new").exists());
    let (exit, _, stderr) = run("journeys-echo-4", &["--tag", "mine"]);
    assert_eq!(exit, 0, "selectable by its tags: {stderr}");
}

/// The journeys shipped for the bundled reference server run by default (`--suite e2e`, no `--journeys`).
#[test]
fn the_reference_journeys_pass_over_both_transports_and_eras() {
    for (transport, protocol) in [("stdio", "2025-11-25"), ("http", "2026-07-28")] {
        let dir = out_dir(&format!("journeys-reference-{transport}-{protocol}"));
        let args =
            ["run", "--reference", transport, "--suite", "e2e", "--protocol", protocol, "--out", dir.to_str().unwrap()];
        let out = harness(&args, Duration::from_secs(120));
        assert_eq!(code(&out), 0, "{transport} {protocol}: {}", String::from_utf8_lossy(&out.stderr));
        let report = read_report(&dir);
        assert_valid_report(&report);
        assert!(report["summary"]["passed"].as_u64().unwrap() >= 5, "{}", report["summary"]);
    }
}

/// `list` with the flags of a run shows exactly the checks that run reports, and which of them would not run.
#[test]
fn list_and_run_agree_on_the_selection() {
    let dir = out_dir("agree");
    let flags = ["--check", "lifecycle", "--check", "http", "--protocol", "2025-11-25"];
    let mut list_args = vec!["list", "--format", "json"];
    list_args.extend(flags);
    let listed: Value = serde_json::from_slice(&harness(&list_args, Duration::from_secs(30)).stdout).unwrap();
    let mut run_args = vec!["run", "--out", dir.to_str().unwrap()];
    run_args.extend(flags);
    let out = harness(&run_args, Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let report = read_report(&dir);
    let reported: Vec<(String, String)> = report["suites"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["checks"].as_array().unwrap())
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c["outcome"].as_str().unwrap().to_owned()))
        .collect();
    let mut listed_ids: Vec<String> =
        listed.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    let mut reported_ids: Vec<String> = reported.iter().map(|(id, _)| id.clone()).collect();
    listed_ids.sort();
    reported_ids.sort();
    assert_eq!(listed_ids, reported_ids);
    // Over stdio the HTTP checks are not applicable, in the listing and in the report alike.
    for c in listed.as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let (_, outcome) = reported.iter().find(|(r, _)| r == id).unwrap();
        if c["plan"]["outcome"] == "not-applicable" {
            assert_eq!(outcome, "not-applicable", "{id}");
        } else {
            assert_ne!(outcome, "not-applicable", "{id}");
        }
    }
    assert_eq!(
        report["summary"]["total"].as_u64().unwrap() + report["summary"]["notApplicable"].as_u64().unwrap(),
        listed_ids.len() as u64
    );
}

#[test]
fn an_unwritable_out_directory_is_a_usage_error_before_anything_runs() {
    let dir = out_dir("unwritable");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("a-file");
    std::fs::write(&file, "").unwrap();
    let out = harness(&["run", "--out", file.join("sub").to_str().unwrap()], Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 2, "{stderr}");
    assert!(stderr.contains("--out"), "{stderr}");
    assert!(!stderr.contains("target started"), "nothing may run: {stderr}");
}

/// Whether process `pid` is gone (or a zombie waiting to be reaped by whoever inherited it).
fn process_gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

/// SIGINT or SIGTERM during a run against a hung stdio target: the report is written with the unfinished checks
/// interrupted, the target's process is ended, and the exit code is 128 + the signal.
fn interrupted_run(signal: i32, expected_code: i32, name: &str) {
    let dir = out_dir(name);
    let pid_file = dir.with_extension("pid");
    let _ = std::fs::remove_file(&pid_file);
    let target = format!("sh -c 'echo $$ > {}; exec sleep 600'", pid_file.display());
    let mut child = Command::new(HARNESS)
        .args(["run", "--stdio", &target, "--timeout-ms", "60000", "--out", dir.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mcp-harness");
    let started = Instant::now();
    let target_pid = loop {
        if let Some(pid) = std::fs::read_to_string(&pid_file).ok().and_then(|t| t.trim().parse::<i32>().ok()) {
            break pid;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the target never started");
        std::thread::sleep(Duration::from_millis(20));
    };
    std::thread::sleep(Duration::from_millis(300));
    let harness_pid = i32::try_from(child.id()).unwrap();
    // SAFETY: kill(2) on the harness process this test spawned.
    unsafe {
        libc::kill(harness_pid, signal);
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the harness did not stop within 30 s of the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(expected_code), "{stderr}");
    let report = read_report(&dir);
    assert_valid_report(&report);
    assert_junit_matches(&dir, &report);
    assert_eq!(report["exit"]["code"], expected_code);
    assert!(report["summary"]["interrupted"].as_u64().unwrap() > 0, "{}", report["summary"]);
    assert!(stderr.contains("interrupted by SIG"), "{stderr}");
    let gone = Instant::now() + Duration::from_secs(10);
    while !process_gone(target_pid) && Instant::now() < gone {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(process_gone(target_pid), "the target process {target_pid} is still running");
}

#[test]
fn sigint_writes_the_report_ends_the_target_and_exits_130() {
    interrupted_run(libc::SIGINT, 130, "sigint");
}

#[test]
fn sigterm_writes_the_report_ends_the_target_and_exits_143() {
    interrupted_run(libc::SIGTERM, 143, "sigterm");
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
        &[
            "run",
            "--check",
            "jsonrpc.unknown-method",
            "--baseline",
            stale.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ],
        Duration::from_secs(60),
    );
    assert_eq!(
        code(&out),
        1,
        "a passing baselined check fails the run as stale: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = read_report(&dir);
    assert_valid_report(&report);
    assert_junit_matches(&dir, &report);
    assert_eq!(report["summary"]["staleBaseline"], 1);

    let mapping = dir.join("mapping.yml");
    std::fs::write(&mapping, "server:\n  - jsonrpc: unknown-method\n").unwrap();
    let out = harness(
        &["run", "--baseline", mapping.to_str().unwrap(), "--out", dir.to_str().unwrap()],
        Duration::from_secs(30),
    );
    assert_eq!(code(&out), 2, "{}", String::from_utf8_lossy(&out.stderr));
}

/// Runs the official-fixture profile against the bundled reference server over `transport`, in both eras: every
/// `official.*` check of the revision's window passes (the reference server implements every fixture), the others
/// are skipped as out of window.
fn official_profile_passes_over(transport: &str) {
    use mcp_harness::protocol::Revision;
    for revision in [Revision::V2025_11_25, Revision::V2026_07_28] {
        let dir = out_dir(&format!("official-{transport}-{revision}"));
        let args = [
            "run",
            "--reference",
            transport,
            "--profile",
            "official-fixtures",
            "--check",
            "official.*",
            "--protocol",
            revision.as_str(),
            "--out",
            dir.to_str().unwrap(),
        ];
        let out = harness(&args, Duration::from_secs(180));
        assert_eq!(code(&out), 0, "{args:?}\nstderr:\n{}", String::from_utf8_lossy(&out.stderr));
        let report = read_report(&dir);
        assert_valid_report(&report);
        assert_junit_matches(&dir, &report);
        let checks: Vec<&Value> =
            report["suites"].as_array().unwrap().iter().flat_map(|s| s["checks"].as_array().unwrap()).collect();
        let mut passed = 0;
        for c in &checks {
            let id = c["id"].as_str().unwrap();
            let check = mcp_harness::checks::find(id).unwrap_or_else(|| panic!("unknown check {id}"));
            if check.meta.applies.covers_revision(revision) {
                assert_eq!(c["outcome"], "passed", "{transport} {revision}: {c}");
                passed += 1;
            } else {
                assert_eq!(c["outcome"], "not-applicable", "{transport} {revision}: {c}");
            }
        }
        assert_eq!(
            checks.len(),
            mcp_harness::checks::all().iter().filter(|c| c.meta.id.as_str().starts_with("official.")).count()
        );
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
    let out = harness(
        &["run", "--check", "official.*", "--protocol", "2025-11-25", "--out", dir.to_str().unwrap()],
        Duration::from_secs(60),
    );
    // Nothing was evaluated: exit 4, with the reason on every check.
    assert_eq!(code(&out), 4, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let report = read_report(&dir);
    assert_valid_report(&report);
    for c in report["suites"][0]["checks"].as_array().unwrap() {
        let reason = c["reason"].as_str().unwrap_or_default();
        match c["outcome"].as_str() {
            Some("skipped") => assert!(reason.contains("--profile official-fixtures"), "{reason}"),
            Some("not-applicable") => assert!(reason.contains("does not apply"), "{reason}"),
            other => panic!("{other:?}: {c}"),
        }
    }
    let help = harness(&["run", "--help"], Duration::from_secs(30));
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("--profile") && text.contains("official-fixtures") && text.contains("test_simple_text"),
        "{text}"
    );
}

/// Every outcome of a `surface.*` check in `report`, by id.
fn surface_outcomes(report: &Value) -> Vec<(String, String)> {
    report["suites"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["checks"].as_array().unwrap())
        .filter(|c| c["id"].as_str().is_some_and(|id| id.starts_with("surface.")))
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c["outcome"].as_str().unwrap().to_owned()))
        .collect()
}

/// Writes a lock of the bundled reference server over `transport` with `surface`, checks it against the committed
/// JSON Schema of the format, and returns its path.
fn write_reference_lock(dir: &Path, transport: &str, extra: &[&str]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let lock = dir.join("locks/surface.lock.json");
    let mut args =
        vec!["surface", "--reference", transport, "--protocol", "2025-11-25", "--write", lock.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = harness(&args, Duration::from_secs(120));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 0, "{args:?}\nstderr:\n{stderr}");
    assert!(stderr.contains("Wrote ") && stderr.contains("tools"), "{stderr}");
    let text = std::fs::read_to_string(&lock).expect("the lock is written");
    assert!(text.ends_with("}\n"), "pretty JSON with a trailing newline");
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../suites/schemas/surface.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).expect("the lock schema compiles");
    let instance: Value = serde_json::from_str(&text).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&instance).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "the lock violates suites/schemas/surface.schema.json:\n{}", errors.join("\n"));
    assert!(!instance["tools"].as_array().unwrap().is_empty());
    lock
}

#[test]
fn a_surface_lock_of_the_unchanged_reference_server_passes_every_surface_check_in_a_full_run() {
    let dir = out_dir("surface-stdio");
    let lock = write_reference_lock(&dir, "stdio", &[]);
    // The default suite plus the lock: the surface checks join the conformance checks, and everything passes.
    let args = ["run", "--protocol", "2025-11-25", "--surface", lock.to_str().unwrap(), "--out", dir.to_str().unwrap()];
    let out = harness(&args, Duration::from_secs(300));
    assert_eq!(code(&out), 0, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let report = read_report(&dir);
    assert_valid_report(&report);
    assert_junit_matches(&dir, &report);
    let surface = surface_outcomes(&report);
    let ids: Vec<&str> = surface.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["surface.tools", "surface.resources", "surface.templates", "surface.prompts"]);
    assert!(surface.iter().all(|(_, o)| o == "passed"), "{surface:?}");
    assert!(report["suites"].as_array().unwrap().iter().any(|s| s["name"] == "conformance"), "conformance still ran");
    let tools = find_check(&report, "surface.tools");
    assert!(tools["observed"].as_str().unwrap_or_default().contains("tools as locked"), "{tools}");
}

#[test]
fn a_surface_lock_of_the_unchanged_reference_server_passes_over_http_and_hash_only() {
    let dir = out_dir("surface-http");
    let lock = write_reference_lock(&dir, "http", &["--hash-only"]);
    let text = std::fs::read_to_string(&lock).unwrap();
    assert!(text.contains("\"sha256\"") && !text.contains("\"text\""), "--hash-only stores no text");
    let args = [
        "run",
        "--reference",
        "http",
        "--protocol",
        "2025-11-25",
        "--surface",
        lock.to_str().unwrap(),
        "--check",
        "surface.*",
        "--out",
        dir.to_str().unwrap(),
    ];
    let out = harness(&args, Duration::from_secs(120));
    assert_eq!(code(&out), 0, "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let report = read_report(&dir);
    assert_valid_report(&report);
    let surface = surface_outcomes(&report);
    assert_eq!(surface.len(), 4);
    assert!(surface.iter().all(|(_, o)| o == "passed"), "{surface:?}");
}

#[test]
fn a_changed_tool_description_warns_naming_the_tool_with_the_locked_and_the_new_text() {
    let dir = out_dir("surface-drift");
    let lock = write_reference_lock(&dir, "stdio", &[]);
    // The server's `echo` now says something else than the lock: as if the lock had been written before a rug
    // pull. Edit the locked text and its hash together, as a re-lock of the old server would have written them.
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(&lock).unwrap()).unwrap();
    let echo = value["tools"].as_array_mut().unwrap().iter_mut().find(|t| t["name"] == "echo").expect("echo locked");
    let live_text = echo["description"]["text"].as_str().unwrap().to_owned();
    let old_text = "Echoes the message back.";
    echo["description"] = serde_json::json!({"sha256": mcp_harness::surface::sha256_hex(old_text), "text": old_text});
    std::fs::write(&lock, serde_json::to_string_pretty(&value).unwrap()).unwrap();

    let args = [
        "run",
        "--protocol",
        "2025-11-25",
        "--surface",
        lock.to_str().unwrap(),
        "--check",
        "surface.*",
        "--out",
        dir.to_str().unwrap(),
    ];
    let out = harness(&args, Duration::from_secs(120));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 0, "a warning does not fail the run\nstderr:\n{stderr}");
    assert!(stderr.contains("surface.tools") && stderr.contains("tool `echo`"), "the console names it:\n{stderr}");
    let report = read_report(&dir);
    assert_valid_report(&report);
    let tools = find_check(&report, "surface.tools");
    assert_eq!(tools["outcome"], "warning", "{tools}");
    assert_eq!(tools["brokenRule"]["id"], "surface.no-silent-change");
    let reason = tools["reason"].as_str().unwrap();
    assert!(reason.contains("tool `echo`: description changed"), "{reason}");
    let observed = tools["observed"].as_str().unwrap();
    assert!(observed.contains(&format!("locked: {old_text:?}")), "{observed}");
    assert!(observed.contains(&format!("now:    {live_text:?}")), "{observed}");
    assert!(tools["expected"].as_str().unwrap().contains("re-lock"), "{tools}");
    for other in ["surface.resources", "surface.templates", "surface.prompts"] {
        assert_eq!(find_check(&report, other)["outcome"], "passed");
    }
}

#[test]
fn surface_usage_errors_exit_2_and_an_unstartable_target_exits_3() {
    let dir = out_dir("surface-usage");
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("missing.lock.json");
    let out = harness(
        &["run", "--surface", missing.to_str().unwrap(), "--out", dir.to_str().unwrap()],
        Duration::from_secs(30),
    );
    assert_eq!(code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--surface") && stderr.contains("failed to read the surface lock"), "{stderr}");

    let out = harness(&["list", "--surface", missing.to_str().unwrap()], Duration::from_secs(30));
    assert_eq!(code(&out), 2, "list reads the lock as run would");

    let future = dir.join("future.lock.json");
    std::fs::write(&future, r#"{"formatVersion": 9}"#).unwrap();
    let out = harness(
        &["run", "--surface", future.to_str().unwrap(), "--out", dir.to_str().unwrap()],
        Duration::from_secs(30),
    );
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("format version 9"));

    assert_eq!(code(&harness(&["surface", "--reference"], Duration::from_secs(30))), 2, "--write is required");
    let blocked = dir.join("file");
    std::fs::write(&blocked, "").unwrap();
    let into_file = blocked.join("surface.lock.json");
    let out = harness(&["surface", "--write", into_file.to_str().unwrap()], Duration::from_secs(30));
    assert_eq!(code(&out), 2, "{}", String::from_utf8_lossy(&out.stderr));

    let lock = dir.join("never.lock.json");
    let out = harness(
        &["surface", "--stdio", "/definitely/not/a/server", "--write", lock.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert_eq!(code(&out), 3, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!lock.exists(), "nothing is written when nothing was recorded");

    // Named without a lock, the surface checks are skipped with the flag that enables them.
    let out = harness(&["run", "--check", "surface.*", "--out", dir.to_str().unwrap()], Duration::from_secs(60));
    assert_eq!(code(&out), 4);
    let report = read_report(&dir);
    for (_, outcome) in surface_outcomes(&report) {
        assert_eq!(outcome, "skipped");
    }
    assert!(find_check(&report, "surface.tools")["reason"].as_str().unwrap().contains("--surface FILE"));

    let help = String::from_utf8_lossy(&harness(&["surface", "--help"], Duration::from_secs(30)).stdout).into_owned();
    assert!(help.contains("--write") && help.contains("--hash-only") && help.contains("re-lock"), "{help}");
    let help = String::from_utf8_lossy(&harness(&["run", "--help"], Duration::from_secs(30)).stdout).into_owned();
    assert!(help.contains("--surface") && help.contains("breaking change") && help.contains("rug pull"), "{help}");
}

#[test]
fn auth_keygen_writes_a_private_key_and_a_jwks_that_verifies_minted_tokens() {
    use std::os::unix::fs::PermissionsExt as _;

    use jsonwebtoken::jwk::JwkSet;
    use jsonwebtoken::{Algorithm, DecodingKey, Validation};
    use mcp_harness::auth::SigningKey;
    use mcp_harness::auth::token::{Claims, Grant, sign};

    let dir = out_dir("auth-keygen");
    let out = harness(&["auth", "keygen", "--out", dir.to_str().unwrap(), "--kid", "ci-key"], Duration::from_secs(120));
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let key_path = dir.join("signing-key.pem");
    let mode = std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the private key is readable by its owner only");
    let pem = std::fs::read_to_string(&key_path).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "PKCS#8");
    let jwks: JwkSet = serde_json::from_str(&std::fs::read_to_string(dir.join("jwks.json")).unwrap()).unwrap();
    let jwk = jwks.find("ci-key").expect("the JWKS names the kid");
    assert_eq!(jwk.common.key_algorithm, Some(jsonwebtoken::jwk::KeyAlgorithm::RS256));
    // A token minted with the written key verifies against the written JWKS (what a server under test does).
    let key = SigningKey::load(&key_path, "ci-key").unwrap();
    let grant = Grant {
        issuer: "https://auth.example.test".into(),
        audience: "http://127.0.0.1:1/mcp".into(),
        scopes: vec!["mcp:read".into()],
    };
    let token = sign(&key, &grant.claims()).unwrap();
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&["http://127.0.0.1:1/mcp"]);
    v.set_issuer(&["https://auth.example.test"]);
    let claims = jsonwebtoken::decode::<Claims>(&token, &DecodingKey::from_jwk(jwk).unwrap(), &v).unwrap().claims;
    assert_eq!(claims.scope, "mcp:read");
    // An existing key is not overwritten without --force.
    let again = harness(&["auth", "keygen", "--out", dir.to_str().unwrap()], Duration::from_secs(120));
    assert_eq!(code(&again), 2, "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(std::fs::read_to_string(&key_path).unwrap(), pem);
}

#[test]
fn reference_args_reach_the_bundled_reference_server() {
    let dir = out_dir("reference-arg");
    let out = harness(
        &[
            "run",
            "--reference",
            "http",
            "--reference-arg=--no-such-reference-flag",
            "--check",
            "ping.responds",
            "--no-progress",
            "--out",
            dir.to_str().unwrap(),
        ],
        Duration::from_secs(120),
    );
    // The reference server refuses the unknown flag and exits: the target could not be started.
    assert_eq!(code(&out), 3, "{}", String::from_utf8_lossy(&out.stderr));
    let report = read_report(&dir);
    let stderr = report.pointer("/targetStderr/text").and_then(Value::as_str).unwrap_or_default().to_owned();
    let reason = find_check(&report, "ping.responds")["reason"].as_str().unwrap_or_default().to_owned();
    assert!(
        stderr.contains("no-such-reference-flag") || reason.contains("no-such-reference-flag"),
        "the flag was passed to the reference server: {reason} / {stderr}"
    );
}

/// A 2026-07-28-only server whose first answer comes after the dual-era probe gave up (a slow start): the harness
/// falls back to `initialize`, is refused, asks `server/discover` again and speaks 2026-07-28, instead of calling
/// the handshake failed.
#[test]
fn a_slow_starting_2026_server_is_not_mistaken_for_a_failed_handshake() {
    let dir = out_dir("slow-start-2026");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/slow_start_2026_server.py");
    let command = format!("python3 {}", script.display());
    let out = harness(
        &[
            "run",
            "--stdio",
            &command,
            "--timeout-ms",
            "1000",
            "--check",
            "jsonrpc.response-id",
            "--out",
            dir.to_str().unwrap(),
        ],
        Duration::from_secs(60),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 0, "stderr:\n{stderr}");
    let report = read_report(&dir);
    assert_eq!(report["protocol"]["negotiated"], "2026-07-28", "{}", report["protocol"]);
    assert_eq!(find_check(&report, "jsonrpc.response-id")["outcome"], "passed");
}

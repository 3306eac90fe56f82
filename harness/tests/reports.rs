//! Reports end to end: a real run writes every format (HTML rendered by headless Chromium, CTRF validated against
//! the official schema), GitHub step summary and annotations, and `report merge|diff|render` through the binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

mod common;

use common::{code, harness, harness_with, stderr};

/// What the hostile target prints instead of JSON-RPC: markup that must never become markup in a report.
const HOSTILE: &str = "<script>alert(1)</script>";

fn dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("reports").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One run against a target that prints `HOSTILE` lines (so checks fail and their evidence carries the markup),
/// with every extra format and `GITHUB_STEP_SUMMARY` set: its directory, stdout and the summary file's path.
struct HostileRun {
    out: PathBuf,
    stdout: String,
    summary: PathBuf,
    code: i32,
}

fn hostile_run() -> &'static HostileRun {
    static RUN: OnceLock<HostileRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let out = dir("hostile");
        let summary = out.join("step-summary.md");
        std::fs::write(&summary, "earlier step\n").unwrap();
        let script = format!("sh -c 'while :; do echo \"{HOSTILE}\"; sleep 0.01; done'");
        let args = ["run", "--stdio", &script, "--timeout-ms", "1500", "--report", "md,sarif,ctrf", "--out"];
        let mut args: Vec<&str> = args.to_vec();
        args.push(out.to_str().unwrap());
        let run = harness_with(
            &args,
            |c| {
                c.env("GITHUB_STEP_SUMMARY", &summary);
            },
            Duration::from_secs(120),
        );
        HostileRun { out, stdout: String::from_utf8_lossy(&run.stdout).into_owned(), summary, code: code(&run) }
    })
}

#[test]
fn a_run_writes_every_format_and_the_github_outputs() {
    let run = hostile_run();
    assert_eq!(run.code, 1);
    for file in ["report.json", "junit.xml", "report.html", "report.md", "report.sarif", "ctrf-report.json"] {
        assert!(run.out.join(file).is_file(), "{file} written");
    }
    // CTRF validates against the official schema.
    let schema: Value = serde_json::from_str(include_str!("../schema/ctrf.schema.json")).unwrap();
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let ctrf = json(&run.out.join("ctrf-report.json"));
    let errors: Vec<String> = validator.iter_errors(&ctrf).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let report = json(&run.out.join("report.json"));
    assert_eq!(ctrf["results"]["summary"]["tests"], report["summary"]["total"]);
    // The step summary is appended (what was there stays), and names the failed check.
    let summary = std::fs::read_to_string(&run.summary).unwrap();
    assert!(summary.starts_with("earlier step\n## MCP Harness"), "{summary}");
    assert!(summary.contains("`lifecycle.initialize.succeeds`"));
    // Markup from the target is escaped in Markdown text, and literal only inside a code span (the heading's).
    assert!(summary.contains("\\<script\\>alert\\(1\\)\\</script\\>"), "{summary}");
    for line in summary.lines().filter(|l| l.contains(HOSTILE)) {
        assert!(line.starts_with("## MCP Harness — `") && line.matches('`').count() == 2, "{line}");
    }
    // Annotations on stdout: one workflow command per line, the message's newline escaped.
    assert!(run.stdout.contains("::error title=lifecycle.initialize.succeeds::failed (MUST): "), "{}", run.stdout);
    assert!(run.stdout.contains("%0Arule lifecycle.initialize-result: "));
    for line in run.stdout.lines() {
        assert!(
            line.starts_with("::error ") || line.starts_with("::warning ") || line.starts_with("::notice "),
            "{line}"
        );
    }
    assert!(run.stdout.lines().filter(|l| l.starts_with("::error")).count() <= 10);
}

#[test]
fn without_github_step_summary_nothing_goes_to_stdout() {
    let out = dir("quiet");
    let run = harness_with(
        &["run", "--check", "lifecycle.*", "--out", out.to_str().unwrap()],
        |c| {
            c.env_remove("GITHUB_STEP_SUMMARY");
        },
        Duration::from_secs(120),
    );
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    assert!(run.stdout.is_empty());
    assert!(out.join("report.html").is_file(), "HTML is always written");
    assert!(!out.join("report.md").exists() && !out.join("ctrf-report.json").exists(), "only on request");
}

/// Chromium, or why the test cannot use it (then it is skipped, unless `MCP_HARNESS_REQUIRE_CHROMIUM=1`).
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(name)).find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("MCP_HARNESS_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
            "MCP_HARNESS_REQUIRE_CHROMIUM=1 but no chromium on PATH (apt-get install chromium)"
        );
        eprintln!(
            "SKIPPED: no chromium on PATH (install Debian's `chromium`, or set MCP_HARNESS_REQUIRE_CHROMIUM=1 to fail)"
        );
    }
    found
}

/// Runs headless Chromium with `args` and the page, bounded.
fn chromium_run(chromium: &Path, args: &[&str], page: &Path) -> std::process::Output {
    let profile = page.with_extension("chromium-profile");
    let mut child = Command::new(chromium)
        .args(["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start chromium");
    let started = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn headless_chromium_shows_the_failures_escaped_and_the_counts() {
    let Some(chromium) = chromium() else { return };
    let run = hostile_run();
    let page = run.out.join("report.html");
    let report = json(&run.out.join("report.json"));
    let dom = chromium_run(&chromium, &["--dump-dom"], &page);
    assert!(dom.status.success());
    let dom = String::from_utf8_lossy(&dom.stdout);
    // The page title, after rendering.
    assert!(dom.contains("<title>mcp-harness: failed — sh -c"), "{}", &dom[..dom.len().min(600)]);
    // No element came from the target's markup: it is text.
    assert!(!dom.contains("<script"), "a script element in the rendered DOM");
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // The failed check, its rule quote, and the counts as the report has them.
    let failures = &dom[dom.find("id=\"failures\"").unwrap()..dom.find("id=\"warnings\"").unwrap()];
    assert!(failures.contains("id=\"check-lifecycle.initialize.succeeds\""));
    assert!(failures.contains("The server MUST respond with its own capabilities and information"));
    assert!(failures.contains("Source: <a href=\"https://modelcontextprotocol.io/specification/"));
    for (count, key) in [("failed", "failed"), ("errors", "errors"), ("passed", "passed"), ("total", "total")] {
        let cell = format!("<td id=\"count-{count}\">{}</td>", report["summary"][key]);
        assert!(dom.contains(&cell), "{cell}");
    }
    // And it paints: a screenshot is written.
    let shot = run.out.join("report.png");
    let _ = std::fs::remove_file(&shot);
    let out = chromium_run(&chromium, &[&format!("--screenshot={}", shot.display()), "--window-size=1280,2000"], &page);
    assert!(out.status.success());
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{} bytes", png.len());
}

/// `report` read back, changed by `edit`, written to `path`.
fn edited(report: &Value, path: &Path, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut r = report.clone();
    edit(&mut r);
    std::fs::write(path, serde_json::to_string_pretty(&r).unwrap()).unwrap();
    path.to_owned()
}

fn checks_mut(r: &mut Value) -> impl Iterator<Item = &mut Value> {
    r["suites"].as_array_mut().unwrap().iter_mut().flat_map(|s| s["checks"].as_array_mut().unwrap().iter_mut())
}

#[test]
fn report_diff_exits_1_on_a_regression_and_0_otherwise() {
    let run = hostile_run();
    let d = dir("diff");
    let failing = run.out.join("report.json");
    let report = json(&failing);
    let passing = edited(&report, &d.join("passing.json"), |r| {
        for c in checks_mut(r) {
            if c["outcome"] != "not-applicable" {
                c["outcome"] = "passed".into();
            }
        }
    });
    let p = |x: &Path| x.to_str().unwrap().to_owned();
    let diff = |old: &Path, new: &Path, extra: &[&str]| {
        let mut args = vec!["report".to_owned(), "diff".to_owned(), p(old), p(new)];
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        harness(&args, Duration::from_secs(30))
    };
    let same = diff(&failing, &failing, &[]);
    assert_eq!(code(&same), 0, "{}", stderr(&same));
    assert!(String::from_utf8_lossy(&same.stdout).starts_with("Diff: 0 regressed, 0 fixed"));
    let fixed = diff(&failing, &passing, &[]);
    assert_eq!(code(&fixed), 0);
    let regressed = diff(&passing, &failing, &["--format", "json"]);
    assert_eq!(code(&regressed), 1);
    let body: Value = serde_json::from_slice(&regressed.stdout).expect("JSON on stdout");
    let ids: Vec<&str> = body["regressed"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"lifecycle.initialize.succeeds"), "{ids:?}");
    assert_eq!(body["fixed"].as_array().unwrap().len(), 0);
    // Bad input: one line, exit 2.
    let not_json = d.join("not-a-report.json");
    std::fs::write(&not_json, "{\"hello\": 1}").unwrap();
    let bad = diff(&not_json, &failing, &[]);
    assert_eq!(code(&bad), 2);
    assert_eq!(stderr(&bad).lines().count(), 1, "{}", stderr(&bad));
    assert!(stderr(&bad).contains("not an mcp-harness report"));
    let old_major = edited(&report, &d.join("v1.json"), |r| r["schemaVersion"] = "1.2.0".into());
    let bad = diff(&old_major, &failing, &[]);
    assert_eq!(code(&bad), 2);
    assert!(stderr(&bad).contains("report schema version 1.2.0 is not supported"), "{}", stderr(&bad));
}

#[test]
fn report_merge_recounts_the_shards_and_writes_every_format() {
    let run = hostile_run();
    let d = dir("merge");
    let report = json(&run.out.join("report.json"));
    // Two shards: checks alternate between them.
    let shard = |keep: usize, name: &str| {
        edited(&report, &d.join(name), |r| {
            for s in r["suites"].as_array_mut().unwrap() {
                let checks: Vec<Value> =
                    s["checks"].as_array().unwrap().iter().skip(keep).step_by(2).cloned().collect();
                s["checks"] = Value::Array(checks);
            }
            r["summary"]["total"] = 9999.into(); // never summed: recounted from the checks
        })
    };
    let a = shard(0, "a.json");
    let b = shard(1, "b.json");
    let out = d.join("merged");
    let merged = harness(
        &["report", "merge", a.to_str().unwrap(), b.to_str().unwrap(), "--out", out.to_str().unwrap()],
        Duration::from_secs(30),
    );
    assert_eq!(code(&merged), 1, "the merged run failed like the whole one: {}", stderr(&merged));
    for file in ["report.json", "junit.xml", "report.html", "report.md", "report.sarif", "ctrf-report.json"] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let m = json(&out.join("report.json"));
    assert_eq!(m["summary"], report["summary"]);
    assert_eq!(m["verdict"], report["verdict"]);
    assert_eq!(m["coverage"]["requirements"]["covered"], report["coverage"]["requirements"]["covered"]);
    // The same check with another result from the same target: refused.
    let conflicting = edited(&json(&a), &d.join("conflict.json"), |r| {
        let first = checks_mut(r).next().unwrap();
        first["outcome"] = "passed".into();
        first["reason"] = Value::Null;
    });
    let refused = harness(
        &["report", "merge", a.to_str().unwrap(), conflicting.to_str().unwrap(), "--out", out.to_str().unwrap()],
        Duration::from_secs(30),
    );
    assert_eq!(code(&refused), 2);
    assert!(stderr(&refused).contains("differs between"), "{}", stderr(&refused));
}

#[test]
fn report_render_writes_each_format_to_a_file_or_stdout() {
    let run = hostile_run();
    let d = dir("render");
    let source = run.out.join("report.json");
    for (format, check) in [
        ("html", "<!DOCTYPE html>"),
        ("md", "## MCP Harness"),
        ("junit", "<testsuites name=\"mcp-harness\""),
        ("sarif", "\"version\": \"2.1.0\""),
        ("ctrf", "\"reportFormat\": \"CTRF\""),
        ("json", "\"schemaVersion\""),
    ] {
        let file = d.join(format!("out.{format}"));
        let out = harness(
            &["report", "render", source.to_str().unwrap(), "--format", format, "--out", file.to_str().unwrap()],
            Duration::from_secs(30),
        );
        assert_eq!(code(&out), 0, "{format}: {}", stderr(&out));
        assert!(std::fs::read_to_string(&file).unwrap().contains(check), "{format}");
    }
    let out = harness(&["report", "render", source.to_str().unwrap(), "--format", "md"], Duration::from_secs(30));
    assert_eq!(code(&out), 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("**Verdict: failed**"));
    let missing = harness(&["report", "render", "/nonexistent/report.json", "--format", "md"], Duration::from_secs(30));
    assert_eq!(code(&missing), 2);
    assert_eq!(stderr(&missing).lines().count(), 1);
}

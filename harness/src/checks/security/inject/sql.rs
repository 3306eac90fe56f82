//! A tool taking a query or filter never lets its argument change the SQL it runs.

use std::sync::LazyLock;

use regex::Regex;

use super::INTRUSIVE_TOOLS;
use super::probe::{Answer, Hit, Prober, Verdict, judge, probed_label};
use super::targets::{Family, eligible, nothing_to_probe, targets};
use crate::check::{Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Severity, Suite};
use crate::check_fn;

/// What to change when the check fails.
const REMEDIATION: &str = "bind values as query parameters (prepared statements) or accept structured filters, \
     never concatenate arguments into SQL; do not echo database errors to the client";

/// Database error messages: PostgreSQL, MySQL, SQLite (Python), Oracle, and the SQLSTATE code word.
static SQL_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"SQLSTATE|syntax error at or near|You have an error in your SQL syntax|sqlite3\.OperationalError|ORA-\d{5}|unterminated quoted string",
    )
    .expect("pattern compiles")
});

/// Values that change nothing in any query: the baseline.
const BENIGN: &[&str] = &["mcp-harness-benign", "1"];

/// Payloads that break the syntax of a concatenated query (never DROP, DELETE or time-based ones).
const BREAKING: &[&str] = &["'", "\"", "')--", "1 UNION SELECT NULL--"];

/// Tautologies: a concatenated query returns every row.
const TAUTOLOGIES: &[&str] = &["' OR '1'='1' --", "1 OR 1=1"];

/// Tools taking a query or filter keep it data: no database error signature, no more rows for a tautology.
///
/// Intrusive (`--danger-intrusive`): each eligible tool with a query-named string property (`query`, `sql`,
/// `where`, `filter`, `q`) is called with two benign values (the baseline), quote-breaking payloads and two
/// tautologies. A database error signature absent from the baseline answers fails; a tautology answered with more
/// rows than the baseline (the first array of structured content, else non-empty text lines) fails. Ends with a
/// liveness probe.
pub(crate) const SQL: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.inject.sql"),
        title: "a tool taking a query or filter shows no database error for quotes and no more rows for a tautology",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.tool-inputs-validated", "security.sql-injection"],
        applies: INTRUSIVE_TOOLS,
        tags: &["security", "intrusive", "injection", "tools"],
    },
    run: check_fn!(sql),
};

async fn sql(cx: &mut CheckContext) -> Conclusion {
    let eligible = eligible(cx).await?;
    let targets = targets(&eligible.tools, &[Family::Query]);
    if targets.is_empty() {
        return Ok(nothing_to_probe(&eligible, "a query-named string property (query, sql, where, filter, q)"));
    }
    let probed = probed_label(&targets, &eligible.rule);
    let mut p = Prober::new(cx.fresh_session().await?, cx.timeout());
    let mut hits = Vec::new();
    'all: for target in &targets {
        let mut baseline_rows = 0usize;
        let mut baseline_signature = false;
        let mut baseline_ok = false;
        for value in BENIGN {
            let Some(answer) = p.call(target, value).await else { break 'all };
            baseline_signature |= SQL_ERROR.is_match(answer.text());
            if let Answer::Result { is_error: false, rows, .. } = answer {
                baseline_ok = true;
                baseline_rows = baseline_rows.max(rows);
            }
        }
        for payload in BREAKING.iter().chain(TAUTOLOGIES) {
            let Some(answer) = p.call(target, payload).await else { break 'all };
            let mut matched = Vec::new();
            if !baseline_signature && let Some(m) = SQL_ERROR.find(answer.text()) {
                matched.push(format!("database error signature `{}`", m.as_str()));
            }
            if TAUTOLOGIES.contains(payload)
                && baseline_ok
                && let Answer::Result { is_error: false, rows, .. } = answer
                && rows > baseline_rows
            {
                matched
                    .push(format!("{rows} row(s) for the tautology against at most {baseline_rows} for benign values"));
            }
            hits.extend(Hit::when_matched(target.label(), (*payload).to_owned(), &matched, &answer));
        }
    }
    let done = p.conclude(probed).await;
    Ok(judge(
        &hits,
        done.liveness,
        &done.probed,
        done.sent,
        &Verdict {
            expected: "quotes and tautologies are data: no database error signature, no more rows than the baseline",
            severity: Severity::High,
            cwe: 89,
            remediation: REMEDIATION,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_of_the_usual_databases() {
        for text in [
            "ERROR: syntax error at or near \"'\"",
            "You have an error in your SQL syntax; check the manual",
            "sqlite3.OperationalError: unrecognized token",
            "ORA-01756: quoted string not properly terminated",
            "unterminated quoted string at or near \"'\"",
        ] {
            assert!(SQL_ERROR.is_match(text), "{text}");
        }
        assert!(!SQL_ERROR.is_match("no rows matched 'x'"));
    }
}

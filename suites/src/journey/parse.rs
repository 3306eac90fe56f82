//! Reading a journey file: YAML into the model (with the line of every journey, step and assertion), then the
//! rules serde cannot state, each reported with the file and line it concerns.

use std::collections::{BTreeSet, HashSet};

use serde_saphyr::Spanned;

use super::model::{Assertion, AssertionKind, Journey, JourneyFile, Step};
use super::vars::is_variable_name;

/// A journey file that cannot be used. Every variant is a usage error (the run does not start).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JourneyError {
    /// The file or directory could not be read.
    #[error("failed to read {path}")]
    Read {
        /// The file or directory.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid journey file: `file:line:column: message`.
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// The file, as given.
        file: String,
        /// The 1-based line (0 when unknown).
        line: u64,
        /// The 1-based column (0 when unknown).
        column: u64,
        /// What is wrong.
        message: String,
    },
}

impl JourneyError {
    /// An error at the location of `node` in `file`.
    pub fn at<T>(file: &str, node: &Spanned<T>, message: impl Into<String>) -> JourneyError {
        JourneyError::Invalid {
            file: file.to_owned(),
            line: node.referenced.line(),
            column: node.referenced.column(),
            message: message.into(),
        }
    }
}

/// The sessions of a journey when it names none.
pub const DEFAULT_SESSION: &str = "main";

/// Parses and validates a journey file's text; `file` is how errors name it.
pub fn parse_journey_file(text: &str, file: &str) -> Result<JourneyFile, JourneyError> {
    let parsed: JourneyFile = serde_saphyr::from_str(text).map_err(|e| yaml_error(file, &e))?;
    validate(&parsed, file)?;
    Ok(parsed)
}

/// A YAML or shape error, located.
fn yaml_error(file: &str, e: &serde_saphyr::Error) -> JourneyError {
    let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
    let text = e.without_snippet().to_string();
    // The message repeats the location ("error: line 5 column 9: …"); keep what follows it.
    let message = text
        .strip_prefix("error: ")
        .unwrap_or(&text)
        .split_once(": ")
        .filter(|(head, _)| head.starts_with("line "))
        .map_or(text.as_str(), |(_, rest)| rest)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    JourneyError::Invalid { file: file.to_owned(), line, column, message }
}

impl Journey {
    /// The session names: as written, or `[main]`.
    pub fn session_names(&self) -> Vec<&str> {
        if self.sessions.is_empty() {
            vec![DEFAULT_SESSION]
        } else {
            self.sessions.iter().map(String::as_str).collect()
        }
    }

    /// The session a step runs on when it names none.
    pub fn default_session(&self) -> &str {
        self.sessions.first().map_or(DEFAULT_SESSION, String::as_str)
    }

    /// Every step in run order with its phase: setup, steps, teardown.
    pub fn phases(&self) -> [(Phase, &[Spanned<Step>]); 3] {
        [(Phase::Setup, &self.setup), (Phase::Step, &self.steps), (Phase::Teardown, &self.teardown)]
    }

    /// The assertion kinds the journey uses, implicit ones included (every step expects a result unless it has an
    /// `error` assertion; every `call` step expects `isError` false unless it says otherwise).
    pub fn assertion_kinds(&self) -> BTreeSet<AssertionKind> {
        let mut out = BTreeSet::new();
        for (_, steps) in self.phases() {
            for step in steps {
                let s = &step.value;
                out.extend(s.expect.iter().filter_map(|a| a.value.kind().ok()));
                if !s.capture.is_empty() {
                    out.insert(AssertionKind::Capture);
                }
                if !s.notifications.is_empty() {
                    out.insert(AssertionKind::Notification);
                }
                for n in &s.notifications {
                    out.extend(n.value.expect.iter().filter_map(|a| a.value.kind().ok()));
                }
                out.insert(AssertionKind::Error);
                if s.call.is_some() {
                    out.insert(AssertionKind::IsError);
                }
            }
        }
        out
    }
}

/// The part of a journey a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// `setup`.
    Setup,
    /// `steps`.
    Step,
    /// `teardown`.
    Teardown,
}

impl Phase {
    /// The key the part is written under.
    pub fn key(self) -> &'static str {
        match self {
            Phase::Setup => "setup",
            Phase::Step => "steps",
            Phase::Teardown => "teardown",
        }
    }
}

/// Whether `name` is a valid journey name (the last segment of a check id).
pub fn is_journey_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The longest `within-ms` or `timeout-ms` a journey may ask for (ten minutes).
pub const MAX_WAIT_MS: u64 = 600_000;

fn validate(f: &JourneyFile, file: &str) -> Result<(), JourneyError> {
    if f.journeys.is_empty() {
        return Err(JourneyError::Invalid {
            file: file.to_owned(),
            line: 1,
            column: 1,
            message: "`journeys` is empty".to_owned(),
        });
    }
    let mut names = HashSet::new();
    for j in &f.journeys {
        let journey = &j.value;
        let err = |m: String| JourneyError::at(file, j, m);
        if !is_journey_name(&journey.name) {
            return Err(err(format!(
                "journey name `{}` must be lowercase letters, digits and dashes (it becomes part of a check id)",
                journey.name
            )));
        }
        if !names.insert(journey.name.as_str()) {
            return Err(err(format!("journey name `{}` is used twice in this file", journey.name)));
        }
        if let Some(r) = &journey.revisions {
            r.validate().map_err(err)?;
        }
        let mut sessions = HashSet::new();
        for s in &journey.sessions {
            if s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                return Err(err(format!("session name `{s}` must be letters, digits, `-` and `_`")));
            }
            if !sessions.insert(s.as_str()) {
                return Err(err(format!("session `{s}` is listed twice")));
            }
        }
        if journey.steps.is_empty() {
            return Err(err("a journey needs at least one step under `steps`".to_owned()));
        }
        let mut captured: HashSet<String> = HashSet::new();
        let mut snapshots = HashSet::new();
        for (_, steps) in journey.phases() {
            for step in steps {
                validate_step(file, journey, step, &captured, &mut snapshots)?;
                captured.extend(step.value.capture.keys().cloned());
            }
        }
    }
    Ok(())
}

fn validate_step(
    file: &str,
    journey: &Journey,
    step: &Spanned<Step>,
    captured: &HashSet<String>,
    snapshots: &mut HashSet<String>,
) -> Result<(), JourneyError> {
    let s = &step.value;
    let err = |m: String| JourneyError::at(file, step, m);
    let action = s.action().map_err(|found| match found.as_slice() {
        [] => err(format!("a step needs one action: one of {}", super::model::ACTION_KEYS.join(", "))),
        many => err(format!("a step has one action, this one has {}", many.join(", "))),
    })?;
    let sessions = journey.session_names();
    let known = |name: &str| sessions.contains(&name);
    if let Some(name) = &s.session
        && !known(name)
    {
        return Err(err(format!("session `{name}` is not one of the journey's sessions ({})", sessions.join(", "))));
    }
    if s.timeout_ms.is_some_and(|t| t == 0 || t > MAX_WAIT_MS) {
        return Err(err(format!("`timeout-ms` must be between 1 and {MAX_WAIT_MS}")));
    }
    if let Some(c) = &s.complete
        && c.prompt.is_some() == c.resource.is_some()
    {
        return Err(err("`complete` names exactly one of `prompt` and `resource`".to_owned()));
    }
    for (name, path) in &s.capture {
        if !is_variable_name(name) {
            return Err(err(format!(
                "capture `{name}`: a variable name is a letter or `_`, then letters, digits and `_`"
            )));
        }
        if path.trim().is_empty() {
            return Err(err(format!("capture `{name}` has an empty path")));
        }
    }
    for a in &s.expect {
        let kind = validate_assertion(file, a, false)?;
        if kind == AssertionKind::IsError && !matches!(action.key(), "call" | "raw") {
            return Err(JourneyError::at(file, a, "`is-error` is about tool results: only `call` and `raw` steps"));
        }
        if let Some(snap) = &a.value.snapshot {
            if snap.name.is_empty()
                || !snap.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            {
                return Err(JourneyError::at(
                    file,
                    a,
                    format!("snapshot name `{}` must be lowercase letters, digits, `-` and `_`", snap.name),
                ));
            }
            if !snapshots.insert(snap.name.clone()) {
                return Err(JourneyError::at(
                    file,
                    a,
                    format!("snapshot `{}` is used twice in this journey", snap.name),
                ));
            }
        }
    }
    for n in &s.notifications {
        let ne = &n.value;
        if let Some(name) = &ne.session
            && !known(name)
        {
            return Err(JourneyError::at(
                file,
                n,
                format!("session `{name}` is not one of the journey's sessions ({})", sessions.join(", ")),
            ));
        }
        if ne.within_ms.is_some_and(|w| w > MAX_WAIT_MS) {
            return Err(JourneyError::at(file, n, format!("`within-ms` must be at most {MAX_WAIT_MS}")));
        }
        if ne.method.trim().is_empty() {
            return Err(JourneyError::at(file, n, "a notification expectation names its `method`"));
        }
        for a in &ne.expect {
            validate_assertion(file, a, true)?;
        }
    }
    let refs = s.references().map_err(err)?;
    if let Some(unknown) = refs.iter().find(|r| !captured.contains(*r)) {
        return Err(err(format!("variable `${{{unknown}}}` is not captured by an earlier step")));
    }
    Ok(())
}

fn validate_assertion(file: &str, a: &Spanned<Assertion>, on_params: bool) -> Result<AssertionKind, JourneyError> {
    let kind = a.value.kind().map_err(|found| match found.as_slice() {
        [] => JourneyError::at(
            file,
            a,
            "an assertion needs one of equals, contains, matches, schema, exists, count, is-error, error, latency-ms, \
             snapshot",
        ),
        many => JourneyError::at(file, a, format!("an assertion has one kind, this one has {}", many.join(", "))),
    })?;
    if a.value.path.is_some() && !Assertion::takes_path(kind) {
        return Err(JourneyError::at(file, a, format!("`{}` takes no `path`", kind.as_str())));
    }
    if on_params && (!Assertion::takes_path(kind) || kind == AssertionKind::Snapshot) {
        return Err(JourneyError::at(
            file,
            a,
            format!(
                "`{}` cannot be asserted on a notification (only equals, contains, matches, schema, exists, count)",
                kind.as_str()
            ),
        ));
    }
    if a.value.latency_ms == Some(0) {
        return Err(JourneyError::at(file, a, "`latency-ms` must be at least 1"));
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse_journey_file(text, "x.journey.yaml").unwrap_err().to_string()
    }

    const GOOD: &str = "\
journeys:
  - name: crud
    revisions: \">=2025-06-18\"
    sessions: [a, b]
    steps:
      - call: {tool: create_data, arguments: {collection: notes, data: {title: hi}}}
        capture: {id: $.structuredContent.id}
        expect:
          - path: $.structuredContent.data.title
            equals: hi
      - call: {tool: get_data, arguments: {id: \"${id}\"}}
        session: b
        expect:
          - equals: null
            path: $.nothing
          - latency-ms: 500
";

    #[test]
    fn a_good_file_parses_with_lines() {
        let f = parse_journey_file(GOOD, "x.journey.yaml").unwrap();
        let j = &f.journeys[0];
        assert_eq!(j.referenced.line(), 2);
        assert_eq!(j.value.steps[0].referenced.line(), 6);
        assert_eq!(j.value.steps[1].referenced.line(), 11);
        assert_eq!(j.value.steps[1].value.expect[1].referenced.line(), 16);
        assert_eq!(j.value.steps[1].value.expect[0].value.equals, Some(serde_json::Value::Null));
        assert_eq!(j.value.default_session(), "a");
        assert!(j.value.assertion_kinds().contains(&AssertionKind::Capture));
    }

    #[test]
    fn mistakes_are_errors_with_file_and_line() {
        let typo = GOOD.replace("capture:", "captur:");
        assert!(err(&typo).starts_with("x.journey.yaml:7:9: unknown field `captur`"), "{}", err(&typo));
        let undefined = GOOD.replace("${id}", "${idd}");
        assert_eq!(err(&undefined), "x.journey.yaml:11:9: variable `${idd}` is not captured by an earlier step");
        let two = GOOD.replace("      - call: {tool: get_data", "      - ping: {}\n        call: {tool: get_data");
        assert!(
            err(&two).contains("x.journey.yaml:11:9: a step has one action, this one has call, ping"),
            "{}",
            err(&two)
        );
        let session = GOOD.replace("session: b", "session: c");
        assert!(err(&session).contains("session `c` is not one of the journey's sessions (a, b)"));
        let kinds = GOOD.replace("- latency-ms: 500", "- latency-ms: 500\n            error: 3");
        assert!(err(&kinds).starts_with("x.journey.yaml:16:13: an assertion has one kind"), "{}", err(&kinds));
        let path = GOOD.replace("- latency-ms: 500", "- latency-ms: 500\n            path: $.x");
        assert!(err(&path).contains("`latency-ms` takes no `path`"));
        let rev = GOOD.replace(">=2025-06-18", ">=2025-06-19");
        assert!(err(&rev).starts_with("x.journey.yaml:2:5: `revisions`"), "{}", err(&rev));
        let name = GOOD.replace("name: crud", "name: Crud");
        assert!(err(&name).contains("must be lowercase"));
        assert!(err("journeys: [").starts_with("x.journey.yaml:1:"), "{}", err("journeys: ["));
    }

    #[test]
    fn journeys_write_back_as_yaml_and_read_the_same() {
        let f = parse_journey_file(GOOD, "x.journey.yaml").unwrap();
        let text = serde_saphyr::to_string(&f).unwrap();
        let again = parse_journey_file(&text, "again.journey.yaml").unwrap();
        let values = |f: &JourneyFile| serde_json::to_value(f).unwrap();
        assert_eq!(values(&again), values(&f), "{text}");
    }
}

//! What the profile's checks share: the applicability of a scenario, requests by fixture name, the official
//! suite's JavaScript presence tests (`!x`), and a verdict from a list of problems.

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use serde_json::Value;

use crate::check::{Applicability, Capability, Outcome};
use crate::checks::evidence::brief;
use crate::protocol::Revision;
use crate::session::Session;

/// Standard Base64, padding optional.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Applicability of a scenario the official suite runs from `since` until (not including) `until`, on a server
/// that advertises `capability` (any transport: the scenarios do not depend on it).
pub(super) const fn scenario(since: Revision, until: Option<Revision>, capability: Capability) -> Applicability {
    Applicability {
        since,
        until,
        capability: Some(capability),
        opt_in: Some(crate::check::OptIn::OfficialFixtures),
        ..Applicability::ALWAYS
    }
}

/// Sends `method` with `params` and returns the result. A JSON-RPC error answer violates `expected` (the official
/// scenario fails when its request throws); a failure on the harness's side is an `error` outcome.
pub(super) async fn result_of(
    session: &mut Session,
    method: &str,
    params: Value,
    expected: &str,
) -> Result<Value, Outcome> {
    let reply = session.request(method, Some(params)).await.map_err(|e| Outcome::from_session(e, expected))?;
    match &reply.outcome {
        Ok(v) => Ok(v.clone()),
        Err(_) => Err(Outcome::violated(expected, format!("{method} answered {}", reply.brief()))),
    }
}

/// JavaScript truthiness, as the official suite's `!x` tests read a field: absent, `null`, `false`, `0` and `""`
/// are falsy; arrays and objects (even empty ones) are truthy.
pub(super) fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(_) | Value::Object(_)) => true,
    }
}

/// A field as the official messages print it (`undefined` when absent, strings bare).
pub(super) fn show(v: Option<&Value>) -> String {
    match v {
        None => "undefined".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => brief(other),
    }
}

/// Whether `s` is standard Base64 (padding optional).
pub(crate) fn is_base64(s: &str) -> bool {
    BASE64.decode(s.as_bytes()).is_ok()
}

/// Passed (noting `seen`) when there are no problems, else a violation of `expected` whose first line lists the
/// problems, followed by `evidence` (the result as received).
pub(super) fn verdict(expected: &str, problems: &[String], seen: impl Into<String>, evidence: &Value) -> Outcome {
    if problems.is_empty() {
        Outcome::pass_with(seen)
    } else {
        Outcome::violated(expected, format!("{}\nresult: {}", problems.join("; "), brief(evidence)))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn truthiness_follows_javascript() {
        for falsy in [json!(null), json!(false), json!(0), json!(""), json!(0.0)] {
            assert!(!truthy(Some(&falsy)), "{falsy}");
        }
        assert!(!truthy(None));
        for t in [json!(true), json!(1), json!("x"), json!([]), json!({})] {
            assert!(truthy(Some(&t)), "{t}");
        }
        assert_eq!(show(None), "undefined");
        assert_eq!(show(Some(&json!("audio/mp3"))), "audio/mp3");
        assert!(is_base64("iVBORw0KGgo=") && is_base64("iVBORw0KGgo") && !is_base64("%%%"));
    }

    #[test]
    fn verdicts_list_problems_on_the_first_line() {
        let o = verdict("x", &["a".into(), "b".into()], "", &json!({"k": 1}));
        assert_eq!(o.reason.as_deref(), Some("a; b"));
        assert!(o.observed.unwrap().contains("\"k\""));
        assert!(verdict("x", &[], "fine", &json!({})).evaluated());
    }
}

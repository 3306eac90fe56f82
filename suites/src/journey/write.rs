//! Writing journeys as YAML (recorded sessions, scaffolds): a header comment with the schema reference, then the
//! file, read back before it is returned so nothing is written that the reader would refuse.

use serde_saphyr::{Location, Spanned};

use super::model::JourneyFile;
use super::parse::{JourneyError, parse_journey_file};

/// A value for a journey being built in code (it has no source location).
pub fn unlocated<T>(value: T) -> Spanned<T> {
    Spanned::new(value, Location::UNKNOWN, Location::UNKNOWN)
}

/// `text` as a journey string: a literal `${` is written `$${`, so no recorded text reads as a variable.
pub fn escape_variables(text: &str) -> String {
    text.replace("${", "$${")
}

/// `value` with every string escaped by [`escape_variables`], for a recorded or synthesised value written into a
/// journey.
pub fn escape_value(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(escape_variables(s)),
        Value::Array(items) => Value::Array(items.iter().map(escape_value).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), escape_value(v))).collect()),
        other => other.clone(),
    }
}

/// The journey file as YAML: `header` lines as `#` comments after the `yaml-language-server` schema line (which
/// points at `schema_ref`, a path or URL of `journey.schema.json`), then the journeys. `file` names the file in
/// errors. The text is parsed again and checked like any journey file; `Err` if it would not load.
pub fn journey_file_to_yaml(
    journeys: &JourneyFile,
    schema_ref: &str,
    header: &[String],
    file: &str,
) -> Result<String, JourneyError> {
    let body = serde_saphyr::to_string(journeys).map_err(|e| JourneyError::Invalid {
        file: file.to_owned(),
        line: 0,
        column: 0,
        message: format!("could not write YAML: {e}"),
    })?;
    let mut out = format!("# yaml-language-server: $schema={schema_ref}\n");
    if !header.is_empty() {
        out.push_str("#\n");
        for line in header {
            out.push_str(&format!("# {line}\n").replace("# \n", "#\n"));
        }
    }
    out.push_str(&body);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    parse_journey_file(&out, file)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::journey::{Assertion, CallAction, Journey, Step, Variables, interpolate};

    #[test]
    fn a_built_journey_is_written_with_its_header_and_reads_back() {
        let step = Step {
            call: Some(CallAction {
                tool: "echo".into(),
                arguments: Some(json!({"message": "a ${b}"})),
                progress: false,
            }),
            expect: vec![unlocated(Assertion {
                path: Some("$.content".into()),
                equals: Some(json!([])),
                ..Default::default()
            })],
            ..Default::default()
        };
        let file = JourneyFile {
            journeys: vec![unlocated(Journey {
                name: "recorded".into(),
                description: Some("A session.".into()),
                tags: vec![],
                revisions: None,
                transport: Default::default(),
                capabilities: vec![],
                sessions: vec![],
                setup: vec![],
                steps: vec![unlocated(step)],
                teardown: vec![],
            })],
        };
        let err = journey_file_to_yaml(&file, "x.json", &[], "r.journey.yaml").unwrap_err().to_string();
        assert!(err.contains("${b}"), "an unescaped `${{b}}` names an unknown variable: {err}");

        let mut escaped = file.clone();
        if let Some(call) = escaped.journeys[0].value.steps[0].value.call.as_mut() {
            call.arguments = Some(json!({"message": escape_variables("a ${b}")}));
        }
        let text =
            journey_file_to_yaml(&escaped, "../schemas/journey.schema.json", &["Recorded.".into(), String::new()], "r")
                .unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schemas/journey.schema.json\n#\n# Recorded.\n#\n")
        );
        let back = parse_journey_file(&text, "r").unwrap();
        let args = back.journeys[0].value.steps[0].value.call.as_ref().and_then(|c| c.arguments.clone()).unwrap();
        assert_eq!(interpolate(args["message"].as_str().unwrap(), &Variables::new()).unwrap(), "a ${b}");
    }
}

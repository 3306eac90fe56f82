//! How the harness, as a client, answers requests the server sends it (sampling, elicitation, roots, ping).

use serde_json::{Map, Value, json};

/// Canned answers to server→client requests. They are advertised as client capabilities in the handshake.
#[derive(Debug, Clone)]
pub struct ClientAnswers {
    /// Roots returned by `roots/list`.
    pub roots: Vec<Value>,
    /// Assistant text returned by `sampling/createMessage`.
    pub sampling_text: String,
    /// Accept elicitations with values synthesised from the requested schema (defaults first); decline otherwise.
    pub accept_elicitation: bool,
    /// A scripted `elicitation/create` result (an `ElicitResult`), returned instead of the synthesised one.
    pub elicitation: Option<Value>,
    /// A scripted `sampling/createMessage` result (a `CreateMessageResult`), returned instead of the canned text.
    pub sampling: Option<Value>,
}

impl Default for ClientAnswers {
    fn default() -> Self {
        ClientAnswers {
            roots: vec![json!({"uri": "file:///tmp/mcp-harness-root", "name": "mcp-harness test root"})],
            sampling_text: "This is a sampled reply from mcp-harness.".to_owned(),
            accept_elicitation: true,
            elicitation: None,
            sampling: None,
        }
    }
}

impl ClientAnswers {
    /// The client capabilities that go with these answers.
    pub fn capabilities(&self) -> Value {
        json!({"roots": {"listChanged": true}, "sampling": {}, "elicitation": {"form": {}}})
    }

    /// The result (or error code and message) for a server→client request.
    pub fn answer(&self, method: &str, params: Option<&Value>) -> Result<Value, (i64, String)> {
        match method {
            "ping" => Ok(json!({})),
            "roots/list" => Ok(json!({"roots": self.roots})),
            "sampling/createMessage" if self.sampling.is_some() => Ok(self.sampling.clone().unwrap_or_default()),
            "sampling/createMessage" => Ok(json!({
                "role": "assistant",
                "content": {"type": "text", "text": self.sampling_text},
                "model": "mcp-harness-canned",
                "stopReason": "endTurn"
            })),
            "elicitation/create" if self.elicitation.is_some() => Ok(self.elicitation.clone().unwrap_or_default()),
            "elicitation/create" => {
                if !self.accept_elicitation {
                    return Ok(json!({"action": "decline"}));
                }
                let schema = params.and_then(|p| p.get("requestedSchema"));
                Ok(json!({"action": "accept", "content": synthesize_form(schema)}))
            }
            other => Err((-32601, format!("mcp-harness does not handle `{other}`"))),
        }
    }
}

/// Values for a flat elicitation form: each property's default, else a value of its type.
fn synthesize_form(schema: Option<&Value>) -> Value {
    let mut out = Map::new();
    let Some(props) = schema.and_then(|s| s.get("properties")).and_then(Value::as_object) else {
        return Value::Object(out);
    };
    for (name, prop) in props {
        let value = if let Some(d) = prop.get("default") {
            d.clone()
        } else if let Some(first) = prop.get("enum").and_then(Value::as_array).and_then(|a| a.first()) {
            first.clone()
        } else if let Some(first) =
            prop.get("oneOf").and_then(Value::as_array).and_then(|a| a.first()).and_then(|o| o.get("const"))
        {
            first.clone()
        } else {
            match prop.get("type").and_then(Value::as_str) {
                Some("boolean") => json!(true),
                Some("integer") => json!(prop.get("minimum").and_then(Value::as_i64).unwrap_or(1)),
                Some("number") => json!(prop.get("minimum").and_then(Value::as_f64).unwrap_or(1.0)),
                Some("array") => {
                    let item = prop.pointer("/items/enum/0").or_else(|| prop.pointer("/items/anyOf/0/const")).cloned();
                    json!(item.into_iter().collect::<Vec<_>>())
                }
                _ => match prop.get("format").and_then(Value::as_str) {
                    Some("email") => json!("harness@example.com"),
                    Some("uri") => json!("https://example.com"),
                    Some("date") => json!("2026-01-01"),
                    Some("date-time") => json!("2026-01-01T00:00:00Z"),
                    _ => json!("mcp-harness"),
                },
            }
        };
        out.insert(name.clone(), value);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elicitation_forms_use_defaults_then_types() {
        let a = ClientAnswers::default();
        let schema = json!({"type":"object","properties":{
            "name":{"type":"string","default":"Ada"},"age":{"type":"integer","minimum":3},
            "ok":{"type":"boolean"},"color":{"type":"string","enum":["red","blue"]}}});
        let got = a.answer("elicitation/create", Some(&json!({"requestedSchema": schema}))).unwrap();
        assert_eq!(got["action"], "accept");
        assert_eq!(got["content"], json!({"name":"Ada","age":3,"ok":true,"color":"red"}));
        assert_eq!(a.answer("nope", None).unwrap_err().0, -32601);
    }
}

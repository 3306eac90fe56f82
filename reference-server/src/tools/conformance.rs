//! Fixture tools of the official conformance suite (`test_*`), with the exact
//! names and outputs its scenarios expect.

#![allow(deprecated)] // logging notifications are a legacy-era feature.

use std::time::Duration;

use rmcp::model::{
    CallToolResult, ClientCapabilities, ContentBlock, ErrorData, InputRequests, InputRequiredResult, LoggingLevel,
    ResourceContents,
};
use serde_json::{Value, json};

use super::{
    Availability, Invocation, ToolFuture, ToolSpec, additive, read_only, text, tool_with_schema, tool_without_input,
};
use crate::{
    content::{SILENT_WAV_BASE64, TINY_PNG_BASE64},
    server::Change,
};

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            tool_without_input("test_simple_text", "Returns a simple text response").annotate(read_only("Simple text")),
            Availability::Always,
            simple_text,
        ),
        ToolSpec::new(
            tool_without_input("test_image_content", "Returns a PNG image").annotate(read_only("Image content")),
            Availability::Always,
            image_content,
        ),
        ToolSpec::new(
            tool_without_input("test_audio_content", "Returns a WAV audio clip").annotate(read_only("Audio content")),
            Availability::Always,
            audio_content,
        ),
        ToolSpec::new(
            tool_without_input("test_embedded_resource", "Returns an embedded text resource")
                .annotate(read_only("Embedded resource")),
            Availability::Always,
            embedded_resource,
        ),
        ToolSpec::new(
            tool_without_input("test_multiple_content_types", "Returns text, an image and an embedded resource")
                .annotate(read_only("Mixed content")),
            Availability::Always,
            multiple_content_types,
        ),
        ToolSpec::new(
            tool_without_input("test_tool_with_logging", "Sends three log messages while it runs")
                .annotate(read_only("Logging")),
            Availability::Always,
            tool_with_logging,
        ),
        ToolSpec::new(
            tool_without_input("test_tool_with_progress", "Reports progress 0, 50 and 100 of 100")
                .annotate(read_only("Progress")),
            Availability::Always,
            tool_with_progress,
        ),
        ToolSpec::new(
            tool_without_input("test_error_handling", "Always fails with an isError result")
                .annotate(read_only("Error handling")),
            Availability::Always,
            error_handling,
        ),
        ToolSpec::new(
            tool_with_schema(
                "json_schema_2020_12_tool",
                "Takes an input schema using JSON Schema 2020-12 features ($defs, $anchor, if/then/else)",
                json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "type": "object",
                    "$defs": {
                        "address": {
                            "$anchor": "address",
                            "type": "object",
                            "properties": { "street": { "type": "string" }, "city": { "type": "string" } }
                        }
                    },
                    "properties": {
                        "name": { "type": "string" },
                        "address": { "$ref": "#/$defs/address" }
                    },
                    "allOf": [{ "anyOf": [{ "required": ["name"] }, { "required": ["address"] }] }],
                    "if": { "required": ["address"] },
                    "then": { "properties": { "address": { "required": ["street"] } } },
                    "else": { "required": ["name"] },
                    "additionalProperties": false
                }),
            )
            .annotate(read_only("JSON Schema 2020-12")),
            Availability::Always,
            json_schema_2020_12,
        ),
        ToolSpec::new(
            tool_without_input("test_reconnection", "Answers after a short delay (SSE reconnection test)")
                .annotate(read_only("Reconnection")),
            Availability::Always,
            reconnection,
        ),
        ToolSpec::new(
            tool_with_schema(
                "test_custom_header",
                "Echoes `value`, which clients mirror into the Mcp-Param-Value header (SEP-2243)",
                json!({
                    "type": "object",
                    "properties": { "value": { "type": "string", "x-mcp-header": "Value" } },
                    "required": ["value"]
                }),
            )
            .annotate(read_only("Custom header")),
            Availability::Always,
            custom_header,
        ),
        ToolSpec::new(
            tool_without_input("test_trigger_tool_change", "Sends notifications/tools/list_changed to subscribers")
                .annotate(additive("Trigger tool change")),
            Availability::Always,
            trigger_tool_change,
        ),
        ToolSpec::new(
            tool_without_input("test_trigger_prompt_change", "Sends notifications/prompts/list_changed to subscribers")
                .annotate(additive("Trigger prompt change")),
            Availability::Always,
            trigger_prompt_change,
        ),
        ToolSpec::new(
            tool_without_input(
                "test_missing_capability",
                "Requires the client's sampling capability (-32021 otherwise)",
            )
            .annotate(read_only("Missing capability")),
            Availability::Always,
            missing_capability,
        ),
        ToolSpec::new(
            tool_without_input("test_logging_tool", "Logs only when the request asked for a log level")
                .annotate(read_only("Request-scoped logging")),
            Availability::Always,
            logging_tool,
        ),
        ToolSpec::new(
            tool_without_input("test_streaming_elicitation", "Returns an input-required result with an elicitation")
                .annotate(read_only("Streaming elicitation")),
            Availability::Modern,
            streaming_elicitation,
        ),
    ]
}

fn simple_text(_: Invocation) -> ToolFuture {
    Box::pin(async { text("This is a simple text response for testing.") })
}

fn image_content(_: Invocation) -> ToolFuture {
    Box::pin(async { Ok(CallToolResult::success(vec![ContentBlock::image(TINY_PNG_BASE64, "image/png")]).into()) })
}

fn audio_content(_: Invocation) -> ToolFuture {
    Box::pin(async { Ok(CallToolResult::success(vec![ContentBlock::audio(SILENT_WAV_BASE64, "audio/wav")]).into()) })
}

fn embedded_resource(_: Invocation) -> ToolFuture {
    Box::pin(async {
        Ok(CallToolResult::success(vec![ContentBlock::resource(ResourceContents::TextResourceContents {
            uri: "test://embedded-resource".into(),
            mime_type: Some("text/plain".into()),
            text: "This is an embedded resource content.".into(),
            meta: None,
        })])
        .into())
    })
}

fn multiple_content_types(_: Invocation) -> ToolFuture {
    Box::pin(async {
        Ok(CallToolResult::success(vec![
            ContentBlock::text("Multiple content types test:"),
            ContentBlock::image(TINY_PNG_BASE64, "image/png"),
            ContentBlock::resource(ResourceContents::TextResourceContents {
                uri: "test://mixed-content-resource".into(),
                mime_type: Some("application/json".into()),
                text: r#"{"test":"data","value":123}"#.into(),
                meta: None,
            }),
        ])
        .into())
    })
}

fn tool_with_logging(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let steps = ["Tool execution started", "Tool processing data", "Tool execution completed"];
        for (i, message) in steps.into_iter().enumerate() {
            if i > 0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            inv.log(LoggingLevel::Info, Value::from(message)).await;
        }
        text("Logging test completed")
    })
}

fn tool_with_progress(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        for (i, (progress, message)) in
            [(0.0, "Starting"), (50.0, "Halfway"), (100.0, "Complete")].into_iter().enumerate()
        {
            if i > 0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            inv.progress(progress, Some(100.0), message).await;
        }
        text("Progress test completed")
    })
}

fn error_handling(_: Invocation) -> ToolFuture {
    Box::pin(async { Ok(super::tool_error("This tool intentionally returns an error for testing")) })
}

fn json_schema_2020_12(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let name = inv.args.get("name").and_then(Value::as_str).unwrap_or("world");
        text(format!("Hello, {name}!"))
    })
}

fn reconnection(_: Invocation) -> ToolFuture {
    Box::pin(async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        text("Reconnection test completed")
    })
}

fn custom_header(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        match inv.args.get("value").and_then(Value::as_str) {
            Some(value) => text(value),
            None => Ok(super::tool_error("`value` must be a string")),
        }
    })
}

fn trigger_tool_change(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        inv.shared().hub.publish(Change::Tools).await;
        text("Tool list change triggered")
    })
}

fn trigger_prompt_change(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        inv.shared().hub.publish(Change::Prompts).await;
        text("Prompt list change triggered")
    })
}

fn missing_capability(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let declared = inv.cx.client_capabilities().unwrap_or_default();
        if declared.sampling.is_none() {
            return Err(ErrorData::missing_required_client_capability(
                ClientCapabilities::builder().enable_sampling().build(),
            ));
        }
        text("Required capability declared")
    })
}

fn logging_tool(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        if let Some(level) = inv.cx.meta.log_level() {
            inv.log(level, Value::from("logLevel was requested")).await;
        }
        text("Logging tool completed")
    })
}

fn streaming_elicitation(_: Invocation) -> ToolFuture {
    Box::pin(async {
        let mut requests = InputRequests::new();
        requests.insert(
            "streaming_elicitation".into(),
            super::input_required::elicitation("Provide a value", json!({ "value": { "type": "string" } }), &["value"]),
        );
        Ok(InputRequiredResult::from_input_requests(requests).into())
    })
}

//! Tools of the official "everything" server, under its names: echo, sums,
//! images, annotations, resource links, structured output, long-running work
//! with progress, and runtime changes to the tool list and resources.

use std::{sync::atomic::Ordering, time::Duration};

use rmcp::model::{Annotations, CallToolResult, ContentBlock, ImageContent, Resource, Role, TextContent};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    Availability, Invocation, ToolFuture, ToolSpec, additive, read_only, text, tool_error, tool_with_input,
    tool_without_input,
};
use crate::{content::TINY_PNG_BASE64, server::Change};

/// Input schema of `echo`; the handler reads `message` directly, without a copy.
#[derive(Deserialize, schemars::JsonSchema)]
#[expect(dead_code, reason = "only the derived schema is used")]
struct EchoArgs {
    /// Text to echo back.
    message: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct SumArgs {
    /// First addend.
    a: f64,
    /// Second addend.
    b: f64,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct AnnotatedArgs {
    /// Kind of message: `error`, `success` or `debug`.
    #[serde(rename = "messageType")]
    message_type: MessageType,
    /// Whether to append a small image.
    #[serde(default, rename = "includeImage")]
    include_image: bool,
}

#[derive(Deserialize, schemars::JsonSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum MessageType {
    Error,
    Success,
    Debug,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct ResourceLinksArgs {
    /// How many links to return (1–10).
    #[serde(default = "default_links")]
    count: u8,
}

fn default_links() -> u8 {
    3
}

#[derive(Deserialize, schemars::JsonSchema)]
struct ResourceReferenceArgs {
    /// Id of the `test://template/{id}/data` resource to embed.
    #[serde(rename = "resourceId")]
    resource_id: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct WeatherArgs {
    /// City to report on.
    location: City,
}

#[derive(Deserialize, Serialize, schemars::JsonSchema, Clone, Copy)]
enum City {
    #[serde(rename = "New York")]
    NewYork,
    Chicago,
    #[serde(rename = "Los Angeles")]
    LosAngeles,
}

/// Structured output of `get-structured-content`.
#[derive(Serialize, schemars::JsonSchema)]
struct Weather {
    /// Temperature in degrees Celsius.
    temperature: f64,
    /// Sky conditions.
    conditions: String,
    /// Relative humidity in percent.
    humidity: f64,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct LongRunningArgs {
    /// Total duration in seconds (at most 5, so a call fits a client's usual request timeout).
    #[serde(default = "default_duration")]
    #[schemars(range(min = 0.0, max = 5.0))]
    duration: f64,
    /// Number of progress steps (1–100).
    #[serde(default = "default_steps")]
    #[schemars(range(min = 1, max = 100))]
    steps: u32,
}

fn default_duration() -> f64 {
    2.0
}

fn default_steps() -> u32 {
    4
}

#[derive(Deserialize, schemars::JsonSchema)]
struct TouchArgs {
    /// URI of the resource whose subscribers are notified.
    uri: String,
}

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            tool_with_input::<EchoArgs>("echo", "Echoes back the input message").annotate(read_only("Echo")),
            Availability::Always,
            echo,
        ),
        ToolSpec::new(
            tool_with_input::<SumArgs>("get-sum", "Returns the sum of two numbers").annotate(read_only("Sum")),
            Availability::Always,
            sum,
        ),
        ToolSpec::new(
            tool_without_input("get-tiny-image", "Returns a tiny PNG image").annotate(read_only("Tiny image")),
            Availability::Always,
            tiny_image,
        ),
        ToolSpec::new(
            tool_with_input::<AnnotatedArgs>(
                "get-annotated-message",
                "Returns content with audience and priority annotations",
            )
            .annotate(read_only("Annotated message")),
            Availability::Always,
            annotated_message,
        ),
        ToolSpec::new(
            tool_with_input::<ResourceLinksArgs>("get-resource-links", "Returns resource_link content blocks")
                .annotate(read_only("Resource links")),
            Availability::Always,
            resource_links,
        ),
        ToolSpec::new(
            tool_with_input::<ResourceReferenceArgs>("get-resource-reference", "Returns an embedded resource by id")
                .annotate(read_only("Resource reference")),
            Availability::Always,
            resource_reference,
        ),
        ToolSpec::new(
            tool_with_input::<WeatherArgs>(
                "get-structured-content",
                "Returns weather as structured content with an output schema",
            )
            .with_output_schema::<Weather>()
            .annotate(read_only("Structured content")),
            Availability::Always,
            structured_content,
        ),
        ToolSpec::new(
            tool_with_input::<LongRunningArgs>(
                "trigger-long-running-operation",
                "Runs for `duration` seconds, reporting progress `steps` times; cancellable",
            )
            .annotate(read_only("Long-running operation")),
            Availability::Always,
            long_running,
        ),
        ToolSpec::new(
            tool_without_input("toggle-dynamic-tool", "Adds or removes `dynamic-tool` and sends tools/list_changed")
                .annotate(additive("Toggle dynamic tool")),
            Availability::Always,
            toggle_dynamic_tool,
        ),
        ToolSpec::new(
            tool_without_input("dynamic-tool", "Exists only while toggled on by toggle-dynamic-tool")
                .annotate(read_only("Dynamic tool")),
            Availability::Dynamic,
            dynamic_tool,
        ),
        ToolSpec::new(
            tool_with_input::<TouchArgs>(
                "touch-resource",
                "Sends notifications/resources/updated for `uri` to its subscribers",
            )
            .annotate(additive("Touch resource")),
            Availability::Always,
            touch_resource,
        ),
    ]
    .into_iter()
    .map(|mut spec| {
        spec.tool = spec.tool.with_icons(crate::content::icons());
        spec
    })
    .collect()
}

fn echo(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        match inv.args.get("message").and_then(|m| m.as_str()) {
            Some(message) => text(message),
            None => Ok(tool_error("invalid arguments for echo: `message` must be a string")),
        }
    })
}

fn sum(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let args: SumArgs = match inv.parse() {
            Ok(args) => args,
            Err(invalid) => return Ok(tool_error(invalid)),
        };
        text(format!("The sum of {} and {} is {}.", args.a, args.b, args.a + args.b))
    })
}

fn tiny_image(_: Invocation) -> ToolFuture {
    Box::pin(async {
        Ok(CallToolResult::success(vec![
            ContentBlock::text("This is a tiny image:"),
            ContentBlock::image(TINY_PNG_BASE64, "image/png"),
            ContentBlock::text("The image above is a 1x1 red PNG."),
        ])
        .into())
    })
}

fn annotations(audience: Vec<Role>, priority: f32) -> Annotations {
    let mut annotations = Annotations::default();
    annotations.audience = Some(audience);
    annotations.priority = Some(priority);
    annotations
}

fn annotated_message(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let args: AnnotatedArgs = match inv.parse() {
            Ok(args) => args,
            Err(invalid) => return Ok(tool_error(invalid)),
        };
        let (message, annotation) = match args.message_type {
            MessageType::Error => ("Error: Operation failed", annotations(vec![Role::User, Role::Assistant], 1.0)),
            MessageType::Success => ("Operation completed successfully", annotations(vec![Role::User], 0.7)),
            MessageType::Debug => {
                ("Debug: Cache hit ratio 0.95, latency 150ms", annotations(vec![Role::Assistant], 0.3))
            }
        };
        let mut content = vec![ContentBlock::Text(TextContent::new(message).with_annotations(annotation))];
        if args.include_image {
            content.push(ContentBlock::Image(
                ImageContent::new(TINY_PNG_BASE64, "image/png").with_annotations(annotations(vec![Role::User], 0.5)),
            ));
        }
        Ok(CallToolResult::success(content).into())
    })
}

fn resource_links(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let args: ResourceLinksArgs = match inv.parse() {
            Ok(args) => args,
            Err(invalid) => return Ok(tool_error(invalid)),
        };
        if !(1..=10).contains(&args.count) {
            return Ok(tool_error("`count` must be between 1 and 10"));
        }
        let mut content = vec![ContentBlock::text(format!("Here are {} resource links:", args.count))];
        for id in 1..=args.count {
            let resource = Resource::new(format!("test://template/{id}/data"), format!("resource-{id}"))
                .with_description(format!("Dynamic resource number {id}"))
                .with_mime_type("application/json");
            content.push(ContentBlock::resource_link(resource));
        }
        Ok(CallToolResult::success(content).into())
    })
}

fn resource_reference(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let args: ResourceReferenceArgs = match inv.parse() {
            Ok(args) => args,
            Err(invalid) => return Ok(tool_error(invalid)),
        };
        // RFC 6570 simple expansion: the id is percent-encoded, so any id gives a valid URI (found by mcp-harness's
        // unit suite: an id with a space made an invalid `resource.uri`).
        let uri = format!("test://template/{}/data", percent_encode(&args.resource_id));
        match crate::resources::read(inv.shared(), &uri).await {
            Ok(result) => {
                let mut content = vec![ContentBlock::text(format!("Embedded resource {uri}:"))];
                content.extend(result.contents.into_iter().map(ContentBlock::resource));
                Ok(CallToolResult::success(content).into())
            }
            Err(error) => Ok(tool_error(error.message.to_string())),
        }
    })
}

/// `value` percent-encoded for a URI template's simple expansion: every byte but the unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`) as `%XX`.
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn structured_content(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let args: WeatherArgs = match inv.parse() {
            Ok(args) => args,
            Err(invalid) => return Ok(tool_error(invalid)),
        };
        let weather = match args.location {
            City::NewYork => Weather { temperature: 22.5, conditions: "Partly cloudy".into(), humidity: 65.0 },
            City::Chicago => Weather { temperature: 36.0, conditions: "Light rain / drizzle".into(), humidity: 82.0 },
            City::LosAngeles => Weather { temperature: 73.0, conditions: "Sunny / Clear".into(), humidity: 48.0 },
        };
        Ok(CallToolResult::structured(json!(weather)).into())
    })
}

fn long_running(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let args: LongRunningArgs = match inv.parse() {
            Ok(args) => args,
            Err(invalid) => return Ok(tool_error(invalid)),
        };
        if !(0.0..=5.0).contains(&args.duration) || !(1..=100).contains(&args.steps) {
            return Ok(tool_error("`duration` must be 0–5 seconds and `steps` 1–100"));
        }
        let step = Duration::from_secs_f64(args.duration / f64::from(args.steps));
        for i in 1..=args.steps {
            tokio::select! {
                _ = tokio::time::sleep(step) => {}
                _ = inv.cx.ct.cancelled() => return Ok(tool_error("operation cancelled")),
            }
            inv.progress(f64::from(i), Some(f64::from(args.steps)), &format!("step {i} of {}", args.steps)).await;
        }
        text(format!("Long running operation completed. Duration: {} seconds, Steps: {}.", args.duration, args.steps))
    })
}

fn toggle_dynamic_tool(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let enabled = !inv.shared().dynamic_tool.fetch_xor(true, Ordering::AcqRel);
        inv.shared().hub.publish(Change::Tools).await;
        text(if enabled { "dynamic-tool added" } else { "dynamic-tool removed" })
    })
}

fn dynamic_tool(_: Invocation) -> ToolFuture {
    Box::pin(async { text("dynamic-tool says hello") })
}

fn touch_resource(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let args: TouchArgs = match inv.parse() {
            Ok(args) => args,
            Err(invalid) => return Ok(tool_error(invalid)),
        };
        if let Err(error) = crate::resources::ensure_exists(inv.shared(), &args.uri).await {
            return Ok(tool_error(error.message.to_string()));
        }
        crate::resources::touch(&args.uri);
        inv.shared().hub.publish(Change::ResourceUpdated(args.uri.clone())).await;
        text(format!("notified subscribers of {}", args.uri))
    })
}

#[cfg(test)]
mod tests {
    use super::percent_encode;

    #[test]
    fn template_ids_are_percent_encoded() {
        assert_eq!(percent_encode("abc-1.2_~"), "abc-1.2_~");
        assert_eq!(percent_encode(" ["), "%20%5B");
        assert_eq!(percent_encode("¡"), "%C2%A1");
    }
}

//! Fixture tools of the tasks extension (`io.modelcontextprotocol/tasks`,
//! SEP-2663, 2026-07-28 only).
//!
//! A task-supporting tool answers a client that declared the extension with a
//! `CreateTaskResult` and keeps working in the background; the client polls
//! `tasks/get`, answers input requests with `tasks/update` and may
//! `tasks/cancel`. Clients without the extension get a synchronous result, or
//! `-32021` for tools that can only run as tasks.

use std::time::Duration;

use rmcp::model::{
    CallToolResponse, CallToolResult, ClientCapabilities, ContentBlock, CreateTaskResult, ErrorData, InputRequests,
    InputRequiredResult,
};
use rmcp::task_manager::{TaskExit, TaskOptions};
use serde_json::{Value, json};

use super::{
    Availability, Invocation, ToolFuture, ToolResult, ToolSpec, destructive, input_required::elicitation, read_only,
    text, tool_with_schema, tool_without_input,
};

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            tool_with_schema(
                "greet",
                "Greets `name`; always synchronous (tasks extension fixture)",
                json!({ "type": "object", "properties": { "name": { "type": "string" } }, "required": ["name"] }),
            )
            .annotate(read_only("Greet")),
            Availability::Modern,
            greet,
        ),
        ToolSpec::new(
            tool_with_schema(
                "slow_compute",
                "Sleeps `seconds` (at most 5) then answers; runs as a cancellable task when the client supports tasks",
                json!({
                    "type": "object",
                    "properties": {
                        "seconds": { "type": "number", "minimum": 0, "maximum": 5 },
                        "label": { "type": "string" }
                    }
                }),
            )
            .annotate(read_only("Slow compute")),
            Availability::Modern,
            slow_compute,
        ),
        ToolSpec::new(
            tool_without_input("failing_job", "Task-only job that ends with an isError result")
                .annotate(read_only("Failing job")),
            Availability::Modern,
            failing_job,
        ),
        ToolSpec::new(
            tool_without_input("protocol_error_job", "Job that fails with a protocol-level error")
                .annotate(read_only("Protocol error job")),
            Availability::Modern,
            protocol_error_job,
        ),
        ToolSpec::new(
            tool_with_schema(
                "confirm_delete",
                "Task-only job that asks for confirmation (one input request) before a simulated delete",
                json!({ "type": "object", "properties": { "filename": { "type": "string" } } }),
            )
            .annotate(destructive("Confirm delete", true)),
            Availability::Modern,
            confirm_delete,
        ),
        ToolSpec::new(
            tool_without_input("multi_input", "Task-only job that waits for two parallel input requests")
                .annotate(read_only("Multi input")),
            Availability::Modern,
            multi_input,
        ),
        ToolSpec::new(
            tool_without_input("test_tool_with_task", "Gathers a name with an input-required round, then runs a task")
                .annotate(read_only("Input round then task")),
            Availability::Modern,
            tool_with_task,
        ),
    ]
}

impl Invocation {
    fn client_supports_tasks(&self) -> bool {
        self.cx.client_capabilities().is_some_and(|caps| caps.supports_tasks())
    }

    /// `-32021` unless the client declared the tasks extension.
    fn require_tasks(&self) -> Result<(), ErrorData> {
        if self.client_supports_tasks() {
            Ok(())
        } else {
            Err(ErrorData::missing_required_client_capability(ClientCapabilities::builder().enable_tasks().build()))
        }
    }
}

fn created(task: rmcp::model::Task) -> ToolResult {
    Ok(CallToolResponse::from(CreateTaskResult::new(task)))
}

fn success(message: String) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(message)])
}

fn greet(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let name = inv.args.get("name").and_then(Value::as_str).unwrap_or("friend");
        text(format!("Hello, {name}!"))
    })
}

fn slow_compute(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let seconds = inv.args.get("seconds").and_then(Value::as_f64).unwrap_or(1.0).clamp(0.0, 5.0);
        let label = inv.args.get("label").and_then(Value::as_str).unwrap_or("compute").to_owned();
        let message = format!("slow_compute({label}) done after {seconds}s");
        if !inv.client_supports_tasks() {
            tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
            return Ok(success(message).into());
        }
        let task = inv.shared().tasks.spawn(TaskOptions::default(), move |ctx| {
            Box::pin(async move {
                tokio::select! {
                    _ = ctx.cancelled() => Err(TaskExit::Cancelled),
                    _ = tokio::time::sleep(Duration::from_secs_f64(seconds)) => Ok(success(message)),
                }
            })
        });
        created(task)
    })
}

fn failing_job(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        inv.require_tasks()?;
        let task = inv.shared().tasks.spawn(TaskOptions::default(), |_| {
            Box::pin(async {
                tokio::time::sleep(Duration::from_millis(1000)).await;
                Ok(CallToolResult::error(vec![ContentBlock::text("failing_job: intentional tool execution error")]))
            })
        });
        created(task)
    })
}

fn protocol_error_job(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        let fail = || ErrorData::internal_error("protocol_error_job: intentional protocol-level failure", None);
        if !inv.client_supports_tasks() {
            tokio::time::sleep(Duration::from_millis(200)).await;
            return Err(fail());
        }
        let task = inv.shared().tasks.spawn(TaskOptions::default(), move |_| {
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                Err(TaskExit::Error(fail()))
            })
        });
        created(task)
    })
}

fn confirm_delete(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        inv.require_tasks()?;
        let filename = inv.args.get("filename").and_then(Value::as_str).unwrap_or("file.txt").to_owned();
        let task = inv.shared().tasks.spawn(TaskOptions::default(), move |ctx| {
            Box::pin(async move {
                let request = elicitation(
                    &format!("Delete {filename}?"),
                    json!({ "confirm": { "type": "boolean" } }),
                    &["confirm"],
                );
                let answer = ctx.request_input("confirm", request).await?;
                let confirmed = answer.pointer("/content/confirm").and_then(Value::as_bool).unwrap_or(false);
                Ok(success(format!("confirm_delete({filename}): confirmed = {confirmed}")))
            })
        });
        created(task)
    })
}

fn multi_input(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        inv.require_tasks()?;
        let task = inv.shared().tasks.spawn(TaskOptions::default(), |ctx| {
            Box::pin(async move {
                let ask = |label: &str| {
                    elicitation(&format!("Provide value {label}"), json!({ "value": { "type": "string" } }), &["value"])
                };
                let (a, b) =
                    tokio::join!(ctx.request_input("input-a", ask("A")), ctx.request_input("input-b", ask("B")));
                let value =
                    |v: &Value| v.pointer("/content/value").and_then(Value::as_str).unwrap_or("(none)").to_owned();
                Ok(success(format!("multi_input: a = {}, b = {}", value(&a?), value(&b?))))
            })
        });
        created(task)
    })
}

fn tool_with_task(inv: Invocation) -> ToolFuture {
    Box::pin(async move {
        inv.require_tasks()?;
        let answer = super::input_required::response(inv.input_responses.as_ref(), "user_name");
        let Some(answer) = answer else {
            let mut requests = InputRequests::new();
            requests.insert("user_name".into(), super::input_required::ask_name());
            return Ok(InputRequiredResult::from_input_requests(requests).into());
        };
        let name = super::input_required::content_field(answer, "name").unwrap_or("friend").to_owned();
        let task = inv.shared().tasks.spawn(TaskOptions::default(), move |_| {
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                Ok(success(format!("Hello, {name}! (async)")))
            })
        });
        created(task)
    })
}

//! Advertised capabilities are served; unadvertised ones are not.

use serde_json::{Value, json};

use crate::check::{
    Applicability, Capability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, SkipReason, Suite,
};
use crate::check_fn;
use crate::protocol::Era;
use crate::session::Session;

/// The list method of each listing capability, with its result key.
const LISTS: &[(Capability, &str, &str)] = &[
    (Capability::Tools, "tools/list", "tools"),
    (Capability::Resources, "resources/list", "resources"),
    (Capability::Prompts, "prompts/list", "prompts"),
];

/// Every advertised capability's method works.
pub(crate) const CONSISTENT: Check = Check {
    meta: CheckMeta {
        id: CheckId("capabilities.consistent"),
        title: "every advertised capability is served: its list method answers, completion/complete and logging/setLevel exist",
        suite: Suite::Conformance,
        level: Level::Must,
        requirements: &[
            "tools.list.result",
            "completion.capability",
            "lifecycle.negotiated-capabilities",
            "resources.list.result",
            "prompts.list.result",
            "logging.capability",
        ],
        applies: Applicability::ALWAYS,
        tags: &["capabilities"],
    },
    run: check_fn!(consistent),
};

/// A `completion/complete` argument reference the server can know: a prompt argument, else a template variable,
/// else a made-up prompt (any answer but "method not found" shows the method exists).
async fn completion_params(session: &mut Session, has_prompts: bool, has_resources: bool) -> Value {
    if has_prompts && let Ok(r) = session.request("prompts/list", None).await {
        let found = r.result().and_then(|x| x.get("prompts")).and_then(Value::as_array).and_then(|ps| {
            ps.iter().find_map(|p| {
                let name = p.get("name")?.as_str()?;
                let arg = p.get("arguments")?.as_array()?.first()?.get("name")?.as_str()?;
                Some((name.to_owned(), arg.to_owned()))
            })
        });
        if let Some((name, arg)) = found {
            return json!({"ref": {"type": "ref/prompt", "name": name}, "argument": {"name": arg, "value": ""}});
        }
    }
    if has_resources && let Ok(r) = session.request("resources/templates/list", None).await {
        let found = r.result().and_then(|x| x.get("resourceTemplates")).and_then(Value::as_array).and_then(|ts| {
            ts.iter().find_map(|t| {
                let tpl = t.get("uriTemplate")?.as_str()?;
                let var =
                    tpl.split('{').nth(1)?.split('}').next()?.trim_start_matches(['+', '#', '/', '.', ';', '?', '&']);
                let var = var.split([',', '*', ':']).next()?;
                Some((tpl.to_owned(), var.to_owned()))
            })
        });
        if let Some((tpl, var)) = found {
            return json!({"ref": {"type": "ref/resource", "uri": tpl}, "argument": {"name": var, "value": ""}});
        }
    }
    json!({"ref": {"type": "ref/prompt", "name": "mcp-harness-no-such-prompt"}, "argument": {"name": "x", "value": ""}})
}

async fn consistent(cx: &mut CheckContext) -> Conclusion {
    let expected = "each advertised capability's method answered (a result for list methods and logging/setLevel, \
                    anything but -32601 for completion/complete)";
    let profile = cx.profile().clone();
    let stateful = cx.revision().era() == Era::Stateful;
    let mut problems = Vec::new();
    let mut served = Vec::new();
    {
        let session = cx.session()?;
        for (cap, method, key) in LISTS {
            if !profile.has(*cap) {
                continue;
            }
            let reply = session.request(method, None).await.map_err(|e| Outcome::from_session(e, expected))?;
            match reply.result() {
                Some(r) if r.get(*key).is_some_and(Value::is_array) => served.push(*method),
                _ => problems.push(format!("`{}` is advertised but {method} answered {}", cap.name(), reply.brief())),
            }
        }
        if profile.has(Capability::Completions) {
            let params =
                completion_params(session, profile.has(Capability::Prompts), profile.has(Capability::Resources)).await;
            let reply = session
                .request("completion/complete", Some(params))
                .await
                .map_err(|e| Outcome::from_session(e, expected))?;
            match reply.error_code() {
                Some(-32601) => problems
                    .push(format!("`completions` is advertised but completion/complete answered {}", reply.brief())),
                _ => served.push("completion/complete"),
            }
        }
    }
    if stateful && profile.has(Capability::Logging) {
        // setLevel changes session state: use a session of its own.
        let mut s = cx.fresh_session().await?;
        let reply = s.request("logging/setLevel", Some(json!({"level": "info"}))).await;
        s.close().await;
        let reply = reply.map_err(|e| Outcome::from_session(e, expected))?;
        match reply.result() {
            Some(_) => served.push("logging/setLevel"),
            None => problems.push(format!("`logging` is advertised but logging/setLevel answered {}", reply.brief())),
        }
    }
    if !problems.is_empty() {
        return Ok(Outcome::violated(expected, problems.join("\n")));
    }
    if served.is_empty() {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            "the server advertises no capability with a method to call",
        ));
    }
    Ok(Outcome::pass_with(served.join(", ")))
}

/// Methods of capabilities the server does not advertise are not found.
pub(crate) const UNADVERTISED_METHOD: Check = Check {
    meta: CheckMeta {
        id: CheckId("capabilities.unadvertised-method"),
        title: "the list method of a capability the server does not advertise is answered with error -32601",
        suite: Suite::Conformance,
        level: Level::Should,
        requirements: &["completion.method-not-found", "jsonrpc.method-not-found"],
        applies: Applicability::ALWAYS,
        tags: &["capabilities", "errors", "negative"],
    },
    run: check_fn!(unadvertised_method),
};

async fn unadvertised_method(cx: &mut CheckContext) -> Conclusion {
    let profile = cx.profile().clone();
    let mut probes: Vec<(Capability, &str, Option<Value>)> =
        LISTS.iter().filter(|(c, _, _)| !profile.has(*c)).map(|(c, m, _)| (*c, *m, None)).collect();
    if !profile.has(Capability::Completions) {
        let params =
            json!({"ref": {"type": "ref/prompt", "name": "mcp-harness-none"}, "argument": {"name": "x", "value": ""}});
        probes.push((Capability::Completions, "completion/complete", Some(params)));
    }
    if probes.is_empty() {
        return Ok(Outcome::skip(
            SkipReason::NothingToTest,
            "the server advertises tools, resources, prompts and completions",
        ));
    }
    let expected = "error -32601 for each method of an unadvertised capability";
    let session = cx.session()?;
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for (cap, method, params) in probes {
        let reply = session.request(method, params).await.map_err(|e| Outcome::from_session(e, expected))?;
        match reply.error_code() {
            Some(-32601) => seen.push(format!("{method}: -32601")),
            _ => problems.push(format!("`{}` is not advertised but {method} answered {}", cap.name(), reply.brief())),
        }
    }
    if problems.is_empty() {
        Ok(Outcome::pass_with(seen.join(", ")))
    } else {
        Ok(Outcome::violated(expected, problems.join("\n")))
    }
}

//! Static resources, URI templates and reads.
//!
//! Static: the conformance fixtures (`test://static-text`, `test://static-binary`,
//! `test://watched-resource`, …) and "everything"-style documents. Templates:
//! `test://template/{id}/data`, `demo://resource/dynamic/{text,blob}/{resourceId}`
//! and `data://records/{id}` (a record of the data store as JSON).

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use rmcp::{
    ErrorData,
    model::{
        CacheScope, ListResourceTemplatesResult, ListResourcesResult, ReadResourceResult, Resource, ResourceContents,
        ResourceTemplate,
    },
};
use serde_json::json;

use crate::{
    content::TINY_PNG_BASE64,
    server::{LIST_TTL_MS, Shared, paginate},
};

/// Revision of `test://watched-resource`, bumped by `touch-resource`.
static WATCHED_REVISION: AtomicU64 = AtomicU64::new(1);

const DOCUMENTS: &[(&str, &str)] = &[
    (
        "architecture.md",
        "# Architecture\n\nThe reference server dispatches MCP requests to tools, resources and prompts.\n",
    ),
    ("features.md", "# Features\n\nBoth protocol eras, stdio and Streamable HTTP, pagination everywhere.\n"),
];

/// The template of `data://records/{id}`.
const RECORD_PREFIX: &str = "data://records/";

fn static_resources() -> Vec<Resource> {
    let mut resources = vec![
        Resource::new("test://static-text", "static-text")
            .with_title("Static Text Resource")
            .with_description("A static text resource for testing")
            .with_mime_type("text/plain"),
        Resource::new("test://static-binary", "static-binary")
            .with_title("Static Binary Resource")
            .with_description("A static binary (PNG) resource for testing")
            .with_mime_type("image/png"),
        Resource::new("test://watched-resource", "watched-resource")
            .with_title("Watched Resource")
            .with_description("A resource to subscribe to; `touch-resource` changes it")
            .with_mime_type("text/plain"),
        Resource::new("test://stateless-static-text", "stateless-static-text")
            .with_title("Stateless Static Text")
            .with_description("A static text resource read on the stateless wire")
            .with_mime_type("text/plain"),
    ];
    resources.extend(DOCUMENTS.iter().map(|(file, _)| {
        Resource::new(format!("demo://resource/static/document/{file}"), *file)
            .with_description(format!("Static document {file}"))
            .with_mime_type("text/markdown")
    }));
    resources.into_iter().map(|resource| resource.with_icons(crate::content::icons())).collect()
}

fn templates() -> Vec<ResourceTemplate> {
    [
        ResourceTemplate::new("test://template/{id}/data", "template-data")
            .with_title("Dynamic Resource")
            .with_description("A dynamic resource with parameter substitution")
            .with_mime_type("application/json"),
        ResourceTemplate::new("demo://resource/dynamic/text/{resourceId}", "dynamic-text")
            .with_description("A plaintext resource generated from its id")
            .with_mime_type("text/plain"),
        ResourceTemplate::new("demo://resource/dynamic/blob/{resourceId}", "dynamic-blob")
            .with_description("A binary resource generated from its id")
            .with_mime_type("application/octet-stream"),
        ResourceTemplate::new("data://records/{id}", "data-record")
            .with_description("A record of the data store, as JSON")
            .with_mime_type("application/json"),
    ]
    .into_iter()
    .collect()
}

/// `resources/list`.
pub(crate) fn list(cursor: Option<&str>, page_size: usize) -> Result<ListResourcesResult, ErrorData> {
    let (page, next) = paginate(&static_resources(), "resources", cursor, page_size)?;
    let mut result =
        ListResourcesResult::with_all_items(page).with_ttl_ms(LIST_TTL_MS).with_cache_scope(CacheScope::Public);
    result.next_cursor = next;
    Ok(result)
}

/// `resources/templates/list`.
pub(crate) fn list_templates(cursor: Option<&str>, page_size: usize) -> Result<ListResourceTemplatesResult, ErrorData> {
    let (page, next) = paginate(&templates(), "resource-templates", cursor, page_size)?;
    let mut result =
        ListResourceTemplatesResult::with_all_items(page).with_ttl_ms(LIST_TTL_MS).with_cache_scope(CacheScope::Public);
    result.next_cursor = next;
    Ok(result)
}

fn text(uri: &str, mime: &str, text: impl Into<String>) -> ResourceContents {
    ResourceContents::TextResourceContents {
        uri: uri.into(),
        mime_type: Some(mime.into()),
        text: text.into(),
        meta: None,
    }
}

fn blob(uri: &str, mime: &str, blob: impl Into<String>) -> ResourceContents {
    ResourceContents::BlobResourceContents {
        uri: uri.into(),
        mime_type: Some(mime.into()),
        blob: blob.into(),
        meta: None,
    }
}

/// `resources/read`: the contents of `uri`, or resource-not-found with `data.uri`.
pub(crate) async fn read(shared: &Shared, uri: &str) -> Result<ReadResourceResult, ErrorData> {
    let contents = match uri {
        "test://static-text" => text(uri, "text/plain", "This is the content of the static text resource."),
        "test://stateless-static-text" => {
            text(uri, "text/plain", "This is the content of the stateless static text resource.")
        }
        "test://static-binary" => blob(uri, "image/png", TINY_PNG_BASE64),
        "test://watched-resource" => {
            text(uri, "text/plain", format!("Watched resource, revision {}", WATCHED_REVISION.load(Ordering::Acquire)))
        }
        _ => read_dynamic(shared, uri).await?.ok_or_else(|| not_found(uri))?,
    };
    // Private: `data://` records and the watched resource change over time.
    Ok(ReadResourceResult::new(vec![contents]).with_ttl_ms(0).with_cache_scope(CacheScope::Private))
}

async fn read_dynamic(shared: &Shared, uri: &str) -> Result<Option<ResourceContents>, ErrorData> {
    if let Some(file) = uri.strip_prefix("demo://resource/static/document/") {
        return Ok(DOCUMENTS.iter().find(|(name, _)| *name == file).map(|(_, body)| text(uri, "text/markdown", *body)));
    }
    if let Some(id) = uri.strip_prefix("test://template/").and_then(|rest| rest.strip_suffix("/data"))
        && is_segment(id)
    {
        let body = json!({ "id": id, "templateTest": true, "data": format!("Data for ID: {id}") });
        return Ok(Some(text(uri, "application/json", body.to_string())));
    }
    if let Some(id) = uri.strip_prefix("demo://resource/dynamic/text/").filter(|id| is_segment(id)) {
        return Ok(Some(text(uri, "text/plain", format!("Resource {id}: This is a plaintext resource"))));
    }
    if let Some(id) = uri.strip_prefix("demo://resource/dynamic/blob/").filter(|id| is_segment(id)) {
        let payload = format!("Resource {id}: This is a base64 blob");
        return Ok(Some(blob(
            uri,
            "application/octet-stream",
            base64::engine::general_purpose::STANDARD.encode(payload),
        )));
    }
    if let Some(id) = uri.strip_prefix(RECORD_PREFIX).filter(|id| is_segment(id)) {
        return match shared.store.get(id).await {
            Ok(Some(record)) => {
                let mut record = json!(record);
                shared
                    .sealer
                    .open_record_value(&mut record)
                    .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
                Ok(Some(text(uri, "application/json", record.to_string())))
            }
            Ok(None) => Ok(None),
            Err(error) => Err(ErrorData::internal_error(format!("store failed: {error}"), None)),
        };
    }
    Ok(None)
}

/// A single, non-empty URI path segment.
fn is_segment(value: &str) -> bool {
    !value.is_empty() && !value.contains('/')
}

fn not_found(uri: &str) -> ErrorData {
    // -32002 on legacy wires; rmcp maps it to -32602 for 2026-07-28 (SEP-2164).
    ErrorData::resource_not_found(format!("resource not found: {uri}"), Some(json!({ "uri": uri })))
}

/// Fails with resource-not-found unless `uri` can be read.
pub(crate) async fn ensure_exists(shared: &Shared, uri: &str) -> Result<(), ErrorData> {
    read(shared, uri).await.map(|_| ())
}

/// Records that `uri` changed (only the watched resource has a visible revision).
pub(crate) fn touch(uri: &str) {
    if uri == "test://watched-resource" {
        WATCHED_REVISION.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resource_and_template_has_a_description() {
        assert!(static_resources().iter().all(|r| r.description.is_some()));
        assert!(templates().iter().all(|t| t.description.is_some()));
    }

    #[test]
    fn lists_paginate() {
        let first = list(None, 2).unwrap();
        assert_eq!(first.resources.len(), 2);
        let second = list(first.next_cursor.as_deref(), 2).unwrap();
        assert_ne!(first.resources[0].uri, second.resources[0].uri);
        assert!(list(Some("bogus"), 2).is_err());
    }
}

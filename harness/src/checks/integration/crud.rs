//! A create → update → read → delete journey whose every effect is verified directly in Postgres.

use serde_json::json;

use super::INTEGRATION;
use super::data_tools::{Call, call, fresh_collection, record_id, require_data_tools};
use super::store_probe::StoreProbe;
use crate::check::{Check, CheckContext, CheckId, CheckMeta, Conclusion, Level, Outcome, Suite};
use crate::check_fn;
use crate::services::Service;

/// Every acknowledged write is in Postgres, as acknowledged.
pub(crate) const CRUD_VERIFIED: Check = Check {
    meta: CheckMeta {
        id: CheckId("integration.crud.verified-in-postgres"),
        title: "created, updated and deleted records are (and stop being) rows in Postgres exactly as acknowledged",
        suite: Suite::Integration,
        level: Level::Must,
        requirements: &["integration.store.acknowledged-writes"],
        applies: INTEGRATION,
        tags: &["integration", "postgres", "data"],
    },
    run: check_fn!(crud_verified),
};

async fn crud_verified(cx: &mut CheckContext) -> Conclusion {
    let url =
        cx.services()?.url(Service::Postgres).map(str::to_owned).ok_or_else(|| Outcome::error("no Postgres URL"))?;
    require_data_tools(cx).await?;
    let probe = StoreProbe::connect(&url).await?;
    let result = journey(cx, &probe).await;
    probe.close();
    result
}

async fn journey(cx: &mut CheckContext, probe: &StoreProbe) -> Conclusion {
    let timeout = cx.timeout();
    let session = cx.session()?;
    let collection = fresh_collection();
    let data = json!({"title": "written by mcp-harness", "n": 1});

    let created = call(session, "create_data", json!({"collection": collection, "data": data}), timeout).await?;
    let expected = "create_data answers the new record (with its id)";
    let id = created
        .value()
        .and_then(record_id)
        .map(str::to_owned)
        .ok_or_else(|| Outcome::violated(expected, created.brief()))?;
    let expected_row = format!("a row for record {id} in mcp_records with data {data} and version 1");
    match probe.row(&id).await? {
        Some(row) if row.data == data && row.version == 1 => {}
        Some(row) => {
            return Err(Outcome::violated(
                expected_row,
                format!("the row has data {} version {}", row.data, row.version),
            ));
        }
        None => {
            return Err(Outcome::violated(
                expected_row,
                format!("create_data acknowledged {id}, but Postgres has no row for it"),
            ));
        }
    }

    let updated = call(session, "update_data", json!({"id": id, "data": {"n": 2}}), timeout).await?;
    let Call::Ok { .. } = updated else {
        return Err(Outcome::violated("update_data of an existing record succeeds", updated.brief()));
    };
    let want = json!({"title": "written by mcp-harness", "n": 2});
    let expected_row = format!("after update_data, the row of {id} has data {want} and version 2");
    match probe.row(&id).await? {
        Some(row) if row.data == want && row.version == 2 => {}
        Some(row) => {
            return Err(Outcome::violated(
                expected_row,
                format!("the row has data {} version {}", row.data, row.version),
            ));
        }
        None => return Err(Outcome::violated(expected_row, "the row is gone")),
    }

    let read = call(session, "get_data", json!({"id": id}), timeout).await?;
    if read.value().and_then(|v| v.get("data")) != Some(&want) {
        return Err(Outcome::violated(format!("get_data answers the updated data {want}"), read.brief()));
    }

    let deleted = call(session, "delete_data", json!({"id": id}), timeout).await?;
    if deleted.value().and_then(|v| v.get("deleted")) != Some(&json!(true)) {
        return Err(Outcome::violated("delete_data of an existing record answers deleted: true", deleted.brief()));
    }
    if let Some(row) = probe.row(&id).await? {
        return Err(Outcome::violated(
            format!("after delete_data, no row for {id}"),
            format!("the row is still there (data {}, version {})", row.data, row.version),
        ));
    }
    Ok(Outcome::pass_with(format!(
        "record {id} verified in Postgres: created (version 1), updated (version 2, read back), deleted (row gone)"
    )))
}

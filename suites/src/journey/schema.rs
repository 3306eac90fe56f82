//! The JSON Schema of journey files, generated from the model's types and committed at
//! `suites/schemas/journey.schema.json` for editors (a test keeps the two equal).

/// The committed schema, `suites/schemas/journey.schema.json`.
pub const JOURNEY_SCHEMA: &str = include_str!("../../schemas/journey.schema.json");

/// Where the committed schema is published (its `$id`).
pub const JOURNEY_SCHEMA_ID: &str = "https://github.com/mcp-harness/mcp-harness/suites/schemas/journey.schema.json";

/// The JSON Schema (draft 2020-12) of a journey file, generated from [`super::JourneyFile`].
pub fn generate_journey_schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<super::JourneyFile>();
    let mut value = serde_json::to_value(schema).unwrap_or_default();
    if let Some(root) = value.as_object_mut() {
        root.insert("$id".to_owned(), JOURNEY_SCHEMA_ID.into());
        root.insert("title".to_owned(), "mcp-harness journey file (*.journey.yaml)".into());
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed schema is what the types generate (set `MCP_HARNESS_UPDATE_SCHEMA=1` to rewrite it).
    #[test]
    fn committed_journey_schema_matches_the_types() {
        let generated = format!("{}\n", serde_json::to_string_pretty(&generate_journey_schema()).unwrap());
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/journey.schema.json");
        if std::env::var_os("MCP_HARNESS_UPDATE_SCHEMA").is_some() {
            std::fs::write(&path, &generated).unwrap();
            return;
        }
        assert!(
            JOURNEY_SCHEMA == generated,
            "suites/schemas/journey.schema.json is out of date with the journey types; regenerate it with \
             `MCP_HARNESS_UPDATE_SCHEMA=1 cargo test -p mcp-harness-suites --lib journey::schema`"
        );
    }
}

//! Binary fixture payloads shared by tools, resources and prompts.

/// A 1×1 red PNG, base64-encoded (`image/png`).
pub(crate) const TINY_PNG_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

/// A tiny silent WAV file, base64-encoded (`audio/wav`).
pub(crate) const SILENT_WAV_BASE64: &str = "UklGRiQAAABXQVZFZm10IBAAAAABAAEARKwAAIhYAQACABAAZGF0YQAAAAA=";

/// A small SVG used as the server's and tools' icon (`image/svg+xml` data URI).
pub(crate) const ICON_DATA_URI: &str = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxNiAxNiI+PHJlY3Qgd2lkdGg9IjE2IiBoZWlnaHQ9IjE2IiByeD0iMyIgZmlsbD0iIzJiNmNiMCIvPjwvc3ZnPg==";

/// The icon list attached to the server, tools, prompts and resources.
pub(crate) fn icons() -> Vec<rmcp::model::Icon> {
    vec![rmcp::model::Icon::new(ICON_DATA_URI).with_mime_type("image/svg+xml").with_sizes(vec!["any".into()])]
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::*;

    #[test]
    fn payloads_are_valid_base64_with_expected_magic() {
        let engine = base64::engine::general_purpose::STANDARD;
        assert!(engine.decode(TINY_PNG_BASE64).unwrap().starts_with(b"\x89PNG"));
        assert!(engine.decode(SILENT_WAV_BASE64).unwrap().starts_with(b"RIFF"));
    }
}

//! Every `icons[].src` a server publishes is an `https:` URL or a `data:` image URI without script.

use base64::Engine;
use serde_json::Value;

use super::corpus::{Corpus, label};
use crate::check::{
    Applicability, Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, SkipReason,
    Suite,
};
use crate::check_fn;

/// What to change when the check fails.
const REMEDIATION: &str = "publish icons only as https: URLs (preferably on the server's own origin) or data: URIs \
     of PNG, JPEG, WebP or GIF images (SVG without script)";

/// Image types a `data:` icon may carry.
const DATA_IMAGES: &[&str] = &["image/png", "image/jpeg", "image/jpg", "image/webp", "image/gif", "image/svg+xml"];

/// Icons are `https:` or `data:` images.
///
/// MUST level: the spec has consumers ensure "the icon URI is either a HTTPS or `data:` URI" and reject
/// `javascript:`, `file:`, `ftp:`, `ws:` and local app schemes; an icon outside that set is one every conforming
/// client must refuse, and a script URI or an SVG with script is an attack on the ones that do not.
pub(crate) const ICON_URIS: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.meta.icon-uris"),
        title: "every icon src is an https: URL or a data: image URI without script",
        suite: Suite::Security,
        level: Level::Must,
        requirements: &["security.icon-uri-schemes"],
        applies: Applicability::ALWAYS,
        tags: &["security", "metadata", "icons", "passive"],
    },
    run: check_fn!(icon_uris),
};

/// What is wrong with an icon `src`, if anything.
fn problem(src: &str) -> Option<String> {
    let scheme = src.split_once(':').map(|(s, _)| s.trim().to_ascii_lowercase());
    match scheme.as_deref() {
        Some("https") => None,
        Some("data") => {
            let rest = &src[5..];
            let (meta, payload) = rest.split_once(',').unwrap_or((rest, ""));
            let mime = meta.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
            if !DATA_IMAGES.contains(&mime.as_str()) {
                return Some(format!("a data: URI of `{mime}`, not an image type"));
            }
            if mime == "image/svg+xml" {
                let text = if meta.to_ascii_lowercase().contains(";base64") {
                    base64::engine::general_purpose::STANDARD
                        .decode(payload.trim())
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default()
                } else {
                    percent_decode(payload)
                };
                let lower = text.to_ascii_lowercase();
                if lower.contains("<script") || lower.contains("javascript:") || lower.contains(" onload=") {
                    return Some("an SVG data: URI with script".to_owned());
                }
            }
            None
        }
        Some(s) => Some(format!("scheme `{s}:` (only https: or data:)")),
        None => Some("no scheme (a relative or malformed URI)".to_owned()),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every icon of `owner` (its `icons` array), with its location.
fn icons_of<'a>(owner: &'a Value, at: &str, out: &mut Vec<(String, &'a str)>) {
    if let Some(icons) = owner.get("icons").and_then(Value::as_array) {
        for (i, icon) in icons.iter().enumerate() {
            let src = icon.get("src").and_then(Value::as_str).unwrap_or_default();
            out.push((format!("{at}.icons[{i}].src"), src));
        }
    }
}

async fn icon_uris(cx: &mut CheckContext) -> Conclusion {
    let corpus = Corpus::collect(cx).await?;
    let mut icons = Vec::new();
    icons_of(&corpus.server_info, "serverInfo", &mut icons);
    for (kind, list) in [
        ("tools", &corpus.tools),
        ("prompts", &corpus.prompts),
        ("resources", &corpus.resources),
        ("resourceTemplates", &corpus.templates),
    ] {
        for (i, item) in list.iter().enumerate() {
            icons_of(item, &format!("{kind}[{}]", label(item, i)), &mut icons);
        }
    }
    if icons.is_empty() {
        return Ok(Outcome::skip(SkipReason::NothingToTest, "the server publishes no icons"));
    }
    let bad: Vec<String> = icons
        .iter()
        .filter_map(|(at, src)| {
            let shown: String = src.chars().take(120).collect();
            problem(src).map(|p| format!("`{at}` = `{shown}`: {p}"))
        })
        .collect();
    if bad.is_empty() {
        return Ok(Outcome::pass_with(format!("{} icons, all https: or data: images", icons.len())));
    }
    let finding = Finding::new(Severity::Medium, Some(79), REMEDIATION)
        .matched(bad.join("\n"))
        .request("serverInfo and tools/prompts/resources/templates lists (no icon fetched)");
    Ok(Outcome::violated("icons that are https: URLs or data: images", bad.join("\n")).with_finding(finding))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_and_script_free_data_images_pass() {
        assert_eq!(problem("https://example.com/i.png"), None);
        assert_eq!(problem("data:image/png;base64,iVBORw0KGgo="), None);
        assert_eq!(problem("data:image/svg+xml,%3Csvg%3E%3C/svg%3E"), None);
        assert!(problem("javascript:alert(1)").unwrap().contains("javascript"));
        assert!(problem("file:///etc/passwd").is_some());
        assert!(problem("http://example.com/i.png").is_some());
        assert!(problem("data:text/html,<script>").is_some());
        assert!(problem("data:image/svg+xml,%3Csvg%3E%3Cscript%3Ealert(1)%3C/script%3E").unwrap().contains("script"));
        assert!(problem("icon.png").is_some());
    }
}

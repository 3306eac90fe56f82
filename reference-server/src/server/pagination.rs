//! Opaque cursors for every list method.
//!
//! A cursor is URL-safe base64 of `<list>:<offset>`, so a cursor from one list
//! is rejected by another. Anything that does not decode to an offset inside
//! the list is answered with `-32602 Invalid params`.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use rmcp::ErrorData;

/// One page of `items` starting at `cursor`, plus the cursor of the next page.
pub(crate) fn paginate<T: Clone>(
    items: &[T],
    list: &str,
    cursor: Option<&str>,
    page_size: usize,
) -> Result<(Vec<T>, Option<String>), ErrorData> {
    let start = match cursor {
        None => 0,
        Some(cursor) => decode(cursor, list)
            .filter(|offset| *offset < items.len())
            .ok_or_else(|| ErrorData::invalid_params(format!("invalid cursor for {list}"), None))?,
    };
    let end = start.saturating_add(page_size.max(1)).min(items.len());
    let next = (end < items.len()).then(|| encode(list, end));
    Ok((items[start..end].to_vec(), next))
}

fn encode(list: &str, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{list}:{offset}"))
}

fn decode(cursor: &str, list: &str) -> Option<usize> {
    let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = std::str::from_utf8(&raw).ok()?;
    let (kind, offset) = text.rsplit_once(':')?;
    (kind == list).then_some(())?;
    offset.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_all_pages() {
        let items: Vec<u32> = (0..7).collect();
        let mut cursor = None;
        let mut seen = vec![];
        for _ in 0..10 {
            let (page, next) = paginate(&items, "tools", cursor.as_deref(), 3).unwrap();
            seen.extend(page);
            match next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, items);
    }

    #[test]
    fn single_page_has_no_cursor() {
        let (page, next) = paginate(&[1, 2], "tools", None, 100).unwrap();
        assert_eq!(page, vec![1, 2]);
        assert!(next.is_none());
    }

    #[test]
    fn rejects_foreign_and_garbage_cursors() {
        let items = [1, 2, 3, 4];
        let (_, next) = paginate(&items, "tools", None, 2).unwrap();
        let next = next.unwrap();
        assert!(paginate(&items, "prompts", Some(&next), 2).is_err());
        assert!(paginate(&items, "tools", Some("not a cursor!"), 2).is_err());
        assert!(paginate(&items, "tools", Some(&encode("tools", 99)), 2).is_err());
        let err = paginate(&items, "tools", Some("x"), 2).unwrap_err();
        assert_eq!(err.code, rmcp::model::ErrorCode::INVALID_PARAMS);
    }
}

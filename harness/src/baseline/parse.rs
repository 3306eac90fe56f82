//! Reading (and writing) the expected-failures YAML subset.

use std::collections::HashSet;
use std::path::Path;

use crate::runner::id_pattern::IdPattern;

/// A parsed baseline: the `server` entries of an expected-failures file, each resolved to a check-id pattern.
#[derive(Debug, Clone)]
pub struct Baseline {
    source: String,
    entries: Vec<Entry>,
}

/// One `server` entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The entry as written in the file.
    pub text: String,
    /// Its 1-based line number.
    pub line: usize,
    pattern: IdPattern,
}

/// A baseline file that cannot be used. Every variant is a usage error (exit code 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BaselineError {
    /// The file could not be read.
    #[error("failed to read baseline {file}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A line is not part of the supported YAML subset.
    #[error("{file}:{line}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An entry is a mapping (`- a: b`), which the format does not allow.
    #[error("{file}:{line}: entry `{key}: {value}` is a mapping; write `{key}:{value}` (no space after the colon)")]
    MappingEntry {
        /// The file.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The part before the colon.
        key: String,
        /// The part after it.
        value: String,
    },
    /// A top-level key other than `server` and `client`.
    #[error("{file}:{line}: unknown top-level key `{key}` (expected `server` or `client`)")]
    UnknownKey {
        /// The file.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The key.
        key: String,
    },
    /// An entry listed twice.
    #[error("{file}:{line}: `{entry}` is listed twice")]
    Duplicate {
        /// The file.
        file: String,
        /// 1-based line number of the second listing.
        line: usize,
        /// The entry.
        entry: String,
    },
    /// One scenario or check is listed both whole and per check (`s` and `s:c`, or an id and a glob covering it).
    #[error("{file}:{line}: `{entry}` is also covered by `{whole}`; list it either whole or per check, not both")]
    Contradictory {
        /// The file.
        file: String,
        /// 1-based line number of the per-check entry.
        line: usize,
        /// The per-check entry.
        entry: String,
        /// The whole entry that covers it.
        whole: String,
    },
    /// An entry is not a valid glob.
    #[error("{file}:{line}: `{entry}` is not a valid id pattern: {reason}")]
    BadPattern {
        /// The file.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The entry.
        entry: String,
        /// Why.
        reason: String,
    },
    /// An entry matches no check the harness has (a typo, or an official-suite scenario id).
    #[error("{file}:{line}: `{entry}` matches no known check (see `mcp-harness list`)")]
    UnknownEntry {
        /// The file.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The entry.
        entry: String,
    },
}

impl Baseline {
    /// Reads and parses `path`, resolving entries against every registered check.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let file = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|source| BaselineError::Read { file: file.clone(), source })?;
        let known: Vec<&str> = crate::checks::all().iter().map(|c| c.meta.id.as_str()).collect();
        Baseline::parse(&text, &file, &known)
    }

    /// Parses baseline `text` (named `source` in messages and reports), resolving entries against `known` ids.
    pub fn parse(text: &str, source: &str, known: &[&str]) -> Result<Baseline, BaselineError> {
        let raw = read_server_entries(text, source)?;
        let mut entries = Vec::with_capacity(raw.len());
        let mut seen = HashSet::new();
        for (text, line) in &raw {
            if !seen.insert(text.as_str()) {
                return Err(BaselineError::Duplicate { file: source.to_owned(), line: *line, entry: text.clone() });
            }
            if let Some((scenario, _)) = text.split_once(':')
                && raw.iter().any(|(other, _)| other == scenario)
            {
                return Err(BaselineError::Contradictory {
                    file: source.to_owned(),
                    line: *line,
                    entry: text.clone(),
                    whole: scenario.to_owned(),
                });
            }
            entries.push(resolve(text, *line, source, known)?);
        }
        // An exact id also covered by another entry's glob or prefix is the same contradiction in check-id terms.
        for e in &entries {
            let IdPattern::Prefix(id) = &e.pattern else { continue };
            if !known.contains(&id.as_str()) {
                continue;
            }
            if let Some(whole) = entries.iter().find(|o| o.text != e.text && o.pattern.matches(id)) {
                return Err(BaselineError::Contradictory {
                    file: source.to_owned(),
                    line: e.line,
                    entry: e.text.clone(),
                    whole: whole.text.clone(),
                });
            }
        }
        Ok(Baseline { source: source.to_owned(), entries })
    }

    /// The file the baseline was read from, as given.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The `server` entries, in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

impl Entry {
    /// Whether this entry lists the check `id`.
    pub fn matches(&self, id: &str) -> bool {
        self.pattern.matches(id)
    }
}

/// A baseline file listing `ids` under `server:`, as `--update-baseline` writes it.
pub fn render_baseline<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    let mut text = String::from(
        "# mcp-harness expected failures (official MCP conformance expected-failures format).\n\
         # Written by `mcp-harness run --update-baseline`: the checks that failed or warned.\n",
    );
    let ids: Vec<&str> = ids.into_iter().collect();
    if ids.is_empty() {
        text.push_str("server: []\n");
    } else {
        text.push_str("server:\n");
        for id in ids {
            text.push_str(&format!("  - {id}\n"));
        }
    }
    text
}

/// Resolves an entry to a pattern: `scenario:check` by its check part when that matches a known check, else the
/// whole text; the pattern must match at least one known check.
fn resolve(text: &str, line: usize, file: &str, known: &[&str]) -> Result<Entry, BaselineError> {
    let bad =
        |reason: String| BaselineError::BadPattern { file: file.to_owned(), line, entry: text.to_owned(), reason };
    let matches_any = |p: &IdPattern| known.iter().any(|id| p.matches(id));
    if let Some((_, check)) = text.split_once(':')
        && let Ok(p) = IdPattern::parse(check)
        && !check.is_empty()
        && matches_any(&p)
    {
        return Ok(Entry { text: text.to_owned(), line, pattern: p });
    }
    let pattern = IdPattern::parse(text).map_err(bad)?;
    if !matches_any(&pattern) {
        return Err(BaselineError::UnknownEntry { file: file.to_owned(), line, entry: text.to_owned() });
    }
    Ok(Entry { text: text.to_owned(), line, pattern })
}

/// The top-level list being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Server,
    Client,
}

/// Reads the strict YAML subset and returns the `server` entries with their line numbers.
fn read_server_entries(text: &str, file: &str) -> Result<Vec<(String, usize)>, BaselineError> {
    let syntax =
        |line: usize, message: &str| BaselineError::Syntax { file: file.to_owned(), line, message: message.to_owned() };
    let mut section: Option<Section> = None;
    let mut seen_keys: Vec<Section> = Vec::new();
    let mut entries = Vec::new();
    let mut content_seen = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let stripped = strip_comment(raw).map_err(|m| syntax(line, m))?.trim_end();
        if stripped.trim().is_empty() {
            continue;
        }
        if !content_seen && stripped == "---" {
            content_seen = true;
            continue;
        }
        content_seen = true;
        let indent = stripped.len() - stripped.trim_start().len();
        if stripped[..indent].contains('\t') {
            return Err(syntax(line, "tabs are not allowed in indentation"));
        }
        let content = stripped.trim_start();
        if let Some(rest) = content.strip_prefix('-').filter(|r| r.is_empty() || r.starts_with([' ', '\t'])) {
            let Some(current) = section else {
                return Err(syntax(line, "list item outside a `server:` or `client:` list"));
            };
            let item = rest.trim();
            if item.is_empty() {
                return Err(syntax(line, "empty list item"));
            }
            let value = scalar(item, line, file)?;
            if value.is_empty() {
                return Err(syntax(line, "empty list item"));
            }
            if current == Section::Server {
                entries.push((value, line));
            }
            continue;
        }
        if indent > 0 {
            return Err(syntax(line, "unexpected indented line; expected `- entry`"));
        }
        let Some((key, value)) = content.split_once(':') else {
            return Err(syntax(line, "expected `server:`, `client:` or a `- entry` line"));
        };
        let key = key.trim();
        let this = match key {
            "server" => Section::Server,
            "client" => Section::Client,
            _ => return Err(BaselineError::UnknownKey { file: file.to_owned(), line, key: key.to_owned() }),
        };
        if seen_keys.contains(&this) {
            return Err(syntax(line, &format!("`{key}` is given twice")));
        }
        seen_keys.push(this);
        match value.trim() {
            "" | "[]" | "~" | "null" => section = Some(this),
            _ => {
                return Err(syntax(
                    line,
                    &format!("write the `{key}` entries as a block list, one `- entry` per line"),
                ));
            }
        }
    }
    Ok(entries)
}

/// Removes a trailing `# comment` (a `#` at the start or after whitespace, outside quotes).
fn strip_comment(line: &str) -> Result<&str, &'static str> {
    let mut quote: Option<char> = None;
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '#' && prev_space => return Ok(&line[..i]),
            None if (c == '"' || c == '\'') && prev_space => quote = Some(c),
            None => {}
        }
        prev_space = c == ' ' || c == '\t';
    }
    if quote.is_some() {
        return Err("unterminated quoted string");
    }
    Ok(line)
}

/// A list item's value: a plain scalar, or a single- or double-quoted string without escapes.
fn scalar(item: &str, line: usize, file: &str) -> Result<String, BaselineError> {
    let syntax = |message: &str| BaselineError::Syntax { file: file.to_owned(), line, message: message.to_owned() };
    if let Some(rest) = item.strip_prefix('"') {
        return match rest.strip_suffix('"') {
            Some(inner) if inner.contains('\\') => Err(syntax("escape sequences are not supported in entries")),
            Some(inner) if !inner.contains('"') => Ok(inner.to_owned()),
            _ => Err(syntax("text after a quoted string")),
        };
    }
    if let Some(rest) = item.strip_prefix('\'') {
        return match rest.strip_suffix('\'') {
            Some(inner) if !inner.replace("''", "").contains('\'') => Ok(inner.replace("''", "'")),
            _ => Err(syntax("text after a quoted string")),
        };
    }
    if item.starts_with('*') {
        return Err(syntax("a leading `*` is YAML alias syntax; quote the pattern ('*.name')"));
    }
    if item.starts_with(['[', ']', '{', '}', '&', '!', '|', '>', '%', '@', '`', ',', '?']) {
        return Err(syntax("unsupported YAML syntax; entries are plain check ids or patterns"));
    }
    if let Some((key, value)) = item.split_once(": ").or_else(|| item.strip_suffix(':').map(|k| (k, ""))) {
        return Err(BaselineError::MappingEntry {
            file: file.to_owned(),
            line,
            key: key.trim().to_owned(),
            value: value.trim().to_owned(),
        });
    }
    Ok(item.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &[
        "http.origin-403",
        "jsonrpc.parse-error",
        "jsonrpc.unknown-method",
        "tools.list.shape",
        "lifecycle.initialize.succeeds",
    ];

    fn parse(text: &str) -> Result<Vec<String>, BaselineError> {
        Baseline::parse(text, "b.yml", KNOWN).map(|b| b.entries().iter().map(|e| e.text.clone()).collect())
    }

    fn matched(text: &str, id: &str) -> bool {
        Baseline::parse(text, "b.yml", KNOWN).unwrap().entries().iter().any(|e| e.matches(id))
    }

    #[test]
    fn valid_files_parse() {
        let cases: &[(&str, &[&str])] = &[
            ("server:\n  - http.origin-403\n", &["http.origin-403"]),
            ("server:\n- http.origin-403\n- tools\n", &["http.origin-403", "tools"]),
            ("---\n# comment\nserver:   # trailing\n\n  - jsonrpc.*   # glob\n", &["jsonrpc.*"]),
            ("server: []\n", &[]),
            ("server:\n", &[]),
            ("", &[]),
            ("client:\n  - auth/client-credentials-jwt\n  - 'anything: goes'\nserver:\n  - tools\n", &["tools"]),
            ("server:\n  - \"tools.list.shape\"\n  - 'http.origin-403'\n", &["tools.list.shape", "http.origin-403"]),
            ("server:\n  - '*.parse-error'\n", &["*.parse-error"]),
            ("server:\n  - tools-list:tools.list.shape\n", &["tools-list:tools.list.shape"]),
            ("server:\n  - jsonrpc.parse-error#not-a-comment\n", &["jsonrpc.parse-error#not-a-comment"]),
        ];
        for (text, want) in cases {
            match parse(text) {
                // `#` without whitespace before it is part of the entry, which then matches nothing.
                Err(BaselineError::UnknownEntry { entry, .. }) if entry.contains('#') => {}
                Ok(got) => assert_eq!(&got, want, "{text:?}"),
                Err(e) => panic!("{text:?}: {e}"),
            }
        }
    }

    #[test]
    fn entries_match_ids_globs_prefixes_and_scenario_checks() {
        assert!(matched("server:\n  - jsonrpc.*\n", "jsonrpc.parse-error"));
        assert!(!matched("server:\n  - jsonrpc.*\n", "tools.list.shape"));
        assert!(matched("server:\n  - tools\n", "tools.list.shape"));
        assert!(matched("server:\n  - tools.list\n", "tools.list.shape"));
        assert!(!matched("server:\n  - tools.list.shape\n", "tools.list.shape-extra"));
        assert!(matched("server:\n  - tools-list:tools.list.shape\n", "tools.list.shape"));
        assert!(matched("server:\n  - any-scenario:jsonrpc.*\n", "jsonrpc.unknown-method"));
    }

    /// A baseline text, the error it must produce, and a phrase its message must contain.
    type Rejection = (&'static str, fn(&BaselineError) -> bool, &'static str);

    #[test]
    fn every_rejection() {
        let err = |text: &str| parse(text).unwrap_err();
        let cases: Vec<Rejection> = vec![
            (
                "server:\n  - tools: list\n",
                |e| matches!(e, BaselineError::MappingEntry { line: 2, .. }),
                "write `tools:list`",
            ),
            ("server:\n  - tools:\n", |e| matches!(e, BaselineError::MappingEntry { .. }), "is a mapping"),
            (
                "servers:\n  - tools\n",
                |e| matches!(e, BaselineError::UnknownKey { line: 1, .. }),
                "unknown top-level key `servers`",
            ),
            (
                "server:\n  - tools\n  - tools:tools.list.shape\n",
                |e| matches!(e, BaselineError::Contradictory { line: 3, .. }),
                "also covered by `tools`",
            ),
            (
                "server:\n  - s:tools.list.shape\n  - s\n",
                |e| matches!(e, BaselineError::Contradictory { .. }),
                "either whole or per check",
            ),
            (
                "server:\n  - jsonrpc.*\n  - jsonrpc.parse-error\n",
                |e| matches!(e, BaselineError::Contradictory { .. }),
                "covered by `jsonrpc.*`",
            ),
            (
                "server:\n  - no.such-check\n",
                |e| matches!(e, BaselineError::UnknownEntry { line: 2, .. }),
                "`no.such-check` matches no known check",
            ),
            (
                "server:\n  - server-initialize\n",
                |e| matches!(e, BaselineError::UnknownEntry { .. }),
                "server-initialize",
            ),
            (
                "server:\n  - scenario:no.such\n",
                |e| matches!(e, BaselineError::UnknownEntry { .. }),
                "`scenario:no.such`",
            ),
            (
                "server:\n  - tools\n  - tools\n",
                |e| matches!(e, BaselineError::Duplicate { line: 3, .. }),
                "listed twice",
            ),
            ("server:\n  - jsonrpc.[\n", |e| matches!(e, BaselineError::BadPattern { .. }), "not a valid id pattern"),
            ("- tools\n", |e| matches!(e, BaselineError::Syntax { line: 1, .. }), "outside"),
            ("server: tools\n", |e| matches!(e, BaselineError::Syntax { .. }), "block list"),
            ("server: [tools]\n", |e| matches!(e, BaselineError::Syntax { .. }), "block list"),
            ("server:\n  -\n", |e| matches!(e, BaselineError::Syntax { .. }), "empty list item"),
            ("server:\n  - \"tools\n", |e| matches!(e, BaselineError::Syntax { .. }), "unterminated"),
            (
                "server:\n  - {a: b}\n",
                |e| matches!(e, BaselineError::Syntax { .. } | BaselineError::MappingEntry { .. }),
                "",
            ),
            ("server:\n  nested: x\n", |e| matches!(e, BaselineError::Syntax { line: 2, .. }), "indented"),
            ("server:\n\t- tools\n", |e| matches!(e, BaselineError::Syntax { .. }), "tabs"),
            (
                "server:\n  - tools\nserver:\n  - http\n",
                |e| matches!(e, BaselineError::Syntax { line: 3, .. }),
                "given twice",
            ),
            ("server:\n  - *.parse-error\n", |e| matches!(e, BaselineError::Syntax { .. }), "quote the pattern"),
            ("just text\n", |e| matches!(e, BaselineError::Syntax { .. }), "expected `server:`"),
        ];
        for (text, is, fragment) in cases {
            let e = err(text);
            assert!(is(&e), "{text:?}: unexpected {e:?}");
            let msg = e.to_string();
            assert!(msg.starts_with("b.yml:"), "{msg}");
            assert!(msg.contains(fragment), "{text:?}: {msg:?} lacks {fragment:?}");
        }
    }

    #[test]
    fn load_names_the_file_and_reads_real_ids() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.yml");
        let e = Baseline::load(&missing).unwrap_err();
        assert!(matches!(e, BaselineError::Read { .. }));
        assert!(e.to_string().starts_with("failed to read baseline "), "{e}");
        let path = dir.path().join("b.yml");
        std::fs::write(&path, "server:\n  - jsonrpc\n").unwrap();
        let b = Baseline::load(&path).unwrap();
        assert_eq!(b.source(), path.display().to_string());
        assert_eq!(b.entries().len(), 1);
    }

    #[test]
    fn rendered_baselines_parse_back() {
        let text = render_baseline(["tools.list.shape", "http.origin-403"]);
        assert_eq!(parse(&text).unwrap(), ["tools.list.shape", "http.origin-403"]);
        assert_eq!(parse(&render_baseline([])).unwrap(), Vec::<String>::new());
    }
}

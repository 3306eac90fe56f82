//! A bounded, redacting record of everything sent to and received from a target.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::Limits;

/// Which way an entry went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Direction {
    /// From the harness to the target.
    Sent,
    /// From the target to the harness.
    Received,
    /// A remark by the harness (what it did, what it dropped).
    Note,
}

impl Direction {
    /// The lower-case name used in reports: `sent`, `received`, `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Sent => "sent",
            Direction::Received => "received",
            Direction::Note => "note",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// One recorded piece of traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TranscriptEntry {
    /// Sequence number; increases by one per recorded entry (see [`Transcript::mark`]).
    pub seq: u64,
    /// Time since the transcript was created.
    pub at: Duration,
    /// Which way it went.
    pub direction: Direction,
    /// Where: `stdin`, `stdout`, `stderr`, `POST`, `GET`, `DELETE`, `http-reply`, `sse`, `harness`.
    pub channel: String,
    /// The text, redacted and cut to [`Limits::transcript_text_bytes`].
    pub text: String,
    /// Whether `text` was cut.
    pub truncated: bool,
    /// Length in bytes of the text as recorded, before it was cut.
    pub original_len: usize,
}

/// A shared, bounded transcript. Cloning is cheap; clones record into the same log.
///
/// Bounds: each entry keeps at most [`Limits::transcript_text_bytes`] of text, and at most
/// [`Limits::transcript_entries`] entries are kept (the oldest are dropped). Secrets registered with
/// [`Transcript::add_secret`] never appear in stored or returned text.
#[derive(Clone)]
pub struct Transcript {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    origin: Instant,
    entries: VecDeque<TranscriptEntry>,
    next_seq: u64,
    secrets: Vec<String>,
    /// Where a registered secret came back from the target (received text), kept apart from the entries (whose
    /// text is redacted and may be dropped by the entry cap).
    sightings: Vec<Sighting>,
    text_cap: usize,
    entry_cap: usize,
}

/// A registered secret seen in text received from the target: the evidence that it leaked, without the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sighting {
    /// Which secret, named by [`Transcript::hint`] (never the secret itself).
    pub hint: String,
    /// Sequence number of the entry it was seen in.
    pub seq: u64,
    /// The channel it arrived on (`stdout`, `http-reply`, `sse`, `stderr`).
    pub channel: String,
    /// Up to [`SIGHTING_CONTEXT`] bytes either side of it, with every secret masked (the seen one by its hint).
    pub context: String,
}

/// Bytes of text kept either side of a sighting.
pub const SIGHTING_CONTEXT: usize = 80;

/// Sightings kept at most (the first ones: enough to prove a leak).
const SIGHTINGS_CAP: usize = 64;

/// What replaces a secret.
const MASK: &str = "***";

/// Shortest prefix of a secret masked where a cut text ends with it (shorter ones reveal too little to matter and
/// would mask innocent text).
const MIN_PARTIAL_SECRET: usize = 4;

impl Transcript {
    /// An empty transcript; its time origin is now.
    pub fn new(limits: &Limits) -> Self {
        Transcript {
            inner: Arc::new(Mutex::new(Inner {
                origin: Instant::now(),
                entries: VecDeque::new(),
                next_seq: 0,
                secrets: Vec::new(),
                sightings: Vec::new(),
                text_cap: limits.transcript_text_bytes,
                entry_cap: limits.transcript_entries.max(1),
            })),
        }
    }

    /// Records `text` sent or received on `channel`. Stores at most [`Limits::transcript_text_bytes`] (cut on a
    /// character boundary, after redaction).
    pub fn record(&self, direction: Direction, channel: &str, text: &str) {
        self.record_len(direction, channel, text, text.len());
    }

    /// Records the start of a longer text whose full length was `original_len` bytes (`text` is its prefix).
    pub(crate) fn record_len(&self, direction: Direction, channel: &str, text: &str, original_len: usize) {
        let mut inner = self.lock();
        let at = inner.origin.elapsed();
        if direction == Direction::Received && !inner.secrets.is_empty() {
            let seq = inner.next_seq;
            spot(&mut inner, seq, channel, text);
        }
        // Redact what fits (plus the longest secret, so a secret across the cut is still found), then cut.
        let window = inner.text_cap.saturating_add(inner.secrets.iter().map(String::len).max().unwrap_or(0));
        let window_text = &text[..floor_char_boundary(text, window)];
        let redacted = redact(window_text, &inner.secrets);
        let truncated = window_text.len() < original_len || redacted.len() > inner.text_cap;
        let mut stored = if redacted.len() > inner.text_cap {
            redacted[..floor_char_boundary(&redacted, inner.text_cap)].to_owned()
        } else {
            redacted
        };
        if truncated {
            mask_partial_secret(&mut stored, &inner.secrets);
        }
        let seq = inner.next_seq;
        inner.next_seq += 1;
        if inner.entries.len() >= inner.entry_cap {
            inner.entries.pop_front();
        }
        inner.entries.push_back(TranscriptEntry {
            seq,
            at,
            direction,
            channel: channel.to_owned(),
            text: stored,
            truncated,
            original_len: original_len.max(text.len()),
        });
    }

    /// Records a remark by the harness ([`Direction::Note`], channel `harness`).
    pub fn note(&self, text: &str) {
        self.record(Direction::Note, "harness", text);
    }

    /// Registers a secret (a bearer token, a password): it is replaced by `***` in every entry already stored and in
    /// every later one. Empty secrets are ignored.
    pub fn add_secret(&self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let mut inner = self.lock();
        if inner.secrets.iter().any(|s| s == secret) {
            return;
        }
        inner.secrets.push(secret.to_owned());
        // Longest first, so a secret that contains another is masked whole.
        inner.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let secrets = inner.secrets.clone();
        for e in inner.entries.iter_mut() {
            if e.text.contains(secret) {
                e.text = redact(&e.text, &secrets);
            }
            if e.truncated {
                mask_partial_secret(&mut e.text, &secrets);
            }
        }
    }

    /// Every sighting of a registered secret in received text so far (bounded; the first ones).
    pub fn sightings(&self) -> Vec<Sighting> {
        self.lock().sightings.clone()
    }

    /// How a secret is named in evidence without revealing it: its first characters up to a `-` plus the next
    /// four (`mcp-canary-…a1b2`), or `***…` with its length for secrets without such a prefix.
    pub fn hint(secret: &str) -> String {
        hint(secret)
    }

    /// The sequence number the next entry will get; pass it to [`Transcript::since`] later.
    pub fn mark(&self) -> u64 {
        self.lock().next_seq
    }

    /// Entries with `seq >= mark`, at most `max` of them: when there are more, the first and last ones with a note
    /// in between saying how many were left out. Entries already dropped by the entry cap are reported by a note.
    pub fn since(&self, mark: u64, max: usize) -> Vec<TranscriptEntry> {
        if max == 0 {
            return Vec::new();
        }
        let inner = self.lock();
        let at = inner.origin.elapsed();
        let oldest = inner.entries.front().map_or(inner.next_seq, |e| e.seq);
        let mut out = Vec::new();
        let mut budget = max;
        if mark < oldest && oldest > 0 && budget > 1 {
            let dropped = oldest - mark;
            out.push(synthetic_note(
                mark,
                at,
                format!("{dropped} earlier entries were dropped (transcript entry cap)"),
            ));
            budget -= 1;
        }
        let start = inner.entries.partition_point(|e| e.seq < mark);
        let selected = inner.entries.len() - start;
        if selected <= budget {
            out.extend(inner.entries.range(start..).cloned());
        } else {
            let head = (budget - 1) / 2;
            let tail = budget - 1 - head;
            out.extend(inner.entries.range(start..start + head).cloned());
            let omitted = selected - head - tail;
            let first_omitted = inner.entries[start + head].seq;
            out.push(synthetic_note(first_omitted, at, format!("{omitted} entries omitted")));
            out.extend(inner.entries.range(inner.entries.len() - tail..).cloned());
        }
        out
    }

    /// Every kept entry (for tests and full dumps).
    pub fn entries(&self) -> Vec<TranscriptEntry> {
        self.lock().entries.iter().cloned().collect()
    }

    /// Replaces every registered secret in `text` by `***` (for text the harness shows elsewhere).
    pub fn redact(&self, text: &str) -> String {
        redact(text, &self.lock().secrets)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the log inconsistent in a way that matters; keep going.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl fmt::Debug for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.lock();
        f.debug_struct("Transcript")
            .field("entries", &inner.entries.len())
            .field("next_seq", &inner.next_seq)
            .field("secrets", &inner.secrets.len())
            .finish()
    }
}

fn synthetic_note(seq: u64, at: Duration, text: String) -> TranscriptEntry {
    TranscriptEntry {
        seq,
        at,
        direction: Direction::Note,
        channel: "harness".to_owned(),
        original_len: text.len(),
        text,
        truncated: false,
    }
}

/// Records where each secret occurs in `text` (received as entry `seq`).
fn spot(inner: &mut Inner, seq: u64, channel: &str, text: &str) {
    for secret in inner.secrets.clone() {
        let mut from = 0;
        while inner.sightings.len() < SIGHTINGS_CAP
            && let Some(pos) = text[from..].find(secret.as_str())
        {
            let start = from + pos;
            let end = start + secret.len();
            let lo = ceil_char_boundary(text, start.saturating_sub(SIGHTING_CONTEXT));
            let hi = floor_char_boundary(text, end + SIGHTING_CONTEXT);
            let shown = hint(&secret);
            let context = format!(
                "{}{shown}{}",
                redact(&text[lo..start], &inner.secrets),
                redact(&text[end..hi], &inner.secrets)
            );
            inner.sightings.push(Sighting { hint: shown, seq, channel: channel.to_owned(), context });
            from = end;
        }
    }
}

fn hint(secret: &str) -> String {
    match secret.rfind('-') {
        Some(dash) if dash + 5 <= secret.len() && secret.is_char_boundary(dash + 5) => {
            format!("{}…{}", &secret[..=dash], &secret[dash + 1..dash + 5])
        }
        _ => format!("{MASK}({} bytes)", secret.len()),
    }
}

/// The smallest index `>= at` that is a char boundary of `s`.
fn ceil_char_boundary(s: &str, at: usize) -> usize {
    let mut i = at.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// `text` with every secret replaced by [`MASK`]; `secrets` are sorted longest first.
fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), MASK);
        }
    }
    out
}

/// Masks a prefix of a secret at the very end of a cut text (the rest of the secret was cut off).
fn mask_partial_secret(text: &mut String, secrets: &[String]) {
    for s in secrets {
        let longest = s.len().saturating_sub(1).min(text.len());
        for k in (MIN_PARTIAL_SECRET..=longest).rev() {
            if s.is_char_boundary(k) && text.ends_with(&s[..k]) {
                let cut = text.len() - k;
                text.truncate(cut);
                text.push_str(MASK);
                return;
            }
        }
    }
}

/// The largest index `<= at` that is a char boundary of `s` (or `s.len()`).
pub(crate) fn floor_char_boundary(s: &str, at: usize) -> usize {
    if at >= s.len() {
        return s.len();
    }
    let mut i = at;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(text: usize, entries: usize) -> Limits {
        Limits { transcript_text_bytes: text, transcript_entries: entries, ..Limits::default() }
    }

    #[test]
    fn text_is_cut_on_a_char_boundary() {
        let t = Transcript::new(&limits(5, 10));
        t.record(Direction::Sent, "stdin", "abcdé-more");
        let e = &t.entries()[0];
        assert_eq!(e.text, "abcd");
        assert!(e.truncated);
        assert_eq!(e.original_len, "abcdé-more".len());
        t.record(Direction::Received, "stdout", "short");
        let e = &t.entries()[1];
        assert_eq!((e.text.as_str(), e.truncated, e.seq), ("short", false, 1));
    }

    #[test]
    fn oldest_entries_are_dropped() {
        let t = Transcript::new(&limits(100, 3));
        for i in 0..5 {
            t.note(&format!("n{i}"));
        }
        let seqs: Vec<u64> = t.entries().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [2, 3, 4]);
        assert_eq!(t.mark(), 5);
        let since = t.since(0, 10);
        assert_eq!(since.len(), 4);
        assert_eq!(since[0].direction, Direction::Note);
        assert!(since[0].text.contains("2 earlier entries were dropped"), "{}", since[0].text);
    }

    #[test]
    fn secrets_are_redacted_before_and_after() {
        let t = Transcript::new(&limits(100, 10));
        t.record(Direction::Sent, "POST", "authorization: Bearer tok-123456");
        t.add_secret("tok-123456");
        t.add_secret("");
        t.record(Direction::Sent, "POST", "again tok-123456 and tok-123456");
        let texts: Vec<String> = t.entries().into_iter().map(|e| e.text).collect();
        assert_eq!(texts, ["authorization: Bearer ***", "again *** and ***"]);
        assert_eq!(t.redact("x tok-123456"), "x ***");
    }

    #[test]
    fn a_secret_across_the_cut_is_masked() {
        let t = Transcript::new(&limits(12, 10));
        t.add_secret("SECRETVALUE");
        t.record(Direction::Sent, "POST", "0123456SECRETVALUE tail");
        let e = &t.entries()[0];
        assert!(!e.text.contains("SECR"), "{}", e.text);
        assert!(e.truncated);
        // Registered later, the same holds.
        let t = Transcript::new(&limits(12, 10));
        t.record(Direction::Sent, "POST", "0123456SECRETVALUE tail");
        t.add_secret("SECRETVALUE");
        assert_eq!(t.entries()[0].text, "0123456***");
    }

    #[test]
    fn received_secrets_are_sighted_without_being_shown() {
        let t = Transcript::new(&limits(100, 10));
        t.add_secret("mcp-canary-a1b2c3d4e5");
        t.record(Direction::Sent, "stdin", "mcp-canary-a1b2c3d4e5");
        t.record(Direction::Received, "stdout", "env: MCP_HARNESS_CANARY=mcp-canary-a1b2c3d4e5 HOME=/x");
        let s = t.sightings();
        assert_eq!(s.len(), 1, "only received text counts");
        assert_eq!(s[0].hint, "mcp-canary-…a1b2");
        assert_eq!(s[0].context, "env: MCP_HARNESS_CANARY=mcp-canary-…a1b2 HOME=/x");
        assert_eq!((s[0].seq, s[0].channel.as_str()), (1, "stdout"));
        assert!(!t.entries()[1].text.contains("c3d4"));
        assert_eq!(Transcript::hint("tok"), "***(3 bytes)");
    }

    #[test]
    fn since_keeps_head_and_tail() {
        let t = Transcript::new(&limits(100, 100));
        t.note("before");
        let mark = t.mark();
        for i in 0..20 {
            t.record(Direction::Received, "stdout", &format!("m{i}"));
        }
        let all = t.since(mark, 100);
        assert_eq!(all.len(), 20);
        assert_eq!(all[0].text, "m0");
        let few = t.since(mark, 5);
        let texts: Vec<&str> = few.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["m0", "m1", "16 entries omitted", "m18", "m19"]);
        assert_eq!(few[2].direction, Direction::Note);
        assert!(t.since(mark, 0).is_empty());
        assert_eq!(t.since(t.mark(), 10).len(), 0);
    }

    #[test]
    fn clones_share_the_log_and_time_advances() {
        let t = Transcript::new(&Limits::default());
        let u = t.clone();
        t.note("a");
        u.note("b");
        let e = t.entries();
        assert_eq!(e.len(), 2);
        assert!(e[1].at >= e[0].at);
        assert_eq!((e[0].channel.as_str(), e[0].direction), ("harness", Direction::Note));
    }
}

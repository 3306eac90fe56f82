//! Session ids cannot be guessed: 20 fresh sessions give unique ids, not sequential or clock-derived, with at
//! least 122 bits of apparent entropy.

use std::collections::HashSet;

use crate::check::{Check, CheckContext, CheckId, CheckMeta, Conclusion, Finding, Level, Outcome, Severity, Suite};
use crate::check_fn;
use crate::checks::http::sessions::{STATEFUL_HTTP, no_sessions};

/// Sessions opened (each closed with DELETE at once).
const SAMPLES: usize = 20;

/// The entropy of a random (version 4) UUID: the bar for "cryptographically secure".
const MIN_BITS: f64 = 122.0;

/// What to change when the check fails.
const REMEDIATION: &str = "mint session ids from a cryptographically secure random generator with at least 122 bits \
     (a random UUID, or 16+ random bytes encoded), never from a counter or the clock";

/// Session ids look like the output of a secure random generator.
///
/// Twenty sessions are opened one after another (each closed with DELETE at once). Their ids must be unique and
/// consecutive ids must differ in many positions (a counter or a clock changes only the last few); a run of 10 or
/// 13 digits that reads as the current time in seconds or milliseconds is reported and not counted as entropy.
/// The apparent entropy is the number of positions that vary across the sample times log2 of the smallest usual
/// alphabet (digits, hex, alphanumerics, base64, visible ASCII) holding the characters seen there; it must reach
/// 122 bits, a random UUID's. Duplicates and sequential ids break the best practices' MUST ("secure,
/// non-deterministic session IDs") and fail; a low estimate alone is a heuristic against the transport's SHOULD
/// ("cryptographically secure") and warns. Visible ASCII is `http.session-id-visible-ascii`'s.
pub(crate) const SESSION_ID_QUALITY: Check = Check {
    meta: CheckMeta {
        id: CheckId("security.http.session-id-quality"),
        title: "session ids of 20 fresh sessions are unique, neither sequential nor clock-derived, with at least 122 \
                bits of apparent entropy",
        suite: Suite::Security,
        level: Level::Should,
        requirements: &[
            "security.session-id-secure",
            "security.session-ids-random",
            "security.session-ids-non-deterministic",
        ],
        applies: STATEFUL_HTTP,
        tags: &["http", "security", "session"],
    },
    run: check_fn!(session_id_quality),
};

async fn session_id_quality(cx: &mut CheckContext) -> Conclusion {
    if cx.http_target().is_none() {
        return Ok(Outcome::not_applicable("not a Streamable HTTP target"));
    }
    let mut ids = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let mut session = cx.fresh_session().await?;
        let id = session.connection().http().and_then(|h| h.session_id.clone());
        session.close().await;
        match id {
            Some(id) => ids.push(id),
            None if ids.is_empty() => return Ok(no_sessions()),
            None => return Err(Outcome::error("the server issued a session id on some initializes only")),
        }
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let a = assess(&ids, now);
    let sample = ids.iter().take(3).map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ");
    let expected = format!(
        "{SAMPLES} unique ids, consecutive ones differing in many positions, at least {MIN_BITS} bits of apparent \
         entropy"
    );
    let finding = |matched: String| {
        Finding::new(Severity::Medium, Some(330), REMEDIATION)
            .matched(matched)
            .request(format!("{SAMPLES} fresh initializes, each session closed with DELETE"))
            .answer(format!("Mcp-Session-Id values {sample}, …"))
    };
    let timestamp = a.timestamp.as_ref().map(|t| format!("; a clock reading {t}")).unwrap_or_default();
    if a.duplicates > 0 {
        let observed = format!("{} of {SAMPLES} ids repeat an earlier one ({sample}, …)", a.duplicates);
        return Ok(Outcome::violated(expected, observed.clone())
            .breaking("security.session-ids-non-deterministic", Level::Must)
            .with_finding(finding(observed)));
    }
    if a.sequential() {
        let observed = format!(
            "consecutive ids differ in as few as {} of {} varying positions: they follow a counter or the clock \
             ({sample}, …){timestamp}",
            a.min_distance, a.varying
        );
        return Ok(Outcome::violated(expected, observed.clone())
            .breaking("security.session-ids-non-deterministic", Level::Must)
            .with_finding(finding(observed)));
    }
    let summary = format!(
        "{} varying positions over a {}-character alphabet ≈ {:.0} bits; consecutive ids differ in ≥ {} \
         positions{timestamp}",
        a.varying, a.alphabet, a.bits, a.min_distance
    );
    if a.bits < MIN_BITS {
        return Ok(Outcome::violated(expected, format!("{summary} ({sample}, …)")).with_finding(finding(summary)));
    }
    Ok(Outcome::pass_with(summary))
}

/// What a sample of ids shows.
#[derive(Debug, Clone, PartialEq)]
struct Assessment {
    /// Ids equal to an earlier one.
    duplicates: usize,
    /// Positions (outside a clock reading) whose character is not the same in every id.
    varying: usize,
    /// Size of the smallest usual alphabet holding the characters at those positions.
    alphabet: usize,
    /// `varying × log2(alphabet)`.
    bits: f64,
    /// The fewest positions in which two consecutive ids differ (a missing position counts as differing).
    min_distance: usize,
    /// A clock reading found in the ids (`1733500000 s`), if any.
    timestamp: Option<String>,
}

impl Assessment {
    /// Consecutive ids differ in too few positions for random ids.
    fn sequential(&self) -> bool {
        self.min_distance * 2 < self.varying || self.min_distance < 4
    }
}

fn assess(ids: &[String], now_secs: u64) -> Assessment {
    let chars: Vec<Vec<char>> = ids.iter().map(|s| s.chars().collect()).collect();
    let mut seen = HashSet::new();
    let duplicates = ids.iter().filter(|id| !seen.insert(id.as_str())).count();
    let (clock, timestamp) = clock_positions(&chars, now_secs);
    let longest = chars.iter().map(Vec::len).max().unwrap_or(0);
    let mut varying = 0;
    let mut alphabet_seen = HashSet::new();
    for pos in (0..longest).filter(|p| !clock.contains(p)) {
        let column: HashSet<Option<char>> = chars.iter().map(|c| c.get(pos).copied()).collect();
        if column.len() > 1 {
            varying += 1;
            alphabet_seen.extend(column.into_iter().flatten());
        }
    }
    let alphabet = alphabet_size(&alphabet_seen);
    let bits = varying as f64 * (alphabet as f64).log2();
    let min_distance = chars
        .windows(2)
        .map(|w| (0..w[0].len().max(w[1].len())).filter(|p| w[0].get(*p) != w[1].get(*p)).count())
        .min()
        .unwrap_or(0);
    Assessment { duplicates, varying, alphabet, bits, min_distance, timestamp }
}

/// The positions of a run of 10 (seconds) or 13 (milliseconds) digits that reads as a time within a day of
/// `now_secs` in every id that has one, and how it read.
fn clock_positions(ids: &[Vec<char>], now_secs: u64) -> (HashSet<usize>, Option<String>) {
    const DAY: u64 = 86_400;
    let mut positions = HashSet::new();
    let mut reading = None;
    for id in ids {
        let mut start = 0;
        while start < id.len() {
            if !id[start].is_ascii_digit() {
                start += 1;
                continue;
            }
            let end = (start..id.len()).find(|i| !id[*i].is_ascii_digit()).unwrap_or(id.len());
            let run: String = id[start..end].iter().collect();
            let secs = match run.len() {
                10 => run.parse::<u64>().ok(),
                13 => run.parse::<u64>().ok().map(|ms| ms / 1000),
                _ => None,
            };
            if secs.is_some_and(|s| s.abs_diff(now_secs) <= DAY) {
                positions.extend(start..end);
                let unit = if run.len() == 13 { "ms" } else { "s" };
                reading.get_or_insert_with(|| format!("{run} {unit} since 1970 at positions {start}–{}", end - 1));
            }
            start = end;
        }
    }
    (positions, reading)
}

/// The smallest usual alphabet containing every character of `seen`.
fn alphabet_size(seen: &HashSet<char>) -> usize {
    let all = |f: fn(&char) -> bool| seen.iter().all(f);
    if seen.is_empty() {
        1
    } else if all(char::is_ascii_digit) {
        10
    } else if all(|c| c.is_ascii_digit() || ('a'..='f').contains(c))
        || all(|c| c.is_ascii_digit() || ('A'..='F').contains(c))
    {
        16
    } else if all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
        || all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    {
        36
    } else if all(char::is_ascii_alphanumeric) {
        62
    } else if all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/' | '=')) {
        64
    } else {
        94
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_765_000_000;

    fn uuid(n: u128) -> String {
        let h = format!("{n:032x}");
        format!("{}-{}-4{}-a{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
    }

    #[test]
    fn random_uuids_pass() {
        let ids: Vec<String> = (0..SAMPLES).map(|_| uuid(rand::random())).collect();
        let a = assess(&ids, NOW);
        assert_eq!(a.duplicates, 0);
        assert!(!a.sequential(), "{a:?}");
        assert_eq!(a.alphabet, 16);
        // 30 random hex digits (the variant digit is fixed to `a` here).
        assert!(a.bits >= 120.0, "{a:?}");
    }

    #[test]
    fn random_128_bit_hex_ids_reach_the_bar() {
        let ids: Vec<String> = (0..SAMPLES).map(|_| format!("{:032x}", rand::random::<u128>())).collect();
        let a = assess(&ids, NOW);
        assert!(!a.sequential() && a.bits >= MIN_BITS, "{a:?}");
    }

    #[test]
    fn counters_are_sequential_and_weak() {
        let ids: Vec<String> = (1..=SAMPLES).map(|n| format!("session-{n:08}")).collect();
        let a = assess(&ids, NOW);
        assert!(a.sequential(), "{a:?}");
        assert!(a.bits < MIN_BITS);
    }

    #[test]
    fn clock_readings_are_found_and_not_counted() {
        let ids: Vec<String> = (0..SAMPLES as u64).map(|n| format!("{}-{:04x}", (NOW * 1000) + n * 7, n)).collect();
        let a = assess(&ids, NOW);
        assert!(a.timestamp.as_deref().is_some_and(|t| t.contains("ms")), "{a:?}");
        assert!(a.sequential() && a.bits < MIN_BITS, "{a:?}");
    }

    #[test]
    fn duplicates_are_counted() {
        let ids = vec!["a".repeat(32), "b".repeat(32), "a".repeat(32)];
        assert_eq!(assess(&ids, NOW).duplicates, 1);
    }
}

//! Sharding the selected checks across machines (`--partition hash:K/N` or `count:K/N`), like nextest's
//! partitions: each of N jobs runs shard K of the same selection, and `mcp-harness report merge` joins their
//! reports. Every selected check lands in exactly one shard.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// How checks are assigned to shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionKind {
    /// By a hash of the check id: a check stays in its shard when other checks are added or removed (shards may
    /// be uneven on small selections).
    Hash,
    /// By position in the selection (round robin): even shards, but adding a check moves the ones after it.
    Count,
}

/// Shard `shard` of `total` (1-based), assigned by `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// How checks are assigned.
    pub kind: PartitionKind,
    /// This shard, 1 ≤ shard ≤ total.
    pub shard: u32,
    /// The number of shards, ≥ 1.
    pub total: u32,
}

/// A `--partition` value that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid partition `{value}`: {reason} (expected `hash:K/N` or `count:K/N` with 1 ≤ K ≤ N, e.g. `hash:1/3`)")]
pub struct PartitionError {
    /// The value given.
    pub value: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl FromStr for Partition {
    type Err = PartitionError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let error = |reason| PartitionError { value: value.to_owned(), reason };
        let (kind, shards) = value.split_once(':').ok_or_else(|| error("no `hash:` or `count:` prefix"))?;
        let kind = match kind {
            "hash" => PartitionKind::Hash,
            "count" => PartitionKind::Count,
            _ => return Err(error("the kind is neither `hash` nor `count`")),
        };
        let (shard, total) = shards.split_once('/').ok_or_else(|| error("no `/` between shard and total"))?;
        let shard: u32 = shard.trim().parse().map_err(|_| error("the shard is not a whole number"))?;
        let total: u32 = total.trim().parse().map_err(|_| error("the total is not a whole number"))?;
        if total == 0 {
            return Err(error("the total is 0"));
        }
        if shard == 0 || shard > total {
            return Err(error("the shard is outside 1..=total"));
        }
        Ok(Partition { kind, shard, total })
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            PartitionKind::Hash => "hash",
            PartitionKind::Count => "count",
        };
        write!(f, "{kind}:{}/{}", self.shard, self.total)
    }
}

impl Partition {
    /// Whether the check `id`, at `position` (0-based) in the selection, belongs to this shard.
    pub fn includes(&self, id: &str, position: usize) -> bool {
        let bucket = match self.kind {
            // SHA-256 rather than the std hasher: the assignment must be the same on every machine and version.
            PartitionKind::Hash => {
                let digest = Sha256::digest(id.as_bytes());
                let mut first = [0u8; 8];
                first.copy_from_slice(&digest[..8]);
                u64::from_be_bytes(first) % u64::from(self.total)
            }
            PartitionKind::Count => position as u64 % u64::from(self.total),
        };
        bucket == u64::from(self.shard - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        let p: Partition = "hash:2/3".parse().unwrap();
        assert_eq!(p, Partition { kind: PartitionKind::Hash, shard: 2, total: 3 });
        assert_eq!(p.to_string(), "hash:2/3");
        assert_eq!("count:1/1".parse::<Partition>().unwrap().kind, PartitionKind::Count);
        for bad in ["", "hash", "hash:1", "hash:0/2", "hash:3/2", "hash:1/0", "slice:1/2", "hash:a/2", "count:1/b"] {
            let error = bad.parse::<Partition>().unwrap_err();
            assert!(error.to_string().contains("expected `hash:K/N`"), "{bad}: {error}");
        }
    }

    #[test]
    fn every_check_lands_in_exactly_one_shard() {
        let ids: Vec<String> = crate::checks::all().iter().map(|c| c.meta.id.as_str().to_owned()).collect();
        for kind in [PartitionKind::Hash, PartitionKind::Count] {
            for total in 1..=5 {
                let shards: Vec<Partition> = (1..=total).map(|shard| Partition { kind, shard, total }).collect();
                for (position, id) in ids.iter().enumerate() {
                    let homes = shards.iter().filter(|p| p.includes(id, position)).count();
                    assert_eq!(homes, 1, "{id} in {homes} of {total} {kind:?} shards");
                }
                // No shard of a real selection is empty when there are more checks than shards.
                for p in &shards {
                    assert!(ids.iter().enumerate().any(|(i, id)| p.includes(id, i)), "{p} is empty");
                }
            }
        }
    }

    #[test]
    fn hash_shards_do_not_move_when_checks_are_added() {
        let p = Partition { kind: PartitionKind::Hash, shard: 1, total: 4 };
        let before = p.includes("jsonrpc.parse-error", 0);
        assert_eq!(before, p.includes("jsonrpc.parse-error", 17), "the position does not matter");
    }
}

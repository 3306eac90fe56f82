//! The scopes of this resource and the roles that grant them.

use std::fmt;

/// One scope of the reference server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Scope {
    /// Every MCP request: initialize, ping, lists, reads, prompts, completion, read-only tools.
    Read,
    /// `tools/call` of a tool that is not annotated read-only.
    Write,
    /// Token revocation (`POST /oauth/revoke`).
    Admin,
}

impl Scope {
    /// Every scope, in the order `scopes_supported` lists them.
    pub(crate) const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Admin];

    /// The scope's name in tokens and metadata.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "mcp:read",
            Scope::Write => "mcp:write",
            Scope::Admin => "mcp:admin",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Scope::ALL.into_iter().find(|s| s.as_str() == name)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of scopes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Scopes(u8);

impl Scopes {
    /// The set of `scopes`.
    pub(crate) fn of(scopes: &[Scope]) -> Self {
        Self(scopes.iter().fold(0, |bits, s| bits | s.bit()))
    }

    /// What a token grants: its `scope` claim (space-separated; unknown names ignored) plus its `roles`
    /// (`reader` → read; `writer` → read, write; `admin` → read, write, admin; unknown roles ignored).
    pub(crate) fn granted(scope_claim: Option<&str>, roles: &[String]) -> Self {
        let mut set = Self::default();
        for name in scope_claim.unwrap_or_default().split(' ') {
            if let Some(scope) = Scope::parse(name) {
                set.0 |= scope.bit();
            }
        }
        for role in roles {
            let implied: &[Scope] = match role.as_str() {
                "reader" => &[Scope::Read],
                "writer" => &[Scope::Read, Scope::Write],
                "admin" => &Scope::ALL,
                _ => &[],
            };
            set.0 |= Self::of(implied).0;
        }
        set
    }

    /// Whether every scope of `needed` is in the set.
    pub(crate) fn contains_all(self, needed: Scopes) -> bool {
        self.0 & needed.0 == needed.0
    }

    fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.0 & s.bit() != 0)
    }
}

/// Space-separated, as in a `scope` parameter.
impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, scope) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(scope.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_claims_and_roles_grant_scopes() {
        let read = Scopes::of(&[Scope::Read]);
        let read_write = Scopes::of(&[Scope::Read, Scope::Write]);
        assert_eq!(Scopes::granted(Some("mcp:read  other"), &[]), read);
        assert_eq!(Scopes::granted(None, &["reader".into()]), read);
        assert_eq!(Scopes::granted(Some("mcp:read"), &["writer".into()]), read_write);
        assert_eq!(Scopes::granted(None, &["admin".into()]), Scopes::of(&Scope::ALL));
        assert_eq!(Scopes::granted(Some(""), &["root".into()]), Scopes::default());
        assert!(read_write.contains_all(read));
        assert!(!read.contains_all(read_write));
        assert_eq!(read_write.to_string(), "mcp:read mcp:write");
    }
}

//! `WWW-Authenticate` challenges, parsed by RFC 9110 §11.6.1 and §11.2:
//!
//! ```text
//! WWW-Authenticate = #challenge
//! challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//! auth-param = token BWS "=" BWS ( token / quoted-string )
//! ```
//!
//! Parameter names and the scheme are case-insensitive (kept lower-case here); quoted strings are unescaped. A
//! field that does not follow the grammar yields the challenges read before the fault.

/// One challenge: a scheme and its parameters (or a token68).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The scheme, lower-cased (`bearer`).
    pub scheme: String,
    /// A token68 in place of parameters, if any.
    pub token68: Option<String>,
    /// The parameters in order, names lower-cased, values unquoted.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// The value of parameter `name` (case-insensitive); the first if repeated.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Whether the scheme is `Bearer`.
    pub fn is_bearer(&self) -> bool {
        self.scheme == "bearer"
    }
}

/// The challenges of one or more `WWW-Authenticate` field values (several fields are one list).
pub fn parse_all<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Challenge> {
    values.into_iter().flat_map(parse).collect()
}

/// The Bearer challenge among `challenges`, if any.
pub fn bearer(challenges: &[Challenge]) -> Option<&Challenge> {
    challenges.iter().find(|c| c.is_bearer())
}

/// The challenges of one field value.
pub fn parse(value: &str) -> Vec<Challenge> {
    let mut p = Parser { s: value.as_bytes(), i: 0 };
    let mut out = Vec::new();
    p.skip_list_separators();
    while let Some(scheme) = p.token() {
        let mut challenge = Challenge { scheme: scheme.to_ascii_lowercase(), token68: None, params: Vec::new() };
        // Whether the last thing read was a list comma: only then may a new challenge start.
        let mut after_comma = false;
        let mut first = true;
        let mut next_challenge = false;
        loop {
            p.skip_ows();
            if p.at_end() {
                break;
            }
            if p.peek() == Some(b',') {
                p.i += 1;
                after_comma = true;
                first = false;
                continue;
            }
            if let Some((name, value, comma)) = p.auth_param() {
                challenge.params.push((name.to_ascii_lowercase(), value));
                after_comma = comma;
                first = false;
                continue;
            }
            if first && let Some(t) = p.token68() {
                challenge.token68 = Some(t);
                first = false;
                continue;
            }
            next_challenge = after_comma;
            break;
        }
        out.push(challenge);
        if !next_challenge {
            // The end, or text that follows no rule of the grammar: keep what was read.
            break;
        }
    }
    out
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)
}

impl Parser<'_> {
    fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn skip_list_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.i += 1;
        }
    }

    fn token(&mut self) -> Option<String> {
        let start = self.i;
        while self.peek().is_some_and(is_tchar) {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    /// `token BWS "=" BWS ( token / quoted-string )`, followed by OWS and then `,` (consumed: the third value
    /// says so) or the end; rewinds otherwise.
    fn auth_param(&mut self) -> Option<(String, String, bool)> {
        let start = self.i;
        let result = (|| {
            let name = self.token()?;
            self.skip_ows();
            if self.peek() != Some(b'=') {
                return None;
            }
            self.i += 1;
            self.skip_ows();
            let value = if self.peek() == Some(b'"') { self.quoted_string()? } else { self.token()? };
            self.skip_ows();
            let comma = match self.peek() {
                None => false,
                Some(b',') => {
                    self.i += 1;
                    true
                }
                Some(_) => return None,
            };
            Some((name, value, comma))
        })();
        if result.is_none() {
            self.i = start;
        }
        result
    }

    /// `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`, followed by OWS and `,` or the end.
    fn token68(&mut self) -> Option<String> {
        let start = self.i;
        while self.peek().is_some_and(is_token68_char) {
            self.i += 1;
        }
        if self.i == start {
            return None;
        }
        while self.peek() == Some(b'=') {
            self.i += 1;
        }
        let end = self.i;
        self.skip_ows();
        if !(self.at_end() || self.peek() == Some(b',')) {
            self.i = start;
            return None;
        }
        Some(String::from_utf8_lossy(&self.s[start..end]).into_owned())
    }

    /// `DQUOTE *( qdtext / quoted-pair ) DQUOTE`, unescaped.
    fn quoted_string(&mut self) -> Option<String> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(String::from_utf8_lossy(&out).into_owned());
                }
                b'\\' => {
                    self.i += 1;
                    out.push(self.peek()?);
                    self.i += 1;
                }
                b => {
                    out.push(b);
                    self.i += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bearer_challenge_with_quoted_parameters() {
        let c = parse(
            r#"Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource", scope="files:read""#,
        );
        assert_eq!(c.len(), 1);
        assert!(c[0].is_bearer());
        assert_eq!(
            c[0].param("resource_metadata"),
            Some("https://mcp.example.com/.well-known/oauth-protected-resource")
        );
        assert_eq!(c[0].param("SCOPE"), Some("files:read"));
    }

    #[test]
    fn tokens_escapes_and_whitespace_around_equals() {
        let c = parse(r#"bearer error = invalid_token ,error_description="say \"no\", twice""#);
        assert_eq!(c[0].param("error"), Some("invalid_token"));
        assert_eq!(c[0].param("error_description"), Some(r#"say "no", twice"#));
    }

    #[test]
    fn several_challenges_in_one_field_and_across_fields() {
        let c = parse(r#"Basic realm="x", Bearer error="insufficient_scope", scope="a b", Negotiate abc/+=="#);
        let schemes: Vec<&str> = c.iter().map(|c| c.scheme.as_str()).collect();
        assert_eq!(schemes, ["basic", "bearer", "negotiate"]);
        assert_eq!(c[1].param("scope"), Some("a b"));
        assert_eq!(c[2].token68.as_deref(), Some("abc/+=="));
        let all = parse_all(["Basic realm=\"x\"", "Bearer"]);
        assert_eq!(bearer(&all).map(|c| c.params.len()), Some(0));
    }

    #[test]
    fn a_bare_scheme_and_malformed_fields() {
        assert_eq!(parse("Bearer")[0].params, vec![]);
        assert!(parse("").is_empty());
        assert!(parse("   ,  ").is_empty());
        // An unterminated quoted string ends the parse without a panic.
        let c = parse(r#"Bearer realm="unterminated"#);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].param("realm"), None);
    }
}

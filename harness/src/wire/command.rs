//! How a stdio target is started, and POSIX-shell-like splitting of a command line into words.

use std::path::PathBuf;

use super::WireError;

/// A program to start as a stdio target: no shell is involved.
#[derive(Clone, PartialEq, Eq)]
pub struct StdioCommand {
    /// The program (a path, or a name looked up in `PATH`).
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Environment variables set in addition to the inherited environment.
    pub env: Vec<(String, String)>,
    /// Working directory; the harness's own when `None`.
    pub cwd: Option<PathBuf>,
}

impl StdioCommand {
    /// The process to start for this command: its arguments, environment and working directory, stdin, stdout and
    /// stderr piped, in a process group of its own (so the whole tree can be ended), killed when dropped.
    pub fn piped_command(&self) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(&self.program);
        command
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        if let Some(dir) = &self.cwd {
            command.current_dir(dir);
        }
        #[cfg(unix)]
        command.process_group(0);
        command
    }

    /// Splits `command_line` into a program and arguments the way a POSIX shell splits words — blanks separate
    /// words; `'…'` is literal; `"…"` is literal except for `\\`, `\"`, `\$`, `` \` `` and line continuations; a
    /// backslash outside quotes escapes the next character — without running a shell: no variables, globs,
    /// redirections, pipes or `NAME=value` prefixes.
    ///
    /// Fails on an empty line, an unterminated quote or a trailing backslash.
    pub fn parse(command_line: &str) -> Result<Self, WireError> {
        let mut words = split_words(command_line)?.into_iter();
        let program =
            words.next().ok_or_else(|| WireError::InvalidCommand { reason: "the command line is empty".to_owned() })?;
        Ok(StdioCommand { program, args: words.collect(), env: Vec::new(), cwd: None })
    }

    /// The command as a shell would need it typed, for reports; environment variables show their names only.
    pub fn display(&self) -> String {
        let mut parts: Vec<String> = self.env.iter().map(|(name, _)| format!("{}=***", quote_word(name))).collect();
        parts.push(quote_word(&self.program));
        parts.extend(self.args.iter().map(|a| quote_word(a)));
        parts.join(" ")
    }
}

impl std::fmt::Debug for StdioCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Environment values may hold secrets; show names only.
        let env: Vec<&str> = self.env.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("StdioCommand")
            .field("program", &self.program)
            .field("args", &self.args)
            .field("env", &env)
            .field("cwd", &self.cwd)
            .finish()
    }
}

/// Splits a command line into words (see [`StdioCommand::parse`]).
fn split_words(line: &str) -> Result<Vec<String>, WireError> {
    let invalid = |reason: &str| WireError::InvalidCommand { reason: reason.to_owned() };
    let mut words = Vec::new();
    let mut word = String::new();
    // Whether a word has started (an empty quoted string is a word).
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(invalid("unterminated single quote")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('\\' | '"' | '$' | '`')) => word.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(invalid("unterminated double quote")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(invalid("unterminated double quote")),
                    }
                }
            }
            '\\' => match chars.next() {
                // A line continuation joins the lines.
                Some('\n') => {}
                Some(c) => {
                    in_word = true;
                    word.push(c);
                }
                None => return Err(invalid("trailing backslash")),
            },
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// `word` quoted so that [`StdioCommand::parse`] (and a POSIX shell) reads it back as one word.
pub(crate) fn quote_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ',' | ':' | '=' | '+' | '@' | '%')
        });
    if plain { word.to_owned() } else { format!("'{}'", word.replace('\'', r"'\''")) }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("server", &["server"])]
    #[case("  node  dist/index.js --stdio ", &["node", "dist/index.js", "--stdio"])]
    #[case("a\tb\nc", &["a", "b", "c"])]
    #[case("say 'hello world'", &["say", "hello world"])]
    #[case(r#"say "hello world""#, &["say", "hello world"])]
    #[case(r#"x "a \"q\" \$HOME \\ \n""#, &["x", r#"a "q" $HOME \ \n"#])]
    #[case(r"x 'no \escapes'", &["x", r"no \escapes"])]
    #[case(r"x a\ b \'c\'", &["x", "a b", "'c'"])]
    #[case(r#"x '' """#, &["x", "", ""])]
    #[case(r#"x a'b'"c"d"#, &["x", "abcd"])]
    #[case("x a\\\nb", &["x", "ab"])]
    #[case("x $HOME *.rs > out | y", &["x", "$HOME", "*.rs", ">", "out", "|", "y"])]
    #[case("FOO=1 server", &["FOO=1", "server"])]
    #[case("x 'it'\\''s'", &["x", "it's"])]
    #[case("x é \"ü ß\"", &["x", "é", "ü ß"])]
    fn parses(#[case] line: &str, #[case] words: &[&str]) {
        let cmd = StdioCommand::parse(line).unwrap();
        let mut got = vec![cmd.program];
        got.extend(cmd.args);
        assert_eq!(got, words);
    }

    #[rstest]
    #[case("")]
    #[case("   \t ")]
    #[case("x 'open")]
    #[case("x \"open")]
    #[case("x \"open\\")]
    #[case("x \\")]
    fn rejects(#[case] line: &str) {
        let err = StdioCommand::parse(line).unwrap_err();
        assert!(matches!(err, WireError::InvalidCommand { .. }));
        assert!(err.to_string().starts_with("failed to parse the command line: "));
    }

    #[test]
    fn display_quotes_and_hides_env_values() {
        let cmd = StdioCommand {
            program: "my server".into(),
            args: vec!["--token-file".into(), "a'b".into(), "".into(), "plain-1.0".into()],
            env: vec![("API_KEY".into(), "hunter2".into())],
            cwd: None,
        };
        assert_eq!(cmd.display(), r"API_KEY=*** 'my server' --token-file 'a'\''b' '' plain-1.0");
        assert!(!format!("{cmd:?}").contains("hunter2"));
    }

    proptest! {
        #[test]
        fn parse_reads_back_quoted_words(words in prop::collection::vec(any::<String>(), 1..6)) {
            let line = words.iter().map(|w| quote_word(w)).collect::<Vec<_>>().join(" ");
            let cmd = StdioCommand::parse(&line).unwrap();
            let mut got = vec![cmd.program];
            got.extend(cmd.args);
            prop_assert_eq!(got, words);
        }

        #[test]
        fn parse_never_panics(line in ".{0,64}") {
            let _ = StdioCommand::parse(&line);
        }
    }
}

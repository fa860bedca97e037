//! The only module that talks to the parser (`ruff_python_parser`).

use ruff_python_ast::visitor::{walk_stmt, Visitor};
use ruff_python_ast::Stmt;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::analyze::Reporter;

/// Parses a module; syntax errors become diagnostics (code `E0001`) and `None`.
pub fn parse(source: &str, reporter: &mut Reporter<'_>) -> Option<Vec<Stmt>> {
    // CPython refuses a source with a NUL byte anywhere, comments and strings included.
    if let Some(at) = source.find('\0') {
        let at = TextSize::try_from(at).unwrap_or_default();
        reporter.error(
            &TextRange::at(at, TextSize::from(1)),
            "E0001",
            "syntax error: source code cannot contain null bytes",
            "a NUL byte",
            Some("remove it: CPython refuses any source that holds one"),
        );
        return None;
    }
    // CPython 3.11's grammar: what is newer (`type X = ...`, PEP 695 generics, ...) is a syntax
    // error that names the version that added it.
    let options = ruff_python_parser::ParseOptions::from(ruff_python_parser::Mode::Module)
        .with_target_version(ruff_python_ast::PythonVersion::PY311);
    let parsed = ruff_python_parser::parse(source, options).map(|p| {
        p.try_into_module()
            .expect("a module parsed in module mode is a module")
    });
    match parsed {
        Ok(parsed) => {
            let unsupported = parsed.unsupported_syntax_errors();
            if let Some(e) = unsupported.first() {
                reporter.error(
                    &e.range,
                    "E0001",
                    format!("syntax error: {e}"),
                    "invalid syntax",
                    Some("this syntax needs a newer Python than 3.11, which entiflow follows"),
                );
                return None;
            }
            if let Some(at) = too_deeply_nested(parsed.tokens()) {
                reporter.error(
                    &at,
                    "E0001",
                    "syntax error: too many nested parentheses",
                    "the 201st bracket open at once",
                    Some("CPython's tokenizer allows 200 nested brackets: name the inner parts"),
                );
                return None;
            }
            let suite: Vec<Stmt> = parsed.into_suite().into_iter().collect();
            if let Some(at) = inconsistent_tabs(source, &suite) {
                reporter.error(
                    &at,
                    "E0001",
                    "syntax error: inconsistent use of tabs and spaces in indentation (TabError)",
                    "indentation mixes tabs and spaces",
                    Some("indent with spaces only (4 per level), as CPython requires the same indentation whatever a tab's width"),
                );
                return None;
            }
            Some(suite)
        }
        Err(e) => {
            let message = e.error.to_string();
            // An error at the end of the file (an unclosed bracket, say) is shown at the end of
            // its last line, not on the empty line after the final newline.
            let last = source.trim_end().len();
            let location = if usize::from(e.location.start()) >= last {
                TextRange::empty(TextSize::try_from(last).unwrap_or_default())
            } else {
                e.location
            };
            reporter.error(
                &location,
                "E0001",
                format!("syntax error: {message}"),
                "invalid syntax",
                Some(syntax_hint(&message)),
            );
            None
        }
    }
}

/// How many brackets (`(`, `[`, `{`) CPython's tokenizer lets be open at once.
const MAX_BRACKET_NESTING: usize = 200;

/// The bracket that opens one level more than [`MAX_BRACKET_NESTING`], outside f-strings
/// (whose fields CPython 3.11 tokenizes on their own).
fn too_deeply_nested(tokens: &ruff_python_ast::token::Tokens) -> Option<TextRange> {
    use ruff_python_ast::token::TokenKind;
    let (mut depth, mut fstrings) = (0usize, 0usize);
    for token in tokens.iter() {
        match token.kind() {
            TokenKind::FStringStart | TokenKind::TStringStart => fstrings += 1,
            TokenKind::FStringEnd | TokenKind::TStringEnd => fstrings = fstrings.saturating_sub(1),
            _ if fstrings > 0 => {}
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                depth += 1;
                if depth > MAX_BRACKET_NESTING {
                    return Some(token.range());
                }
            }
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                depth = depth.saturating_sub(1)
            }
            _ => {}
        }
    }
    None
}

/// A hint for a syntax error, from its message.
fn syntax_hint(message: &str) -> &'static str {
    let m = message.to_ascii_lowercase();
    if m.contains("expected ':'") || m.contains("expected `:`") {
        "a compound statement (`def`, `class`, `if`, `for`, `while`, `try`, `with`) ends its first line with `:`"
    } else if m.contains("indent") {
        "indent each block one level deeper than the line that opens it, with the same number of spaces throughout"
    } else if m.contains("string") || m.contains("quote") {
        "close each string with the quote it opens with; use triple quotes for text over several lines"
    } else if m.contains("expected ')'")
        || m.contains("expected `)`")
        || m.contains("expected `]`")
        || m.contains("expected `}`")
        || m.contains("expected ']'")
        || m.contains("expected '}'")
        || m.contains("unclosed")
        || m.contains("end of file")
    {
        "every `(`, `[` and `{` needs its closing partner"
    } else {
        "entiflow reads Python 3.11 syntax: `python3 -m py_compile FILE` reports the same error"
    }
}

/// Where the indentation of a statement is ambiguous (it depends on a tab's width), as CPython
/// reports with `TabError`: each statement's indentation is compared with the enclosing levels
/// once with tabs to the next multiple of 8 and once with tabs as one column; both must agree.
fn inconsistent_tabs(source: &str, suite: &[Stmt]) -> Option<TextRange> {
    let has_tab_indent = source.lines().any(|l| {
        l.chars()
            .take_while(|c| c.is_whitespace())
            .any(|c| c == '\t')
    });
    if !has_tab_indent {
        return None;
    }
    struct Starts(Vec<TextSize>);
    impl<'a> Visitor<'a> for Starts {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            self.0.push(stmt.start());
            walk_stmt(self, stmt);
        }
    }
    let mut starts = Starts(Vec::new());
    for stmt in suite {
        starts.visit_stmt(stmt);
    }
    // The lines statements start on, in order (a statement after `if x:` on its line is skipped).
    let mut lines: Vec<usize> = starts
        .0
        .iter()
        .map(|at| {
            let at = usize::from(*at).min(source.len());
            source[..at].rfind('\n').map_or(0, |i| i + 1)
        })
        .collect();
    lines.sort_unstable();
    lines.dedup();
    let mut levels: Vec<(usize, usize)> = vec![(0, 0)];
    for line_start in lines {
        let (mut wide, mut narrow) = (0usize, 0usize);
        let mut end = line_start;
        for c in source[line_start..].chars() {
            match c {
                ' ' => {
                    wide += 1;
                    narrow += 1;
                }
                '\t' => {
                    wide = (wide / 8 + 1) * 8;
                    narrow += 1;
                }
                '\x0c' => {
                    wide = 0;
                    narrow = 0;
                }
                _ => break,
            }
            end += c.len_utf8();
        }
        let here = TextRange::new(
            TextSize::try_from(line_start).ok()?,
            TextSize::try_from(end).ok()?,
        );
        while levels.last().is_some_and(|(w, _)| wide < *w) {
            levels.pop();
        }
        let &(top_wide, top_narrow) = levels.last()?;
        if wide == top_wide {
            if narrow != top_narrow {
                return Some(here);
            }
        } else if narrow <= top_narrow {
            return Some(here);
        } else {
            levels.push((wide, narrow));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::inconsistent_tabs;

    fn ambiguous(source: &str) -> bool {
        let suite: Vec<_> = ruff_python_parser::parse_module(source)
            .expect("parses")
            .into_suite()
            .into_iter()
            .collect();
        inconsistent_tabs(source, &suite).is_some()
    }

    #[test]
    fn indentation_cpython_accepts_is_accepted() {
        // Tabs only, spaces only, and a tab followed by spaces deeper than both readings.
        assert!(!ambiguous("class A:\n\tdef f(self):\n\t\treturn 1\n"));
        assert!(!ambiguous("class A:\n    def f(self):\n        return 1\n"));
        assert!(!ambiguous(
            "class A:\n\tdef f(self):\n\t        x = 1\n\n\tdef g(self):\n                return 2\n"
        ));
    }

    #[test]
    fn indentation_that_depends_on_a_tabs_width_is_refused() {
        // A tab and eight spaces are one level at width 8 and different levels at width 1.
        assert!(ambiguous(
            "class A:\n\tdef f(self):\n        x = 1\n\tdef g(self):\n\t\treturn 2\n"
        ));
    }
}

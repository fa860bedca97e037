//! The only module that talks to the parser (`ruff_python_parser`).

use ruff_python_ast::Stmt;

use crate::analyze::Reporter;

/// Parses a module; syntax errors become diagnostics (code `E0001`) and `None`.
pub fn parse(source: &str, reporter: &mut Reporter<'_>) -> Option<Vec<Stmt>> {
    match ruff_python_parser::parse_module(source) {
        Ok(parsed) => {
            let unsupported = parsed.unsupported_syntax_errors();
            if let Some(e) = unsupported.first() {
                reporter.error(
                    &e.range,
                    "E0001",
                    format!("syntax error: {e}"),
                    "invalid syntax",
                    None,
                );
                return None;
            }
            Some(parsed.into_suite().into_iter().collect())
        }
        Err(e) => {
            reporter.error(
                &e.location,
                "E0001",
                format!("syntax error: {}", e.error),
                "invalid syntax",
                None,
            );
            None
        }
    }
}

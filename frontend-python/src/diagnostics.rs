//! Diagnostics: what the compiler reports about a program, and how it renders them.

use annotate_snippets::renderer::DEFAULT_TERM_WIDTH;
use annotate_snippets::{Level, Renderer, Snippet};
use ir::Span;
use serde::Serialize;

/// One error found in a program, with a stable code, a location and a hint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// A stable code such as `E0201`; see `docs/diagnostics.md`.
    pub code: &'static str,
    /// The headline.
    pub message: String,
    /// The label under the offending source.
    pub label: String,
    /// How to fix it, if there is a known way.
    pub hint: Option<String>,
    /// Where (1-based line and column).
    pub span: Span,
    /// Byte offsets of the span in the source.
    #[serde(skip)]
    pub range: (usize, usize),
}

impl Diagnostic {
    /// Renders the diagnostic like rustc and ruff do: `file:line:col`, the source line, a label
    /// and a hint.
    pub fn render(&self, file: &str, source: &str, color: bool) -> String {
        let start = self.range.0.min(source.len());
        let end = self.range.1.clamp(start, source.len());
        // On an empty line (an empty file, say) the renderer finds nothing to point at and
        // drops the label: that one case is laid out here, the same way.
        let at_line_start = start == 0 || source[..start].ends_with('\n');
        let rest = &source[start..];
        if at_line_start && start == end && (rest.is_empty() || rest.starts_with(['\n', '\r'])) {
            return self.render_on_empty_line(file, source[..start].matches('\n').count() + 1);
        }
        // A NUL byte (refused, E0001) is shown as a space: the same width, and no raw control
        // character on the terminal.
        let shown;
        let source = if source.contains('\0') {
            shown = source.replace('\0', " ");
            shown.as_str()
        } else {
            source
        };
        let title = self.message.as_str();
        let mut message = Level::Error.title(title).id(self.code).snippet(
            Snippet::source(source)
                .origin(file)
                .line_start(1)
                .fold(true)
                .annotation(Level::Error.span(start..end).label(&self.label)),
        );
        if let Some(hint) = &self.hint {
            message = message.footer(Level::Help.title(hint));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        // Source lines are shown whole, as ruff does: the renderer's cutting of long lines
        // misplaces the label.
        let renderer =
            renderer.term_width(DEFAULT_TERM_WIDTH.max(longest_line(source, start, end) + 40));
        let rendered = renderer.render(message).to_string();
        rendered
    }

    /// [`Diagnostic::render`] for a diagnostic on empty line `line`, plain.
    fn render_on_empty_line(&self, file: &str, line: usize) -> String {
        let pad = " ".repeat(line.to_string().len());
        let mut out = format!(
            "error[{}]: {}\n{pad}--> {file}:{line}:1\n{pad} |\n{line} |\n{pad} | ^ {}\n{pad} |",
            self.code, self.message, self.label
        );
        if let Some(hint) = &self.hint {
            out.push_str(&format!("\n{pad} = help: {hint}"));
        }
        out
    }
}

/// The length in characters of the longest source line that bytes `start..end` touch.
fn longest_line(source: &str, start: usize, end: usize) -> usize {
    let first = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let last = source[end..].find('\n').map_or(source.len(), |i| end + i);
    source[first..last]
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
}

/// Renders a list of diagnostics, separated by blank lines, followed by a summary line.
pub fn render_all(diagnostics: &[Diagnostic], file: &str, source: &str, color: bool) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&d.render(file, source, color));
        out.push_str("\n\n");
    }
    let n = diagnostics.len();
    out.push_str(&format!(
        "error: could not compile `{file}` due to {n} previous error{}\n",
        if n == 1 { "" } else { "s" }
    ));
    out
}

//! Positions: byte offsets in the source to 1-based line and column spans.

use ir::Span;
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextRange};

/// A source file with its line index.
pub struct SourceMap<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> SourceMap<'a> {
    /// Indexes a source text.
    pub fn new(text: &'a str) -> Self {
        SourceMap {
            text,
            index: LineIndex::from_source_text(text),
        }
    }

    /// The span of a byte range.
    pub fn span(&self, range: TextRange) -> Span {
        let start = self.index.line_column(range.start(), self.text);
        let end = self.index.line_column(range.end(), self.text);
        Span {
            line: start.line.get() as u32,
            col: start.column.get() as u32,
            end_line: end.line.get() as u32,
            end_col: end.column.get() as u32,
        }
    }

    /// The byte range of a span.
    pub fn range(&self, span: Span) -> TextRange {
        let offset = |line: u32, col: u32| {
            self.index.offset(
                ruff_source_file::SourceLocation {
                    line: ruff_source_file::OneIndexed::new(line as usize)
                        .unwrap_or(ruff_source_file::OneIndexed::MIN),
                    character_offset: ruff_source_file::OneIndexed::new(col as usize)
                        .unwrap_or(ruff_source_file::OneIndexed::MIN),
                },
                self.text,
                ruff_source_file::PositionEncoding::Utf32,
            )
        };
        let start = offset(span.line, span.col);
        TextRange::new(start, offset(span.end_line, span.end_col).max(start))
    }

    /// The span of any node.
    pub fn of(&self, node: &impl Ranged) -> Span {
        self.span(node.range())
    }
}

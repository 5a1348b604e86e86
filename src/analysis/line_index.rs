//! Byte offsets to editor positions and back. The language server protocol
//! counts columns in UTF-16 code units; dlc's spans are UTF-8 byte offsets.

/// A zero-based line and a column in UTF-16 code units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u32,
    pub utf16_column: u32,
}

/// Where each line of one text starts.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { line_starts }
    }

    /// The position of a byte offset; an offset inside a character counts
    /// from that character's start, and one past the end clamps to the end.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        };
        let start = self.line_starts[line];
        let utf16_column = text[start..]
            .char_indices()
            .take_while(|(i, _)| start + i < offset)
            .map(|(_, c)| c.len_utf16())
            .sum::<usize>();
        Position {
            line: line as u32,
            utf16_column: utf16_column as u32,
        }
    }

    /// The byte offset of a position. A line past the end is the end of the
    /// text; a column past the end of its line is the end of that line (the
    /// protocol asks a server to clamp so); a column inside a surrogate pair
    /// is the character's start.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.line_starts.get(position.line as usize) else {
            return text.len();
        };
        let line_end = self
            .line_starts
            .get(position.line as usize + 1)
            .map_or(text.len(), |next| next - 1);
        let mut units = 0;
        for (i, c) in text[start..line_end].char_indices() {
            if units + c.len_utf16() > position.utf16_column as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        line_end
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_both_ways() {
        // `é` is 2 bytes and 1 unit; `𝄞` is 4 bytes and 2 units.
        let text = "a = 1\n// é𝄞 x\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        let position = index.position(text, x);
        assert_eq!(
            position,
            Position {
                line: 1,
                utf16_column: 7
            }
        );
        assert_eq!(index.offset(text, position), x);
    }

    #[test]
    fn positions_past_the_end_clamp() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        let end_of_first = Position {
            line: 0,
            utf16_column: 99,
        };
        assert_eq!(index.offset(text, end_of_first), 2);
        let past_last = Position {
            line: 7,
            utf16_column: 0,
        };
        assert_eq!(index.offset(text, past_last), text.len());
        assert_eq!(
            index.position(text, 99),
            Position {
                line: 1,
                utf16_column: 2
            }
        );
    }
}

//! Strings and comments, read as the grammar (`grammar/dl.pest`) reads them:
//! the one reading shared by every scan of raw text that must not see the
//! brackets or `//` inside them (the nesting limit, recovery, span ends, and
//! the formatter's comments). A test holds it to pest's parse.
//!
//! - A string opens at `"` and closes at the next `"` that no `\` escapes;
//!   one left open ends at the end of its line.
//! - `//` opens a comment, or with exactly three slashes (`///` not followed
//!   by `/`) a doc line; either runs to the end of its line (`\n` or `\r`).

/// What a piece of text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PieceKind {
    Str,
    /// A string left open at the end of its line or of the text (a syntax
    /// error, which recovery reads).
    OpenStr,
    Comment,
    DocLine,
}

/// A string, comment or doc line: `text[start..end]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub kind: PieceKind,
    pub start: usize,
    pub end: usize,
}

/// The strings, comments and doc lines of `text`, in order.
pub fn pieces(text: &str) -> impl Iterator<Item = Piece> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            match piece_at(text, at) {
                Some(piece) => {
                    at = piece.end;
                    return Some(piece);
                }
                None => at += 1,
            }
        }
        None
    })
}

/// Each byte of `text[from..to]` outside strings and comments, with its
/// offset. `from` must not be inside a string or comment.
pub fn code_bytes(text: &str, from: usize, to: usize) -> impl Iterator<Item = (usize, u8)> + '_ {
    let bytes = text.as_bytes();
    let to = to.min(bytes.len());
    let mut at = from;
    std::iter::from_fn(move || {
        while at < to {
            let i = at;
            match piece_at(text, i) {
                Some(piece) => at = piece.end,
                None => {
                    at += 1;
                    return Some((i, bytes[i]));
                }
            }
        }
        None
    })
}

/// The string, comment or doc line that starts at byte `i`, if one does.
pub fn piece_at(text: &str, i: usize) -> Option<Piece> {
    let bytes = text.as_bytes();
    let (kind, end) = match bytes.get(i)? {
        b'"' => match string_end(bytes, i) {
            (end, true) => (PieceKind::Str, end),
            (end, false) => (PieceKind::OpenStr, end),
        },
        b'/' if bytes.get(i + 1) == Some(&b'/') => {
            let is_doc = bytes.get(i + 2) == Some(&b'/') && bytes.get(i + 3) != Some(&b'/');
            let kind = if is_doc {
                PieceKind::DocLine
            } else {
                PieceKind::Comment
            };
            (kind, line_end(bytes, i))
        }
        _ => return None,
    };
    Some(Piece {
        kind,
        start: i,
        end,
    })
}

/// The offset just past the string that opens at `start`, and true; or,
/// when it is left open, the end of its line, and false.
fn string_end(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut j = start + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'"' => return (j + 1, true),
            // The grammar's escape is `\` and any one character, a line
            // break included.
            b'\\' => j += 2,
            b'\n' | b'\r' => return (j, false),
            _ => j += 1,
        }
    }
    (bytes.len(), false)
}

/// The offset of the line break that ends the line holding `from`.
fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |n| from + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(PieceKind, &str)> {
        pieces(text)
            .map(|p| (p.kind, &text[p.start..p.end]))
            .collect()
    }

    #[test]
    fn strings_hide_slashes_and_comments_hide_quotes() {
        use PieceKind::*;
        let text =
            "let u = \"https://x\" // a \"b\"\n/// doc\n//// four\r\nx = \"a\\\"b\" \"open\n";
        assert_eq!(
            kinds(text),
            [
                (Str, "\"https://x\""),
                (Comment, "// a \"b\""),
                (DocLine, "/// doc"),
                (Comment, "//// four"),
                (Str, "\"a\\\"b\""),
                (OpenStr, "\"open"),
            ]
        );
    }

    #[test]
    fn code_bytes_skip_strings_and_comments() {
        let text = "[\"[\" // [\n]";
        let code: String = code_bytes(text, 0, text.len())
            .map(|(_, b)| b as char)
            .collect();
        assert_eq!(code, "[ \n]");
    }
}

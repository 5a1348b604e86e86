//! The text the parser throws away: plain comments (`//` and `////...`), and
//! the white space and comments that pest folds into the end of some spans.
//!
//! Doc comments (`///`) are not collected here: they are in the AST.

use crate::syntax::lexer::{piece_at, pieces, PieceKind};

/// A plain comment, from its `//` to the end of its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Comment {
    /// Byte offset of the `//`.
    pub start: usize,
    /// Byte offset just past the comment's last non-blank character.
    pub end: usize,
    /// The comment as written, without trailing white space.
    pub text: String,
}

/// The plain comments of one file, in source order.
#[derive(Debug, Default)]
pub(crate) struct Trivia {
    pub comments: Vec<Comment>,
}

impl Trivia {
    /// Finds the plain comments of `src`, read by the syntax's lexer: a `//`
    /// in a string is text, not a comment.
    pub fn lex(src: &str) -> Trivia {
        let comments = pieces(src)
            .filter(|piece| piece.kind == PieceKind::Comment)
            .map(|piece| {
                let text = src[piece.start..piece.end].trim_end();
                Comment {
                    start: piece.start,
                    end: piece.start + text.len(),
                    text: text.to_string(),
                }
            })
            .collect();
        Trivia { comments }
    }

    /// The comment that covers byte `offset`, if any.
    fn comment_at(&self, offset: usize) -> Option<&Comment> {
        let index = self.comments.partition_point(|c| c.start <= offset);
        let comment = self.comments.get(index.checked_sub(1)?)?;
        (offset < comment.end).then_some(comment)
    }

    /// Whether a comment starts in `start..end`.
    pub fn any_comment_in(&self, start: usize, end: usize) -> bool {
        let index = self.comments.partition_point(|c| c.start < start);
        self.comments.get(index).is_some_and(|c| c.start < end)
    }

    /// The end of the code in `start..end`: pest lets some spans run on over
    /// the white space and comments after their last token; this backs off
    /// over them.
    pub fn code_end(&self, src: &str, start: usize, end: usize) -> usize {
        let bytes = src.as_bytes();
        let mut p = end.min(bytes.len());
        loop {
            while p > start && bytes[p - 1].is_ascii_whitespace() {
                p -= 1;
            }
            match p.checked_sub(1).and_then(|last| self.comment_at(last)) {
                Some(comment) if p > start && comment.start >= start => p = comment.start,
                _ => return p,
            }
        }
    }

    /// The offset of the first `wanted` byte at or after `from` that is not in
    /// a comment. Only white space and comments are expected before it.
    pub fn find(&self, src: &str, from: usize, wanted: u8) -> usize {
        let bytes = src.as_bytes();
        let mut p = from;
        while p < bytes.len() {
            if let Some(comment) = self.comment_at(p) {
                p = comment.end;
            } else if bytes[p] == wanted {
                return p;
            } else {
                p += 1;
            }
        }
        bytes.len()
    }

    /// The tokens of `start..end` separated by single spaces: comments
    /// dropped, runs of white space collapsed, strings kept as written.
    pub fn tokens(&self, src: &str, start: usize, end: usize) -> String {
        let bytes = src.as_bytes();
        let mut out = String::new();
        let mut p = start;
        let mut space = false;
        while p < end {
            if let Some(comment) = self.comment_at(p) {
                p = comment.end;
                space = true;
                continue;
            }
            let b = bytes[p];
            if b.is_ascii_whitespace() {
                space = true;
                p += 1;
                continue;
            }
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            let next = if b == b'"' {
                piece_at(src, p).map_or(end, |string| string.end.min(end))
            } else {
                p + src[p..].chars().next().map_or(1, char::len_utf8)
            };
            out.push_str(&src[p..next]);
            p = next;
        }
        out
    }
}

/// Whether `gap` holds a blank line: a line with only white space between two
/// line breaks.
pub(crate) fn has_blank_line(gap: &str) -> bool {
    let mut lines = gap.split('\n');
    lines.next();
    let mut interior: Vec<&str> = lines.collect();
    interior.pop();
    interior.iter().any(|line| line.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        Trivia::lex(src)
            .comments
            .into_iter()
            .map(|c| c.text)
            .collect()
    }

    #[test]
    fn doc_comments_are_not_plain_comments() {
        let src = "// a\n/// doc\n//// four\n///// five\nlet x = 1 // b  \n";
        assert_eq!(texts(src), ["// a", "//// four", "///// five", "// b"]);
    }

    #[test]
    fn slashes_in_strings_are_text() {
        let src = "let u = \"https://x\" // real\nlet v = \"a\\\"// no\" //yes\n";
        assert_eq!(texts(src), ["// real", "//yes"]);
        let src = "let w = \"${ a }//x\" // after\n";
        assert_eq!(texts(src), ["// after"]);
    }

    #[test]
    fn comments_end_before_a_carriage_return() {
        let src = "// a \r\nlet x = 1\r\n";
        let trivia = Trivia::lex(src);
        assert_eq!(trivia.comments[0].text, "// a");
        assert_eq!(trivia.comments[0].end, 4);
    }

    #[test]
    fn code_end_backs_off_over_comments_and_space() {
        let src = "type A = String // c\n  // d\n\nlet";
        let trivia = Trivia::lex(src);
        let end = src.find("let").unwrap();
        assert_eq!(trivia.code_end(src, 0, end), "type A = String".len());
    }

    #[test]
    fn tokens_collapse_space_but_not_strings() {
        let src = "length  3..5 ,\tmatches // c\n \"a  b\"";
        let trivia = Trivia::lex(src);
        assert_eq!(
            trivia.tokens(src, 0, src.len()),
            "length 3..5 , matches \"a  b\""
        );
    }

    #[test]
    fn blank_lines_are_found_between_line_breaks() {
        assert!(has_blank_line("}\n\nlet"));
        assert!(has_blank_line(",\n  \t\n  "));
        assert!(!has_blank_line("}\nlet"));
        assert!(!has_blank_line("  "));
    }
}

//! Source files and byte spans. Line and column are computed only when a
//! diagnostic is rendered.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;

/// The byte-order mark some editors put at the start of a UTF-8 file. It is
/// not part of the text: every command skips it, and spans and byte offsets
/// still count from the file's first byte.
pub const BOM: &str = "\u{feff}";

/// The length in bytes of the byte-order mark that starts `text` (0 or 3).
pub fn bom_len(text: &str) -> usize {
    if text.starts_with(BOM) {
        BOM.len()
    } else {
        0
    }
}

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span that covers both (same file assumed).
    pub fn to(&self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One loaded source file: a lake file, or an embedded stdlib module.
#[derive(Debug)]
pub struct SourceFile {
    /// The name shown in diagnostics: the path as the user gave it, or `std/aws.dl`.
    pub name: String,
    pub text: Text,
    /// Made on first use: a check without diagnostics never asks for a line.
    lines: OnceLock<Lines>,
}

/// A file's text: borrowed for the embedded stdlib, whose text is in the
/// binary already, owned for the files read.
#[derive(Clone, Debug)]
pub struct Text(Cow<'static, str>);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// Where lines start, and what finds a column in characters.
#[derive(Debug)]
struct Lines {
    starts: Vec<usize>,
    /// For text that is not all ASCII, the number of characters before each
    /// multiple of [`CHECKPOINT`] bytes: a column on a very long line is then
    /// found without counting every character from the start of the line.
    char_checkpoints: Option<Vec<usize>>,
}

const CHECKPOINT: usize = 4096;

/// The number of characters that start in `bytes` (UTF-8 continuation bytes
/// do not start one).
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

impl Lines {
    fn new(text: &str) -> Lines {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let char_checkpoints = (!text.is_ascii()).then(|| {
            let mut total = 0;
            std::iter::once(0)
                .chain(text.as_bytes().chunks(CHECKPOINT).map(|chunk| {
                    total += count_chars(chunk);
                    total
                }))
                .collect()
        });
        Lines {
            starts,
            char_checkpoints,
        }
    }
}

impl SourceFile {
    pub fn new(name: String, text: impl Into<Cow<'static, str>>) -> SourceFile {
        SourceFile {
            name,
            text: Text(text.into()),
            lines: OnceLock::new(),
        }
    }

    fn lines(&self) -> &Lines {
        self.lines.get_or_init(|| Lines::new(&self.text))
    }

    /// The number of characters before a byte offset.
    fn chars_before(&self, offset: usize) -> usize {
        match &self.lines().char_checkpoints {
            None => offset,
            Some(checkpoints) => {
                let block = offset / CHECKPOINT;
                checkpoints[block] + count_chars(&self.text.as_bytes()[block * CHECKPOINT..offset])
            }
        }
    }

    /// 0-based line index of a byte offset.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.lines().starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let start = self.lines().starts[line];
        let column = match self.text.get(start..offset) {
            Some(_) => self.chars_before(offset) - self.chars_before(start),
            None => offset - start,
        };
        // A byte-order mark is not a column of the first line.
        let bom =
            usize::from(line == 0 && offset >= bom_len(&self.text) && bom_len(&self.text) > 0);
        (line + 1, column - bom + 1)
    }

    pub fn line_range(&self, line_index: usize) -> Option<Range<usize>> {
        let starts = &self.lines().starts;
        let start = *starts.get(line_index)?;
        let end = starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(self.text.len());
        Some(start..end)
    }
}

/// Every file of one compilation.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Cow<'static, str>>) -> FileId {
        self.files.push(SourceFile::new(name.into(), text.into()));
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn text(&self, span: Span) -> &str {
        self.get(span.file).text.get(span.range()).unwrap_or("")
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

impl<'a> codespan_reporting::files::Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        self.files
            .get(id.0 as usize)
            .map(|f| f.name.as_str())
            .ok_or(codespan_reporting::files::Error::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        self.files
            .get(id.0 as usize)
            .map(|f| f.text.as_str())
            .ok_or(codespan_reporting::files::Error::FileMissing)
    }

    fn line_index(
        &'a self,
        id: FileId,
        byte_index: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        let file = self
            .files
            .get(id.0 as usize)
            .ok_or(codespan_reporting::files::Error::FileMissing)?;
        Ok(file.line_index(byte_index.min(file.text.len())))
    }

    fn column_number(
        &'a self,
        id: FileId,
        _line_index: usize,
        byte_index: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        let file = self
            .files
            .get(id.0 as usize)
            .ok_or(codespan_reporting::files::Error::FileMissing)?;
        Ok(file.line_col(byte_index).1)
    }

    fn line_range(
        &'a self,
        id: FileId,
        line_index: usize,
    ) -> Result<Range<usize>, codespan_reporting::files::Error> {
        let file = self
            .files
            .get(id.0 as usize)
            .ok_or(codespan_reporting::files::Error::FileMissing)?;
        file.line_range(line_index)
            .ok_or(codespan_reporting::files::Error::LineTooLarge {
                given: line_index,
                max: file.lines().starts.len() - 1,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_on_long_lines_outside_ascii() {
        let line = "é✓数".repeat(5000);
        let text = format!("first\n{line}x\n");
        let file = SourceFile::new("a.dl".into(), text.clone());
        for (offset, _) in text.char_indices().step_by(997) {
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let expected = (
                text[..offset].matches('\n').count() + 1,
                text[start..offset].chars().count() + 1,
            );
            assert_eq!(file.line_col(offset), expected, "offset {offset}");
        }
        let x = text.find('x').unwrap_or(0);
        assert_eq!(file.line_col(x), (2, 15_001));
    }

    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        let file = SourceFile::new("a.dl".into(), "\u{feff}let a = 1\nlet b = 2\n");
        assert_eq!(file.line_col(3), (1, 1));
        assert_eq!(file.line_col(7), (1, 5));
        assert_eq!(file.line_col(13), (2, 1));
    }
}

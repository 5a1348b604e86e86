//! Pretty JSON, written directly: the same bytes as `serde_json`'s pretty
//! printer (two-space indent, `": "` after keys, `{}` and `[]` when empty),
//! at about half its cost. Serializing templates was a fifth of a compile,
//! most of it serde's calls per token and a copy per small write.

use super::value::Value;

/// Where a document's text goes: a string, or a count of its bytes.
pub trait Out: Sized {
    fn push(&mut self, c: char);
    fn push_str(&mut self, text: &str);

    /// Writes `value` where `w` stands.
    fn value(w: &mut Pretty<Self>, value: &Value) {
        w.write_value(value);
    }
}

impl Out for String {
    fn push(&mut self, c: char) {
        String::push(self, c);
    }
    fn push_str(&mut self, text: &str) {
        String::push_str(self, text);
    }
}

/// The length in bytes of the text written, which is not kept: `dlc check`
/// measures every template's size without holding its text.
#[derive(Debug, Default)]
pub struct ByteCount(pub usize);

impl Out for ByteCount {
    fn push(&mut self, c: char) {
        self.0 += c.len_utf8();
    }
    fn push_str(&mut self, text: &str) {
        self.0 += text.len();
    }

    /// A value's length follows from its shape: no need to walk it as
    /// text, one token at a time.
    fn value(w: &mut Pretty<ByteCount>, value: &Value) {
        w.out.0 += rendered_len(value, w.depth);
    }
}

/// Builds one JSON document. Objects and arrays are opened and closed
/// explicitly; [`Pretty::key`] and [`Pretty::item`] place each member.
pub struct Pretty<O: Out = String> {
    out: O,
    depth: usize,
    /// Whether the innermost open object or array has a member yet.
    has_member: bool,
}

/// A comma, a newline and 32 levels of indent: what goes before a member
/// is one slice of it (see [`Pretty::line_break`]).
const BREAK: &str = ",\n                                                                ";
/// The indent [`BREAK`] holds, in bytes.
const BREAK_INDENT: usize = BREAK.len() - 2;

impl Pretty<String> {
    pub fn with_capacity(capacity: usize) -> Pretty<String> {
        Pretty::writing_to(String::with_capacity(capacity))
    }
}

impl<O: Out> Pretty<O> {
    pub fn writing_to(out: O) -> Pretty<O> {
        Pretty {
            out,
            depth: 0,
            has_member: false,
        }
    }

    /// The document, with a trailing newline.
    pub fn finish(mut self) -> O {
        self.out.push('\n');
        self.out
    }

    /// A newline and the indent of the current depth, after a comma when
    /// `comma`: most often a single copy.
    fn line_break(&mut self, comma: bool) {
        let start = usize::from(!comma);
        let mut width = 2 * self.depth;
        if width > BREAK_INDENT {
            self.out.push_str(&BREAK[start..]);
            width -= BREAK_INDENT;
            while width > BREAK_INDENT {
                self.out.push_str(&BREAK[2..]);
                width -= BREAK_INDENT;
            }
            self.out.push_str(&BREAK[2..2 + width]);
        } else {
            self.out.push_str(&BREAK[start..2 + width]);
        }
    }

    /// Opens `{` or `[`; returns what [`Pretty::close`] needs back.
    pub fn open(&mut self, bracket: char) -> bool {
        self.out.push(bracket);
        self.depth += 1;
        std::mem::replace(&mut self.has_member, false)
    }

    /// Closes the innermost `{` or `[` with `bracket`.
    pub fn close(&mut self, bracket: char, outer_has_member: bool) {
        self.depth -= 1;
        if self.has_member {
            self.line_break(false);
        }
        self.out.push(bracket);
        self.has_member = outer_has_member;
    }

    fn member(&mut self) {
        let comma = std::mem::replace(&mut self.has_member, true);
        self.line_break(comma);
    }

    /// Starts the member `key` of the innermost object; its value follows.
    pub fn key(&mut self, key: &str) {
        self.member();
        if needs_escape(key.as_bytes()) {
            self.escaped(key);
            self.out.push_str(": ");
        } else {
            self.out.push('"');
            self.out.push_str(key);
            self.out.push_str("\": ");
        }
    }

    /// Starts the next item of the innermost array; its value follows.
    pub fn item(&mut self) {
        self.member();
    }

    pub fn string(&mut self, text: &str) {
        if needs_escape(text.as_bytes()) {
            self.escaped(text);
        } else {
            self.out.push('"');
            self.out.push_str(text);
            self.out.push('"');
        }
    }

    /// `text` as a JSON string with its escapes, as `serde_json` writes them.
    #[cold]
    fn escaped(&mut self, text: &str) {
        self.out.push('"');
        let mut start = 0;
        for (i, &byte) in text.as_bytes().iter().enumerate() {
            let escape: &str = match byte {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                0x00..=0x1f => "",
                _ => continue,
            };
            self.out.push_str(&text[start..i]);
            if escape.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                self.out.push_str("\\u00");
                self.out.push(HEX[usize::from(byte >> 4)] as char);
                self.out.push(HEX[usize::from(byte & 0xf)] as char);
            } else {
                self.out.push_str(escape);
            }
            start = i + 1;
        }
        self.out.push_str(&text[start..]);
        self.out.push('"');
    }

    pub fn value(&mut self, value: &Value) {
        O::value(self, value);
    }

    fn write_value(&mut self, value: &Value) {
        match value {
            Value::Null => self.out.push_str("null"),
            Value::Bool(true) => self.out.push_str("true"),
            Value::Bool(false) => self.out.push_str("false"),
            Value::Number(number) => self.out.push_str(number.digits(&mut [0; 20])),
            Value::String(text) => self.string(text),
            Value::Array(items) => {
                let outer = self.open('[');
                for item in items {
                    self.item();
                    self.write_value(item);
                }
                self.close(']', outer);
            }
            Value::Object(members) => {
                let outer = self.open('{');
                for (key, member) in members.iter() {
                    self.key(key);
                    self.write_value(member);
                }
                self.close('}', outer);
            }
            Value::Shared(value) => self.write_value(value),
        }
    }
}

/// Whether `bytes` hold a control character, `"` or `\\`, which a JSON
/// string escapes. Nearly no string does: sixteen bytes (on x86-64) or
/// eight are tested at a time (each test is exact, with no false positive),
/// the last of a string overlapping the ones before, and a shorter string (most keys) is
/// tested as one word made of overlapping parts, never byte by byte.
fn needs_escape(bytes: &[u8]) -> bool {
    let len = bytes.len();
    let Some(last) = len.checked_sub(8) else {
        let word = match len {
            // Two four-byte halves, overlapping when under eight bytes.
            4.. => u64::from(quarter(&bytes[..4])) | u64::from(quarter(&bytes[len - 4..])) << 32,
            // The first, middle and last bytes are all of them; the rest of
            // the word is spaces, which no string escapes.
            1.. => u64::from_le_bytes([
                bytes[0],
                bytes[len / 2],
                bytes[len - 1],
                b' ',
                b' ',
                b' ',
                b' ',
                b' ',
            ]),
            0 => return false,
        };
        return escapes_in(word) != 0;
    };
    #[cfg(target_arch = "x86_64")]
    if let Some(last) = len.checked_sub(16) {
        // Long strings (ARNs, `Fn::Sub` texts, descriptions) are most of a
        // template's bytes: sixteen at a time, the last sixteen overlapping.
        let mut found = false;
        let mut start = 0;
        while start < last {
            found |= sixteen_escape(&bytes[start..start + 16]);
            start += 16;
        }
        return found || sixteen_escape(&bytes[last..]);
    }
    let mut found = 0;
    let mut start = 0;
    while start < last {
        found |= escapes_in(eighth(&bytes[start..start + 8]));
        start += 8;
    }
    (found | escapes_in(eighth(&bytes[last..]))) != 0
}

/// Whether one of sixteen bytes is escaped, tested at once with SSE2
/// (which every x86-64 processor has).
#[cfg(target_arch = "x86_64")]
fn sixteen_escape(sixteen: &[u8]) -> bool {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_set_epi64x,
    };
    let low = eighth(&sixteen[..8]).cast_signed();
    let high = eighth(&sixteen[8..16]).cast_signed();
    // SAFETY: these intrinsics only compute on values (no memory), with
    // SSE2, which is part of x86-64 itself: every target of this arch has it.
    unsafe {
        // The bytes, as two little-endian halves: their order does not matter.
        let bytes = _mm_set_epi64x(high, low);
        // A control character is a byte whose minimum with 0x1f is itself.
        let control = _mm_cmpeq_epi8(_mm_min_epu8(bytes, _mm_set1_epi8(0x1f)), bytes);
        let quote = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'"'.cast_signed()));
        let backslash = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'\\'.cast_signed()));
        _mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(quote, backslash))) != 0
    }
}

/// Four bytes as one number.
fn quarter(four: &[u8]) -> u32 {
    let mut word = [0; 4];
    word.copy_from_slice(four);
    u32::from_le_bytes(word)
}

/// Eight bytes as one number.
fn eighth(eight: &[u8]) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(eight);
    u64::from_le_bytes(word)
}

/// The high bit of each byte of `word` that a JSON string escapes (and
/// maybe of bytes above it: zero exactly when no byte is escaped).
fn escapes_in(word: u64) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // The high bit of each byte of `word` below `n` (for `n` up to 0x80).
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS;
    below(word, 0x20)
        | below(word ^ (ONES * u64::from(b'"')), 1)
        | below(word ^ (ONES * u64::from(b'\\')), 1)
}

/// The length of a value as [`Pretty`] writes it, at any depth: `bytes` at
/// depth 0, and the `breaks` (line breaks) whose indent grows by 2 bytes
/// with each level deeper it is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Size {
    bytes: usize,
    breaks: usize,
}

impl Size {
    /// A value written on one line.
    fn flat(bytes: usize) -> Size {
        Size { bytes, breaks: 0 }
    }

    /// Its length at `depth` (inside `depth` open objects or arrays).
    fn at(self, depth: usize) -> usize {
        self.bytes + 2 * depth * self.breaks
    }

    /// Adds `member`, written one level deeper, after `prefix` bytes.
    fn with_member(self, prefix: usize, member: Size) -> Size {
        Size {
            bytes: self.bytes + prefix + member.at(1),
            breaks: self.breaks + member.breaks,
        }
    }
}

/// The length in bytes of `value` as [`Pretty`] writes it at `depth`.
fn rendered_len(value: &Value, depth: usize) -> usize {
    size(value).at(depth)
}

/// The [`Size`] of `value`; a [`Value::Shared`] is measured once.
fn size(value: &Value) -> Size {
    // The brackets; before each member a line break and its indent (one
    // level deeper), after each but the last a comma; before the closing
    // bracket a line break.
    let around = |members: usize| Size {
        bytes: 2 + members * 4,
        breaks: members + 1,
    };
    match value {
        Value::Null => Size::flat(4),
        Value::Bool(true) => Size::flat(4),
        Value::Bool(false) => Size::flat(5),
        Value::Number(number) => Size::flat(number.digits(&mut [0; 20]).len()),
        Value::String(text) => Size::flat(string_len(text)),
        Value::Array(items) if items.is_empty() => Size::flat(2),
        Value::Array(items) => items.iter().fold(around(items.len()), |sum, item| {
            sum.with_member(0, size(item))
        }),
        Value::Object(members) if members.is_empty() => Size::flat(2),
        Value::Object(members) => members
            .iter()
            .fold(around(members.len()), |sum, (key, member)| {
                sum.with_member(string_len(key) + 2, size(member))
            }),
        Value::Shared(shared) => shared.size(size),
    }
}

/// The length of `text` as a JSON string, quotes and escapes included.
fn string_len(text: &str) -> usize {
    if !needs_escape(text.as_bytes()) {
        return text.len() + 2;
    }
    // Rare: counted by writing it, with the writer's escapes.
    let mut counter = Pretty::writing_to(ByteCount::default());
    counter.escaped(text);
    counter.out.0
}

/// `value` as pretty JSON with a trailing newline.
pub fn pretty(value: &Value) -> String {
    let mut writer = Pretty::with_capacity(8192);
    writer.value(value);
    writer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::value::{json, tests::to_serde};

    fn serde_pretty(value: &Value) -> String {
        serde_json::to_string_pretty(&to_serde(value)).unwrap() + "\n"
    }

    #[test]
    fn finds_every_byte_that_needs_an_escape_wherever_it_is() {
        let plain = |b: u8| b >= 0x20 && b != b'"' && b != b'\\';
        for len in [
            1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 40, 47,
        ] {
            assert!(!needs_escape(&vec![b'a'; len]));
            for byte in 0..=0x7f_u8 {
                for at in 0..len {
                    let mut text = vec![b'a'; len];
                    text[at] = byte;
                    assert_eq!(
                        needs_escape(&text),
                        !plain(byte),
                        "{byte:#x} at {at} of {len}"
                    );
                }
            }
        }
        assert!(!needs_escape(b""));
        assert!(!needs_escape("é ü 日本 🦀 ÿ".as_bytes()));
        assert!(!needs_escape(
            "é ü 日本 🦀 ÿ, and a longer text: ÿÿÿÿ€€€€".as_bytes()
        ));
    }

    #[test]
    fn writes_what_serde_json_writes_and_counts_its_bytes() {
        let deep = (0..40).fold(
            json!("leaf"),
            |inner, i| json!({ format!("k{i}"): [inner] }),
        );
        let values = [
            json!(null),
            json!({}),
            json!([]),
            json!({ "a": {}, "b": [], "c": [{}], "d": [[]] }),
            json!({ "Type": "AWS::S3::Bucket", "n": [1, -2, 0, u64::MAX, i64::MIN], "t": true, "f": false, "z": null }),
            json!([
                "\"quoted\" \\ back",
                "tab\there\nnew\rret",
                "\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}\u{7f}",
                "é ü 日本 🦀",
                ""
            ]),
            json!({ "key \"with\" quotes\n": { "nested": [1, [2, [3, {}]]] } }),
            deep,
            json!({ "shared": [Value::shared(json!({ "Key": "k", "Value": [1, "v"] }))] }),
        ];
        for value in &values {
            assert_eq!(pretty(value), serde_pretty(value), "{value:?}");
            let mut count = Pretty::writing_to(ByteCount::default());
            count.value(value);
            assert_eq!(count.finish().0, pretty(value).len(), "{value:?}");
        }
    }

    fn counted(value: &Value) -> usize {
        let mut count = Pretty::writing_to(ByteCount::default());
        count.value(value);
        count.finish().0
    }

    /// A shared value keeps its size: written at several depths it counts
    /// what each place writes, and changed after it was measured (held
    /// alone or also elsewhere) it is measured again.
    #[test]
    fn a_shared_value_counts_at_every_depth_and_again_once_changed() {
        let tag = Value::shared(json!({ "Key": "team", "Value": ["data", { "n": 1 }] }));
        let mut doc = json!({
            "top": tag.clone(),
            "deep": [{ "deeper": [tag.clone(), [tag.clone()]] }],
        });
        assert_eq!(counted(&doc), pretty(&doc).len());
        let mut alone = tag.clone();
        drop(tag);
        assert_eq!(counted(&alone), pretty(&alone).len());
        // Held by `doc` too: changing `alone` copies it.
        alone["Value"] = json!("a longer value \"quoted\"");
        assert_eq!(counted(&alone), pretty(&alone).len());
        assert_eq!(counted(&doc), pretty(&doc).len());
        // `alone`'s copy is held only there: changed in place, the size
        // it kept is dropped.
        alone["Key"] = json!({ "Fn::Sub": "${AWS::Region}" });
        assert_eq!(counted(&alone), pretty(&alone).len());
        doc["top"]["Key"] = json!("another team");
        assert_eq!(counted(&doc), pretty(&doc).len());
    }

    /// A value built in pieces, the way codegen fills a resource, counts
    /// what it writes after each piece.
    #[test]
    fn a_value_built_in_pieces_counts_what_it_writes() {
        let mut value = json!({});
        let pieces: [(&'static str, Value); 4] = [
            ("Tags", Value::shared(json!([{ "Key": "k", "Value": "v" }]))),
            ("Empty", json!([])),
            ("Nested", json!({ "a": [1, [2, {}]], "b": null })),
            ("Text", json!("tab\there")),
        ];
        for (key, piece) in pieces {
            value[key] = piece.clone();
            value["Copy"][key] = piece;
            assert_eq!(counted(&value), pretty(&value).len(), "{value:?}");
        }
    }
}

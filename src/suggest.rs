//! "Did you mean" suggestions.

/// The candidate closest to `name` by edit distance, if it is close enough to
/// be a plausible typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = name.chars().count();
    let limit = (length / 3).max(1) + usize::from(name.len() > 6);
    let name = name.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| !c.is_empty())
        // Lengths that differ by more than the limit cannot be close, and
        // skipping them keeps a megabyte-long name from costing minutes.
        .filter(|c| c.chars().count().abs_diff(length) <= limit)
        .map(|c| (edit_distance(&name, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Edit distance over characters, counting the swap of two neighbours as
/// one edit (`Dve` is one edit from `Dev`): optimal string alignment.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Rows i-2, i-1 and i of the distance table.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 0..a.len() {
        current[0] = i + 1;
        for j in 0..b.len() {
            let substitution = previous[j] + usize::from(a[i] != b[j]);
            let mut best = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                best = best.min(before[j - 1] + 1);
            }
            current[j + 1] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// `a`, `a or b`, `a, b or c`, each in backticks.
pub fn list_or(items: &[&str]) -> String {
    list(items, "or")
}

/// `a`, `a and b`, `a, b and c`, each in backticks.
pub fn list_and(items: &[&str]) -> String {
    list(items, "and")
}

/// `a`, `a and b`, `a, b and c`, as written (no backticks added).
pub fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A count as people write it: `9,990`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn list(items: &[&str], last_word: &str) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {last_word} {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_and_ignores_unrelated_names() {
        assert_eq!(
            closest("us-east-7", ["us-east-1", "us-east-2", "eu-west-1"]),
            Some("us-east-1")
        );
        assert_eq!(closest("acount", ["account", "region"]), Some("account"));
        assert_eq!(closest("warehouse", ["account", "region"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("Dve", "Dev"), 1);
        assert_eq!(closest("Dve", ["Dev", "Test", "Prod"]), Some("Dev"));
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(9_990), "9,990");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}

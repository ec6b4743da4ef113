//! IAM's resource wildcards: `*` matches any run of characters, `?` any one character.
//! Used to drop resources a broader one in the same set already covers.

use std::collections::BTreeSet;

/// Whether `pattern` (with IAM wildcards) matches every string `other` can match. A
/// sufficient test: `other`'s text, wildcards read literally, matches `pattern`, and
/// `pattern` has a wildcard wherever `other` does.
pub fn covers(pattern: &str, other: &str) -> bool {
    pattern != other && matches(pattern.as_bytes(), other.as_bytes())
}

/// Glob match where a `*`/`?` in `text` may only be matched by a `*` in `pattern` (or `?`
/// by `?`), so a pattern covers a narrower pattern but not the reverse.
fn matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let (mut star_p, mut star_t) = (None, 0);
    while t < text.len() {
        if p < pattern.len() && text[t] != b'*' && (pattern[p] == text[t] || pattern[p] == b'?') {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star_p = Some(p);
            star_t = t;
            p += 1;
        } else if let Some(sp) = star_p {
            p = sp + 1;
            star_t += 1;
            t = star_t;
        } else {
            return false;
        }
    }
    while p < pattern.len() && pattern[p] == b'*' {
        p += 1;
    }
    p == pattern.len()
}

/// Removes every resource that another resource of the set covers.
pub fn drop_covered(resources: BTreeSet<String>) -> BTreeSet<String> {
    resources
        .iter()
        .filter(|r| !resources.iter().any(|other| covers(other, r)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broader_patterns_cover_narrower_ones() {
        assert!(covers("*", "arn:aws:s3:::b/k"));
        assert!(covers("arn:aws:s3:::b/*", "arn:aws:s3:::b/uploads/*"));
        assert!(covers(
            "arn:aws:dynamodb:*:*:table/*",
            "arn:aws:dynamodb:*:*:table/Orders"
        ));
        assert!(!covers("arn:aws:s3:::b/uploads/*", "arn:aws:s3:::b/*"));
        assert!(!covers("arn:aws:s3:::b", "arn:aws:s3:::b/*"));
        assert!(!covers("arn:aws:s3:::b/*", "arn:aws:s3:::b/*"));
    }

    #[test]
    fn drop_covered_keeps_the_broadest() {
        let set: BTreeSet<String> = ["table/*", "table/Orders", "stream/x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            drop_covered(set).into_iter().collect::<Vec<_>>(),
            ["stream/x", "table/*"]
        );
    }
}

//! IAM's matching of actions and resources, for patterns on both sides.
//!
//! IAM matches an action against a policy's `Action` case-insensitively and a resource
//! against its `Resource` case-sensitively, `*` standing for any run of characters and `?`
//! for one ("IAM JSON policy elements: Action" and "Resource", IAM User Guide). Here the
//! needed side is a pattern too: a name part the analysis could not know is `*`, and a
//! template placeholder (`${OrdersTable}`, `${AWS::Region}`) is an unknown as well. So the
//! diff asks two questions of a policy pattern `p` and a needed resource `n`:
//! [`intersects`] (some resource `n` may be is matched by `p`: the grant may cover it) and
//! [`contains`] (every resource `n` may be is matched by `p`: the grant surely covers it).

/// One unit of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Char(char),
    /// `?`: exactly one character.
    One,
    /// `*` or an unknown: any run of characters.
    Any,
}

/// A resource (or action) pattern, placeholders already turned into unknowns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(Vec<Token>);

impl Pattern {
    /// Reads IAM wildcard text; each `${...}` placeholder that [`crate::policy::placeholders`]
    /// recognises is passed to `value`, which returns its text or `None` for an unknown.
    pub fn new(text: &str, value: &dyn Fn(&str) -> Option<String>) -> Pattern {
        let mut tokens = Vec::with_capacity(text.len());
        let mut rest = text;
        for placeholder in crate::policy::placeholders(text) {
            let Some(at) = rest.find(placeholder) else {
                continue;
            };
            push_glob(&rest[..at], &mut tokens);
            match value(placeholder) {
                Some(known) => tokens.extend(known.chars().map(Token::Char)),
                None => tokens.push(Token::Any),
            }
            rest = &rest[at + placeholder.len()..];
        }
        push_glob(rest, &mut tokens);
        tokens.dedup_by(|a, b| *a == Token::Any && *b == Token::Any);
        Pattern(tokens)
    }

    /// A pattern with no placeholders (actions, or resources already plain).
    pub fn plain(text: &str) -> Pattern {
        let mut tokens = Vec::with_capacity(text.len());
        push_glob(text, &mut tokens);
        Pattern(tokens)
    }

    /// Lower-cased, for IAM's case-insensitive action names.
    pub fn lowercase(text: &str) -> Pattern {
        Pattern::plain(&text.to_ascii_lowercase())
    }

    /// True when the pattern is `*` alone: every resource.
    pub fn is_everything(&self) -> bool {
        self.0.iter().all(|t| *t == Token::Any) && !self.0.is_empty()
    }
}

fn push_glob(text: &str, tokens: &mut Vec<Token>) {
    tokens.extend(text.chars().map(|c| match c {
        '*' => Token::Any,
        '?' => Token::One,
        c => Token::Char(c),
    }));
}

/// Can one string be matched by both patterns? A dynamic programme over positions in both,
/// a `*` on either side consuming single characters of the other or nothing.
pub fn intersects(a: &Pattern, b: &Pattern) -> bool {
    let (a, b) = (&a.0, &b.0);
    let width = b.len() + 1;
    let mut reachable = vec![false; (a.len() + 1) * width];
    reachable[0] = true;
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            if !reachable[i * width + j] {
                continue;
            }
            let mut mark = |i: usize, j: usize| reachable[i * width + j] = true;
            let x = a.get(i).copied();
            let y = b.get(j).copied();
            if x == Some(Token::Any) {
                mark(i + 1, j);
                if y.is_some() {
                    mark(i, j + 1);
                }
            }
            if y == Some(Token::Any) {
                mark(i, j + 1);
                if x.is_some() {
                    mark(i + 1, j);
                }
            }
            if let (Some(x), Some(y)) = (x, y)
                && x != Token::Any
                && y != Token::Any
                && single_compatible(x, y)
            {
                mark(i + 1, j + 1);
            }
        }
    }
    reachable[a.len() * width + b.len()]
}

fn single_compatible(x: Token, y: Token) -> bool {
    match (x, y) {
        (Token::Char(x), Token::Char(y)) => x == y,
        _ => true,
    }
}

/// Does `outer` match every string `inner` can stand for? `inner`'s `*` (an unknown) is
/// covered only by a `*` of `outer`, its `?` by a `?` or a `*`.
pub fn contains(outer: &Pattern, inner: &Pattern) -> bool {
    let (p, s) = (&outer.0, &inner.0);
    let width = s.len() + 1;
    let mut reachable = vec![false; (p.len() + 1) * width];
    reachable[0] = true;
    for i in 0..=p.len() {
        for j in 0..=s.len() {
            if !reachable[i * width + j] {
                continue;
            }
            match p.get(i) {
                Some(Token::Any) => {
                    reachable[(i + 1) * width + j] = true;
                    if j < s.len() {
                        reachable[i * width + j + 1] = true;
                    }
                }
                Some(Token::One) if matches!(s.get(j), Some(Token::Char(_) | Token::One)) => {
                    reachable[(i + 1) * width + j + 1] = true;
                }
                Some(Token::Char(c)) if s.get(j) == Some(&Token::Char(*c)) => {
                    reachable[(i + 1) * width + j + 1] = true;
                }
                _ => {}
            }
        }
    }
    reachable[p.len() * width + s.len()]
}

/// Does the policy's action pattern match the exact action? Case-insensitive, as IAM.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return pattern.eq_ignore_ascii_case(action);
    }
    contains(&Pattern::lowercase(pattern), &Pattern::lowercase(action))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Pattern {
        Pattern::new(text, &|_| None)
    }

    #[test]
    fn actions_match_case_insensitively_with_wildcards() {
        assert!(action_matches("s3:Get*", "s3:GetObject"));
        assert!(action_matches("S3:getobject", "s3:GetObject"));
        assert!(action_matches("*", "kms:Decrypt"));
        assert!(action_matches("sqs:SendMessage*", "sqs:SendMessageBatch"));
        assert!(action_matches("dynamodb:?etItem", "dynamodb:GetItem"));
        assert!(!action_matches("s3:Get*", "s3:PutObject"));
        assert!(!action_matches("s3:GetObject", "s3:GetObjectAcl"));
        assert!(!action_matches("s3*", "sqs:x"));
    }

    #[test]
    fn resources_match_case_sensitively() {
        let table = p("arn:aws:dynamodb:us-east-1:1:table/Orders");
        assert!(contains(&p("arn:aws:dynamodb:*:*:table/Orders"), &table));
        assert!(!contains(&p("arn:aws:dynamodb:*:*:table/orders"), &table));
        assert!(contains(&p("*"), &table));
        assert!(contains(&p("arn:aws:dynamodb:us-east-?:1:table/*"), &table));
    }

    #[test]
    fn unknowns_in_the_needed_resource_are_covered_only_by_wildcards() {
        let needed = p("arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/Orders");
        let granted = p("arn:aws:dynamodb:us-east-1:123456789012:table/Orders");
        assert!(!contains(&granted, &needed));
        assert!(intersects(&granted, &needed));
        assert!(contains(&p("arn:aws:dynamodb:*:*:table/Orders"), &needed));
        let other = p("arn:aws:dynamodb:us-east-1:123456789012:table/Users");
        assert!(!intersects(&other, &needed));
    }

    #[test]
    fn placeholders_take_known_values() {
        let known = Pattern::new("arn:${AWS::Partition}:s3:::b/*", &|name| {
            (name == "${AWS::Partition}").then(|| "aws".to_string())
        });
        assert_eq!(known, Pattern::plain("arn:aws:s3:::b/*"));
        assert!(p("*").is_everything());
        assert!(!p("arn:*").is_everything());
    }

    #[test]
    fn intersection_of_two_wildcard_patterns() {
        assert!(intersects(&p("arn:aws:s3:::a*"), &p("arn:aws:s3:::*b")));
        assert!(intersects(&p("a?c"), &p("*c")));
        assert!(!intersects(&p("arn:aws:s3:::a/*"), &p("arn:aws:s3:::b/*")));
        assert!(!intersects(&p("ab"), &p("a")));
        assert!(intersects(&p("a*"), &p("a")));
    }
}

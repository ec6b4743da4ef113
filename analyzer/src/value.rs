//! Argument values as far as static analysis can know them.

use std::collections::BTreeMap;

use serde::Serialize;

/// A value the analyzer resolved (or failed to) for an SDK call argument.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Value {
    /// A fully known string (literal, constant, folded concatenation).
    Str {
        value: String,
    },
    /// A known non-string scalar (number, boolean), as source text.
    Scalar {
        value: String,
    },
    /// An environment variable the infrastructure did not bind. `default` is the fallback
    /// the code gives (`os.getenv("X", "d")`, `process.env.X ?? "d"`).
    Env {
        name: String,
        default: Option<Box<Value>>,
    },
    /// A value the infrastructure defines: a resource in the template (`!Ref Table`,
    /// `!GetAtt Q.Arn`) or a parameter. Synth renders it as an intrinsic for CloudFormation
    /// and as the known name (or a wildcard) elsewhere.
    Infra(InfraRef),
    /// Parts joined: f-strings, template literals, `format!`, `+`.
    Concat {
        parts: Vec<Value>,
    },
    List {
        items: Vec<Value>,
    },
    Map {
        entries: BTreeMap<String, Value>,
    },
    /// Present, but not knowable statically.
    Unknown,
}

/// A reference into the infrastructure file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct InfraRef {
    /// Logical id of the resource or parameter (`OrdersTable`).
    pub logical_id: String,
    /// CloudFormation resource type (`AWS::DynamoDB::Table`), or `Parameter`.
    pub resource_type: String,
    /// `None` for `!Ref`, `Some("Arn")` for `!GetAtt X.Arn`.
    pub attribute: Option<String>,
    /// The physical value when the template states it (`TableName: orders`, a parameter default).
    pub known: Option<String>,
}

impl Value {
    pub fn str(value: impl Into<String>) -> Self {
        Value::Str {
            value: value.into(),
        }
    }

    /// The fully known string, if there is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str { value } => Some(value),
            _ => None,
        }
    }

    /// Joins parts, folding adjacent known strings, so `"a" + "b"` is `Str("ab")`.
    pub fn concat(parts: Vec<Value>) -> Self {
        let mut folded: Vec<Value> = Vec::with_capacity(parts.len());
        for part in parts.into_iter().flat_map(|p| match p {
            Value::Concat { parts } => parts,
            other => vec![other],
        }) {
            match (folded.last_mut(), &part) {
                (Some(Value::Str { value: prev }), Value::Str { value }) => prev.push_str(value),
                (_, Value::Str { value }) if value.is_empty() => {}
                _ => folded.push(part),
            }
        }
        match folded.len() {
            0 => Value::str(""),
            1 => folded.pop().unwrap_or(Value::Unknown),
            _ => Value::Concat { parts: folded },
        }
    }
}

impl Value {
    /// Whether the string this value stands for may contain `needle`. Unknown parts may;
    /// references whose type bounds their characters (a bucket name has no `/`) may not.
    pub fn may_contain(&self, needle: &str) -> bool {
        match self {
            Value::Str { value } | Value::Scalar { value } => value.contains(needle),
            Value::Infra(reference) => match (&reference.known, reference.attribute.as_ref()) {
                (Some(known), None) if !known.contains("${") => known.contains(needle),
                _ => crate::infra::physical_names::ref_punctuation(reference).is_none_or(
                    |punctuation| {
                        needle
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || punctuation.contains(c))
                    },
                ),
            },
            Value::Concat { parts } => parts.iter().any(|p| p.may_contain(needle)),
            _ => true,
        }
    }

    /// Python's `value.split(sep, maxsplit)` (and JavaScript's `split` without a limit) as
    /// far as it is knowable: a list of the pieces up to the first part that may hide a
    /// separator, then `Unknown` for the rest. `"${Bucket}/orders".split("/", 1)` is
    /// `[Bucket, "orders"]` because a bucket name holds no `/`.
    pub fn split(&self, separator: &str, max_splits: Option<usize>) -> Value {
        if separator.is_empty() {
            return Value::Unknown;
        }
        let parts: Vec<Value> = match self {
            Value::Concat { parts } => parts.clone(),
            other => vec![other.clone()],
        };
        let mut pieces: Vec<Value> = Vec::new();
        let mut current: Vec<Value> = Vec::new();
        let mut splits_left = max_splits.unwrap_or(usize::MAX);
        for part in parts {
            match part {
                Value::Str { value } => {
                    let mut rest = value.as_str();
                    while splits_left > 0 {
                        let Some((head, tail)) = rest.split_once(separator) else {
                            break;
                        };
                        current.push(Value::str(head));
                        pieces.push(Value::concat(std::mem::take(&mut current)));
                        splits_left -= 1;
                        rest = tail;
                    }
                    current.push(Value::str(rest));
                }
                other if splits_left == 0 || !other.may_contain(separator) => current.push(other),
                _ => {
                    pieces.push(Value::Unknown);
                    return Value::List { items: pieces };
                }
            }
        }
        pieces.push(Value::concat(current));
        Value::List { items: pieces }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket() -> Value {
        Value::Infra(InfraRef {
            logical_id: "ArchiveBucket".into(),
            resource_type: "AWS::S3::Bucket".into(),
            attribute: None,
            known: None,
        })
    }

    #[test]
    fn split_keeps_a_bucket_reference_whole() {
        let value = Value::concat(vec![bucket(), Value::str("/orders/daily")]);
        assert_eq!(
            value.split("/", Some(1)),
            Value::List {
                items: vec![bucket(), Value::str("orders/daily")]
            }
        );
        assert_eq!(
            value.split("/", None),
            Value::List {
                items: vec![bucket(), Value::str("orders"), Value::str("daily")]
            }
        );
    }

    #[test]
    fn split_stops_at_a_part_that_may_hide_the_separator() {
        let env = Value::Env {
            name: "PREFIX".into(),
            default: None,
        };
        let value = Value::concat(vec![Value::str("a/"), env.clone(), Value::str("/b")]);
        assert_eq!(
            value.split("/", None),
            Value::List {
                items: vec![Value::str("a"), Value::Unknown]
            }
        );
        // A queue's `Ref` is its URL, which holds `/`.
        let queue = Value::Infra(InfraRef {
            logical_id: "Q".into(),
            resource_type: "AWS::SQS::Queue".into(),
            attribute: None,
            known: None,
        });
        assert_eq!(
            queue.split("/", Some(1)),
            Value::List {
                items: vec![Value::Unknown]
            }
        );
        // An ARN attribute is not a name: its characters are not bounded by the table.
        let arn = Value::Infra(InfraRef {
            attribute: Some("Arn".into()),
            ..match bucket() {
                Value::Infra(r) => r,
                _ => unreachable!(),
            }
        });
        assert!(arn.may_contain(":"));
        assert!(!bucket().may_contain("/"));
        assert!(bucket().may_contain("-"));
    }

    #[test]
    fn split_of_a_known_string_is_every_piece() {
        assert_eq!(
            Value::str("a,b,c").split(",", Some(1)),
            Value::List {
                items: vec![Value::str("a"), Value::str("b,c")]
            }
        );
        assert_eq!(Value::str("abc").split("", None), Value::Unknown);
    }

    #[test]
    fn concat_folds_known_parts() {
        let v = Value::concat(vec![Value::str("a"), Value::str("b")]);
        assert_eq!(v, Value::str("ab"));
        let env = Value::Env {
            name: "T".into(),
            default: None,
        };
        let v = Value::concat(vec![
            Value::str("p-"),
            env.clone(),
            Value::str("-"),
            Value::str("x"),
        ]);
        assert_eq!(
            v,
            Value::Concat {
                parts: vec![Value::str("p-"), env, Value::str("-x")]
            }
        );
    }
}

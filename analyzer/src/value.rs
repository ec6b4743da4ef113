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
    /// Boxed: the reference is four strings, and every `Value` (argument maps hold many)
    /// would otherwise be as large as it.
    Infra(Box<InfraRef>),
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

#[cfg(test)]
mod tests {
    use super::*;

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

//! What the walker knows about a Rust value: a string-ish [`Value`], an SDK client, a
//! request being built, an instance of a local type, a trait object, a local function.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::value::Value;

use super::index::{FnId, TraitId, TypeId};

#[derive(Debug, Clone, PartialEq)]
pub enum Abs {
    /// Nothing known.
    Unknown,
    /// A value that can be an SDK argument: string, number, env var, format!.
    Val(Value),
    /// An aws-sdk-rust client, by package (`aws-sdk-s3`).
    Client(Rc<str>),
    /// A fluent request builder: index into the walker's pending requests.
    Builder(usize),
    /// A value of a local struct or enum; `fields` holds what its construction told us,
    /// the declared field types answer the rest.
    Instance {
        ty: TypeId,
        fields: Rc<BTreeMap<String, Abs>>,
    },
    /// A trait object, `impl Trait` or generic `T: Trait`: the concrete type is not known.
    Dyn(Rc<[TraitId]>),
    /// A value of a known type from another crate (not an AWS client).
    Foreign,
    /// A local function used as a value (`service_fn(handler)`, `get(list)`).
    FnRef(FnId),
    /// A value of a type that a library model describes (`module::Type`).
    Library(Rc<str>),
    /// A part of the handler's event not yet bound by the triggers, by its path
    /// (`Records[]`, `Records[].s3`): reading further may reach a value they determine.
    Event(Rc<str>),
}

impl Abs {
    /// The SDK argument value this stands for.
    pub fn to_value(&self) -> Value {
        match self {
            Abs::Val(v) => v.clone(),
            _ => Value::Unknown,
        }
    }

    /// Whether this tells us more than its static type would.
    pub fn is_informative(&self) -> bool {
        !matches!(self, Abs::Unknown | Abs::Foreign)
    }

    pub fn instance(ty: TypeId) -> Abs {
        Abs::Instance {
            ty,
            fields: Rc::new(BTreeMap::new()),
        }
    }

    /// What two control-flow paths agree on.
    pub fn join(self, other: Abs) -> Abs {
        if self == other {
            return self;
        }
        match (&self, &other) {
            (Abs::Unknown, _) => other,
            (_, Abs::Unknown) => self,
            (Abs::Instance { ty: a, .. }, Abs::Instance { ty: b, .. }) if a == b => {
                Abs::instance(*a)
            }
            _ => Abs::Unknown,
        }
    }
}

/// Builds the value of `format!(fmt, args..)`: literal text and the arguments' values in
/// place of `{}`, `{0}`, `{name}` (named arguments, then variables captured by name, via
/// `named`). Debug formatting (`{:?}`) quotes strings, so its parts are unknown.
pub fn format_value(
    fmt: &str,
    positional: &[Value],
    named: &mut dyn FnMut(&str) -> Value,
) -> Value {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut next = 0usize;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut spec = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    spec.push(c);
                }
                let (name, format) = match spec.split_once(':') {
                    Some((name, format)) => (name.trim(), format),
                    None => (spec.trim(), ""),
                };
                let value = if name.is_empty() {
                    next += 1;
                    positional.get(next - 1).cloned().unwrap_or(Value::Unknown)
                } else if let Ok(i) = name.parse::<usize>() {
                    positional.get(i).cloned().unwrap_or(Value::Unknown)
                } else {
                    named(name)
                };
                let value = if format.contains('?') {
                    Value::Unknown
                } else {
                    value
                };
                parts.push(Value::str(std::mem::take(&mut text)));
                parts.push(value);
            }
            c => text.push(c),
        }
    }
    parts.push(Value::str(text));
    Value::concat(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_fills_positional_indexed_and_named() {
        let env = Value::Env {
            name: "STAGE".into(),
            default: None,
        };
        let v = format_value(
            "{}-{stage}-{0}-{{x}}",
            &[Value::str("orders")],
            &mut |name| {
                if name == "stage" {
                    env.clone()
                } else {
                    Value::Unknown
                }
            },
        );
        assert_eq!(
            v,
            Value::Concat {
                parts: vec![Value::str("orders-"), env, Value::str("-orders-{x}")]
            }
        );
        assert_eq!(
            format_value("{:?}", &[Value::str("a")], &mut |_| Value::Unknown),
            Value::Unknown
        );
    }
}

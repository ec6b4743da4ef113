//! Keyword-argument dicts and bound callables: how SDK call arguments are assembled away
//! from the call itself.
//!
//! Handlers often build a call's arguments in a dict and splat it (`s3.put_object(**params)`),
//! from a shared base (`dict(BASE, Key=k)`, `{**BASE, "Key": k}`, `kw = BASE.copy();
//! kw.update(Key=k)`), or bind the operation first (`put = functools.partial(s3.put_object,
//! Bucket=B)`). Dict literals, `[k] = v` and splats in literals live in `interp.rs`; this file
//! adds the builtin `dict(...)`, the mutating methods, `copy()`, and `functools.partial`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use tree_sitter::Node;

use crate::Value;

use super::interp::{Interp, Scope};
use super::val::{CallArgs, Val};

/// Callables that bind a callee to leading arguments (Python's `functools.partial`).
pub const PARTIALS: &[&str] = &["functools.partial"];

/// Dict methods that change the dict in place, by name (Python's `dict.update`,
/// `dict.setdefault`, `dict.pop`).
const MUTATORS: &[&str] = &["update", "setdefault", "pop"];

/// The entries of a mapping value; `None` when it is not a known mapping.
pub fn entries_of<'t>(val: &Val<'t>) -> Option<BTreeMap<String, Val<'t>>> {
    match val {
        Val::Data(Value::Map { entries }) => Some(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), Val::Data(v.clone())))
                .collect(),
        ),
        Val::Dict(d) => Some(d.borrow().clone()),
        _ => None,
    }
}

/// A dict of `entries`: plain data when every value is data (it may become an SDK call's
/// arguments), else a `Dict` holding the objects.
pub fn dict_value<'t>(entries: BTreeMap<String, Val<'t>>) -> Val<'t> {
    if entries
        .values()
        .all(|v| matches!(v, Val::Data(_) | Val::Unknown | Val::None))
    {
        Val::Data(Value::Map {
            entries: entries
                .into_iter()
                .map(|(k, v)| (k, v.to_value()))
                .collect(),
        })
    } else {
        Val::Dict(Rc::new(RefCell::new(entries)))
    }
}

/// `dict(mapping, **kwargs)` / `dict(**kwargs)`: the mapping's entries, then the keywords.
/// Unknown when the positional argument is not a known mapping (its keys could be anything).
pub fn builtin_dict<'t>(args: &CallArgs<'t>) -> Val<'t> {
    let mut entries = match args.positional.first() {
        None => BTreeMap::new(),
        Some(mapping) => match entries_of(mapping) {
            Some(entries) => entries,
            None => return Val::Unknown,
        },
    };
    for (key, val) in &args.keywords {
        entries.insert(key.clone(), val.clone());
    }
    dict_value(entries)
}

/// `d.copy()`: a copy that later changes to `d` do not reach.
pub fn copy<'t>(val: &Val<'t>) -> Option<Val<'t>> {
    match val {
        Val::Data(Value::Map { .. }) => Some(val.clone()),
        Val::Dict(d) => Some(Val::Dict(Rc::new(RefCell::new(d.borrow().clone())))),
        _ => None,
    }
}

/// Whether `name` called on `recv` is a dict method that changes it.
pub fn is_mutation(recv: &Val, name: &str) -> bool {
    MUTATORS.contains(&name) && matches!(recv, Val::Data(Value::Map { .. }) | Val::Dict(_))
}

/// Applies `update`/`setdefault`/`pop` to a dict's entries; returns the call's value. An
/// update from something that is not a known mapping makes the dict unknown (`None`): its
/// keys could be anything.
fn mutate<'t>(
    entries: &mut BTreeMap<String, Val<'t>>,
    name: &str,
    args: &CallArgs<'t>,
) -> Option<Val<'t>> {
    match name {
        "update" => {
            for mapping in &args.positional {
                entries.extend(entries_of(mapping)?);
            }
            for (key, val) in &args.keywords {
                entries.insert(key.clone(), val.clone());
            }
            Some(Val::None)
        }
        "setdefault" => match args.positional.first().and_then(Val::as_str) {
            Some(key) => {
                let default = args.positional.get(1).cloned().unwrap_or(Val::None);
                Some(entries.entry(key.to_string()).or_insert(default).clone())
            }
            None => Some(Val::Unknown),
        },
        "pop" => match args.positional.first().and_then(Val::as_str) {
            Some(key) => Some(entries.remove(key).unwrap_or(Val::Unknown)),
            // An unknown key: any entry may be gone.
            None => None,
        },
        _ => Some(Val::Unknown),
    }
}

impl<'t, 'c> Interp<'t, 'c> {
    /// `object.name(args)` where `object` holds a dict and `name` changes it: a shared
    /// `Dict` changes in place; plain data is rebound under `object` (a name or an attribute).
    pub fn mutate_dict(
        &mut self,
        recv: Val<'t>,
        object: Node<'t>,
        name: &str,
        args: &CallArgs<'t>,
        scope: &mut Scope<'t>,
    ) -> Val<'t> {
        if let Val::Dict(d) = &recv {
            let mut entries = d.borrow().clone();
            return match mutate(&mut entries, name, args) {
                Some(out) => {
                    *d.borrow_mut() = entries;
                    out
                }
                None => {
                    d.borrow_mut().clear();
                    Val::Unknown
                }
            };
        }
        let Some(mut entries) = entries_of(&recv) else {
            return Val::Unknown;
        };
        let (updated, out) = match mutate(&mut entries, name, args) {
            Some(out) => (dict_value(entries), out),
            None => (Val::Unknown, Val::Unknown),
        };
        self.assign(object, updated, scope);
        out
    }

    /// `partial(callee, ...)(more)`: `callee` with the bound arguments, then the new ones
    /// (a keyword given again overrides the bound one, as in Python).
    pub fn call_partial(
        &mut self,
        partial: &(Val<'t>, CallArgs<'t>),
        args: CallArgs<'t>,
        node: Node<'t>,
        scope: &mut Scope<'t>,
    ) -> Val<'t> {
        let (callee, bound) = partial;
        let mut all = bound.clone();
        all.positional.extend(args.positional);
        all.keywords.extend(args.keywords);
        self.call_value(callee.clone(), all, node, scope)
    }
}

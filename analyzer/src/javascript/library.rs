//! Modelled libraries (`grammars/libraries/javascript.toml`): a call of a library function,
//! constructor or method becomes the SDK calls the library makes.
//!
//! Argument sources in a model's `args` (JavaScript reading of the shared format):
//! `"0"` the first argument; `"name"` or `"a.b"` a property (path) of the first object
//! argument; `"1.a"` a property of the second argument; a trailing `.*` takes every value
//! of that object as a list (middy's `fetchData: { key: '/param' }`); `"new.…"` the same
//! read from the constructor's arguments, for methods of a constructed instance
//! (ElectroDB's `new Entity(schema, { table })`); `"=text"` a fixed string.

use std::collections::BTreeMap;

use tree_sitter::Node;

use crate::facts::{Client, Operation, Via};
use crate::libraries::{self, LibraryModel};
use crate::project::Language;
use crate::value::Value;

use super::interp::Interp;
use super::sym::Sym;

/// Emits the facts of every model for `callable` in `package`; false when none matches.
pub fn apply<'a>(
    interp: &mut Interp<'a, '_>,
    node: Node<'a>,
    package: &str,
    callable: &str,
    args: &[Sym<'a>],
) -> bool {
    apply_method(interp, node, package, callable, args, &[])
}

/// [`apply`] for a method of a constructed instance: `constructed` are the constructor's
/// arguments, which model sources read as `new.N` / `new.N.path`.
pub fn apply_method<'a>(
    interp: &mut Interp<'a, '_>,
    node: Node<'a>,
    package: &str,
    callable: &str,
    args: &[Sym<'a>],
    constructed: &[Sym<'a>],
) -> bool {
    let models: Vec<&'static LibraryModel> = libraries::for_language(Language::JavaScript)
        .filter(|m| m.module == package && m.callable == callable)
        .collect();
    for model in models.iter().filter(|m| applies(m, args, constructed)) {
        let members = members(model, args, constructed);
        let client = Client {
            sdk: model.sdk,
            service: model.service.clone(),
        };
        for method in &model.methods {
            interp.emit(
                node,
                client.clone(),
                Operation::Method(method.clone()),
                members.clone(),
                Via::Library,
            );
        }
    }
    !models.is_empty()
}

/// Whether the library has modelled methods on `class` (so its instances are tracked).
pub fn has_class(package: &str, class: &str) -> bool {
    let prefix = format!("{class}.");
    libraries::for_language(Language::JavaScript)
        .any(|m| m.module == package && m.callable.starts_with(&prefix))
}

fn members(
    model: &LibraryModel,
    args: &[Sym<'_>],
    constructed: &[Sym<'_>],
) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (member, source) in &model.args {
        if let Some(value) = argument(source, args, constructed) {
            out.insert(member.clone(), value);
        }
    }
    out
}

/// Whether a model applies: every value selection (`.*`) it makes is non-empty or unknown.
fn applies(model: &LibraryModel, args: &[Sym<'_>], constructed: &[Sym<'_>]) -> bool {
    model.args.values().filter(|s| s.contains(".*")).all(|source| {
        !matches!(argument(source, args, constructed), Some(Value::List { items }) if items.is_empty())
    })
}

fn argument(source: &str, args: &[Sym<'_>], constructed: &[Sym<'_>]) -> Option<Value> {
    if let Some(fixed) = source.strip_prefix('=') {
        return Some(Value::str(fixed));
    }
    if let Some(rest) = source.strip_prefix("new.") {
        return argument(rest, constructed, &[]);
    }
    if let Ok(position) = source.parse::<usize>() {
        return args.get(position).map(Sym::to_value);
    }
    // `N.path`: a property path inside the N-th argument.
    if let Some((first, rest)) = source.split_once('.')
        && let Ok(position) = first.parse::<usize>()
    {
        let arg = args.get(position)?;
        return argument(rest, std::slice::from_ref(arg), &[]);
    }
    let options = args.iter().find(|a| matches!(a, Sym::Obj(_)))?;
    // `.*` selects every value, `.*/` those ending in '/', `.*!/` the others.
    let (path, selection) = match source.split_once(".*") {
        Some((path, "")) => (path, Some(Selection::All)),
        Some((path, "/")) => (path, Some(Selection::Slash)),
        Some((path, "!/")) => (path, Some(Selection::NoSlash)),
        Some(_) => return None,
        None => (source, None),
    };
    let mut current = options.clone();
    for part in path.split('.') {
        current = current.property(part)?;
    }
    let Some(selection) = selection else {
        return Some(current.to_value());
    };
    match current {
        Sym::Obj(object) => Some(Value::List {
            items: object
                .borrow()
                .values()
                .map(Sym::to_value)
                .filter(|v| selection.keeps(v))
                .collect(),
        }),
        _ => Some(Value::Unknown),
    }
}

#[derive(Clone, Copy)]
enum Selection {
    All,
    Slash,
    NoSlash,
}

impl Selection {
    /// Unknown values are kept by every selection: they may be either kind.
    fn keeps(self, value: &Value) -> bool {
        let ends_in_slash = match value {
            Value::Str { value } => Some(value.ends_with('/')),
            Value::Concat { parts } => match parts.last() {
                Some(Value::Str { value }) => Some(value.ends_with('/')),
                _ => None,
            },
            _ => None,
        };
        match (self, ends_in_slash) {
            (Selection::All, _) | (_, None) => true,
            (Selection::Slash, Some(slash)) => slash,
            (Selection::NoSlash, Some(slash)) => !slash,
        }
    }
}

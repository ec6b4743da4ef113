//! Modelled libraries (`grammars/libraries/javascript.toml`): a call of a library function,
//! constructor or method becomes the SDK calls the library makes.
//!
//! Argument sources in a model's `args` (JavaScript reading of the shared format):
//! `"0"` the first argument; `"name"` or `"a.b"` a property (path) of the first object
//! argument; `"1.a"` a property of the second argument; a trailing `.*` takes every value
//! of that object as a list (middy's `fetchData: { key: '/param' }`); `"new.…"` the same
//! read from the constructor's arguments, for methods of a constructed instance
//! (`"a.*.b"`: the `b` of every value of `a` that has one, as a list)
//! (ElectroDB's `new Entity(schema, { table })`); `"=text"` a fixed string. Sources combine:
//! `a+b` concatenates the parts present (dynamoose's `prefix + name + suffix`), `a|b` takes
//! the first alternative with any part present (`2.tableName|0`). A dotted member name builds
//! nested input, a number segment a one-item list: `TransactItems.0.Put.TableName`.
//!
//! Libraries whose factories or members make objects with modelled methods: `callable`
//! `C.m` is a method of what `C` makes, whether `C` is a class (`new C()`), a function
//! (`dynamoose.model(...)`), a property of such an object (`Model.transaction`) or `C.new`,
//! an instance constructed from one (`new Model(item)`); they all keep the arguments of the
//! first call, which `new.N` reads.

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
    let mut models: Vec<&'static LibraryModel> = libraries::for_language(Language::JavaScript)
        .filter(|m| m.module == package && m.callable == callable)
        .collect();
    // `Class.member.*` stands for any name, which sources read as `{name}`
    // (ElectroDB's `entity.query.<accessPattern>`).
    let mut name = None;
    if models.is_empty()
        && let Some((parent, last)) = callable.rsplit_once('.')
    {
        let wildcard = format!("{parent}.*");
        models = libraries::for_language(Language::JavaScript)
            .filter(|m| m.module == package && m.callable == wildcard)
            .collect();
        name = Some(last);
    }
    for model in models.iter().filter(|m| applies(m, args, constructed)) {
        let model = &with_name(model, name);
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

/// A `[[defaults]]` row of `grammars/libraries/javascript.toml`: calling `setter` records its
/// first argument as options that later calls of `callable` take under their own (argument
/// `argument`), like dynamoose's `dynamoose.Table.defaults.set({ prefix })`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultsRow {
    /// For readers of the table, checked by its test.
    #[cfg_attr(not(test), allow(dead_code))]
    pub library: String,
    #[cfg_attr(not(test), allow(dead_code))]
    pub source: String,
    pub module: String,
    pub setter: String,
    pub callable: String,
    pub argument: usize,
}

#[derive(serde::Deserialize)]
struct DefaultsFile {
    #[serde(default)]
    defaults: Vec<DefaultsRow>,
}

pub fn defaults_rows() -> &'static [DefaultsRow] {
    static ROWS: std::sync::OnceLock<Vec<DefaultsRow>> = std::sync::OnceLock::new();
    ROWS.get_or_init(|| {
        match toml::from_str::<DefaultsFile>(include_str!(
            "../../../grammars/libraries/javascript.toml"
        )) {
            Ok(file) => file.defaults,
            // Compiled in and checked by a test: an error here is our bug.
            Err(e) => panic!("grammars/libraries/javascript.toml is invalid: {e}"),
        }
    })
}

/// The defaults row whose setter `package`'s `path` is.
pub fn defaults_setter(package: &str, path: &str) -> Option<&'static DefaultsRow> {
    defaults_rows()
        .iter()
        .find(|r| r.module == package && r.setter == path)
}

/// The defaults row that applies to calls of `package`'s `path`.
pub fn defaults_for(package: &str, path: &str) -> Option<&'static DefaultsRow> {
    defaults_rows()
        .iter()
        .find(|r| r.module == package && r.callable == path)
}

/// `args` with the options argument laid over the recorded defaults.
pub fn with_defaults<'a>(args: Vec<Sym<'a>>, position: usize, defaults: &Sym<'a>) -> Vec<Sym<'a>> {
    let Sym::Obj(defaults) = defaults else {
        return args;
    };
    let mut args = args;
    while args.len() <= position {
        args.push(Sym::Unknown);
    }
    let merged = super::sym::Object::default();
    merged.borrow_mut().extend(
        defaults
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    match &args[position] {
        Sym::Obj(given) => merged
            .borrow_mut()
            .extend(given.borrow().iter().map(|(k, v)| (k.clone(), v.clone()))),
        // No options (or options not known here): the defaults are what is known.
        Sym::Unknown => {}
        _ => return args,
    }
    args[position] = Sym::Obj(merged);
    args
}

/// The model with `{name}` in its sources replaced by the name a wildcard matched.
fn with_name(model: &LibraryModel, name: Option<&str>) -> LibraryModel {
    let mut model = model.clone();
    if let Some(name) = name {
        for source in model.args.values_mut() {
            *source = source.replace("{name}", name);
        }
    }
    model
}

/// Whether the library has modelled methods on `class` (so its instances are tracked).
pub fn has_class(package: &str, class: &str) -> bool {
    let prefix = format!("{class}.");
    ARGUMENT_CLASSES.contains(&(package, class))
        || libraries::for_language(Language::JavaScript)
            .any(|m| m.module == package && m.callable.starts_with(&prefix))
}

/// Classes with no calls of their own whose constructor arguments library rows read:
/// dynamoose's `new Schema({...})` holds the attribute definitions, whose `index` settings
/// name the indexes a query may use (https://dynamoosejs.com/guide/Schema).
const ARGUMENT_CLASSES: &[(&str, &str)] = &[("dynamoose", "Schema")];

fn members(
    model: &LibraryModel,
    args: &[Sym<'_>],
    constructed: &[Sym<'_>],
) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (member, source) in &model.args {
        if let Some(value) = combined(source, args, constructed) {
            let mut path = member.split('.');
            let first = path.next().unwrap_or(member);
            out.insert(first.to_string(), nest(path.collect(), value));
        }
    }
    out
}

/// `value` placed at `path` below a member: `["0", "Put", "TableName"]` is
/// `[{ Put: { TableName: value } }]`.
fn nest(path: Vec<&str>, value: Value) -> Value {
    path.iter().rev().fold(value, |inner, segment| {
        if segment.parse::<usize>().is_ok() {
            Value::List { items: vec![inner] }
        } else {
            Value::Map {
                entries: BTreeMap::from([(segment.to_string(), inner)]),
            }
        }
    })
}

/// Whether a model applies: every value selection (`.*`) it makes is non-empty or unknown,
/// and none of its `unless` conditions holds.
fn applies(model: &LibraryModel, args: &[Sym<'_>], constructed: &[Sym<'_>]) -> bool {
    let is_selection = |s: &&String| s.contains(".*") || s.starts_with("indexes:");
    let selections = model.args.values().filter(is_selection).all(|source| {
        !matches!(combined(source, args, constructed), Some(Value::List { items }) if items.is_empty())
    });
    selections && !model.unless.iter().any(|c| holds(c, args, constructed))
}

/// An `unless` condition: every `source=value` of it holds (the source's value is that
/// literal, a string or a scalar such as `false`).
fn holds(condition: &str, args: &[Sym<'_>], constructed: &[Sym<'_>]) -> bool {
    condition.split(',').all(|test| {
        let Some((source, expected)) = test.trim().rsplit_once('=') else {
            return false;
        };
        match combined(source, args, constructed) {
            Some(Value::Str { value } | Value::Scalar { value }) => value == expected,
            _ => false,
        }
    })
}

/// A source with alternatives (`|`) and concatenations (`+`).
fn combined(source: &str, args: &[Sym<'_>], constructed: &[Sym<'_>]) -> Option<Value> {
    if source.starts_with('=') {
        return argument(source, args, constructed);
    }
    source.split('|').find_map(|alternative| {
        let parts: Vec<Value> = alternative
            .split('+')
            .filter_map(|part| argument(part, args, constructed))
            .collect();
        match parts.len() {
            0 => None,
            1 => parts.into_iter().next(),
            _ => Some(Value::concat(parts)),
        }
    })
}

fn argument(source: &str, args: &[Sym<'_>], constructed: &[Sym<'_>]) -> Option<Value> {
    if let Some(fixed) = source.strip_prefix('=') {
        return Some(Value::str(fixed));
    }
    if let Some(position) = source.strip_prefix("indexes:new.") {
        let schema = constructed.get(position.parse::<usize>().ok()?)?;
        return Some(schema_indexes(schema));
    }
    if let Some(rest) = source.strip_prefix("new.") {
        return argument(rest, constructed, &[]);
    }
    if let Some(collection) = source.strip_prefix("collection:") {
        return collection_index(args.first()?, collection);
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
    // `a.*.b`: the `b` of every value of `a` that has one, as a list.
    if let Some((path, rest)) = source.split_once(".*.") {
        let mut current = options.clone();
        for part in path.split('.') {
            current = current.property(part)?;
        }
        let Sym::Obj(object) = current else {
            return Some(Value::Unknown);
        };
        let values: Vec<Sym<'_>> = object.borrow().values().cloned().collect();
        let items = values
            .iter()
            .filter_map(|v| argument(rest, std::slice::from_ref(v), &[]))
            .collect();
        return Some(Value::List { items });
    }
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

/// `new.collection:NAME` (ElectroDB services): the `index` of the entity index that declares
/// collection NAME, among the entities of the service's first argument (`{ task: Task }`,
/// each made by `new Entity(schema, config)`); `None` when that index is the table's own.
/// The secondary indexes a dynamoose schema declares, as a list of names: an attribute's
/// `index: { name }` (or a list of them); an index without a name, or `index: true`, is a name
/// left unknown. A schema we cannot see may declare any: unknown.
fn schema_indexes(schema: &Sym<'_>) -> Value {
    let definitions = match schema {
        Sym::LibraryInstance { class, args, .. } if class == "Schema" => args.first().cloned(),
        other => Some(other.clone()),
    };
    let Some(Sym::Obj(attributes)) = definitions else {
        return Value::Unknown;
    };
    let mut names = Vec::new();
    for attribute in attributes.borrow().values() {
        let indexes = match attribute.property("index") {
            Some(Sym::List(list)) => list.borrow().clone(),
            Some(index) => vec![index],
            None => continue,
        };
        for index in indexes {
            if matches!(&index, Sym::Val(Value::Scalar { value }) if value == "false") {
                continue;
            }
            names.push(match index.property("name").map(|n| n.to_value()) {
                Some(name @ Value::Str { .. }) => name,
                _ => Value::Unknown,
            });
        }
    }
    Value::List { items: names }
}

fn collection_index(entities: &Sym<'_>, collection: &str) -> Option<Value> {
    let Sym::Obj(entities) = entities else {
        return None;
    };
    let entities = entities.borrow();
    for entity in entities.values() {
        let Sym::LibraryInstance { args, .. } = entity else {
            continue;
        };
        let Some(Sym::Obj(indexes)) = args.first().and_then(|s| s.property("indexes")) else {
            continue;
        };
        for index in indexes.borrow().values() {
            let declares = match index.property("collection") {
                Some(Sym::Val(v)) => v.as_str() == Some(collection),
                Some(Sym::List(names)) => names
                    .borrow()
                    .iter()
                    .any(|n| n.as_str() == Some(collection)),
                _ => false,
            };
            if declares {
                return index.property("index").map(|i| i.to_value());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_rows_parse_and_cite_a_source() {
        assert!(!defaults_rows().is_empty());
        for row in defaults_rows() {
            assert!(
                row.source.starts_with("https://"),
                "{} has no source",
                row.library
            );
        }
        let row = defaults_setter("dynamoose", "Table.defaults.set").expect("dynamoose v3 row");
        assert_eq!((row.callable.as_str(), row.argument), ("model", 2));
        assert!(defaults_for("dynamoose", "model").is_some());
    }
}

//! CDK app sources in Python: `<module>.<Class>(self, "Id", key=value, ..)` calls,
//! `fn.add_environment(k, v)` and `fn.add_event_source(SqsEventSource(q))`. Keyword names
//! and attributes are snake_case (`table_name`, `queue_url`); they are turned into the
//! camelCase of the TypeScript API so both languages share [`super::cdk_source`]'s tables.
//! Only literals are evaluated: strings (f-strings keep their literal parts), numbers,
//! booleans, dicts, lists, names assigned once in the file, `os.path.join` of those, and
//! `Code.from_asset(path)`; anything else is [`UNKNOWN_MARK`].

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_norway::{Mapping, Value as Yaml};
use tree_sitter::{Node, Parser};

use super::cdk_source::{
    Construct, Declared, EVENT_SOURCES, FOREIGN_QUALIFIERS, FUNCTION_CLASSES, RESOURCE_CLASSES,
    UNREAD_FUNCTION_CLASSES, Wiring, attribute_intrinsic, camel_case, enclosing_name, runtime_id,
};
use super::handler::normalize;
use super::ts_literal::ASSET_KEY;
use super::variables::UNKNOWN_MARK;

/// Deepest nesting of evaluations (a name -> its value -> ...).
const MAX_DEPTH: usize = 48;

/// The constructs and additions declared in the Python file `path` with source `text`.
/// `wiring` names the constructs other stacks pass to this file's stack classes (keyword
/// arguments of their constructors: `ApiStack(app, "Api", table=data.table)`), which are
/// then declared here too, so the file's template can refer to them.
pub fn declared(path: &Path, text: &str, wiring: &Wiring) -> Declared {
    let mut parser = Parser::new();
    if parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .is_err()
    {
        return Declared::default();
    }
    let Some(tree) = parser.parse(text, None) else {
        return Declared::default();
    };
    let mut file = File {
        text,
        path,
        names: BTreeMap::new(),
        variables: BTreeMap::new(),
        depth: Cell::new(0),
        wiring,
        classes: Vec::new(),
        received: std::cell::RefCell::new(Vec::new()),
    };
    let mut found = Vec::new();
    let mut calls = Vec::new();
    let mut instances: BTreeMap<String, String> = BTreeMap::new();
    let mut stacks: Vec<(String, Node)> = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "assignment" => {
                if let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) && left.kind() == "identifier"
                {
                    file.names
                        .entry(file.text_of(left).to_string())
                        .or_insert(right);
                }
            }
            "call" => {
                if let Some((class, id)) = file.instantiation(node) {
                    let held = holder(&file, node);
                    if let Some(variable) = &held {
                        file.variables.insert(variable.clone(), id.clone());
                    }
                    let exposed = held
                        .as_deref()
                        .and_then(|h| h.strip_prefix("self."))
                        .zip(enclosing_name(node, "class_definition", file.text))
                        .map(|(field, class)| (class, field.to_string()));
                    found.push((class, id, node, exposed));
                } else {
                    // A user class (a stack) instantiated: its variable, and what it is passed.
                    if let Some(class) = node
                        .child_by_field_name("function")
                        .filter(|f| f.kind() == "identifier")
                        .map(|f| file.text_of(f).to_string())
                    {
                        if let Some(variable) = holder(&file, node) {
                            instances.insert(variable, class.clone());
                        }
                        stacks.push((class, node));
                    }
                    calls.push(node);
                }
            }
            "class_definition" => {
                if let Some(name) = node.child_by_field_name("name") {
                    file.classes.push(file.text_of(name).to_string());
                }
            }
            _ => {}
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    let mut declared = Declared::default();
    // `ApiStack(app, "Api", table=data.table)` with `data = DataStack(..)`.
    for (class, call) in stacks {
        for (key, value) in keywords(call) {
            let Some((variable, field)) = file.text_of(value).split_once('.') else {
                continue;
            };
            if let Some(source) = instances.get(variable) {
                declared.passed.push((
                    (class.clone(), file.text_of(key).to_string()),
                    (source.clone(), field.to_string()),
                ));
            }
        }
    }
    for (class, id, node, exposed_as) in found {
        let mut props = Mapping::new();
        for (key, value) in keywords(node) {
            props.insert(
                Yaml::String(camel_case(file.text_of(key))),
                file.eval(value),
            );
        }
        declared.constructs.push(Construct {
            id,
            class,
            line: node.start_position().row as u32 + 1,
            props,
            exposed_as,
        });
    }
    for call in calls {
        let Some(callee) = call.child_by_field_name("function") else {
            continue;
        };
        if callee.kind() != "attribute" {
            continue;
        }
        let (Some(object), Some(method)) = (
            callee.child_by_field_name("object"),
            callee.child_by_field_name("attribute"),
        ) else {
            continue;
        };
        let Some(function) = file.variables.get(file.text_of(object)).cloned() else {
            continue;
        };
        let args = positional(call);
        match file.text_of(method) {
            "add_environment" if args.len() >= 2 => {
                if let Yaml::String(key) = file.eval(args[0])
                    && !key.contains(UNKNOWN_MARK)
                {
                    let value = file.eval(args[1]);
                    declared.env.push((function, key, value));
                }
            }
            "add_event_source" if !args.is_empty() && args[0].kind() == "call" => {
                let class = args[0]
                    .child_by_field_name("function")
                    .map(|f| last_segment(file.text_of(f)).to_string())
                    .unwrap_or_default();
                let Some((_, attribute)) = EVENT_SOURCES.iter().find(|(c, _)| *c == class) else {
                    continue;
                };
                if let Some(target) = positional(args[0])
                    .first()
                    .and_then(|t| file.variables.get(file.text_of(*t)))
                {
                    declared
                        .event_sources
                        .push((function, target.clone(), attribute.to_string()));
                }
            }
            _ => {}
        }
    }
    for construct in file.received.into_inner() {
        if !declared.constructs.iter().any(|c| c.id == construct.id) {
            declared.constructs.push(Construct {
                exposed_as: None,
                ..construct
            });
        }
    }
    declared
}

struct File<'t> {
    text: &'t str,
    path: &'t Path,
    /// Name -> the first value assigned to it anywhere in the file.
    names: BTreeMap<String, Node<'t>>,
    /// Variable (`table`, `self.table`) -> the construct id it holds.
    variables: BTreeMap<String, String>,
    depth: Cell<usize>,
    wiring: &'t Wiring,
    /// The classes the file defines.
    classes: Vec<String>,
    /// Constructs of other stacks this file's stacks read (`table.table_name` of a `table`
    /// another stack passes).
    received: std::cell::RefCell<Vec<Construct>>,
}

impl<'t> File<'t> {
    fn text_of(&self, node: Node) -> &'t str {
        node.utf8_text(self.text.as_bytes()).unwrap_or_default()
    }

    /// `<Class>(self, "Id", ..)` of a class we read: (class, id).
    fn instantiation(&self, node: Node) -> Option<(String, String)> {
        let callee = self.text_of(node.child_by_field_name("function")?);
        let class = last_segment(callee);
        let qualifier = callee.rsplit_once('.').map(|(q, _)| q.to_ascii_lowercase());
        if qualifier
            .as_deref()
            .is_some_and(|q| FOREIGN_QUALIFIERS.iter().any(|f| q.contains(f)))
        {
            return None;
        }
        let known = FUNCTION_CLASSES.iter().any(|(c, _)| *c == class)
            || UNREAD_FUNCTION_CLASSES.contains(&class)
            || RESOURCE_CLASSES.iter().any(|(c, _, _)| *c == class);
        if !known {
            return None;
        }
        let id = positional(node)
            .get(1)
            .copied()
            .or_else(|| {
                keywords(node)
                    .into_iter()
                    .find(|(k, _)| matches!(self.text_of(*k), "id" | "construct_id"))
                    .map(|(_, v)| v)
            })
            .filter(|n| n.kind() == "string")?;
        match self.eval(id) {
            Yaml::String(id) if !id.contains(UNKNOWN_MARK) => Some((class.to_string(), id)),
            _ => None,
        }
    }

    fn eval(&self, node: Node) -> Yaml {
        let depth = self.depth.get();
        if depth >= MAX_DEPTH {
            return unknown();
        }
        self.depth.set(depth + 1);
        let value = self.eval_inner(node);
        self.depth.set(depth);
        value
    }

    fn eval_inner(&self, node: Node) -> Yaml {
        match node.kind() {
            "string" => Yaml::String(self.string(node)),
            "concatenated_string" => {
                let mut cursor = node.walk();
                let parts: Vec<Node> = node.named_children(&mut cursor).collect();
                Yaml::String(parts.into_iter().map(|p| self.string(p)).collect())
            }
            "integer" => self
                .text_of(node)
                .parse::<i64>()
                .map(|n| Yaml::Number(n.into()))
                .unwrap_or_else(|_| Yaml::String(self.text_of(node).to_string())),
            "true" => Yaml::Bool(true),
            "false" => Yaml::Bool(false),
            "none" => Yaml::Null,
            "parenthesized_expression" => node
                .named_child(0)
                .map(|n| self.eval(n))
                .unwrap_or_else(unknown),
            "dictionary" => {
                let mut map = Mapping::new();
                let mut cursor = node.walk();
                for pair in node.named_children(&mut cursor) {
                    match pair.kind() {
                        "pair" => {
                            let (Some(key), Some(value)) = (
                                pair.child_by_field_name("key"),
                                pair.child_by_field_name("value"),
                            ) else {
                                continue;
                            };
                            if let Yaml::String(key) = self.eval(key)
                                && !key.contains(UNKNOWN_MARK)
                            {
                                map.insert(Yaml::String(key), self.eval(value));
                            }
                        }
                        "dictionary_splat" => {
                            if let Some(inner) = pair.named_child(0)
                                && let Yaml::Mapping(spread) = self.eval(inner)
                            {
                                map.extend(spread);
                            }
                        }
                        _ => {}
                    }
                }
                Yaml::Mapping(map)
            }
            "list" | "tuple" => {
                let mut cursor = node.walk();
                let items: Vec<Node> = node.named_children(&mut cursor).collect();
                Yaml::Sequence(
                    items
                        .into_iter()
                        .filter(|i| i.kind() != "comment")
                        .map(|i| self.eval(i))
                        .collect(),
                )
            }
            "identifier" => {
                let name = self.text_of(node);
                if name == "__file__" {
                    return Yaml::String(self.path.to_string_lossy().into_owned());
                }
                match self.names.get(name) {
                    Some(value) => self.eval(*value),
                    None => unknown(),
                }
            }
            "attribute" => {
                let (Some(object), Some(attribute)) = (
                    node.child_by_field_name("object"),
                    node.child_by_field_name("attribute"),
                ) else {
                    return unknown();
                };
                let object = self.text_of(object);
                let attribute = self.text_of(attribute);
                if let Some(id) = self.variables.get(object) {
                    return attribute_intrinsic(id, &camel_case(attribute)).unwrap_or_else(unknown);
                }
                // `table.table_name` in a stack class another stack hands `table=` to.
                if !object.contains('.')
                    && let Some(construct) = self
                        .classes
                        .iter()
                        .find_map(|c| self.wiring.received(c, object))
                {
                    self.received.borrow_mut().push(construct.clone());
                    return attribute_intrinsic(&construct.id, &camel_case(attribute))
                        .unwrap_or_else(unknown);
                }
                match last_segment(object) {
                    "Runtime" => runtime_id(attribute)
                        .map(Yaml::String)
                        .unwrap_or_else(unknown),
                    "Tracing" => Yaml::String(attribute.to_string()),
                    _ => unknown(),
                }
            }
            "binary_operator" => {
                let operator = node
                    .child_by_field_name("operator")
                    .map(|o| self.text_of(o));
                let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    return unknown();
                };
                if operator != Some("+") {
                    return unknown();
                }
                Yaml::String(
                    text_or_unknown(&self.eval(left)) + &text_or_unknown(&self.eval(right)),
                )
            }
            "call" => self.call(node),
            _ => unknown(),
        }
    }

    /// A string literal; f-string interpolations are unknown parts.
    fn string(&self, node: Node) -> String {
        let mut out = String::new();
        let mut cursor = node.walk();
        for part in node.named_children(&mut cursor) {
            match part.kind() {
                "string_content" => out.push_str(self.text_of(part)),
                "escape_sequence" => out.push_str(self.text_of(part).trim_start_matches('\\')),
                "interpolation" => out.push_str(UNKNOWN_MARK),
                _ => {}
            }
        }
        out
    }

    /// The calls app code builds asset paths with.
    fn call(&self, node: Node) -> Yaml {
        let Some(callee) = node.child_by_field_name("function") else {
            return unknown();
        };
        let callee = self.text_of(callee);
        let texts: Option<Vec<String>> = positional(node)
            .into_iter()
            .map(|a| match self.eval(a) {
                Yaml::String(s) if !s.contains(UNKNOWN_MARK) => Some(s),
                _ => None,
            })
            .collect();
        let Some(texts) = texts else {
            return unknown();
        };
        match callee {
            c if c.ends_with("Code.from_asset") && !texts.is_empty() => {
                let mut map = Mapping::new();
                map.insert(
                    Yaml::String(ASSET_KEY.to_string()),
                    Yaml::String(texts[0].clone()),
                );
                Yaml::Mapping(map)
            }
            "os.path.join" | "path.join" | "join" if !texts.is_empty() => {
                let mut path = PathBuf::new();
                for text in texts {
                    path.push(text);
                }
                Yaml::String(normalize(&path).to_string_lossy().into_owned())
            }
            "os.path.dirname" | "dirname" if texts.len() == 1 => Yaml::String(
                Path::new(&texts[0])
                    .parent()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ),
            "os.path.abspath" | "os.path.realpath" | "str" if texts.len() == 1 => {
                Yaml::String(texts[0].clone())
            }
            _ => unknown(),
        }
    }
}

/// The variable the call's result is assigned to (`table`, `self.table`).
fn holder(file: &File, node: Node) -> Option<String> {
    let parent = node.parent()?;
    (parent.kind() == "assignment")
        .then(|| parent.child_by_field_name("left"))
        .flatten()
        .map(|left| file.text_of(left).to_string())
}

fn positional(call: Node) -> Vec<Node> {
    call.child_by_field_name("arguments")
        .map(|a| {
            let mut cursor = a.walk();
            a.named_children(&mut cursor)
                .filter(|c| !matches!(c.kind(), "keyword_argument" | "comment"))
                .collect()
        })
        .unwrap_or_default()
}

fn keywords(call: Node) -> Vec<(Node, Node)> {
    call.child_by_field_name("arguments")
        .map(|a| {
            let mut cursor = a.walk();
            a.named_children(&mut cursor)
                .filter(|c| c.kind() == "keyword_argument")
                .filter_map(|k| {
                    Some((
                        k.child_by_field_name("name")?,
                        k.child_by_field_name("value")?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn unknown() -> Yaml {
    Yaml::String(UNKNOWN_MARK.to_string())
}

fn text_or_unknown(value: &Yaml) -> String {
    match value {
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        _ => UNKNOWN_MARK.to_string(),
    }
}

fn last_segment(text: &str) -> &str {
    text.rsplit('.').next().unwrap_or(text)
}

//! CDK app sources in TypeScript/JavaScript: `new <Class>(this, 'Id', {props})`
//! instantiations, `fn.addEnvironment(k, v)` and `fn.addEventSource(new SqsEventSource(q))`,
//! evaluated through [`super::ts_literal`]. See [`super::cdk_source`].

use std::collections::BTreeMap;
use std::path::Path;

use serde_norway::{Mapping, Value as Yaml};
use tree_sitter::Node;

use super::cdk_source::{
    Construct, Declared, EVENT_SOURCES, FOREIGN_QUALIFIERS, FUNCTION_CLASSES, RESOURCE_CLASSES,
    UNREAD_FUNCTION_CLASSES, attribute_intrinsic, runtime_id,
};
use super::ts_literal::{Module, Program, string_literal};

/// The constructs and additions declared in `path`.
pub fn declared(root: &Path, path: &Path, app_dir: &Path) -> Declared {
    let Some(program) = Program::load(root, path, app_dir, false) else {
        return Declared::default();
    };
    let module = &program.modules[0];
    // Pass 1: construct instantiations and the variables holding them.
    let mut found: Vec<(String, String, u32, Option<Node>)> = Vec::new();
    let mut variables: BTreeMap<String, String> = BTreeMap::new();
    let mut calls: Vec<Node> = Vec::new();
    let mut stack = vec![module.tree.root_node()];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "new_expression" => {
                if let Some((class, id, props)) = instantiation(module, node) {
                    if let Some(variable) = holder(module, node) {
                        variables.insert(variable, id.clone());
                    }
                    let line = node.start_position().row as u32 + 1;
                    found.push((class, id, line, props));
                }
            }
            "call_expression" => calls.push(node),
            _ => {}
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    let hook = |_: &Module, object: &str, property: &str| -> Option<Yaml> {
        if let Some(id) = variables.get(object) {
            return attribute_intrinsic(id, property);
        }
        let last = object.rsplit('.').next().unwrap_or(object);
        match last {
            "Runtime" => runtime_id(property).map(Yaml::String),
            "Tracing" => Some(Yaml::String(property.to_string())),
            _ => None,
        }
    };
    let mut declared = Declared::default();
    for (class, id, line, props) in found {
        let props = match props.map(|p| program.eval(0, p, &hook)) {
            Some(Yaml::Mapping(map)) => map,
            _ => Mapping::new(),
        };
        declared.constructs.push(Construct {
            id,
            class,
            line,
            props,
        });
    }
    for call in calls {
        let Some(callee) = call.child_by_field_name("function") else {
            continue;
        };
        if callee.kind() != "member_expression" {
            continue;
        }
        let (Some(object), Some(method)) = (
            callee.child_by_field_name("object"),
            callee.child_by_field_name("property"),
        ) else {
            continue;
        };
        let Some(function) = variables.get(module.text_of(object)) else {
            continue;
        };
        let args = arguments(call);
        match module.text_of(method) {
            "addEnvironment" if args.len() >= 2 && args[0].kind() == "string" => {
                let key = string_literal(module, args[0]);
                let value = program.eval(0, args[1], &hook);
                declared.env.push((function.clone(), key, value));
            }
            "addEventSource" if !args.is_empty() && args[0].kind() == "new_expression" => {
                let source = args[0];
                let class = source
                    .child_by_field_name("constructor")
                    .map(|c| last_segment(module.text_of(c)).to_string())
                    .unwrap_or_default();
                let Some((_, attribute)) = EVENT_SOURCES.iter().find(|(c, _)| *c == class) else {
                    continue;
                };
                let source_args = source
                    .child_by_field_name("arguments")
                    .map(|a| {
                        let mut cursor = a.walk();
                        a.named_children(&mut cursor).collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                if let Some(target) = source_args
                    .first()
                    .and_then(|t| variables.get(module.text_of(*t)))
                {
                    declared.event_sources.push((
                        function.clone(),
                        target.clone(),
                        attribute.to_string(),
                    ));
                }
            }
            _ => {}
        }
    }
    declared
}

/// `new <Class>(scope, 'Id', props?)` of a class we read: (class, id, props node).
fn instantiation<'t>(
    module: &Module,
    node: Node<'t>,
) -> Option<(String, String, Option<Node<'t>>)> {
    let constructor = module.text_of(node.child_by_field_name("constructor")?);
    let class = last_segment(constructor);
    let qualifier = constructor
        .rsplit_once('.')
        .map(|(q, _)| q.to_ascii_lowercase());
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
    let args = arguments(node);
    let id = args.get(1).filter(|a| a.kind() == "string")?;
    Some((
        class.to_string(),
        string_literal(module, *id),
        args.get(2).copied(),
    ))
}

/// The variable or property the instantiation is assigned to (`table`, `this.table`).
fn holder(module: &Module, node: Node) -> Option<String> {
    let mut parent = node.parent()?;
    while matches!(
        parent.kind(),
        "as_expression" | "parenthesized_expression" | "non_null_expression"
    ) {
        parent = parent.parent()?;
    }
    match parent.kind() {
        "variable_declarator" => Some(
            module
                .text_of(parent.child_by_field_name("name")?)
                .to_string(),
        ),
        "assignment_expression" => Some(
            module
                .text_of(parent.child_by_field_name("left")?)
                .to_string(),
        ),
        "public_field_definition" => parent
            .child_by_field_name("name")
            .map(|n| format!("this.{}", module.text_of(n))),
        _ => None,
    }
}

fn arguments(node: Node) -> Vec<Node> {
    node.child_by_field_name("arguments")
        .map(|a| {
            let mut cursor = a.walk();
            a.named_children(&mut cursor)
                .filter(|c| c.kind() != "comment")
                .collect()
        })
        .unwrap_or_default()
}

fn last_segment(text: &str) -> &str {
    text.rsplit('.').next().unwrap_or(text)
}

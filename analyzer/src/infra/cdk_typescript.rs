//! CDK app sources in TypeScript/JavaScript: `new <Class>(this, 'Id', {props})`
//! instantiations, `fn.addEnvironment(k, v)` and `fn.addEventSource(new SqsEventSource(q))`,
//! evaluated through [`super::ts_literal`]. See [`super::cdk_source`].

use std::collections::BTreeMap;
use std::path::Path;

use serde_norway::{Mapping, Value as Yaml};
use tree_sitter::Node;

use super::cdk_source::{
    Construct, Declared, EVENT_SOURCES, FOREIGN_QUALIFIERS, FUNCTION_CLASSES, RESOURCE_CLASSES,
    UNREAD_FUNCTION_CLASSES, Wiring, attribute_intrinsic, enclosing_name, runtime_id,
};
use super::ts_literal::{Module, Program, string_literal};

/// The constructs and additions declared in `path`. `wiring` names the constructs other
/// stacks pass to this file's stack classes (`props.table`), which are then declared here
/// too, so the file's template can refer to them.
pub fn declared(root: &Path, path: &Path, app_dir: &Path, wiring: &Wiring) -> Declared {
    let Some(program) = Program::load(root, path, app_dir, false) else {
        return Declared::default();
    };
    let module = &program.modules[0];
    // Pass 1: construct instantiations and the variables holding them; the classes the file
    // defines; user classes instantiated with the variables they are assigned to.
    let mut found: Vec<(String, String, u32, Option<Node>, Option<(String, String)>)> = Vec::new();
    let mut variables: BTreeMap<String, String> = BTreeMap::new();
    let mut calls: Vec<Node> = Vec::new();
    let mut classes: Vec<String> = Vec::new();
    let mut instances: BTreeMap<String, String> = BTreeMap::new();
    let mut stacks: Vec<(String, Node)> = Vec::new();
    let mut stack = vec![module.tree.root_node()];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "new_expression" => {
                if let Some((class, id, props)) = instantiation(module, node) {
                    let held = holder(module, node);
                    if let Some(variable) = &held {
                        variables.insert(variable.clone(), id.clone());
                    }
                    let exposed = held
                        .as_deref()
                        .and_then(|h| h.strip_prefix("this."))
                        .zip(enclosing_name(node, "class_declaration", &module.text))
                        .map(|(field, class)| (class, field.to_string()));
                    let line = node.start_position().row as u32 + 1;
                    found.push((class, id, line, props, exposed));
                } else if let Some(class) = node
                    .child_by_field_name("constructor")
                    .filter(|c| c.kind() == "identifier")
                    .map(|c| module.text_of(c).to_string())
                {
                    if let Some(variable) = holder(module, node) {
                        instances.insert(variable, class.clone());
                    }
                    if let Some(props) = arguments(node).get(2).filter(|p| p.kind() == "object") {
                        stacks.push((class, *props));
                    }
                }
            }
            "class_declaration" => {
                if let Some(name) = node.child_by_field_name("name") {
                    classes.push(module.text_of(name).to_string());
                }
            }
            "call_expression" => calls.push(node),
            _ => {}
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    let received = std::cell::RefCell::new(Vec::<Construct>::new());
    let hook = |_: &Module, object: &str, property: &str| -> Option<Yaml> {
        if let Some(id) = variables.get(object) {
            return attribute_intrinsic(id, property);
        }
        // `props.table.tableName` in a stack class another stack hands `table` to.
        if let Some((_, prop)) = object.split_once('.').filter(|(_, p)| !p.contains('.'))
            && let Some(construct) = classes.iter().find_map(|c| wiring.received(c, prop))
        {
            received.borrow_mut().push(construct.clone());
            return attribute_intrinsic(&construct.id, property);
        }
        let last = object.rsplit('.').next().unwrap_or(object);
        match last {
            "Runtime" => runtime_id(property).map(Yaml::String),
            "Tracing" => Some(Yaml::String(property.to_string())),
            _ => None,
        }
    };
    let mut declared = Declared::default();
    for (class, id, line, props, exposed_as) in found {
        let props = match props.map(|p| program.eval(0, p, &hook)) {
            Some(Yaml::Mapping(map)) => map,
            _ => Mapping::new(),
        };
        declared.constructs.push(Construct {
            id,
            class,
            line,
            props,
            exposed_as,
        });
    }
    // `new ApiStack(app, 'Api', { table: data.table })`: what each prop passes.
    for (class, props) in stacks {
        let mut cursor = props.walk();
        for pair in props
            .named_children(&mut cursor)
            .filter(|p| p.kind() == "pair")
        {
            let (Some(key), Some(value)) = (
                pair.child_by_field_name("key"),
                pair.child_by_field_name("value"),
            ) else {
                continue;
            };
            let Some((variable, field)) = module.text_of(value).split_once('.') else {
                continue;
            };
            if let Some(source) = instances.get(variable) {
                declared.passed.push((
                    (class.clone(), module.text_of(key).to_string()),
                    (source.clone(), field.to_string()),
                ));
            }
        }
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
    for construct in received.into_inner() {
        if !declared.constructs.iter().any(|c| c.id == construct.id) {
            declared.constructs.push(Construct {
                exposed_as: None,
                ..construct
            });
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

//! What a module declares at its top level: imports, bindings, exports (ES and CommonJS)
//! and the assignments to each name, so the evaluator can find any binding without
//! re-walking the file.

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use crate::fields::Fields;

/// How a local name was imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportKind {
    /// `import x from 's'`.
    Default,
    /// `import * as x from 's'`, `const x = require('s')`, `import x = require('s')`.
    Namespace,
    /// `import { n as x } from 's'`.
    Named(String),
}

#[derive(Debug, Clone)]
pub struct Import {
    pub spec: String,
    pub kind: ImportKind,
}

/// A top-level binding.
#[derive(Debug, Clone, Copy)]
pub enum TopDef<'a> {
    /// A `variable_declarator`; its pattern may bind several names.
    Declarator(Node<'a>),
    Function(Node<'a>),
    Class(Node<'a>),
}

/// What an exported name stands for.
#[derive(Debug, Clone)]
pub enum ExportDef<'a> {
    /// A top-level name of this module.
    Local(String),
    /// An expression: `exports.x = expr`, `export default expr`, `module.exports = { x: expr }`.
    Expr(Node<'a>),
    /// `export { x as y } from 's'`.
    ReExport { spec: String, name: String },
    /// `export * as ns from 's'`.
    Namespace(String),
}

#[derive(Debug, Default)]
pub struct ModuleIndex<'a> {
    pub imports: HashMap<String, Import>,
    pub top: HashMap<String, TopDef<'a>>,
    pub exports: HashMap<String, ExportDef<'a>>,
    /// `export * from 's'`.
    pub star_exports: Vec<String>,
    /// `module.exports = expr`.
    pub cjs_exports: Option<Node<'a>>,
    /// Right-hand sides of `name = expr` anywhere in the file, by name: lazily initialised
    /// singletons (`let s3; ... s3 = new S3Client()`). Collected on first need.
    pub assignments: Option<HashMap<String, Vec<Node<'a>>>>,
    /// Top-level names that are exported: their initialisers run only when referenced, so
    /// each handler of a shared module gets its own calls.
    pub exported_locals: HashSet<String>,
    /// Top-level statements that run when the module loads (declarations included).
    pub statements: Vec<Node<'a>>,
}

/// Source text of a node.
pub fn text<'a>(node: Node<'_>, source: &'a str) -> &'a str {
    source.get(node.byte_range()).unwrap_or("")
}

/// The value of a string literal node (`'x'`, `"x"`), escapes left as written.
pub fn string_value(node: Node<'_>, source: &str) -> Option<String> {
    if node.kind() != "string" {
        return None;
    }
    let raw = text(node, source);
    Some(
        raw.get(1..raw.len().saturating_sub(1))
            .unwrap_or("")
            .to_string(),
    )
}

/// Names bound by a declarator's pattern.
pub fn pattern_names(pattern: Node<'_>, source: &str, out: &mut Vec<String>) {
    match pattern.kind() {
        "identifier" | "shorthand_property_identifier_pattern" => {
            out.push(text(pattern, source).to_string())
        }
        "pair_pattern" => {
            if let Some(value) = pattern.field("value") {
                pattern_names(value, source, out);
            }
        }
        "assignment_pattern" | "object_assignment_pattern" => {
            if let Some(left) = pattern.field("left") {
                pattern_names(left, source, out);
            }
        }
        _ => {
            let mut cursor = pattern.walk();
            for child in pattern.named_children(&mut cursor) {
                pattern_names(child, source, out);
            }
        }
    }
}

impl<'a> ModuleIndex<'a> {
    pub fn build(root: Node<'a>, source: &str) -> Self {
        let mut index = ModuleIndex::default();
        let mut cursor = root.walk();
        for statement in root.named_children(&mut cursor) {
            index.statement(statement, source);
        }
        index
    }

    fn statement(&mut self, node: Node<'a>, source: &str) {
        match node.kind() {
            "import_statement" => self.import(node, source),
            "export_statement" => self.export(node, source),
            "expression_statement" => {
                if !self.cjs_export(node, source) {
                    self.statements.push(node);
                }
            }
            _ => {
                self.declaration(node, source);
                self.statements.push(node);
            }
        }
    }

    /// Records the names a declaration binds; returns them.
    fn declaration(&mut self, node: Node<'a>, source: &str) -> Vec<String> {
        let mut names = Vec::new();
        match node.kind() {
            "lexical_declaration" | "variable_declaration" => {
                let mut cursor = node.walk();
                for declarator in node.named_children(&mut cursor) {
                    if declarator.kind() != "variable_declarator" {
                        continue;
                    }
                    let Some(pattern) = declarator.field("name") else {
                        continue;
                    };
                    let mut bound = Vec::new();
                    pattern_names(pattern, source, &mut bound);
                    for name in &bound {
                        self.top
                            .insert(name.clone(), TopDef::Declarator(declarator));
                    }
                    names.extend(bound);
                }
            }
            "function_declaration" | "generator_function_declaration" => {
                if let Some(name) = node.field("name") {
                    let name = text(name, source).to_string();
                    self.top.insert(name.clone(), TopDef::Function(node));
                    names.push(name);
                }
            }
            "class_declaration" | "abstract_class_declaration" => {
                if let Some(name) = node.field("name") {
                    let name = text(name, source).to_string();
                    self.top.insert(name.clone(), TopDef::Class(node));
                    names.push(name);
                }
            }
            _ => {}
        }
        names
    }

    fn import(&mut self, node: Node<'a>, source: &str) {
        // `import x = require('s')` keeps its source inside the clause.
        let require_clause = {
            let mut cursor = node.walk();
            node.named_children(&mut cursor)
                .find(|c| c.kind() == "import_require_clause")
        };
        let Some(spec) = node
            .field("source")
            .or_else(|| require_clause.and_then(|c| c.field("source")))
            .and_then(|s| string_value(s, source))
        else {
            return;
        };
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "import_clause" => {
                    let mut inner = child.walk();
                    for part in child.named_children(&mut inner) {
                        self.import_part(part, &spec, source);
                    }
                }
                "import_require_clause" => {
                    if let Some(id) = child.named_child(0) {
                        self.imports.insert(
                            text(id, source).to_string(),
                            Import {
                                spec: spec.clone(),
                                kind: ImportKind::Namespace,
                            },
                        );
                    }
                }
                _ => {}
            }
        }
    }

    fn import_part(&mut self, part: Node<'a>, spec: &str, source: &str) {
        match part.kind() {
            "identifier" => {
                self.imports.insert(
                    text(part, source).to_string(),
                    Import {
                        spec: spec.to_string(),
                        kind: ImportKind::Default,
                    },
                );
            }
            "namespace_import" => {
                if let Some(id) = part.named_child(0) {
                    self.imports.insert(
                        text(id, source).to_string(),
                        Import {
                            spec: spec.to_string(),
                            kind: ImportKind::Namespace,
                        },
                    );
                }
            }
            "named_imports" => {
                let mut cursor = part.walk();
                for specifier in part.named_children(&mut cursor) {
                    let Some(name) = specifier.field("name") else {
                        continue;
                    };
                    let imported = string_value(name, source)
                        .unwrap_or_else(|| text(name, source).to_string());
                    let local = specifier
                        .field("alias")
                        .map(|a| text(a, source).to_string())
                        .unwrap_or_else(|| imported.clone());
                    let kind = if imported == "default" {
                        ImportKind::Default
                    } else {
                        ImportKind::Named(imported)
                    };
                    self.imports.insert(
                        local,
                        Import {
                            spec: spec.to_string(),
                            kind,
                        },
                    );
                }
            }
            _ => {}
        }
    }

    fn export(&mut self, node: Node<'a>, source: &str) {
        let is_default = {
            let mut cursor = node.walk();
            node.children(&mut cursor).any(|c| c.kind() == "default")
        };
        let spec = node.field("source").and_then(|s| string_value(s, source));
        if let Some(declaration) = node.field("declaration") {
            let names = self.declaration(declaration, source);
            if is_default {
                if let Some(name) = names.first() {
                    self.exports
                        .insert("default".into(), ExportDef::Local(name.clone()));
                } else {
                    self.exports
                        .insert("default".into(), ExportDef::Expr(declaration));
                }
            }
            for name in names {
                if !is_default {
                    self.exports
                        .insert(name.clone(), ExportDef::Local(name.clone()));
                }
                self.exported_locals.insert(name);
            }
            if !matches!(
                declaration.kind(),
                "lexical_declaration" | "variable_declaration"
            ) {
                self.statements.push(declaration);
            }
            return;
        }
        if let Some(value) = node.field("value") {
            if value.kind() == "identifier" {
                let name = text(value, source).to_string();
                self.exported_locals.insert(name.clone());
                self.exports
                    .insert("default".into(), ExportDef::Local(name));
            } else {
                self.exports
                    .insert("default".into(), ExportDef::Expr(value));
            }
            return;
        }
        let mut cursor = node.walk();
        let mut had_clause = false;
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "export_clause" => {
                    had_clause = true;
                    let mut inner = child.walk();
                    for specifier in child.named_children(&mut inner) {
                        let Some(name) = specifier.field("name") else {
                            continue;
                        };
                        let name = string_value(name, source)
                            .unwrap_or_else(|| text(name, source).to_string());
                        let alias = specifier
                            .field("alias")
                            .map(|a| {
                                string_value(a, source)
                                    .unwrap_or_else(|| text(a, source).to_string())
                            })
                            .unwrap_or_else(|| name.clone());
                        let def = match &spec {
                            Some(spec) => ExportDef::ReExport {
                                spec: spec.clone(),
                                name: name.clone(),
                            },
                            None => {
                                self.exported_locals.insert(name.clone());
                                ExportDef::Local(name)
                            }
                        };
                        self.exports.insert(alias, def);
                    }
                }
                "namespace_export" => {
                    had_clause = true;
                    if let (Some(id), Some(spec)) = (child.named_child(0), &spec) {
                        self.exports.insert(
                            text(id, source).to_string(),
                            ExportDef::Namespace(spec.clone()),
                        );
                    }
                }
                _ => {}
            }
        }
        if !had_clause && let Some(spec) = spec {
            self.star_exports.push(spec);
        }
    }

    /// `module.exports = ...`, `module.exports.x = ...`, `exports.x = ...`. Returns whether
    /// the statement was one.
    fn cjs_export(&mut self, statement: Node<'a>, source: &str) -> bool {
        let Some(assignment) = statement.named_child(0) else {
            return false;
        };
        if assignment.kind() != "assignment_expression" {
            return false;
        }
        let (Some(left), Some(right)) = (assignment.field("left"), assignment.field("right"))
        else {
            return false;
        };
        let target = text(left, source);
        if target == "module.exports" {
            self.cjs_exports = Some(right);
            match right.kind() {
                "object" => self.cjs_object(right, source),
                "identifier" => {
                    self.exported_locals.insert(text(right, source).to_string());
                }
                _ => {}
            }
            return true;
        }
        let name = target
            .strip_prefix("module.exports.")
            .or_else(|| target.strip_prefix("exports."));
        if let Some(name) = name {
            if right.kind() == "identifier" {
                let local = text(right, source).to_string();
                self.exported_locals.insert(local.clone());
                self.exports
                    .insert(name.to_string(), ExportDef::Local(local));
            } else {
                self.exports
                    .insert(name.to_string(), ExportDef::Expr(right));
            }
            return true;
        }
        false
    }

    fn cjs_object(&mut self, object: Node<'a>, source: &str) {
        let mut cursor = object.walk();
        for member in object.named_children(&mut cursor) {
            match member.kind() {
                "shorthand_property_identifier" => {
                    let name = text(member, source).to_string();
                    self.exported_locals.insert(name.clone());
                    self.exports.insert(name.clone(), ExportDef::Local(name));
                }
                "pair" => {
                    let (Some(key), Some(value)) = (member.field("key"), member.field("value"))
                    else {
                        continue;
                    };
                    let key =
                        string_value(key, source).unwrap_or_else(|| text(key, source).to_string());
                    if value.kind() == "identifier" {
                        let local = text(value, source).to_string();
                        self.exported_locals.insert(local.clone());
                        self.exports.insert(key, ExportDef::Local(local));
                    } else {
                        self.exports.insert(key, ExportDef::Expr(value));
                    }
                }
                "method_definition" => {
                    if let Some(name) = member.field("name") {
                        self.exports
                            .insert(text(name, source).to_string(), ExportDef::Expr(member));
                    }
                }
                _ => {}
            }
        }
    }

    /// The right-hand sides assigned to `name` anywhere in the file.
    pub fn assignments_to(&mut self, root: Node<'a>, source: &str, name: &str) -> Vec<Node<'a>> {
        if self.assignments.is_none() {
            self.collect_assignments(root, source);
        }
        self.assignments
            .as_ref()
            .and_then(|a| a.get(name))
            .cloned()
            .unwrap_or_default()
    }

    /// Every `name = expr` in the file whose target is a plain identifier.
    fn collect_assignments(&mut self, root: Node<'a>, source: &str) {
        let mut found: HashMap<String, Vec<Node<'a>>> = HashMap::new();
        let mut cursor = root.walk();
        let mut descend = true;
        loop {
            let node = cursor.node();
            if descend
                && node.kind() == "assignment_expression"
                && let (Some(left), Some(right)) = (node.field("left"), node.field("right"))
                && left.kind() == "identifier"
            {
                found
                    .entry(text(left, source).to_string())
                    .or_default()
                    .push(right);
            }
            if descend && cursor.goto_first_child() {
                continue;
            }
            if cursor.goto_next_sibling() {
                descend = true;
                continue;
            }
            if !cursor.goto_parent() {
                break;
            }
            descend = false;
        }
        self.assignments = Some(found);
    }
}

//! Static evaluation of TypeScript/JavaScript literals into the infrastructure tree type,
//! for configuration written in code (`serverless.ts`, CDK apps). Only what a literal
//! states is evaluated: objects, arrays, strings, template strings, numbers, booleans,
//! identifiers bound by `const`/`let` or imported from local modules that export such
//! values, spreads, `path.join(__dirname, ..)`, and the Serverless template's
//! `handlerPath(__dirname)`. Anything else becomes [`UNKNOWN_MARK`] (a `Value::Unknown`
//! once evaluated as a CloudFormation value); code is never executed.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_norway::{Mapping, Value as Yaml};
use tree_sitter::{Node, Parser, Tree};

use super::handler::{inside, normalize};
use super::variables::UNKNOWN_MARK;
use crate::javascript::tsconfig::TsConfig;
use crate::source::{read_source, relative};

/// The key of the mapping that stands for CDK's `Code.fromAsset(path)`: `{ASSET_KEY: path}`.
pub const ASSET_KEY: &str = "\u{0}asset";

/// Deepest nesting of evaluations (identifier -> declaration -> import ...).
const MAX_DEPTH: usize = 48;
/// Most modules loaded through imports from one configuration file.
const MAX_MODULES: usize = 64;
/// Extensions tried for an import specifier without one, in order.
const EXTENSIONS: &[&str] = &["ts", "tsx", "mts", "js", "mjs", "cjs"];

/// One parsed source file.
pub struct Module {
    pub path: PathBuf,
    pub text: String,
    pub tree: Tree,
    /// Local name -> (module index, exported name or `default`), for resolved imports.
    imports: BTreeMap<String, (usize, String)>,
}

impl Module {
    /// The source text of `node`.
    pub fn text_of(&self, node: Node) -> &str {
        node.utf8_text(self.text.as_bytes()).unwrap_or_default()
    }
}

/// A configuration file and the local modules it imports (transitively, bounded).
pub struct Program {
    pub modules: Vec<Module>,
    /// The folder `handlerPath` and `process.cwd()` are relative to (the service folder).
    pub base: PathBuf,
    depth: Cell<usize>,
}

/// Resolves member expressions the literal evaluator does not know (`table.tableName`).
pub type MemberHook<'a> = dyn Fn(&Module, &str, &str) -> Option<Yaml> + 'a;

/// Parses `text` as TypeScript.
pub fn parse(text: &str) -> Option<Tree> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into())
        .ok()?;
    parser.parse(text, None)
}

impl Program {
    /// Loads `path` (inside `root`) and, when `follow_imports`, the local modules it imports.
    pub fn load(root: &Path, path: &Path, base: &Path, follow_imports: bool) -> Option<Program> {
        let tsconfig = find_tsconfig(root, base).and_then(|t| TsConfig::load(root, &t));
        let mut program = Program {
            modules: Vec::new(),
            base: base.to_path_buf(),
            depth: Cell::new(0),
        };
        program.add(root, path)?;
        let mut next = 0;
        while follow_imports && next < program.modules.len() {
            let specs = import_specs(&program.modules[next]);
            for (local, spec, name) in specs {
                let dir = program.modules[next]
                    .path
                    .parent()
                    .unwrap_or(root)
                    .to_path_buf();
                let Some(target) = resolve_import(root, &dir, &spec, tsconfig.as_ref()) else {
                    continue;
                };
                let index = match program.modules.iter().position(|m| m.path == target) {
                    Some(index) => index,
                    None if program.modules.len() < MAX_MODULES => {
                        match program.add(root, &target) {
                            Some(index) => index,
                            None => continue,
                        }
                    }
                    None => continue,
                };
                program.modules[next].imports.insert(local, (index, name));
            }
            next += 1;
        }
        Some(program)
    }

    fn add(&mut self, root: &Path, path: &Path) -> Option<usize> {
        let source = read_source(root, path).ok()?;
        let tree = parse(&source.text)?;
        self.modules.push(Module {
            path: normalize(&source.path),
            text: source.text,
            tree,
            imports: BTreeMap::new(),
        });
        Some(self.modules.len() - 1)
    }

    /// The value module `index` exports as `name` (`default` for `export default` and
    /// `module.exports =`).
    pub fn export(&self, index: usize, name: &str, hook: &MemberHook) -> Option<Yaml> {
        let module = self.modules.get(index)?;
        let root = module.tree.root_node();
        let mut cursor = root.walk();
        for statement in root.named_children(&mut cursor) {
            match statement.kind() {
                "export_statement" => {
                    if let Some(value) = statement.child_by_field_name("value")
                        && name == "default"
                    {
                        return Some(self.eval(index, value, hook));
                    }
                    if let Some(declaration) = statement.child_by_field_name("declaration")
                        && let Some(value) = declarator_value(module, declaration, name)
                    {
                        return Some(self.eval(index, value, hook));
                    }
                    // `export { default as hello } from './hello'`, `export { a }`.
                    if let Some(found) = self.export_clause(index, statement, name, hook) {
                        return Some(found);
                    }
                }
                "expression_statement" if name == "default" => {
                    let Some(assignment) = statement.named_child(0) else {
                        continue;
                    };
                    if assignment.kind() == "assignment_expression"
                        && let Some(left) = assignment.child_by_field_name("left")
                        && module.text_of(left) == "module.exports"
                        && let Some(right) = assignment.child_by_field_name("right")
                    {
                        return Some(self.eval(index, right, hook));
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn export_clause(
        &self,
        index: usize,
        statement: Node,
        name: &str,
        hook: &MemberHook,
    ) -> Option<Yaml> {
        let module = &self.modules[index];
        let mut cursor = statement.walk();
        let clause = statement
            .named_children(&mut cursor)
            .find(|c| c.kind() == "export_clause")?;
        let mut cursor = clause.walk();
        for specifier in clause.named_children(&mut cursor) {
            let original = specifier
                .child_by_field_name("name")
                .map(|n| module.text_of(n))?;
            let exported = specifier
                .child_by_field_name("alias")
                .map(|n| module.text_of(n))
                .unwrap_or(original);
            if exported != name {
                continue;
            }
            if statement.child_by_field_name("source").is_some() {
                let key = format!("\u{0}reexport:{exported}");
                let (target, target_name) = module.imports.get(&key)?;
                return self.export(*target, target_name, hook);
            }
            return self.identifier(index, original, hook);
        }
        None
    }

    /// Evaluates an expression of module `index`.
    pub fn eval(&self, index: usize, node: Node, hook: &MemberHook) -> Yaml {
        let depth = self.depth.get();
        if depth >= MAX_DEPTH {
            return unknown();
        }
        self.depth.set(depth + 1);
        let value = self.eval_inner(index, node, hook);
        self.depth.set(depth);
        value
    }

    fn eval_inner(&self, index: usize, node: Node, hook: &MemberHook) -> Yaml {
        let module = &self.modules[index];
        match node.kind() {
            "string" => Yaml::String(string_literal(module, node)),
            "template_string" => Yaml::String(self.template(index, node, hook)),
            "number" => module
                .text_of(node)
                .parse::<i64>()
                .map(|n| Yaml::Number(n.into()))
                .unwrap_or_else(|_| Yaml::String(module.text_of(node).to_string())),
            "true" => Yaml::Bool(true),
            "false" => Yaml::Bool(false),
            "null" | "undefined" => Yaml::Null,
            "object" => self.object(index, node, hook),
            "array" => {
                let mut items = Vec::new();
                let mut cursor = node.walk();
                for item in node.named_children(&mut cursor) {
                    if item.kind() == "spread_element" {
                        if let Some(inner) = item.named_child(0)
                            && let Yaml::Sequence(spread) = self.eval(index, inner, hook)
                        {
                            items.extend(spread);
                        }
                        continue;
                    }
                    if item.kind() != "comment" {
                        items.push(self.eval(index, item, hook));
                    }
                }
                Yaml::Sequence(items)
            }
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "type_assertion" => match node.named_child(0) {
                Some(inner) => self.eval(index, inner, hook),
                None => unknown(),
            },
            "identifier" => {
                let name = module.text_of(node);
                if name == "__dirname" {
                    return Yaml::String(
                        module
                            .path
                            .parent()
                            .map(|p| p.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                    );
                }
                self.identifier(index, name, hook).unwrap_or_else(unknown)
            }
            "member_expression" => {
                let (Some(object), Some(property)) = (
                    node.child_by_field_name("object"),
                    node.child_by_field_name("property"),
                ) else {
                    return unknown();
                };
                if let Some(value) = hook(module, module.text_of(object), module.text_of(property))
                {
                    return value;
                }
                match self.eval(index, object, hook) {
                    Yaml::Mapping(map) => map
                        .get(module.text_of(property))
                        .cloned()
                        .unwrap_or_else(unknown),
                    _ => unknown(),
                }
            }
            "binary_expression" => {
                let operator = node
                    .child_by_field_name("operator")
                    .map(|o| module.text_of(o));
                let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    return unknown();
                };
                match operator {
                    Some("+") => {
                        let left = text_or_unknown(&self.eval(index, left, hook));
                        let right = text_or_unknown(&self.eval(index, right, hook));
                        Yaml::String(left + &right)
                    }
                    Some("??") | Some("||") => match self.eval(index, left, hook) {
                        Yaml::Null => self.eval(index, right, hook),
                        value => value,
                    },
                    _ => unknown(),
                }
            }
            "call_expression" => self.call(index, node, hook),
            _ => unknown(),
        }
    }

    /// An identifier of module `index`: a top-level `const`/`let`/`var`, or an import.
    fn identifier(&self, index: usize, name: &str, hook: &MemberHook) -> Option<Yaml> {
        let module = &self.modules[index];
        if let Some(value) = top_level_value(module, name) {
            return Some(self.eval(index, value, hook));
        }
        if let Some((target, exported)) = module.imports.get(name) {
            return self.export(*target, exported, hook);
        }
        // Configuration code is flat: a `const` inside a constructor or function.
        let value = any_declaration(module, module.tree.root_node(), name)?;
        Some(self.eval(index, value, hook))
    }

    fn object(&self, index: usize, node: Node, hook: &MemberHook) -> Yaml {
        let module = &self.modules[index];
        let mut map = Mapping::new();
        let mut cursor = node.walk();
        for member in node.named_children(&mut cursor) {
            match member.kind() {
                "pair" => {
                    let (Some(key), Some(value)) = (
                        member.child_by_field_name("key"),
                        member.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    let key = match key.kind() {
                        "string" => string_literal(module, key),
                        "computed_property_name" => {
                            match key.named_child(0).map(|k| self.eval(index, k, hook)) {
                                Some(Yaml::String(s)) if !s.contains(UNKNOWN_MARK) => s,
                                _ => continue,
                            }
                        }
                        _ => module.text_of(key).to_string(),
                    };
                    map.insert(Yaml::String(key), self.eval(index, value, hook));
                }
                "shorthand_property_identifier" => {
                    let name = module.text_of(member);
                    let value = self.identifier(index, name, hook).unwrap_or_else(unknown);
                    map.insert(Yaml::String(name.to_string()), value);
                }
                "spread_element" => {
                    if let Some(inner) = member.named_child(0)
                        && let Yaml::Mapping(spread) = self.eval(index, inner, hook)
                    {
                        for (k, v) in spread {
                            map.insert(k, v);
                        }
                    }
                }
                _ => {}
            }
        }
        Yaml::Mapping(map)
    }

    fn template(&self, index: usize, node: Node, hook: &MemberHook) -> String {
        let module = &self.modules[index];
        let mut out = String::new();
        let mut cursor = node.walk();
        for part in node.named_children(&mut cursor) {
            match part.kind() {
                "string_fragment" => out.push_str(module.text_of(part)),
                "escape_sequence" => out.push_str(&unescape(module.text_of(part))),
                "template_substitution" => {
                    let value = part
                        .named_child(0)
                        .map(|inner| self.eval(index, inner, hook))
                        .unwrap_or_else(unknown);
                    out.push_str(&text_or_unknown(&value));
                }
                _ => {}
            }
        }
        out
    }

    /// The calls configuration code uses to build paths.
    fn call(&self, index: usize, node: Node, hook: &MemberHook) -> Yaml {
        let module = &self.modules[index];
        let Some(callee) = node.child_by_field_name("function") else {
            return unknown();
        };
        let callee = module.text_of(callee);
        let arguments: Vec<Yaml> = node
            .child_by_field_name("arguments")
            .map(|args| {
                let mut cursor = args.walk();
                args.named_children(&mut cursor)
                    .filter(|a| a.kind() != "comment")
                    .map(|a| self.eval(index, a, hook))
                    .collect()
            })
            .unwrap_or_default();
        let texts: Option<Vec<String>> = arguments
            .iter()
            .map(|a| {
                a.as_str()
                    .filter(|s| !s.contains(UNKNOWN_MARK))
                    .map(String::from)
            })
            .collect();
        match (callee, texts) {
            ("path.join" | "join" | "path.resolve" | "resolve", Some(texts))
                if !texts.is_empty() =>
            {
                let mut path = PathBuf::new();
                for text in texts {
                    path.push(text);
                }
                Yaml::String(normalize(&path).to_string_lossy().into_owned())
            }
            (callee, Some(texts)) if callee.ends_with("Code.fromAsset") && !texts.is_empty() => {
                let mut map = Mapping::new();
                map.insert(
                    Yaml::String(ASSET_KEY.to_string()),
                    Yaml::String(texts[0].clone()),
                );
                Yaml::Mapping(map)
            }
            // The aws-nodejs-typescript template: the folder relative to the service.
            ("handlerPath", Some(texts)) if texts.len() == 1 => {
                let dir = normalize(Path::new(&texts[0]));
                Yaml::String(relative(&self.base, &dir))
            }
            _ => unknown(),
        }
    }
}

fn unknown() -> Yaml {
    Yaml::String(UNKNOWN_MARK.to_string())
}

/// A scalar as text; anything else as an unknown part.
fn text_or_unknown(value: &Yaml) -> String {
    match value {
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        _ => UNKNOWN_MARK.to_string(),
    }
}

/// The content of a string literal, escapes applied.
pub fn string_literal(module: &Module, node: Node) -> String {
    let mut out = String::new();
    let mut cursor = node.walk();
    for part in node.named_children(&mut cursor) {
        match part.kind() {
            "string_fragment" => out.push_str(module.text_of(part)),
            "escape_sequence" => out.push_str(&unescape(module.text_of(part))),
            _ => {}
        }
    }
    out
}

fn unescape(escape: &str) -> String {
    match escape {
        "\\n" => "\n".to_string(),
        "\\t" => "\t".to_string(),
        other => other.trim_start_matches('\\').to_string(),
    }
}

/// The initializer of top-level `const name = value` in `module`.
pub fn top_level_value<'t>(module: &'t Module, name: &str) -> Option<Node<'t>> {
    let root = module.tree.root_node();
    let mut cursor = root.walk();
    root.named_children(&mut cursor).find_map(|statement| {
        let declaration = match statement.kind() {
            "export_statement" => statement.child_by_field_name("declaration")?,
            _ => statement,
        };
        declarator_value(module, declaration, name)
    })
}

fn declarator_value<'t>(module: &'t Module, declaration: Node<'t>, name: &str) -> Option<Node<'t>> {
    if !matches!(
        declaration.kind(),
        "lexical_declaration" | "variable_declaration"
    ) {
        return None;
    }
    let mut cursor = declaration.walk();
    declaration
        .named_children(&mut cursor)
        .filter(|d| d.kind() == "variable_declarator")
        .find(|d| {
            d.child_by_field_name("name")
                .is_some_and(|n| module.text_of(n) == name)
        })
        .and_then(|d| d.child_by_field_name("value"))
}

/// The initializer of the first `const name = value` anywhere in `node` (document order;
/// an explicit stack, so deeply nested input cannot overflow the call stack).
fn any_declaration<'t>(module: &'t Module, node: Node<'t>, name: &str) -> Option<Node<'t>> {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        if let Some(value) = declarator_value(module, node, name) {
            return Some(value);
        }
        let mut cursor = node.walk();
        let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    None
}

/// `(local name, specifier, exported name)` of every import and re-export of `module`.
fn import_specs(module: &Module) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let root = module.tree.root_node();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        let Some(source) = statement.child_by_field_name("source") else {
            continue;
        };
        let spec = string_literal(module, source);
        match statement.kind() {
            "import_statement" => {
                let mut inner = statement.walk();
                let Some(clause) = statement
                    .named_children(&mut inner)
                    .find(|c| c.kind() == "import_clause")
                else {
                    continue;
                };
                let mut parts = clause.walk();
                for part in clause.named_children(&mut parts) {
                    match part.kind() {
                        "identifier" => out.push((
                            module.text_of(part).to_string(),
                            spec.clone(),
                            "default".to_string(),
                        )),
                        "named_imports" => {
                            let mut names = part.walk();
                            for specifier in part.named_children(&mut names) {
                                let Some(name) = specifier.child_by_field_name("name") else {
                                    continue;
                                };
                                let local = specifier.child_by_field_name("alias").unwrap_or(name);
                                out.push((
                                    module.text_of(local).to_string(),
                                    spec.clone(),
                                    module.text_of(name).to_string(),
                                ));
                            }
                        }
                        _ => {}
                    }
                }
            }
            "export_statement" => {
                let mut inner = statement.walk();
                let Some(clause) = statement
                    .named_children(&mut inner)
                    .find(|c| c.kind() == "export_clause")
                else {
                    continue;
                };
                let mut names = clause.walk();
                for specifier in clause.named_children(&mut names) {
                    let Some(name) = specifier.child_by_field_name("name") else {
                        continue;
                    };
                    let exported = specifier.child_by_field_name("alias").unwrap_or(name);
                    out.push((
                        format!("\u{0}reexport:{}", module.text_of(exported)),
                        spec.clone(),
                        module.text_of(name).to_string(),
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

/// The file a local import specifier names: relative (`./x`) or through tsconfig `paths`.
fn resolve_import(
    root: &Path,
    dir: &Path,
    spec: &str,
    tsconfig: Option<&TsConfig>,
) -> Option<PathBuf> {
    let bases: Vec<PathBuf> = if spec.starts_with('.') {
        vec![dir.join(spec)]
    } else {
        tsconfig.map(|t| t.candidates(spec)).unwrap_or_default()
    };
    for base in bases {
        let base = normalize(&base);
        if !inside(root, &base) {
            continue;
        }
        if base.is_file() {
            return Some(base);
        }
        let stripped = base.with_extension("");
        for extension in EXTENSIONS {
            let file = if base.extension().is_some_and(|e| e == "js") {
                stripped.with_extension(extension)
            } else {
                PathBuf::from(format!("{}.{extension}", base.display()))
            };
            if file.is_file() {
                return Some(file);
            }
        }
        for extension in EXTENSIONS {
            let index = base.join(format!("index.{extension}"));
            if index.is_file() {
                return Some(index);
            }
        }
    }
    None
}

/// The nearest `tsconfig.json` at or above `dir`, inside `root`.
fn find_tsconfig(root: &Path, dir: &Path) -> Option<PathBuf> {
    let mut at = Some(dir);
    while let Some(dir) = at {
        let candidate = dir.join("tsconfig.json");
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir == root {
            break;
        }
        at = dir.parent();
    }
    None
}

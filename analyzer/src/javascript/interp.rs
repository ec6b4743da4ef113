//! The evaluator: walks function bodies from the handler, tracks what each name holds
//! (clients, commands, strings, local functions, instances) and follows calls into local
//! functions, methods and modules. SDK-specific dispatch lives in `calls.rs`.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use tree_sitter::Node;

use crate::facts::{Location, Step};
use crate::value::Value;
use crate::{Context, Diagnostic, FunctionFacts};

use super::index::{ExportDef, Import, ImportKind, ModuleIndex, TopDef, string_value, text};
use super::load::ParsedFile;
use super::sdk;
use super::sym::{ClassRef, FuncRef, Instance, Scope, Sym};
use crate::fields::Fields;

/// Deepest chain of local calls followed from the handler.
const MAX_FRAMES: usize = 32;
/// Deepest expression nesting evaluated (protects the stack from pathological input).
const MAX_EVAL_DEPTH: usize = 160;
/// Function walks per analysis before giving up with a note.
const MAX_WALKS: usize = 20_000;

pub const ANONYMOUS: &str = "<anonymous>";

/// One function being walked.
pub struct Frame<'a> {
    pub file: usize,
    pub name: String,
    pub scope: Rc<Scope<'a>>,
    pub this: Option<Sym<'a>>,
    /// Where this frame called the next one (for the chain).
    pub call_site: Option<Location>,
    pub returned: Option<Sym<'a>>,
    /// Chains start at the last root frame (the handler, or module-level code).
    pub root: bool,
    /// The function node walked, for recursion checks.
    pub node: Option<Node<'a>>,
}

pub struct Interp<'a, 'c> {
    pub ctx: &'c Context,
    pub files: &'a [ParsedFile],
    pub index: Vec<ModuleIndex<'a>>,
    module_scopes: Vec<Rc<Scope<'a>>>,
    export_cache: HashMap<(usize, String), Sym<'a>>,
    in_progress: HashSet<(usize, String)>,
    walked: HashMap<(usize, usize, String), Sym<'a>>,
    /// Functions walked at least once, whatever the arguments.
    walked_nodes: HashSet<(usize, usize)>,
    pub frames: Vec<Frame<'a>>,
    pub facts: FunctionFacts,
    /// Options recorded by a library's defaults setter, by (package, callable they apply to).
    pub library_defaults: HashMap<(String, String), Sym<'a>>,
    /// The region of the client whose call is being reported, when the code fixed one; set
    /// around a client's method dispatch and read by `emit`.
    pub client_region: Option<Value>,
    /// The region `AWS.config.update({ region })` set for the v2 clients made after it.
    pub v2_region: Option<Value>,
    walks: usize,
    depth: usize,
}

impl<'a, 'c> Interp<'a, 'c> {
    pub fn new(ctx: &'c Context, files: &'a [ParsedFile]) -> Self {
        let index = files
            .iter()
            .map(|f| ModuleIndex::build(f.tree.root_node(), &f.text))
            .collect();
        Self {
            ctx,
            files,
            index,
            module_scopes: files.iter().map(|_| Scope::child(None)).collect(),
            export_cache: HashMap::new(),
            in_progress: HashSet::new(),
            walked: HashMap::new(),
            walked_nodes: HashSet::new(),
            frames: Vec::new(),
            facts: FunctionFacts::default(),
            library_defaults: HashMap::new(),
            client_region: None,
            v2_region: None,
            walks: 0,
            depth: 0,
        }
    }

    // ---- frames and locations ---------------------------------------------------------

    pub fn file(&self) -> usize {
        self.frames.last().map_or(0, |f| f.file)
    }

    pub fn source(&self) -> &'a str {
        let files: &'a [ParsedFile] = self.files;
        files.get(self.file()).map_or("", |f| f.text.as_str())
    }

    pub fn text(&self, node: Node<'_>) -> &'a str {
        text(node, self.source())
    }

    pub fn location(&self, node: Node<'_>) -> Location {
        Location {
            file: self
                .files
                .get(self.file())
                .map_or_else(String::new, |f| f.rel.clone()),
            line: node.start_position().row as u32 + 1,
        }
    }

    /// The chain from the last root frame to a call at `at`.
    pub fn chain(&self, at: &Location) -> Vec<Step> {
        let start = self.frames.iter().rposition(|f| f.root).unwrap_or(0);
        let frames = &self.frames[start..];
        frames
            .iter()
            .enumerate()
            .map(|(i, frame)| Step {
                function: frame.name.clone(),
                at: if i + 1 == frames.len() {
                    at.clone()
                } else {
                    frame.call_site.clone().unwrap_or_else(|| at.clone())
                },
            })
            .collect()
    }

    fn push_module_frame(&mut self, file: usize, name: &str) {
        let scope = self.module_scopes[file].clone();
        self.frames.push(Frame {
            file,
            name: name.to_string(),
            scope,
            this: None,
            call_site: None,
            returned: None,
            root: true,
            node: None,
        });
    }

    fn scope(&self) -> Rc<Scope<'a>> {
        match self.frames.last() {
            Some(frame) => frame.scope.clone(),
            None => self.module_scopes[0].clone(),
        }
    }

    // ---- names ------------------------------------------------------------------------

    /// What `name` holds at this point of the current function.
    pub fn lookup(&mut self, name: &str) -> Sym<'a> {
        if let Some(found) = self.scope().lookup(name) {
            return found;
        }
        let file = self.file();
        self.module_name(file, name)
    }

    /// A module-level name of `file`: a top-level binding, an import, or a global.
    pub fn module_name(&mut self, file: usize, name: &str) -> Sym<'a> {
        if let Some(found) = self.top_value(file, name) {
            return found;
        }
        if let Some(import) = self.index[file].imports.get(name).cloned() {
            return self.import_sym(file, &import);
        }
        match name {
            "process" => Sym::Process,
            _ => Sym::Unknown,
        }
    }

    /// A top-level binding, evaluated once per analysis.
    fn top_value(&mut self, file: usize, name: &str) -> Option<Sym<'a>> {
        if let Some(known) = self.module_scopes[file].vars.borrow().get(name) {
            return Some(known.clone());
        }
        let def = *self.index[file].top.get(name)?;
        let value = match def {
            TopDef::Function(node) => Sym::Func(Rc::new(FuncRef {
                file,
                node,
                name: name.to_string(),
                scope: None,
                this: None,
            })),
            TopDef::Class(node) => Sym::Class(ClassRef { file, node }),
            TopDef::Declarator(declarator) => {
                let pattern = declarator.field("name")?;
                let scope = self.module_scopes[file].clone();
                let mut names = Vec::new();
                super::index::pattern_names(pattern, &self.files[file].text, &mut names);
                for bound in &names {
                    scope.declare(bound, Sym::Unknown);
                }
                self.push_module_frame(file, name);
                let mut value = match declarator.field("value") {
                    Some(init) => self.eval(init),
                    None => Sym::Unknown,
                };
                if value.is_unknown() && pattern.kind() == "identifier" {
                    let root = self.files[file].tree.root_node();
                    let later = self.index[file].assignments_to(root, &self.files[file].text, name);
                    for rhs in later {
                        let candidate = self.eval(rhs);
                        if !candidate.is_unknown() {
                            value = candidate;
                            break;
                        }
                    }
                }
                self.bind_pattern(pattern, value);
                self.frames.pop();
                return scope.lookup(name);
            }
        };
        self.module_scopes[file].declare(name, value.clone());
        Some(value)
    }

    fn import_sym(&mut self, file: usize, import: &Import) -> Sym<'a> {
        if let Some(json) = self.files[file].data.get(&import.spec) {
            let data = json_sym(json, 0);
            return match &import.kind {
                ImportKind::Named(name) => self.member(&data, name),
                _ => data,
            };
        }
        if let Some(&target) = self.files[file].resolved.get(&import.spec) {
            return match &import.kind {
                ImportKind::Default => self.module_export(target, "default"),
                ImportKind::Namespace => Sym::Module(target),
                ImportKind::Named(name) => self.module_export(target, name),
            };
        }
        let package = package_sym(&import.spec);
        match &import.kind {
            ImportKind::Named(name) => self.member(&package, name),
            _ => package,
        }
    }

    /// Whether `file` exports or declares `name` (the first segment of a dotted name), even
    /// when its value is not a function the analyzer can see (`middy().handler(fn)`).
    pub fn defines(&self, file: usize, name: &str) -> bool {
        let first = name.split('.').next().unwrap_or(name);
        let index = &self.index[file];
        index.exports.contains_key(first)
            || index.top.contains_key(first)
            || index.cjs_exports.is_some()
            || !index.star_exports.is_empty()
    }

    /// The value a local module exports under `name`.
    pub fn module_export(&mut self, file: usize, name: &str) -> Sym<'a> {
        let key = (file, name.to_string());
        if let Some(cached) = self.export_cache.get(&key) {
            return cached.clone();
        }
        if !self.in_progress.insert(key.clone()) {
            return Sym::Unknown;
        }
        let value = self.module_export_uncached(file, name);
        self.in_progress.remove(&key);
        self.export_cache.insert(key, value.clone());
        value
    }

    fn module_export_uncached(&mut self, file: usize, name: &str) -> Sym<'a> {
        if let Some(def) = self.index[file].exports.get(name).cloned() {
            return match def {
                ExportDef::Local(local) => {
                    let value = self.module_name(file, &local);
                    rename(value, name)
                }
                ExportDef::Expr(node) => {
                    self.push_module_frame(file, name);
                    let value = self.eval(node);
                    self.frames.pop();
                    rename(value, name)
                }
                ExportDef::ReExport { spec, name: inner } => {
                    let kind = if inner == "default" {
                        ImportKind::Default
                    } else {
                        ImportKind::Named(inner)
                    };
                    self.import_sym(file, &Import { spec, kind })
                }
                ExportDef::Namespace(spec) => self.import_sym(
                    file,
                    &Import {
                        spec,
                        kind: ImportKind::Namespace,
                    },
                ),
            };
        }
        if let Some(cjs) = self.index[file].cjs_exports {
            self.push_module_frame(file, name);
            let whole = self.eval(cjs);
            self.frames.pop();
            return if name == "default" {
                whole
            } else {
                self.member(&whole, name)
            };
        }
        for spec in self.index[file].star_exports.clone() {
            if let Some(&target) = self.files[file].resolved.get(&spec) {
                let value = self.module_export(target, name);
                if !value.is_unknown() {
                    return value;
                }
            }
        }
        if name == "default" {
            return Sym::Module(file);
        }
        Sym::Unknown
    }

    // ---- members ----------------------------------------------------------------------

    /// `object.name`.
    pub fn member(&mut self, object: &Sym<'a>, name: &str) -> Sym<'a> {
        match object {
            Sym::Package(package) => Sym::Export {
                package: package.clone(),
                path: name.to_string(),
            },
            Sym::Export { package, path } => Sym::Export {
                package: package.clone(),
                path: format!("{path}.{name}"),
            },
            Sym::Event(path) => self.event_part(path, Some(name)),
            Sym::Process if name == "env" => Sym::ProcessEnv,
            Sym::ProcessEnv => Sym::Val(self.ctx.env_value(name, None)),
            Sym::Obj(object) => object.borrow().get(name).cloned().unwrap_or_default(),
            // `Model.transaction` of a library object whose members have models.
            Sym::LibraryInstance {
                package,
                class,
                args,
            } if super::library::has_class(package, &format!("{class}.{name}")) => {
                Sym::LibraryInstance {
                    package: package.clone(),
                    class: format!("{class}.{name}"),
                    args: args.clone(),
                }
            }
            Sym::Client(client) => Sym::Method {
                client: client.clone(),
                name: name.to_string(),
            },
            Sym::Module(file) => self.module_export(*file, name),
            Sym::Instance(instance) => {
                if let Some(field) = instance.fields.borrow().get(name) {
                    return field.clone();
                }
                let Some(method) = self.method_of(instance.class, name, false) else {
                    return Sym::Unknown;
                };
                let method = FuncRef {
                    this: Some(object.clone()),
                    ..method
                };
                if is_getter(method.node) {
                    // `get client() { return this._client ??= new S3Client() }`
                    return self.call_function(&method, &[], Some(object.clone()), None);
                }
                Sym::Func(Rc::new(method))
            }
            Sym::Class(class) => {
                if let Some(method) = self.method_of(*class, name, true) {
                    return Sym::Func(Rc::new(method));
                }
                self.static_field(*class, name)
            }
            _ => Sym::Unknown,
        }
    }

    /// A static field of a class (`static client = new S3Client()`), evaluated on access.
    fn static_field(&mut self, class: ClassRef<'a>, name: &str) -> Sym<'a> {
        let Some(body) = class.node.field("body") else {
            return Sym::Unknown;
        };
        let source = &self.files[class.file].text;
        let mut cursor = body.walk();
        let found = body.named_children(&mut cursor).find(|member| {
            matches!(
                member.kind(),
                "field_definition" | "public_field_definition"
            ) && has_child(*member, "static")
                && member
                    .field("property")
                    .or_else(|| member.field("name"))
                    .is_some_and(|n| text(n, source).trim_start_matches('#') == name)
        });
        let Some(value) = found.and_then(|m| m.field("value")) else {
            return Sym::Unknown;
        };
        self.push_module_frame(class.file, name);
        let result = self.eval(value);
        self.frames.pop();
        result
    }

    /// A method of a class or its local base classes.
    pub fn method_of(
        &mut self,
        class: ClassRef<'a>,
        name: &str,
        want_static: bool,
    ) -> Option<FuncRef<'a>> {
        let mut current = Some(class);
        let mut hops = 0;
        while let Some(class) = current {
            hops += 1;
            if hops > 8 {
                break;
            }
            let source = &self.files[class.file].text;
            let class_name = class
                .node
                .field("name")
                .map(|n| text(n, source).to_string())
                .unwrap_or_else(|| ANONYMOUS.to_string());
            if let Some(body) = class.node.field("body") {
                let mut cursor = body.walk();
                for member in body.named_children(&mut cursor) {
                    if member.kind() != "method_definition" {
                        continue;
                    }
                    let is_static = {
                        let mut c = member.walk();
                        member.children(&mut c).any(|c| c.kind() == "static")
                    };
                    let member_name = member
                        .field("name")
                        .map(|n| text(n, source).trim_start_matches('#'))
                        .unwrap_or("");
                    if member_name == name && is_static == want_static {
                        return Some(FuncRef {
                            file: class.file,
                            node: member,
                            name: format!("{class_name}.{name}"),
                            scope: None,
                            this: None,
                        });
                    }
                }
            }
            current = self.base_class(class);
        }
        None
    }

    /// The local class `class` extends, if any.
    pub fn base_class(&mut self, class: ClassRef<'a>) -> Option<ClassRef<'a>> {
        let mut cursor = class.node.walk();
        let heritage = class
            .node
            .named_children(&mut cursor)
            .find(|c| c.kind() == "class_heritage")?;
        let mut inner = heritage.walk();
        let first = heritage.named_children(&mut inner).next()?;
        let expression = if first.kind() == "extends_clause" {
            first.field("value").or_else(|| first.named_child(0))?
        } else {
            first
        };
        self.frames.push(Frame {
            file: class.file,
            name: "<class>".into(),
            scope: self.module_scopes[class.file].clone(),
            this: None,
            call_site: None,
            returned: None,
            root: true,
            node: None,
        });
        let base = self.eval(expression);
        self.frames.pop();
        match base {
            Sym::Class(base) if base.node != class.node => Some(base),
            _ => None,
        }
    }

    // ---- statements -------------------------------------------------------------------

    /// Walks a statement block, hoisting function declarations first.
    pub fn walk_block(&mut self, block: Node<'a>) {
        let mut cursor = block.walk();
        let statements: Vec<Node<'a>> = block.named_children(&mut cursor).collect();
        for statement in &statements {
            self.hoist(*statement);
        }
        for statement in statements {
            self.walk_statement(statement);
        }
    }

    fn hoist(&mut self, statement: Node<'a>) {
        let declaration = if statement.kind() == "export_statement" {
            match statement.field("declaration") {
                Some(d) => d,
                None => return,
            }
        } else {
            statement
        };
        if matches!(
            declaration.kind(),
            "function_declaration" | "generator_function_declaration"
        ) && let Some(name) = declaration.field("name")
        {
            let name = self.text(name).to_string();
            let func = FuncRef {
                file: self.file(),
                node: declaration,
                name: name.clone(),
                scope: Some(self.scope()),
                this: self.frames.last().and_then(|f| f.this.clone()),
            };
            self.scope().declare(&name, Sym::Func(Rc::new(func)));
        }
    }

    pub fn walk_statement(&mut self, node: Node<'a>) {
        if self.depth >= MAX_EVAL_DEPTH {
            return;
        }
        self.depth += 1;
        self.walk_statement_inner(node);
        self.depth -= 1;
    }

    fn walk_statement_inner(&mut self, node: Node<'a>) {
        match node.kind() {
            "lexical_declaration" | "variable_declaration" => {
                let mut cursor = node.walk();
                let declarators: Vec<Node<'a>> = node.named_children(&mut cursor).collect();
                for declarator in declarators {
                    if declarator.kind() != "variable_declarator" {
                        continue;
                    }
                    let Some(pattern) = declarator.field("name") else {
                        continue;
                    };
                    let value = match declarator.field("value") {
                        Some(init) => {
                            let value = self.eval(init);
                            if pattern.kind() == "identifier" {
                                rename(value, self.text(pattern))
                            } else {
                                value
                            }
                        }
                        None => Sym::Unknown,
                    };
                    self.bind_pattern(pattern, value);
                }
            }
            "expression_statement" => {
                if let Some(expression) = node.named_child(0) {
                    self.eval(expression);
                }
            }
            "return_statement" => {
                if let Some(expression) = node.named_child(0) {
                    let value = self.eval(expression);
                    if let Some(frame) = self.frames.last_mut()
                        && frame.returned.as_ref().is_none_or(Sym::is_unknown)
                    {
                        frame.returned = Some(value);
                    }
                }
            }
            "function_declaration" | "generator_function_declaration" => self.hoist(node),
            "class_declaration" | "abstract_class_declaration" => {
                if let Some(name) = node.field("name") {
                    let name = self.text(name).to_string();
                    let class = Sym::Class(ClassRef {
                        file: self.file(),
                        node,
                    });
                    self.scope().declare(&name, class);
                }
            }
            "statement_block" => self.walk_block(node),
            "for_in_statement" => {
                let collection = node
                    .field("right")
                    .map(|r| self.eval(r))
                    .unwrap_or_default();
                let item = match collection {
                    Sym::List(items) => items.borrow().first().cloned().unwrap_or_default(),
                    Sym::Event(path) => self.event_part(&path, None),
                    _ => Sym::Unknown,
                };
                if let Some(left) = node.field("left") {
                    self.bind_pattern(left, item);
                }
                if let Some(body) = node.field("body") {
                    self.walk_statement(body);
                }
            }
            "import_statement"
            | "comment"
            | "empty_statement"
            | "type_alias_declaration"
            | "interface_declaration"
            | "enum_declaration"
            | "ambient_declaration"
            | "debugger_statement"
            | "break_statement"
            | "continue_statement" => {}
            "if_statement" | "for_statement" | "while_statement" | "do_statement"
            | "try_statement" | "switch_statement" | "switch_body" | "switch_case"
            | "switch_default" | "else_clause" | "catch_clause" | "finally_clause"
            | "labeled_statement" | "throw_statement" | "export_statement" => {
                let mut cursor = node.walk();
                let children: Vec<Node<'a>> = node.named_children(&mut cursor).collect();
                for child in children {
                    if child.kind() == "identifier" || child.kind() == "statement_identifier" {
                        continue;
                    }
                    self.walk_statement(child);
                }
            }
            _ => {
                self.eval(node);
            }
        }
    }

    /// Binds a declaration pattern (`x`, `{ a, b: c = d }`, `[x, y]`) to a value.
    pub fn bind_pattern(&mut self, pattern: Node<'a>, value: Sym<'a>) {
        let scope = self.scope();
        match pattern.kind() {
            "identifier" => scope.declare(self.text(pattern), value),
            "object_pattern" => {
                let mut cursor = pattern.walk();
                let members: Vec<Node<'a>> = pattern.named_children(&mut cursor).collect();
                for member in members {
                    match member.kind() {
                        "shorthand_property_identifier_pattern" => {
                            let name = self.text(member);
                            let field = self.member(&value, name);
                            scope.declare(name, field);
                        }
                        "pair_pattern" => {
                            let (Some(key), Some(target)) =
                                (member.field("key"), member.field("value"))
                            else {
                                continue;
                            };
                            let key = self.key_name(key);
                            let field = match key {
                                Some(key) => self.member(&value, &key),
                                None => Sym::Unknown,
                            };
                            self.bind_pattern(target, field);
                        }
                        "object_assignment_pattern" => {
                            let (Some(left), Some(right)) =
                                (member.field("left"), member.field("right"))
                            else {
                                continue;
                            };
                            let name = self.text(left).to_string();
                            let field = self.member(&value, &name);
                            let field = self.with_default(field, right);
                            self.bind_pattern(left, field);
                        }
                        "rest_pattern" => {
                            if let Some(inner) = member.named_child(0) {
                                self.bind_pattern(inner, value.clone());
                            }
                        }
                        _ => {}
                    }
                }
            }
            "shorthand_property_identifier_pattern" => scope.declare(self.text(pattern), value),
            "array_pattern" => {
                let items = match &value {
                    Sym::List(items) => items.borrow().clone(),
                    _ => Vec::new(),
                };
                let mut cursor = pattern.walk();
                let elements: Vec<Node<'a>> = pattern.named_children(&mut cursor).collect();
                for (i, element) in elements.into_iter().enumerate() {
                    self.bind_pattern(element, items.get(i).cloned().unwrap_or_default());
                }
            }
            "assignment_pattern" => {
                if let (Some(left), Some(right)) = (pattern.field("left"), pattern.field("right")) {
                    let value = self.with_default(value, right);
                    self.bind_pattern(left, value);
                }
            }
            _ => {}
        }
    }

    /// `value ?? default` for defaults in patterns and `??`/`||`.
    pub fn with_default(&mut self, value: Sym<'a>, default: Node<'a>) -> Sym<'a> {
        match value {
            Sym::Val(Value::Env {
                name,
                default: None,
            }) => {
                let fallback = self.eval(default);
                Sym::Val(Value::Env {
                    name,
                    default: match fallback {
                        Sym::Val(v) => Some(Box::new(v)),
                        _ => None,
                    },
                })
            }
            // An unknown value with a fallback is still unknown, unless the fallback is an
            // object the code goes on to use (`client ?? new S3Client()`).
            Sym::Unknown => match self.eval(default) {
                Sym::Val(_) | Sym::List(_) => Sym::Unknown,
                fallback => fallback,
            },
            other => {
                self.eval(default);
                other
            }
        }
    }

    /// The name of an object key node, when constant.
    pub fn key_name(&mut self, key: Node<'a>) -> Option<String> {
        match key.kind() {
            "property_identifier" | "private_property_identifier" | "number" => {
                Some(self.text(key).to_string())
            }
            "string" => string_value(key, self.source()),
            "computed_property_name" => {
                let inner = key.named_child(0)?;
                self.eval(inner).as_str().map(str::to_string)
            }
            _ => None,
        }
    }

    // ---- functions --------------------------------------------------------------------

    /// Walks into a local function with the given arguments; returns what it returns.
    pub fn call_function(
        &mut self,
        func: &FuncRef<'a>,
        args: &[Sym<'a>],
        this: Option<Sym<'a>>,
        call: Option<Node<'a>>,
    ) -> Sym<'a> {
        if self.frames.len() >= MAX_FRAMES
            || self
                .frames
                .iter()
                .any(|f| f.node.is_some_and(|n| n == func.node))
        {
            return Sym::Unknown;
        }
        let this = this.or_else(|| func.this.clone());
        let mut signature = String::new();
        for arg in args {
            arg.signature(&mut signature, 0);
            signature.push('|');
        }
        if let Some(this) = &this {
            this.signature(&mut signature, 0);
        }
        let key = (func.file, func.node.id(), signature);
        if let Some(returned) = self.walked.get(&key) {
            return returned.clone();
        }
        self.walks += 1;
        if self.walks > MAX_WALKS {
            if self.walks == MAX_WALKS + 1 {
                let file = self.files[func.file].rel.clone();
                self.facts.diagnostics.push(Diagnostic::warning(
                    file,
                    0,
                    "analysis stopped following calls: the project exceeds the walk budget",
                ));
            }
            return Sym::Unknown;
        }
        self.walked.insert(key.clone(), Sym::Unknown);
        self.walked_nodes.insert((func.file, func.node.id()));
        if let Some(call) = call {
            let site = self.location(call);
            if let Some(frame) = self.frames.last_mut() {
                frame.call_site = Some(site);
            }
        }
        let parent = func
            .scope
            .clone()
            .or_else(|| Some(self.module_scopes[func.file].clone()));
        let root = self.frames.is_empty();
        self.frames.push(Frame {
            file: func.file,
            name: func.name.clone(),
            scope: Scope::child(parent),
            this,
            call_site: None,
            returned: None,
            root,
            node: Some(func.node),
        });
        self.bind_parameters(func.node, args);
        match func.node.field("body") {
            Some(body) if body.kind() == "statement_block" => self.walk_block(body),
            Some(body) => {
                let value = self.eval(body);
                if let Some(frame) = self.frames.last_mut() {
                    frame.returned = Some(value);
                }
            }
            None => {}
        }
        let returned = self
            .frames
            .pop()
            .and_then(|f| f.returned)
            .unwrap_or_default();
        self.walked.insert(key, returned.clone());
        returned
    }

    fn bind_parameters(&mut self, function: Node<'a>, args: &[Sym<'a>]) {
        if let Some(single) = function.field("parameter") {
            self.bind_pattern(single, args.first().cloned().unwrap_or_default());
            return;
        }
        let Some(parameters) = function.field("parameters") else {
            return;
        };
        let mut cursor = parameters.walk();
        let list: Vec<Node<'a>> = parameters.named_children(&mut cursor).collect();
        let mut position = 0;
        for parameter in list {
            if parameter.kind() == "comment" || parameter.kind() == "decorator" {
                continue;
            }
            // A missing argument takes the parameter's default; a present unknown does not.
            let passed = args.get(position).cloned();
            let arg = passed.clone().unwrap_or_default();
            position += 1;
            match parameter.kind() {
                "required_parameter" | "optional_parameter" => {
                    let Some(pattern) = parameter.field("pattern") else {
                        continue;
                    };
                    if pattern.kind() == "this" {
                        position -= 1;
                        continue;
                    }
                    let mut value = arg;
                    if passed.is_none()
                        && let Some(default) = parameter.field("value")
                    {
                        value = self.eval(default);
                    }
                    if value.is_unknown()
                        && let Some(annotation) = parameter.field("type")
                    {
                        value = self.type_sym(annotation);
                    }
                    let is_property = {
                        let mut c = parameter.walk();
                        parameter
                            .children(&mut c)
                            .any(|c| matches!(c.kind(), "accessibility_modifier" | "readonly"))
                    };
                    if is_property
                        && let Some(Sym::Instance(instance)) =
                            self.frames.last().and_then(|f| f.this.clone())
                    {
                        instance
                            .fields
                            .borrow_mut()
                            .insert(self.text(pattern).to_string(), value.clone());
                    }
                    self.bind_pattern(pattern, value);
                }
                "rest_pattern" => {
                    let rest = args.get(position - 1..).unwrap_or_default().to_vec();
                    if let Some(inner) = parameter.named_child(0) {
                        self.bind_pattern(inner, Sym::list(rest));
                    }
                }
                "assignment_pattern" if passed.is_none() => {
                    if let (Some(left), Some(right)) =
                        (parameter.field("left"), parameter.field("right"))
                    {
                        let value = self.eval(right);
                        self.bind_pattern(left, value);
                    }
                }
                "assignment_pattern" => {
                    if let Some(left) = parameter.field("left") {
                        self.bind_pattern(left, arg);
                    }
                }
                _ => self.bind_pattern(parameter, arg),
            }
        }
    }

    /// A client implied by a type annotation (`s3: S3Client`, `db: DynamoDBDocumentClient`),
    /// for injected dependencies whose construction the analyzer does not see.
    pub fn type_sym(&mut self, annotation: Node<'a>) -> Sym<'a> {
        let Some(mut ty) = annotation.named_child(0) else {
            return Sym::Unknown;
        };
        if ty.kind() == "generic_type"
            && let Some(name) = ty.field("name")
        {
            ty = name;
        }
        let path: Vec<String> = match ty.kind() {
            "type_identifier" | "nested_type_identifier" => self
                .text(ty)
                .split('.')
                .map(|s| s.trim().to_string())
                .collect(),
            _ => return Sym::Unknown,
        };
        let Some((first, rest)) = path.split_first() else {
            return Sym::Unknown;
        };
        let mut value = self.lookup(first);
        for part in rest {
            value = self.member(&value, part);
        }
        match value {
            Sym::Export { package, path } => self.client_class(&package, &path).unwrap_or_default(),
            _ => Sym::Unknown,
        }
    }

    /// Creates an instance of a local class: field initialisers, then the constructor
    /// (or the base class's, when the class has none).
    pub fn instantiate(
        &mut self,
        class: ClassRef<'a>,
        args: &[Sym<'a>],
        call: Option<Node<'a>>,
    ) -> Sym<'a> {
        let instance = Rc::new(Instance {
            class,
            fields: Default::default(),
        });
        let this = Sym::Instance(instance.clone());
        let mut lineage = vec![class];
        while let Some(base) = lineage.last().copied().and_then(|c| self.base_class(c)) {
            if lineage.len() > 8 || lineage.iter().any(|c| c.node == base.node) {
                break;
            }
            lineage.push(base);
        }
        for class in lineage.iter().rev() {
            self.init_fields(*class, &instance);
        }
        if let Some(constructor) = self.method_of(class, "constructor", false) {
            self.call_function(&constructor, args, Some(this.clone()), call);
        }
        this
    }

    fn init_fields(&mut self, class: ClassRef<'a>, instance: &Rc<Instance<'a>>) {
        let Some(body) = class.node.field("body") else {
            return;
        };
        self.frames.push(Frame {
            file: class.file,
            name: "<fields>".into(),
            scope: Scope::child(Some(self.module_scopes[class.file].clone())),
            this: Some(Sym::Instance(instance.clone())),
            call_site: None,
            returned: None,
            root: false,
            node: None,
        });
        let mut cursor = body.walk();
        let members: Vec<Node<'a>> = body.named_children(&mut cursor).collect();
        for member in members {
            if !matches!(
                member.kind(),
                "field_definition" | "public_field_definition"
            ) {
                continue;
            }
            let is_static = {
                let mut c = member.walk();
                member.children(&mut c).any(|c| c.kind() == "static")
            };
            if is_static {
                continue;
            }
            let Some(name) = member.field("property").or_else(|| member.field("name")) else {
                continue;
            };
            let name = self.text(name).trim_start_matches('#').to_string();
            let value = match member.field("value") {
                Some(value) => self.eval(value),
                None => match member.field("type") {
                    Some(annotation) => self.type_sym(annotation),
                    None => Sym::Unknown,
                },
            };
            instance.fields.borrow_mut().insert(name, value);
        }
        self.frames.pop();
    }

    /// Walks functions handed to code we do not analyse (callbacks to `map`, `then`,
    /// `middy`, route registrations): they run, with unknown arguments.
    /// Functions inside an array or object argument count too (`async.waterfall([f, g])`,
    /// a middy middleware object `{ before, after }`); framework apps handed over are
    /// dispatched.
    pub fn invoke_callbacks(&mut self, args: &[Sym<'a>], call: Node<'a>) {
        let mut passed = Vec::new();
        for arg in args {
            match arg {
                Sym::List(items) => passed.extend(items.borrow().iter().cloned()),
                Sym::Obj(object) => passed.extend(object.borrow().values().cloned()),
                other => passed.push(other.clone()),
            }
        }
        for value in passed {
            match value {
                Sym::Func(func) => {
                    self.call_function(&func, &[], None, Some(call));
                }
                // An app handed to an adapter (`serverless(app)`, `serverlessExpress({ app })`).
                Sym::Framework(app) => self.dispatch(&app, call),
                _ => {}
            }
        }
    }

    // ---- entry points -----------------------------------------------------------------

    /// Runs a module's top-level statements. With `skip_exported`, initialisers of exported
    /// names wait until something references them.
    pub fn run_module(&mut self, file: usize, skip_exported: bool) {
        self.push_module_frame(file, "<top-level>");
        let statements = self.index[file].statements.clone();
        for statement in statements {
            match statement.kind() {
                "lexical_declaration" | "variable_declaration" => {
                    let mut cursor = statement.walk();
                    let declarators: Vec<Node<'a>> =
                        statement.named_children(&mut cursor).collect();
                    for declarator in declarators {
                        let Some(pattern) = declarator.field("name") else {
                            continue;
                        };
                        let mut names = Vec::new();
                        super::index::pattern_names(pattern, &self.files[file].text, &mut names);
                        if skip_exported
                            && names
                                .iter()
                                .any(|n| self.index[file].exported_locals.contains(n))
                        {
                            continue;
                        }
                        if let Some(first) = names.first() {
                            self.top_value(file, first);
                        }
                    }
                }
                "function_declaration"
                | "generator_function_declaration"
                | "class_declaration"
                | "abstract_class_declaration" => {}
                _ => self.walk_statement(statement),
            }
        }
        self.frames.pop();
    }

    /// Calls the handler: its event is what the triggers put in it, where the
    /// infrastructure says (`Context::event`); otherwise as [`Self::invoke`].
    pub fn invoke_handler(&mut self, value: &Sym<'a>) {
        match value {
            Sym::Func(func) if !self.ctx.event.is_empty() => {
                let func = func.clone();
                self.call_function(&func, &[Sym::Event(Rc::from(""))], None, None);
            }
            other => self.invoke(other),
        }
    }

    /// Reading `field` (or an item, for `None`) of the event part at `path`.
    pub fn event_part(&self, path: &str, field: Option<&str>) -> Sym<'a> {
        match self.ctx.event_step(path, field) {
            Ok(value) => Sym::Val(value),
            Err(path) => Sym::Event(Rc::from(path)),
        }
    }

    /// Calls a function-like value with unknown arguments: the handler, or every function
    /// of a file in whole-file mode.
    pub fn invoke(&mut self, value: &Sym<'a>) {
        match value {
            Sym::Func(func) => {
                let func = func.clone();
                self.call_function(&func, &[], None, None);
            }
            Sym::Class(class) => {
                let class = *class;
                let instance = self.instantiate(class, &[], None);
                for name in self.method_names(class) {
                    if let Sym::Func(method) = self.member(&instance, &name) {
                        self.call_function(&method, &[], None, None);
                    }
                }
            }
            Sym::Obj(object) => {
                let members: Vec<Sym<'a>> = object.borrow().values().cloned().collect();
                for member in members {
                    if let Sym::Func(func) = member {
                        self.call_function(&func, &[], None, None);
                    }
                }
            }
            // `export default app` for an adapter configured outside the code.
            Sym::Framework(app) => {
                let app = app.clone();
                self.dispatch_handler(&app);
            }
            _ => {}
        }
    }

    fn method_names(&self, class: ClassRef<'a>) -> Vec<String> {
        let source = &self.files[class.file].text;
        let Some(body) = class.node.field("body") else {
            return Vec::new();
        };
        let mut cursor = body.walk();
        body.named_children(&mut cursor)
            .filter(|m| m.kind() == "method_definition")
            .filter_map(|m| m.field("name"))
            .map(|n| text(n, source).to_string())
            .filter(|n| n != "constructor")
            .collect()
    }

    /// Every function a file defines at top level or exports (whole-file mode). Exports run
    /// first; a top-level function they already walked (with the arguments they pass) is not
    /// walked again on its own, which would repeat its calls.
    pub fn run_whole_file(&mut self, file: usize) {
        self.run_module(file, false);
        let mut exports: Vec<String> = self.index[file].exports.keys().cloned().collect();
        exports.sort();
        for name in exports {
            let value = self.module_export(file, &name);
            self.invoke(&value);
        }
        if self.index[file].cjs_exports.is_some() {
            let value = self.module_export(file, "default");
            self.invoke(&value);
        }
        let mut names: Vec<String> = self.index[file].top.keys().cloned().collect();
        names.sort();
        for name in names {
            match self.top_value(file, &name) {
                Some(Sym::Func(func))
                    if self.walked_nodes.contains(&(func.file, func.node.id())) => {}
                Some(value) => self.invoke(&value),
                None => {}
            }
        }
    }

    // ---- expressions ------------------------------------------------------------------

    pub fn eval(&mut self, node: Node<'a>) -> Sym<'a> {
        if self.depth >= MAX_EVAL_DEPTH {
            return Sym::Unknown;
        }
        self.depth += 1;
        let value = self.eval_inner(node);
        self.depth -= 1;
        value
    }

    fn eval_inner(&mut self, node: Node<'a>) -> Sym<'a> {
        match node.kind() {
            "identifier" | "shorthand_property_identifier" => {
                let name = self.text(node);
                match name {
                    "undefined" => Sym::Unknown,
                    _ => self.lookup(name),
                }
            }
            "this" => self
                .frames
                .last()
                .and_then(|f| f.this.clone())
                .unwrap_or_default(),
            "string" => Sym::str(self.string_literal(node)),
            "template_string" => self.template(node),
            "number" | "true" | "false" => Sym::Val(Value::Scalar {
                value: self.text(node).to_string(),
            }),
            "null" | "undefined" | "regex" => Sym::Unknown,
            "object" => self.object(node),
            "array" => {
                let mut cursor = node.walk();
                let items: Vec<Node<'a>> = node.named_children(&mut cursor).collect();
                let mut values = Vec::new();
                for item in items {
                    if item.kind() == "comment" {
                        continue;
                    }
                    let value = self.eval(item);
                    match (item.kind(), value) {
                        ("spread_element", Sym::List(inner)) => {
                            values.extend(inner.borrow().iter().cloned())
                        }
                        (_, value) => values.push(value),
                    }
                }
                Sym::list(values)
            }
            "member_expression" => {
                let (Some(object), Some(property)) = (node.field("object"), node.field("property"))
                else {
                    return Sym::Unknown;
                };
                let object = self.eval(object);
                let name = self.text(property).trim_start_matches('#').to_string();
                if let Sym::LibraryInstance {
                    package,
                    class,
                    args,
                } = &object
                {
                    // A modelled property access (ElectroDB's `entity.query.byIndex(...)`).
                    let callable = format!("{class}.{name}");
                    let (package, args) = (package.clone(), args.clone());
                    super::library::apply_method(self, node, &package, &callable, &[], &args);
                }
                self.member(&object, &name)
            }
            "subscript_expression" => {
                let (Some(object), Some(index)) = (node.field("object"), node.field("index"))
                else {
                    return Sym::Unknown;
                };
                let object = self.eval(object);
                let index = self.eval(index);
                match (&object, &index) {
                    (_, Sym::Val(Value::Str { value })) => self.member(&object, value),
                    (Sym::Event(path), _) => self.event_part(path, None),
                    (Sym::List(items), Sym::Val(Value::Scalar { value })) => value
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| items.borrow().get(i).cloned())
                        .unwrap_or_default(),
                    _ => Sym::Unknown,
                }
            }
            "call_expression" => self.call(node),
            "new_expression" => self.construct(node),
            "await_expression"
            | "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "spread_element"
            | "yield_expression" => match node.named_child(0) {
                Some(inner) => self.eval(inner),
                None => Sym::Unknown,
            },
            "type_assertion" => match node.named_child(1) {
                Some(inner) => self.eval(inner),
                None => Sym::Unknown,
            },
            "sequence_expression" => {
                let mut cursor = node.walk();
                let parts: Vec<Node<'a>> = node.named_children(&mut cursor).collect();
                parts
                    .into_iter()
                    .fold(Sym::Unknown, |_, part| self.eval(part))
            }
            "binary_expression" => self.binary(node),
            "ternary_expression" => {
                if let Some(condition) = node.field("condition") {
                    self.eval(condition);
                }
                let yes = node
                    .field("consequence")
                    .map(|n| self.eval(n))
                    .unwrap_or_default();
                let no = node
                    .field("alternative")
                    .map(|n| self.eval(n))
                    .unwrap_or_default();
                if yes.is_unknown() { no } else { yes }
            }
            "assignment_expression" | "augmented_assignment_expression" => self.assign(node),
            "arrow_function"
            | "function_expression"
            | "function"
            | "generator_function"
            | "method_definition" => Sym::Func(Rc::new(FuncRef {
                file: self.file(),
                node,
                name: node
                    .field("name")
                    .map(|n| self.text(n).to_string())
                    .unwrap_or_else(|| ANONYMOUS.to_string()),
                scope: Some(self.scope()),
                this: self.frames.last().and_then(|f| f.this.clone()),
            })),
            "class" => Sym::Class(ClassRef {
                file: self.file(),
                node,
            }),
            _ => {
                // Anything else (unary operators, JSX, ...): evaluate the parts for their calls.
                let mut cursor = node.walk();
                let children: Vec<Node<'a>> = node.named_children(&mut cursor).collect();
                for child in children {
                    if child.kind() == "statement_block" {
                        self.walk_block(child);
                    } else {
                        self.eval(child);
                    }
                }
                Sym::Unknown
            }
        }
    }

    fn string_literal(&self, node: Node<'a>) -> String {
        let mut out = String::new();
        let mut cursor = node.walk();
        for part in node.named_children(&mut cursor) {
            match part.kind() {
                "string_fragment" => out.push_str(self.text(part)),
                "escape_sequence" => out.push_str(&unescape(self.text(part))),
                _ => {}
            }
        }
        out
    }

    fn template(&mut self, node: Node<'a>) -> Sym<'a> {
        let mut parts = Vec::new();
        let mut cursor = node.walk();
        let children: Vec<Node<'a>> = node.named_children(&mut cursor).collect();
        for part in children {
            match part.kind() {
                "string_fragment" => parts.push(Value::str(self.text(part))),
                "escape_sequence" => parts.push(Value::str(unescape(self.text(part)))),
                "template_substitution" => {
                    let value = match part.named_child(0) {
                        Some(inner) => self.eval(inner).to_value(),
                        None => Value::Unknown,
                    };
                    parts.push(value);
                }
                _ => {}
            }
        }
        // Fragments may be split around escapes; `concat` folds them.
        Sym::Val(Value::concat(parts))
    }

    fn object(&mut self, node: Node<'a>) -> Sym<'a> {
        let object = super::sym::Object::default();
        let mut cursor = node.walk();
        let members: Vec<Node<'a>> = node.named_children(&mut cursor).collect();
        for member in members {
            match member.kind() {
                "pair" => {
                    let (Some(key), Some(value)) = (member.field("key"), member.field("value"))
                    else {
                        continue;
                    };
                    let key = self.key_name(key);
                    let value = self.eval(value);
                    match key {
                        Some(key) => {
                            let value = rename(value, &key);
                            object.borrow_mut().insert(key, value);
                        }
                        // `{ [tableName]: [...] }` with a name not known here.
                        None => super::sym::mark_open(&object),
                    }
                }
                "shorthand_property_identifier" => {
                    let name = self.text(member).to_string();
                    let value = self.lookup(&name);
                    object.borrow_mut().insert(name, value);
                }
                "spread_element" => {
                    let spread = member.named_child(0).map(|inner| self.eval(inner));
                    if let Some(Sym::Obj(spread)) = spread {
                        let entries: Vec<(String, Sym<'a>)> = spread
                            .borrow()
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        object.borrow_mut().extend(entries);
                    } else {
                        super::sym::mark_open(&object);
                    }
                }
                "method_definition" => {
                    if let Some(name) = member.field("name") {
                        let name = self.text(name).to_string();
                        let value = rename(self.eval(member), &name);
                        object.borrow_mut().insert(name, value);
                    }
                }
                _ => {}
            }
        }
        Sym::Obj(object)
    }

    fn binary(&mut self, node: Node<'a>) -> Sym<'a> {
        let operator = node.field("operator").map(|o| self.text(o)).unwrap_or("");
        let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
            return Sym::Unknown;
        };
        match operator {
            "??" | "||" => {
                let value = self.eval(left);
                self.with_default(value, right)
            }
            "&&" => {
                self.eval(left);
                self.eval(right)
            }
            "+" => {
                let l = self.eval(left);
                let r = self.eval(right);
                let is_text = |s: &Sym<'a>| {
                    matches!(
                        s,
                        Sym::Val(Value::Str { .. } | Value::Concat { .. } | Value::Env { .. })
                    )
                };
                if is_text(&l) || is_text(&r) {
                    Sym::Val(Value::concat(vec![l.to_value(), r.to_value()]))
                } else {
                    Sym::Unknown
                }
            }
            _ => {
                self.eval(left);
                self.eval(right);
                Sym::Unknown
            }
        }
    }

    fn assign(&mut self, node: Node<'a>) -> Sym<'a> {
        let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
            return Sym::Unknown;
        };
        let value = self.eval(right);
        if node.kind() != "assignment_expression" {
            let operator = node.field("operator").map(|o| self.text(o)).unwrap_or("");
            if !matches!(operator, "??=" | "||=") {
                return Sym::Unknown;
            }
            // `x ??= v` keeps a known `x`.
            let current = self.eval(left);
            if !current.is_unknown() {
                return current;
            }
            if value.is_unknown() {
                return value;
            }
        }
        match left.kind() {
            "identifier" => {
                let name = self.text(left);
                let value = rename(value.clone(), name);
                if !self.scope().assign(name, value.clone()) {
                    let file = self.file();
                    if self.index[file].top.contains_key(name) {
                        self.module_scopes[file].declare(name, value);
                    }
                }
            }
            "member_expression" => {
                if let (Some(object), Some(property)) =
                    (left.field("object"), left.field("property"))
                {
                    let target = self.eval(object);
                    let name = self.text(property).trim_start_matches('#').to_string();
                    match target {
                        Sym::Instance(instance) => {
                            instance.fields.borrow_mut().insert(name, value.clone());
                        }
                        Sym::Obj(object) => {
                            object.borrow_mut().insert(name, value.clone());
                        }
                        _ => {}
                    }
                }
            }
            "subscript_expression" => {
                if let (Some(object), Some(index)) = (left.field("object"), left.field("index")) {
                    let target = self.eval(object);
                    let key = self.eval(index);
                    if let (Sym::Obj(object), Some(key)) = (target, key.as_str()) {
                        object.borrow_mut().insert(key.to_string(), value.clone());
                    }
                }
            }
            "object_pattern" | "array_pattern" => self.bind_pattern(left, value.clone()),
            _ => {}
        }
        value
    }

    /// Evaluates call arguments (a template string for tagged templates).
    pub fn eval_args(&mut self, arguments: Option<Node<'a>>) -> Vec<Sym<'a>> {
        let Some(arguments) = arguments else {
            return Vec::new();
        };
        if arguments.kind() != "arguments" {
            self.eval(arguments);
            return Vec::new();
        }
        let mut cursor = arguments.walk();
        let nodes: Vec<Node<'a>> = arguments.named_children(&mut cursor).collect();
        nodes
            .into_iter()
            .filter(|n| n.kind() != "comment")
            .map(|n| self.eval(n))
            .collect()
    }

    /// Resolves `require('spec')` / `import('spec')` in the current file.
    pub fn require(&mut self, spec: &str) -> Sym<'a> {
        let file = self.file();
        if let Some(json) = self.files[file].data.get(spec) {
            return json_sym(json, 0);
        }
        match self.files[file].resolved.get(spec) {
            Some(&target) => {
                if self.index[target].cjs_exports.is_some() {
                    self.module_export(target, "default")
                } else {
                    Sym::Module(target)
                }
            }
            None => package_sym(spec),
        }
    }
}

/// A package's module object; v2 deep imports (`aws-sdk/clients/s3`) are their class.
pub fn package_sym<'a>(spec: &str) -> Sym<'a> {
    if let Some(file) = spec.strip_prefix(sdk::V2_CLIENTS_PREFIX) {
        let file = file.trim_end_matches(".js");
        return Sym::Export {
            package: sdk::V2_PACKAGE.to_string(),
            path: sdk::table().v2_class_of_file(file),
        };
    }
    if spec == "aws-sdk/global" || spec == "aws-sdk/lib/core" {
        return Sym::Package(sdk::V2_PACKAGE.to_string());
    }
    Sym::Package(spec.to_string())
}

/// A JSON module's value: objects, arrays, strings and scalars as the evaluator's values.
fn json_sym<'a>(json: &serde_json::Value, depth: usize) -> Sym<'a> {
    use serde_json::Value as Json;
    if depth > 32 {
        return Sym::Unknown;
    }
    match json {
        Json::String(s) => Sym::str(s.clone()),
        Json::Number(n) => Sym::Val(Value::Scalar {
            value: n.to_string(),
        }),
        Json::Bool(b) => Sym::Val(Value::Scalar {
            value: b.to_string(),
        }),
        Json::Null => Sym::Unknown,
        Json::Array(items) => Sym::list(items.iter().map(|i| json_sym(i, depth + 1)).collect()),
        Json::Object(map) => {
            let object = super::sym::Object::default();
            for (key, value) in map {
                object
                    .borrow_mut()
                    .insert(key.clone(), json_sym(value, depth + 1));
            }
            Sym::Obj(object)
        }
    }
}

fn has_child(node: Node<'_>, kind: &str) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor).any(|c| c.kind() == kind)
}

/// A `get name() {}` accessor.
fn is_getter(method: Node<'_>) -> bool {
    method.kind() == "method_definition" && has_child(method, "get")
}

/// Gives an anonymous function the name it is bound to, for chains.
fn rename<'a>(value: Sym<'a>, name: &str) -> Sym<'a> {
    match &value {
        Sym::Func(func) if func.name == ANONYMOUS => Sym::Func(Rc::new(FuncRef {
            name: name.to_string(),
            ..(**func).clone()
        })),
        _ => value,
    }
}

/// Decodes the common escapes of a string literal; others stay as written.
fn unescape(escape: &str) -> String {
    match escape {
        "\\n" => "\n".into(),
        "\\t" => "\t".into(),
        "\\r" => "\r".into(),
        "\\\\" => "\\".into(),
        "\\'" => "'".into(),
        "\\\"" => "\"".into(),
        "\\`" => "`".into(),
        "\\/" => "/".into(),
        "\\$" => "$".into(),
        other => other.to_string(),
    }
}

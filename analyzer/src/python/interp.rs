//! The abstract interpreter: walks Python code from the handler, following calls into
//! local functions, methods and modules, tracking which names hold SDK clients and
//! resources, and reporting the SDK calls it meets (see `boto3.rs` and `library.rs`).
//!
//! It over-approximates control flow: both branches of an `if`, every `except`, loop
//! bodies once. Calls to local functions are interpreted with their arguments bound;
//! a call already on the stack (recursion) or seen with the same arguments is not walked
//! again.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use tree_sitter::Node;

use crate::facts::{CallFact, Client, Operation, Sdk, Step, Unresolved, Via, call_text};
use crate::fields::Fields;
use crate::{Context, Diagnostic, FunctionFacts, Location, Value};

use super::dicts::{self, dict_value};
use super::program::{Program, Target, import_specs};
use super::syntax::{StringPart, line_of, node_text, string_parts};
use super::unknown_receiver;
use super::val::{
    CallArgs, ClassVal, Env, FuncVal, InstanceVal, LibObject, ModRef, Service, Val, new_env,
};

/// Deeper call chains than this are not followed (they are almost always recursion
/// through values we cannot tell apart).
const MAX_DEPTH: usize = 48;
/// Evaluation steps per analysis before giving up with a warning: a guard against
/// pathological generated code, far above what real handlers need.
const MAX_STEPS: usize = 20_000_000;
/// Deeper syntax nesting than this (a 5,000-term generated concatenation) is not followed:
/// its value is unknown. Keeps recursion well inside the analysis thread's stack.
const MAX_NESTING: usize = 400;
/// A loop over a literal with at most this many elements runs once per element.
const MAX_UNROLL: usize = 8;
/// A value that may be more than this many different objects is treated as unknown.
const MAX_UNION: usize = 8;

/// One lexical scope being executed.
pub struct Scope<'t> {
    pub module: usize,
    pub locals: Env<'t>,
    /// Enclosing function scopes, innermost last.
    pub enclosing: Vec<Env<'t>>,
    pub globals: HashSet<String>,
    pub returns: Vec<Val<'t>>,
    pub is_module: bool,
    /// `Some(name)` while executing a class body.
    pub class_name: Option<String>,
    /// The function whose body this is (for `super()`).
    pub function: Option<Rc<FuncVal<'t>>>,
}

pub struct Interp<'t, 'c> {
    pub ctx: &'c Context,
    pub program: &'t Program,
    module_envs: HashMap<usize, Env<'t>>,
    /// Function names of the active frames, handler first.
    frames: Vec<String>,
    /// Where each active frame called the next one.
    call_sites: Vec<Location>,
    active: HashSet<(usize, usize)>,
    memo: HashMap<(usize, usize, String), Val<'t>>,
    steps: usize,
    /// Current nesting of `eval`/`exec`, bounded so generated code cannot exhaust the stack.
    nesting: usize,
    pub facts: FunctionFacts,
}

impl<'t, 'c> Interp<'t, 'c> {
    pub fn new(ctx: &'c Context, program: &'t Program) -> Self {
        Self {
            ctx,
            program,
            module_envs: HashMap::new(),
            frames: Vec::new(),
            call_sites: Vec::new(),
            active: HashSet::new(),
            memo: HashMap::new(),
            steps: 0,
            nesting: 0,
            facts: FunctionFacts::default(),
        }
    }

    pub fn src(&self, module: usize) -> &'t str {
        self.program
            .modules
            .get(module)
            .map(|m| m.text.as_str())
            .unwrap_or("")
    }

    pub fn rel(&self, module: usize) -> &'t str {
        self.program
            .modules
            .get(module)
            .map(|m| m.rel.as_str())
            .unwrap_or("")
    }

    pub fn location(&self, module: usize, node: Node) -> Location {
        Location {
            file: self.rel(module).to_string(),
            line: line_of(node),
        }
    }

    // ----- reporting -------------------------------------------------------------------

    /// Reports one SDK call at `node`, on a client of `region` when the code fixed one.
    #[allow(clippy::too_many_arguments)]
    pub fn emit(
        &mut self,
        module: usize,
        node: Node,
        client: Client,
        operation: Operation,
        args: BTreeMap<String, Value>,
        via: Via,
        region: Option<Value>,
    ) {
        let location = self.location(module, node);
        let chain = self
            .frames
            .iter()
            .zip(self.call_sites.iter().chain(std::iter::once(&location)))
            .map(|(function, at)| Step {
                function: function.clone(),
                at: at.clone(),
            })
            .collect();
        self.facts.calls.push(CallFact {
            client,
            operation,
            args,
            via,
            location,
            call: call_text(node_text(node, self.src(module))),
            chain,
            region,
        });
    }

    pub fn emit_boto3(
        &mut self,
        module: usize,
        node: Node,
        service: &Service,
        operation: Operation,
        args: BTreeMap<String, Value>,
        via: Via,
    ) {
        let client = Client {
            sdk: Sdk::Boto3,
            service: service.name.to_string(),
        };
        let region = service.region.clone();
        self.emit(module, node, client, operation, args, via, region);
    }

    pub fn unresolved(&mut self, module: usize, node: Node, why: impl Into<String>) {
        let location = self.location(module, node);
        self.facts.unresolved.push(Unresolved {
            location,
            call: call_text(node_text(node, self.src(module))),
            why: why.into(),
        });
    }

    /// How many calls and unresolved calls have been reported so far.
    fn reported(&self) -> usize {
        self.facts.calls.len() + self.facts.unresolved.len()
    }

    fn tick(&mut self) -> bool {
        self.steps += 1;
        if self.steps == MAX_STEPS {
            let file = self.program.modules.first().map(|m| m.rel.clone());
            self.facts.diagnostics.push(Diagnostic::warning(
                file.unwrap_or_default(),
                0,
                "analysis stopped early: the code is too large to follow completely",
            ));
        }
        self.steps < MAX_STEPS
    }

    // ----- modules ---------------------------------------------------------------------

    /// Runs a module's top-level code once; returns its globals.
    pub fn load_module(&mut self, module: usize, site: Option<(usize, Node)>) -> Env<'t> {
        if let Some(env) = self.module_envs.get(&module) {
            return env.clone();
        }
        let env = new_env();
        self.module_envs.insert(module, env.clone());
        let Some(parsed) = self.program.modules.get(module) else {
            return env;
        };
        let root = parsed.tree.root_node();
        let mut scope = Scope {
            module,
            locals: env.clone(),
            enclosing: Vec::new(),
            globals: HashSet::new(),
            returns: Vec::new(),
            is_module: true,
            class_name: None,
            function: None,
        };
        let pushed = site.map(|(m, n)| self.location(m, n));
        if let Some(loc) = pushed.clone() {
            self.call_sites.push(loc);
        }
        self.frames.push(format!("<module {}>", parsed.rel));
        self.exec_block(root, &mut scope);
        self.frames.pop();
        if pushed.is_some() {
            self.call_sites.pop();
        }
        env
    }

    pub fn module_index(&self, rel: &str) -> Option<usize> {
        self.program.by_rel.get(rel).copied()
    }

    /// The value of a module reference reached by import.
    fn target_value(&mut self, target: Target, site: (usize, Node)) -> Val<'t> {
        match target {
            Target::File(rel) => match self.module_index(&rel) {
                Some(idx) => {
                    self.load_module(idx, Some(site));
                    Val::Module(ModRef::Local(idx))
                }
                None => Val::Unknown,
            },
            Target::Namespace(dir) => Val::Module(ModRef::Namespace(dir)),
        }
    }

    fn resolve_module(&mut self, from: usize, level: usize, dotted: &str, site: Node) -> Val<'t> {
        let from_rel = self.rel(from).to_string();
        match self.program.resolver.resolve(&from_rel, level, dotted) {
            Some(target) => self.target_value(target, (from, site)),
            None if level == 0 => Val::Extern(Rc::from(dotted)),
            None => Val::Unknown,
        }
    }

    /// `module.name`: a global of the module, else its submodule.
    pub fn module_attr(&mut self, m: &ModRef, name: &str, site: (usize, Node)) -> Val<'t> {
        let package_marker = match m {
            ModRef::Local(idx) => {
                let env = self.load_module(*idx, Some(site));
                if let Some(v) = env.borrow().get(name) {
                    return v.clone();
                }
                let rel = self.rel(*idx);
                if !rel.ends_with("__init__.py") {
                    return Val::Unknown;
                }
                rel.to_string()
            }
            ModRef::Namespace(dir) => format!("{dir}/__init__.py"),
        };
        match self.program.resolver.resolve(&package_marker, 1, name) {
            Some(target) => self.target_value(target, site),
            None => Val::Unknown,
        }
    }

    fn exec_import(&mut self, node: Node<'t>, scope: &mut Scope<'t>) {
        let src = self.src(scope.module);
        let specs = import_specs(node, src);
        match node.kind() {
            "import_statement" => {
                let mut cursor = node.walk();
                let names: Vec<Node> = node.children_by_field_name("name", &mut cursor).collect();
                for (name_node, spec) in names.into_iter().zip(specs) {
                    let parts: Vec<&str> = spec.module.split('.').collect();
                    if name_node.kind() == "aliased_import" {
                        let val = self.import_dotted(scope.module, &parts, parts.len(), node);
                        if let Some(alias) = name_node.field("alias") {
                            self.assign_name(node_text(alias, src), val, scope);
                        }
                    } else {
                        // `import a.b.c` binds `a` and loads every package on the way.
                        let val = self.import_dotted(scope.module, &parts, 1, node);
                        for i in 2..=parts.len() {
                            self.import_dotted(scope.module, &parts, i, node);
                        }
                        self.assign_name(parts[0], val, scope);
                    }
                }
            }
            "import_from_statement" => {
                let Some(spec) = specs.into_iter().next() else {
                    return;
                };
                let parts: Vec<&str> = spec.module.split('.').filter(|p| !p.is_empty()).collect();
                let base = if spec.level == 0 {
                    self.import_dotted(scope.module, &parts, parts.len(), node)
                } else {
                    for i in 1..parts.len() {
                        self.resolve_module(scope.module, spec.level, &parts[..i].join("."), node);
                    }
                    self.resolve_module(scope.module, spec.level, &spec.module, node)
                };
                let mut cursor = node.walk();
                let names: Vec<Node> = node.children_by_field_name("name", &mut cursor).collect();
                for name_node in names {
                    let (name, alias) = match name_node.kind() {
                        "aliased_import" => (name_node.field("name"), name_node.field("alias")),
                        _ => (Some(name_node), None),
                    };
                    let Some(name) = name else { continue };
                    let name = node_text(name, src);
                    let val = match &base {
                        Val::Module(m) => self.module_attr(&m.clone(), name, (scope.module, node)),
                        Val::Extern(q) => Val::Extern(Rc::from(format!("{q}.{name}"))),
                        _ => Val::Unknown,
                    };
                    let bound = alias.map(|a| node_text(a, src)).unwrap_or(name);
                    self.assign_name(bound, val, scope);
                }
                if spec.names.iter().any(|n| n == "*")
                    && let Val::Module(ModRef::Local(idx)) = base
                {
                    let env = self.load_module(idx, Some((scope.module, node)));
                    let exported: Vec<(String, Val)> = env
                        .borrow()
                        .iter()
                        .filter(|(k, _)| !k.starts_with('_'))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    for (k, v) in exported {
                        self.assign_name(&k, v, scope);
                    }
                }
            }
            _ => {}
        }
    }

    /// The module `parts[..count]`, local or third-party.
    fn import_dotted(&mut self, from: usize, parts: &[&str], count: usize, site: Node) -> Val<'t> {
        let dotted = parts[..count.min(parts.len())].join(".");
        self.resolve_module(from, 0, &dotted, site)
    }

    // ----- names -----------------------------------------------------------------------

    pub fn module_env(&mut self, module: usize) -> Env<'t> {
        self.module_envs
            .entry(module)
            .or_insert_with(new_env)
            .clone()
    }

    pub fn lookup(&mut self, name: &str, scope: &Scope<'t>) -> Val<'t> {
        if !scope.globals.contains(name)
            && let Some(v) = scope.locals.borrow().get(name)
        {
            return v.clone();
        }
        for env in scope.enclosing.iter().rev() {
            if let Some(v) = env.borrow().get(name) {
                return v.clone();
            }
        }
        if let Some(v) = self.module_env(scope.module).borrow().get(name) {
            return v.clone();
        }
        Val::Extern(Rc::from(format!("builtins.{name}")))
    }

    pub fn assign_name(&mut self, name: &str, val: Val<'t>, scope: &mut Scope<'t>) {
        let env = if scope.globals.contains(name) && !scope.is_module {
            self.module_env(scope.module)
        } else {
            scope.locals.clone()
        };
        let mut env = env.borrow_mut();
        // `_client = None` never hides a client assigned elsewhere (lazy initialisation).
        if matches!(val, Val::None) && env.get(name).is_some_and(|v| !v.is_unknown()) {
            return;
        }
        env.insert(name.to_string(), val);
    }

    /// Binds `val` to an assignment target (a name, an attribute, a subscript, a tuple).
    pub fn assign(&mut self, target: Node<'t>, val: Val<'t>, scope: &mut Scope<'t>) {
        let src = self.src(scope.module);
        match target.kind() {
            "identifier" => self.assign_name(node_text(target, src), val, scope),
            "attribute" => {
                let (Some(object), Some(attr)) =
                    (target.field("object"), target.field("attribute"))
                else {
                    return;
                };
                let recv = self.eval(object, scope);
                let name = node_text(attr, src).to_string();
                let env = match recv {
                    Val::Instance(i) => Some(i.attrs.clone()),
                    Val::Class(c) => Some(c.attrs.clone()),
                    Val::Module(ModRef::Local(idx)) => Some(self.module_env(idx)),
                    _ => None,
                };
                if let Some(env) = env {
                    let mut env = env.borrow_mut();
                    if matches!(val, Val::None) && env.get(&name).is_some_and(|v| !v.is_unknown()) {
                        return;
                    }
                    env.insert(name, val);
                }
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" => {
                let items = match &val {
                    Val::Data(Value::List { items }) => Some(items.clone()),
                    _ => None,
                };
                let mut cursor = target.walk();
                let targets: Vec<Node> = target.named_children(&mut cursor).collect();
                for (i, t) in targets.into_iter().enumerate() {
                    let v = items
                        .as_ref()
                        .and_then(|items| items.get(i).cloned())
                        .map(Val::Data)
                        .unwrap_or(Val::Unknown);
                    self.assign(t, v, scope);
                }
            }
            "subscript" => self.assign_item(target, val, scope),
            _ => {}
        }
    }

    /// `d[key] = val`: a dict bound to a name or held in a `Dict` learns the entry.
    fn assign_item(&mut self, target: Node<'t>, val: Val<'t>, scope: &mut Scope<'t>) {
        let (Some(object), Some(key)) = (target.field("value"), target.field("subscript")) else {
            return;
        };
        let container = self.eval(object, scope);
        let key = self.eval(key, scope);
        let Some(key) = key.as_str().map(str::to_string) else {
            return;
        };
        match container {
            Val::Dict(d) => {
                d.borrow_mut().insert(key, val);
            }
            Val::Data(Value::Map { mut entries }) if object.kind() == "identifier" => {
                let name = node_text(object, self.src(scope.module)).to_string();
                let updated = match val {
                    Val::Data(v) => {
                        entries.insert(key, v);
                        Val::Data(Value::Map { entries })
                    }
                    other => {
                        let mut map: BTreeMap<String, Val<'t>> = entries
                            .into_iter()
                            .map(|(k, v)| (k, Val::Data(v)))
                            .collect();
                        map.insert(key, other);
                        Val::Dict(Rc::new(std::cell::RefCell::new(map)))
                    }
                };
                // Mutating a dict mutates it where it lives, local or global.
                let local =
                    !scope.globals.contains(&name) && scope.locals.borrow().contains_key(&name);
                if local || scope.is_module {
                    scope.locals.borrow_mut().insert(name, updated);
                } else {
                    self.module_env(scope.module)
                        .borrow_mut()
                        .insert(name, updated);
                }
            }
            _ => {}
        }
    }

    // ----- statements ------------------------------------------------------------------

    pub fn exec_block(&mut self, block: Node<'t>, scope: &mut Scope<'t>) {
        let mut cursor = block.walk();
        let statements: Vec<Node> = block.named_children(&mut cursor).collect();
        for statement in statements {
            self.exec(statement, scope);
        }
    }

    fn exec(&mut self, node: Node<'t>, scope: &mut Scope<'t>) {
        if !self.tick() || self.nesting > MAX_NESTING {
            return;
        }
        self.nesting += 1;
        self.exec_statement(node, scope);
        self.nesting -= 1;
    }

    fn exec_statement(&mut self, node: Node<'t>, scope: &mut Scope<'t>) {
        let src = self.src(scope.module);
        match node.kind() {
            "expression_statement" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    self.eval(child, scope);
                }
            }
            "return_statement" => {
                let val = match node.named_child(0) {
                    Some(expr) => self.eval(expr, scope),
                    None => Val::None,
                };
                scope.returns.push(val);
            }
            "function_definition" => self.define_function(node, Vec::new(), scope),
            "class_definition" => self.define_class(node, scope),
            "decorated_definition" => {
                let mut cursor = node.walk();
                let decorators: Vec<Node> = node
                    .named_children(&mut cursor)
                    .filter(|c| c.kind() == "decorator")
                    .collect();
                if let Some(def) = node.field("definition") {
                    match def.kind() {
                        "function_definition" => self.define_function(def, decorators, scope),
                        _ => {
                            for d in decorators {
                                self.eval_children(d, scope);
                            }
                            self.define_class(def, scope);
                        }
                    }
                }
            }
            "import_statement" | "import_from_statement" => self.exec_import(node, scope),
            "global_statement" | "nonlocal_statement" => {
                let mut cursor = node.walk();
                for name in node.named_children(&mut cursor) {
                    scope.globals.insert(node_text(name, src).to_string());
                }
            }
            "if_statement" => self.exec_if(node, scope),
            "elif_clause" => {
                if let Some(c) = node.field("condition") {
                    self.eval(c, scope);
                }
                if let Some(b) = node.field("consequence") {
                    self.exec_block(b, scope);
                }
            }
            "else_clause" | "finally_clause" | "except_clause" | "except_group_clause" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    if child.kind() == "block" {
                        self.exec_block(child, scope);
                    } else {
                        self.eval(child, scope);
                    }
                }
            }
            "for_statement" => {
                let right = node.field("right");
                let items = match right.and_then(|r| self.literal_items(r, scope)) {
                    Some(items) => items,
                    None => {
                        let iterable = right.map(|r| self.eval(r, scope)).unwrap_or(Val::Unknown);
                        vec![self.iteration_item(&iterable)]
                    }
                };
                // The body runs once per element of a literal (`for t in ["a", "b"]`), with
                // each bound in turn; once with the unknown item otherwise.
                for item in items {
                    if let Some(left) = node.field("left") {
                        self.assign(left, item, scope);
                    }
                    if let Some(b) = node.field("body") {
                        self.exec_block(b, scope);
                    }
                }
                if let Some(alt) = node.field("alternative") {
                    self.exec(alt, scope);
                }
            }
            "while_statement" => {
                if let Some(c) = node.field("condition") {
                    self.eval(c, scope);
                }
                if let Some(b) = node.field("body") {
                    self.exec_block(b, scope);
                }
                if let Some(alt) = node.field("alternative") {
                    self.exec(alt, scope);
                }
            }
            "try_statement" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    if child.kind() == "block" {
                        self.exec_block(child, scope);
                    } else {
                        self.exec(child, scope);
                    }
                }
            }
            "with_statement" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    match child.kind() {
                        "with_clause" => self.exec_with_clause(child, scope),
                        "block" => self.exec_block(child, scope),
                        _ => {}
                    }
                }
            }
            "block" | "module" => self.exec_block(node, scope),
            "pass_statement" | "break_statement" | "continue_statement" | "comment" => {}
            _ => {
                // raise, assert, del, match, print, exec...: evaluate what they contain.
                self.eval_children(node, scope);
            }
        }
    }

    /// Runs every branch from the same starting state and merges what they bind, so
    /// `if prod: t = "a" else: t = "b"` leaves `t` unknown rather than `"b"`.
    /// `if __name__ == "__main__":` never runs in Lambda and is skipped.
    fn exec_if(&mut self, node: Node<'t>, scope: &mut Scope<'t>) {
        let src = self.src(scope.module);
        let condition = node.field("condition");
        let is_main_guard = condition.is_some_and(|c| {
            let text: String = node_text(c, src).split_whitespace().collect();
            matches!(
                text.as_str(),
                "__name__==\"__main__\""
                    | "__name__=='__main__'"
                    | "\"__main__\"==__name__"
                    | "'__main__'==__name__"
            )
        });
        if let Some(c) = condition {
            self.eval(c, scope);
        }
        let before = scope.locals.borrow().clone();
        let mut outcomes = Vec::new();
        if !is_main_guard && let Some(b) = node.field("consequence") {
            self.exec_block(b, scope);
        }
        outcomes.push(std::mem::replace(
            &mut *scope.locals.borrow_mut(),
            before.clone(),
        ));
        let mut cursor = node.walk();
        let alternatives: Vec<Node> = node
            .children_by_field_name("alternative", &mut cursor)
            .collect();
        let has_else = alternatives.iter().any(|a| a.kind() == "else_clause");
        for alt in alternatives {
            self.exec(alt, scope);
            outcomes.push(std::mem::replace(
                &mut *scope.locals.borrow_mut(),
                before.clone(),
            ));
        }
        if !has_else {
            outcomes.push(before);
        }
        *scope.locals.borrow_mut() = merge_bindings(outcomes);
    }

    fn exec_with_clause(&mut self, clause: Node<'t>, scope: &mut Scope<'t>) {
        let mut cursor = clause.walk();
        let items: Vec<Node> = clause.named_children(&mut cursor).collect();
        for item in items {
            let Some(value) = item.field("value") else {
                continue;
            };
            if value.kind() == "as_pattern" {
                let expr = value.named_child(0);
                let val = expr.map(|e| self.eval(e, scope)).unwrap_or(Val::Unknown);
                if let Some(alias) = value.field("alias") {
                    let target = alias.named_child(0).unwrap_or(alias);
                    self.assign(target, val, scope);
                }
            } else {
                self.eval(value, scope);
            }
        }
    }

    /// The elements of a short list, tuple or set literal iterated over (`["a", "b"]`, a
    /// name bound to a list of strings), each evaluated; `None` for anything else.
    fn literal_items(&mut self, iterable: Node<'t>, scope: &mut Scope<'t>) -> Option<Vec<Val<'t>>> {
        if matches!(iterable.kind(), "list" | "tuple" | "set") {
            let mut cursor = iterable.walk();
            let elements: Vec<Node<'t>> = iterable.named_children(&mut cursor).collect();
            if elements.is_empty()
                || elements.len() > MAX_UNROLL
                || elements
                    .iter()
                    .any(|e| e.kind().ends_with("splat") || e.kind() == "comment")
            {
                return None;
            }
            return Some(elements.into_iter().map(|e| self.eval(e, scope)).collect());
        }
        if iterable.kind() != "identifier" {
            return None;
        }
        match self.eval(iterable, scope) {
            Val::Data(Value::List { items }) if (2..=MAX_UNROLL).contains(&items.len()) => {
                Some(items.into_iter().map(Val::Data).collect())
            }
            _ => None,
        }
    }

    /// What one iteration of `for x in iterable` binds.
    fn iteration_item(&mut self, iterable: &Val<'t>) -> Val<'t> {
        match iterable {
            Val::Event(path) => self.event_part(path, None),
            Val::Collection(c) => self.collection_item(c),
            Val::Data(Value::List { items }) if items.len() == 1 => Val::Data(items[0].clone()),
            // Resource actions that return several resources (`queue.receive_messages()`)
            // come back as one resource value standing for each of them.
            Val::Resource(_) => iterable.clone(),
            // Iterating what a library model class method returned (`for u in User.scan()`).
            Val::Instance(i) if !self.extern_bases(&i.class).is_empty() => iterable.clone(),
            _ => Val::Unknown,
        }
    }

    fn define_function(
        &mut self,
        node: Node<'t>,
        decorators: Vec<Node<'t>>,
        scope: &mut Scope<'t>,
    ) {
        let src = self.src(scope.module);
        let Some(name) = node.field("name") else {
            return;
        };
        let name = node_text(name, src).to_string();
        let qualified = match &scope.class_name {
            Some(class) => format!("{class}.{name}"),
            None => name.clone(),
        };
        let mut closure = scope.enclosing.clone();
        if !scope.is_module && scope.class_name.is_none() {
            closure.push(scope.locals.clone());
        }
        let func = Rc::new(FuncVal {
            module: scope.module,
            node,
            name: qualified,
            decorators,
            closure,
            bound: None,
            decorators_applied: false,
        });
        self.register_on_frameworks(&func, scope);
        self.assign_name(&name, Val::Function(func), scope);
    }

    /// `@app.get("/x")` / `@app.route(...)` where `app` is a third-party object and the
    /// method registers (`grammars/python/frameworks.toml`): the function becomes one of
    /// the object's callbacks. Only a plain name is looked up
    /// here; nothing is evaluated before the function is reached.
    fn register_on_frameworks(&mut self, func: &Rc<FuncVal<'t>>, scope: &mut Scope<'t>) {
        let src = self.src(scope.module);
        for decorator in &func.decorators {
            let Some(mut expr) = decorator.named_child(0) else {
                continue;
            };
            if expr.kind() == "call"
                && let Some(f) = expr.field("function")
            {
                expr = f;
            }
            if expr.kind() != "attribute" {
                continue;
            }
            let (Some(object), Some(attr)) = (expr.field("object"), expr.field("attribute")) else {
                continue;
            };
            if object.kind() != "identifier" {
                continue;
            }
            let registrar = node_text(attr, src).to_string();
            if !super::models::is_registrar(&registrar) {
                continue;
            }
            if let Val::LibObject(o) = self.lookup(node_text(object, src), scope) {
                if !super::models::is_own_function(&registrar) {
                    o.callbacks.borrow_mut().push(func.clone());
                }
                if !o.registrars.borrow().contains(&registrar) {
                    o.registrars.borrow_mut().push(registrar);
                }
            }
        }
    }

    /// Runs a framework object's registered callbacks once, from where it dispatches.
    /// Mounted objects (`app.include_router(router)`) dispatch with it.
    pub fn run_callbacks(&mut self, o: &Rc<LibObject<'t>>, node: Node<'t>, scope: &mut Scope<'t>) {
        if o.callbacks_ran.get()
            || (o.callbacks.borrow().is_empty() && o.mounted.borrow().is_empty())
        {
            return;
        }
        o.callbacks_ran.set(true);
        let callbacks = o.callbacks.borrow().clone();
        for callback in callbacks {
            self.call_function(callback, CallArgs::default(), Some((scope.module, node)));
        }
        let mounted = o.mounted.borrow().clone();
        for child in mounted {
            self.run_callbacks(&child, node, scope);
        }
    }

    /// `app.include_router(router)`: every framework object passed is mounted on `o`.
    fn mount(&mut self, o: &Rc<LibObject<'t>>, args: &CallArgs<'t>) {
        let passed = args
            .positional
            .iter()
            .chain(args.keywords.iter().map(|(_, v)| v));
        for val in passed {
            if let Val::LibObject(child) = val
                && !Rc::ptr_eq(child, o)
            {
                o.mounted.borrow_mut().push(child.clone());
            }
        }
    }

    /// Local functions and partials handed to third-party code (`executor.map(f, xs)`,
    /// `process_partial_response(record_handler=f)`) are assumed to be called; framework
    /// objects handed over (`Mangum(app)`) dispatch to their callbacks.
    pub fn run_passed_callables(
        &mut self,
        args: &CallArgs<'t>,
        node: Node<'t>,
        scope: &mut Scope<'t>,
    ) {
        let passed: Vec<Val<'t>> = args
            .positional
            .iter()
            .chain(args.keywords.iter().map(|(_, v)| v))
            .cloned()
            .collect();
        for val in passed {
            match val {
                Val::Function(f) => {
                    self.call_function(f, CallArgs::default(), Some((scope.module, node)));
                }
                Val::LibObject(o) => self.run_callbacks(&o, node, scope),
                // `run_in_executor(None, partial(s3.put_object, Bucket=b))`: called with
                // what it binds.
                Val::Partial(p) => {
                    self.call_partial(&p, CallArgs::default(), node, scope);
                }
                _ => {}
            }
        }
    }

    /// Partials among `args`, called with what they bind (see [`Self::run_passed_callables`]).
    fn run_passed_partials(&mut self, args: &CallArgs<'t>, node: Node<'t>, scope: &mut Scope<'t>) {
        let partials: Vec<_> = args
            .positional
            .iter()
            .chain(args.keywords.iter().map(|(_, v)| v))
            .filter_map(|v| match v {
                Val::Partial(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        for p in partials {
            self.call_partial(&p, CallArgs::default(), node, scope);
        }
    }

    fn define_class(&mut self, node: Node<'t>, scope: &mut Scope<'t>) {
        let src = self.src(scope.module);
        let Some(name) = node.field("name") else {
            return;
        };
        let name = node_text(name, src).to_string();
        let bases = match node.field("superclasses") {
            Some(list) => {
                let mut cursor = list.walk();
                let exprs: Vec<Node> = list
                    .named_children(&mut cursor)
                    .filter(|c| c.kind() != "keyword_argument")
                    .collect();
                exprs.into_iter().map(|e| self.eval(e, scope)).collect()
            }
            None => Vec::new(),
        };
        let attrs = new_env();
        let mut enclosing = scope.enclosing.clone();
        if !scope.is_module && scope.class_name.is_none() {
            enclosing.push(scope.locals.clone());
        }
        let mut body_scope = Scope {
            module: scope.module,
            locals: attrs.clone(),
            enclosing,
            globals: HashSet::new(),
            returns: Vec::new(),
            is_module: false,
            class_name: Some(name.clone()),
            function: None,
        };
        if let Some(body) = node.field("body") {
            self.exec_block(body, &mut body_scope);
        }
        let class = Val::Class(Rc::new(ClassVal {
            module: scope.module,
            name: name.clone(),
            node,
            bases,
            attrs,
        }));
        self.assign_name(&name, class, scope);
    }

    // ----- expressions -----------------------------------------------------------------

    /// Evaluates every named child, for the calls they may contain.
    pub fn eval_children(&mut self, node: Node<'t>, scope: &mut Scope<'t>) {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        for child in children {
            if child.kind() == "block" {
                self.exec_block(child, scope);
            } else {
                self.eval(child, scope);
            }
        }
    }

    pub fn eval(&mut self, node: Node<'t>, scope: &mut Scope<'t>) -> Val<'t> {
        if !self.tick() || self.nesting > MAX_NESTING {
            return Val::Unknown;
        }
        self.nesting += 1;
        let val = self.eval_expression(node, scope);
        self.nesting -= 1;
        val
    }

    fn eval_expression(&mut self, node: Node<'t>, scope: &mut Scope<'t>) -> Val<'t> {
        let src = self.src(scope.module);
        match node.kind() {
            "identifier" => self.lookup(node_text(node, src), scope),
            "string" => self.eval_string(node, scope),
            "concatenated_string" => {
                let mut cursor = node.walk();
                let parts: Vec<Node> = node.named_children(&mut cursor).collect();
                let values = parts
                    .into_iter()
                    .map(|p| self.eval(p, scope).to_value())
                    .collect();
                Val::Data(Value::concat(values))
            }
            "integer" | "float" | "true" | "false" => Val::Data(Value::Scalar {
                value: node_text(node, src).to_string(),
            }),
            "none" => Val::None,
            "parenthesized_expression" | "await" | "expression_list"
                if node.named_child_count() == 1 =>
            {
                match node.named_child(0) {
                    Some(inner) => self.eval(inner, scope),
                    None => Val::Unknown,
                }
            }
            "attribute" => {
                let (Some(object), Some(attr)) = (node.field("object"), node.field("attribute"))
                else {
                    return Val::Unknown;
                };
                let recv = self.eval(object, scope);
                self.get_attr(recv, node_text(attr, src), node, scope)
            }
            "subscript" => self.eval_subscript(node, scope),
            "call" => self.eval_call(node, scope),
            "assignment" => {
                let val = match node.field("right") {
                    Some(right) => self.eval(right, scope),
                    None => Val::Unknown,
                };
                if let Some(left) = node.field("left") {
                    self.assign(left, val.clone(), scope);
                }
                val
            }
            "named_expression" => {
                // `(table := ddb.Table(name))`
                let val = node
                    .field("value")
                    .map(|v| self.eval(v, scope))
                    .unwrap_or(Val::Unknown);
                if let Some(name) = node.field("name") {
                    self.assign(name, val.clone(), scope);
                }
                val
            }
            "augmented_assignment" => {
                let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
                    return Val::Unknown;
                };
                let before = self.eval(left, scope);
                let add = self.eval(right, scope);
                let op = node
                    .field("operator")
                    .map(|o| node_text(o, src))
                    .unwrap_or("");
                let val = if op == "+=" {
                    concat_vals(&before, &add)
                } else {
                    Val::Unknown
                };
                self.assign(left, val.clone(), scope);
                val
            }
            "binary_operator" => {
                let left = node.field("left").map(|l| self.eval(l, scope));
                let right = node.field("right").map(|r| self.eval(r, scope));
                let op = node
                    .field("operator")
                    .map(|o| node_text(o, src))
                    .unwrap_or("");
                match (op, left, right) {
                    ("+", Some(l), Some(r)) => concat_vals(&l, &r),
                    ("%", Some(Val::Data(Value::Str { value })), Some(r)) => {
                        percent_format(&value, &r)
                    }
                    _ => Val::Unknown,
                }
            }
            "boolean_operator" => {
                let left = node.field("left").map(|l| self.eval(l, scope));
                let right = node.field("right").map(|r| self.eval(r, scope));
                let is_or = node
                    .field("operator")
                    .is_some_and(|o| node_text(o, src) == "or");
                match (left, right) {
                    // `os.environ.get("X") or "default"`
                    (
                        Some(Val::Data(Value::Env {
                            name,
                            default: None,
                        })),
                        Some(Val::Data(d)),
                    ) if is_or => Val::Data(Value::Env {
                        name,
                        default: Some(Box::new(d)),
                    }),
                    (Some(l), Some(r)) if is_or => {
                        if l.is_unknown() {
                            r
                        } else {
                            l
                        }
                    }
                    (_, Some(r)) => r,
                    _ => Val::Unknown,
                }
            }
            "conditional_expression" => {
                let mut cursor = node.walk();
                let parts: Vec<Node> = node.named_children(&mut cursor).collect();
                let vals: Vec<Val> = parts.into_iter().map(|p| self.eval(p, scope)).collect();
                // `a if cond else b`: either branch.
                match (vals.first(), vals.get(2)) {
                    (Some(a), Some(b)) => join_vals(vec![a.clone(), b.clone()]),
                    (Some(a), None) => a.clone(),
                    _ => Val::Unknown,
                }
            }
            "list" | "tuple" | "set" => {
                let mut cursor = node.walk();
                let parts: Vec<Node> = node.named_children(&mut cursor).collect();
                let items = parts
                    .into_iter()
                    .map(|p| self.eval(p, scope).to_value())
                    .collect();
                Val::Data(Value::List { items })
            }
            "dictionary" => {
                let mut entries: BTreeMap<String, Val<'t>> = BTreeMap::new();
                let mut cursor = node.walk();
                let parts: Vec<Node> = node.named_children(&mut cursor).collect();
                for part in parts {
                    if part.kind() == "pair" {
                        let key = part.field("key").map(|k| self.eval(k, scope));
                        let value = part
                            .field("value")
                            .map(|v| self.eval(v, scope))
                            .unwrap_or(Val::Unknown);
                        if let Some(key) = key.as_ref().and_then(Val::as_str) {
                            entries.insert(key.to_string(), value);
                        }
                    } else if part.kind() == "dictionary_splat" {
                        let more = part.named_child(0).map(|e| self.eval(e, scope));
                        if let Some(more) = more.as_ref().and_then(dicts::entries_of) {
                            entries.extend(more);
                        }
                    } else {
                        self.eval(part, scope);
                    }
                }
                dict_value(entries)
            }
            // What a generator yields is what its callers get: a FastAPI dependency
            // `def get_table(): yield table` passes `table`.
            "yield" => {
                let val = match node.named_child(0) {
                    Some(expr) => self.eval(expr, scope),
                    None => Val::None,
                };
                let is_from = node.child(1).is_some_and(|c| c.kind() == "from");
                if !is_from {
                    scope.returns.push(val);
                }
                Val::Unknown
            }
            "lambda" => {
                let mut closure = scope.enclosing.clone();
                if !scope.is_module && scope.class_name.is_none() {
                    closure.push(scope.locals.clone());
                }
                Val::Function(Rc::new(FuncVal {
                    module: scope.module,
                    node,
                    name: "<lambda>".to_string(),
                    decorators: Vec::new(),
                    closure,
                    bound: None,
                    decorators_applied: true,
                }))
            }
            "comment" => Val::Unknown,
            _ => {
                self.eval_children(node, scope);
                Val::Unknown
            }
        }
    }

    fn eval_string(&mut self, node: Node<'t>, scope: &mut Scope<'t>) -> Val<'t> {
        let src = self.src(scope.module);
        let parts = string_parts(node, src)
            .into_iter()
            .map(|part| match part {
                StringPart::Text(text) => Value::str(text),
                StringPart::Interpolation(expr) => self.eval(expr, scope).to_value(),
            })
            .collect();
        Val::Data(Value::concat(parts))
    }

    fn eval_subscript(&mut self, node: Node<'t>, scope: &mut Scope<'t>) -> Val<'t> {
        let recv = node
            .field("value")
            .map(|v| self.eval(v, scope))
            .unwrap_or(Val::Unknown);
        let key = node
            .field("subscript")
            .map(|k| self.eval(k, scope))
            .unwrap_or(Val::Unknown);
        match (&recv, &key) {
            (Val::Extern(q), Val::Data(Value::Str { value })) if &**q == "os.environ" => {
                Val::Data(self.ctx.env_value(value, None))
            }
            (Val::Event(path), Val::Data(Value::Str { value })) => {
                self.event_part(path, Some(value))
            }
            (Val::Event(path), _) => self.event_part(path, None),
            (Val::Data(Value::Map { entries }), Val::Data(Value::Str { value })) => entries
                .get(value)
                .cloned()
                .map(Val::Data)
                .unwrap_or(Val::Unknown),
            (Val::Dict(d), Val::Data(Value::Str { value })) => {
                d.borrow().get(value).cloned().unwrap_or(Val::Unknown)
            }
            // An unknown key into a dict of clients: any of them.
            (Val::Dict(d), _) => join_vals(d.borrow().values().cloned().collect()),
            (Val::Data(Value::List { items }), Val::Data(Value::Scalar { value })) => value
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i).cloned())
                .map(Val::Data)
                .unwrap_or(Val::Unknown),
            _ => Val::Unknown,
        }
    }

    pub fn eval_args(&mut self, list: Option<Node<'t>>, scope: &mut Scope<'t>) -> CallArgs<'t> {
        let mut args = CallArgs::default();
        let Some(list) = list else { return args };
        let src = self.src(scope.module);
        let mut cursor = list.walk();
        let children: Vec<Node> = list.named_children(&mut cursor).collect();
        for child in children {
            match child.kind() {
                "keyword_argument" => {
                    let name = child.field("name").map(|n| node_text(n, src));
                    let value = child
                        .field("value")
                        .map(|v| self.eval(v, scope))
                        .unwrap_or(Val::Unknown);
                    if let Some(name) = name {
                        args.keywords.push((name.to_string(), value));
                    }
                }
                "dictionary_splat" => {
                    let val = child.named_child(0).map(|e| self.eval(e, scope));
                    if let Some(entries) = val.as_ref().and_then(dicts::entries_of) {
                        args.keywords.extend(entries);
                    }
                }
                "list_splat" => {
                    let val = child.named_child(0).map(|e| self.eval(e, scope));
                    match val {
                        Some(Val::Data(Value::List { items })) => {
                            args.positional.extend(items.into_iter().map(Val::Data))
                        }
                        _ => args.positional.push(Val::Unknown),
                    }
                }
                "comment" => {}
                _ => {
                    let val = self.eval(child, scope);
                    args.positional.push(val);
                }
            }
        }
        args
    }

    fn eval_call(&mut self, node: Node<'t>, scope: &mut Scope<'t>) -> Val<'t> {
        let Some(function) = node.field("function") else {
            return Val::Unknown;
        };
        let src = self.src(scope.module);
        if function.kind() == "attribute"
            && let (Some(object), Some(attr)) =
                (function.field("object"), function.field("attribute"))
        {
            let recv = self.eval(object, scope);
            let args = self.eval_args(node.field("arguments"), scope);
            let name = node_text(attr, src);
            if dicts::is_mutation(&recv, name) {
                return self.mutate_dict(recv, object, name, &args, scope);
            }
            let unidentified = is_unidentified(&recv);
            let reported = self.reported();
            let out = self.call_method(recv, name, args, node, scope);
            if unidentified
                && self.reported() == reported
                && unknown_receiver::looks_like_sdk_call(
                    name,
                    unknown_receiver::receiver_name(object, src),
                )
            {
                self.unresolved(scope.module, node, unknown_receiver::WHY);
            }
            return out;
        }
        let callee = self.eval(function, scope);
        let args = self.eval_args(node.field("arguments"), scope);
        self.call_value(callee, args, node, scope)
    }

    // ----- calls -----------------------------------------------------------------------

    pub fn call_value(
        &mut self,
        callee: Val<'t>,
        args: CallArgs<'t>,
        node: Node<'t>,
        scope: &mut Scope<'t>,
    ) -> Val<'t> {
        match callee {
            Val::Union(items) => {
                let results = items
                    .into_iter()
                    .map(|item| self.call_value(item, args.clone(), node, scope))
                    .collect();
                join_vals(results)
            }
            Val::Function(f) => self.call_function(f, args, Some((scope.module, node))),
            Val::Class(c) => self.instantiate(c, args, node, scope),
            Val::Extern(q) => self.extern_call(&q, None, args, node, scope),
            Val::Bound(recv, name) => self.call_method(*recv, &name, args, node, scope),
            Val::Partial(p) => self.call_partial(&p, args, node, scope),
            Val::DynamicAttr(recv) => {
                if matches!(
                    *recv,
                    Val::Client(_) | Val::Resource(_) | Val::Collection(_)
                ) {
                    self.unresolved(
                        scope.module,
                        node,
                        "operation name is not a constant (getattr)",
                    );
                }
                Val::Unknown
            }
            Val::Unknown => {
                self.run_passed_partials(&args, node, scope);
                Val::Unknown
            }
            _ => Val::Unknown,
        }
    }

    pub fn call_method(
        &mut self,
        recv: Val<'t>,
        name: &str,
        args: CallArgs<'t>,
        node: Node<'t>,
        scope: &mut Scope<'t>,
    ) -> Val<'t> {
        match recv {
            Val::Union(items) => {
                let results = items
                    .into_iter()
                    .map(|item| self.call_method(item, name, args.clone(), node, scope))
                    .collect();
                join_vals(results)
            }
            Val::Module(m) => {
                let f = self.module_attr(&m, name, (scope.module, node));
                self.call_value(f, args, node, scope)
            }
            Val::Instance(ref i) => {
                let own = i.attrs.borrow().get(name).cloned();
                let class = i.class.clone();
                match own.or_else(|| self.class_attr(&class, name, Some(&recv))) {
                    Some(found) => self.call_value(found, args, node, scope),
                    None => self.library_method_on_class(&class, &recv, name, args, node, scope),
                }
            }
            Val::Class(ref c) => {
                let class = c.clone();
                match self.class_attr(&class, name, None) {
                    Some(found) => self.call_value(found, args, node, scope),
                    None => self.library_method_on_class(&class, &recv, name, args, node, scope),
                }
            }
            Val::Extern(q) => self.extern_call(&format!("{q}.{name}"), None, args, node, scope),
            Val::LibObject(o) if super::models::is_mount(name) => {
                self.mount(&o, &args);
                Val::Unknown
            }
            Val::LibObject(o) => {
                if !o.registrars.borrow().iter().any(|r| r == name) {
                    self.run_callbacks(&o, node, scope);
                }
                let q = format!("{}.{name}", o.qualname);
                self.extern_call(&q, Some(Val::LibObject(o.clone())), args, node, scope)
            }
            Val::Data(value) if name == "split" => split(&value, &args),
            Val::Event(path) if name == "get" => match args.positional.first() {
                Some(Val::Data(Value::Str { value })) => self.event_part(&path, Some(value)),
                _ => Val::Unknown,
            },
            Val::Data(Value::Str { value }) => string_method(&value, name, &args),
            Val::Dict(d) if name == "get" => match args.positional.first().and_then(Val::as_str) {
                Some(key) => d.borrow().get(key).cloned().unwrap_or(Val::Unknown),
                None => join_vals(d.borrow().values().cloned().collect()),
            },
            Val::Data(Value::Map { entries }) if name == "get" => {
                match args.positional.first().and_then(Val::as_str) {
                    Some(key) => entries
                        .get(key)
                        .cloned()
                        .map(Val::Data)
                        .unwrap_or(Val::Unknown),
                    None => Val::Unknown,
                }
            }
            Val::Data(Value::Map { .. }) | Val::Dict(_) if name == "copy" => {
                dicts::copy(&recv).unwrap_or(Val::Unknown)
            }
            // `loop.run_in_executor(None, partial(s3.put_object, ...))` on an object we know
            // nothing of: a partial handed over is made to be called.
            Val::Unknown => {
                self.run_passed_partials(&args, node, scope);
                Val::Unknown
            }
            Val::Function(_) | Val::None | Val::Data(_) | Val::Bound(..) | Val::Partial(_) => {
                Val::Unknown
            }
            Val::DynamicAttr(_) => Val::Unknown,
            Val::Super(instance, owner) => {
                self.call_super(*instance, &owner, name, args, node, scope)
            }
            other => self.sdk_method(other, name, args, node, scope),
        }
    }

    /// Looks `name` up in a local class and its local bases. Functions come back bound to
    /// `instance` (or to the class, for classmethods).
    pub fn class_attr(
        &mut self,
        class: &Rc<ClassVal<'t>>,
        name: &str,
        instance: Option<&Val<'t>>,
    ) -> Option<Val<'t>> {
        let mut seen = 0;
        let mut stack = vec![class.clone()];
        while let Some(c) = stack.pop() {
            seen += 1;
            if seen > 64 {
                break;
            }
            let found = c.attrs.borrow().get(name).cloned();
            if let Some(found) = found {
                if let Val::Function(f) = &found {
                    let src = self.src(f.module);
                    if f.has_decorator(src, &["staticmethod"]) {
                        return Some(found);
                    }
                    if f.has_decorator(src, &["classmethod"]) {
                        return Some(Val::Function(f.with_bound(Val::Class(class.clone()))));
                    }
                    if let Some(instance) = instance {
                        return Some(Val::Function(f.with_bound(instance.clone())));
                    }
                }
                return Some(found);
            }
            for base in c.bases.iter().rev() {
                if let Val::Class(b) = base {
                    stack.push(b.clone());
                }
            }
        }
        None
    }

    /// Local classes in method resolution order (depth-first, left to right, each once).
    pub fn mro(&self, class: &Rc<ClassVal<'t>>) -> Vec<Rc<ClassVal<'t>>> {
        let mut out: Vec<Rc<ClassVal<'t>>> = Vec::new();
        let mut stack = vec![class.clone()];
        while let Some(c) = stack.pop() {
            if out.len() > 64 {
                break;
            }
            if out.iter().any(|seen| Rc::ptr_eq(seen, &c)) {
                continue;
            }
            for base in c.bases.iter().rev() {
                if let Val::Class(b) = base {
                    stack.push(b.clone());
                }
            }
            out.push(c);
        }
        out
    }

    /// `super().name(...)` in a method of `owner`: the next class after `owner` in the
    /// instance's method resolution order that defines `name`, else a library base.
    fn call_super(
        &mut self,
        instance: Val<'t>,
        owner: &str,
        name: &str,
        args: CallArgs<'t>,
        node: Node<'t>,
        scope: &mut Scope<'t>,
    ) -> Val<'t> {
        let class = match &instance {
            Val::Instance(i) => i.class.clone(),
            Val::Class(c) => c.clone(),
            _ => return Val::Unknown,
        };
        let mro = self.mro(&class);
        let start = mro
            .iter()
            .position(|c| c.name == owner)
            .map_or(1, |i| i + 1);
        for c in mro.iter().skip(start) {
            let found = c.attrs.borrow().get(name).cloned();
            if let Some(Val::Function(f)) = found {
                let bound = f.with_bound(instance.clone());
                return self.call_function(bound, args, Some((scope.module, node)));
            }
        }
        let owner_class = mro
            .iter()
            .find(|c| c.name == owner)
            .cloned()
            .unwrap_or(class);
        self.library_method_on_class(&owner_class, &instance, name, args, node, scope)
    }

    /// Third-party base classes of a local class (for library models such as PynamoDB).
    pub fn extern_bases(&self, class: &Rc<ClassVal<'t>>) -> Vec<Rc<str>> {
        let mut out = Vec::new();
        let mut stack = vec![class.clone()];
        let mut seen = 0;
        while let Some(c) = stack.pop() {
            seen += 1;
            if seen > 64 {
                break;
            }
            for base in &c.bases {
                match base {
                    Val::Class(b) => stack.push(b.clone()),
                    Val::Extern(q) => out.push(q.clone()),
                    _ => {}
                }
            }
        }
        out
    }

    pub fn get_attr(
        &mut self,
        recv: Val<'t>,
        name: &str,
        node: Node<'t>,
        scope: &mut Scope<'t>,
    ) -> Val<'t> {
        match recv {
            Val::Union(items) => {
                let results = items
                    .into_iter()
                    .map(|item| self.get_attr(item, name, node, scope))
                    .collect();
                join_vals(results)
            }
            Val::Module(m) => self.module_attr(&m, name, (scope.module, node)),
            Val::Extern(q) => Val::Extern(Rc::from(format!("{q}.{name}"))),
            // Powertools data classes: `event.records`, `record.s3.bucket.name`.
            Val::Event(ref path) => self.event_part(path, Some(name)),
            Val::Instance(ref i) => {
                let own = i.attrs.borrow().get(name).cloned();
                if let Some(own) = own {
                    return own;
                }
                let class = i.class.clone();
                // A settings class's field reads the environment.
                if let Some(value) = self.settings_field(&class, name) {
                    return value;
                }
                match self.class_attr(&class, name, Some(&recv)) {
                    Some(Val::Function(f))
                        if f.has_decorator(
                            self.src(f.module),
                            &["property", "cached_property"],
                        ) =>
                    {
                        self.call_function(f, CallArgs::default(), Some((scope.module, node)))
                    }
                    Some(found) => self.with_owner(found, &recv, name),
                    None => Val::Bound(Box::new(recv.clone()), Rc::from(name)),
                }
            }
            Val::Class(ref c) => {
                let class = c.clone();
                match self.class_attr(&class, name, None) {
                    Some(found) => self.with_owner(found, &recv, name),
                    None => Val::Bound(Box::new(recv.clone()), Rc::from(name)),
                }
            }
            Val::LibObject(_)
            | Val::Client(_)
            | Val::Session(_)
            | Val::Paginator(..)
            | Val::Waiter(..) => self.sdk_attr(recv, name, node, scope),
            Val::Resource(_) | Val::Meta(_) | Val::Collection(_) => {
                self.sdk_attr(recv, name, node, scope)
            }
            _ => Val::Unknown,
        }
    }

    /// `found`, read as attribute `name` of `owner`: an instance of a class with a
    /// third-party base remembers where it was read from (see [`InstanceVal::owner`]).
    fn with_owner(&self, found: Val<'t>, owner: &Val<'t>, name: &str) -> Val<'t> {
        match &found {
            Val::Instance(i) if i.owner.is_none() && !self.extern_bases(&i.class).is_empty() => {
                Val::Instance(Rc::new(InstanceVal {
                    class: i.class.clone(),
                    attrs: i.attrs.clone(),
                    owner: Some((owner.clone(), Rc::from(name))),
                }))
            }
            _ => found,
        }
    }

    fn instantiate(
        &mut self,
        class: Rc<ClassVal<'t>>,
        args: CallArgs<'t>,
        node: Node<'t>,
        scope: &mut Scope<'t>,
    ) -> Val<'t> {
        let instance = Val::Instance(Rc::new(InstanceVal {
            class: class.clone(),
            attrs: new_env(),
            owner: None,
        }));
        if let Some(Val::Function(init)) = self.class_attr(&class, "__init__", Some(&instance)) {
            self.call_function(init, args, Some((scope.module, node)));
        } else if let Val::Instance(i) = &instance {
            // A settings class reads the environment only for fields not passed as keywords.
            if self.is_settings_class(&class) {
                let mut attrs = i.attrs.borrow_mut();
                for (name, value) in args.keywords {
                    attrs.insert(name, value);
                }
            }
        }
        instance
    }

    /// Interprets a local function's body with `args` bound to its parameters.
    pub fn call_function(
        &mut self,
        f: Rc<FuncVal<'t>>,
        args: CallArgs<'t>,
        site: Option<(usize, Node<'t>)>,
    ) -> Val<'t> {
        let key = (f.module, f.node.id());
        if self.active.contains(&key) || self.frames.len() > MAX_DEPTH {
            return Val::Unknown;
        }
        let signature = format!(
            "{}|{}|{}",
            f.bound.as_ref().map(Val::signature).unwrap_or_default(),
            args.positional
                .iter()
                .map(Val::signature)
                .collect::<Vec<_>>()
                .join(","),
            args.keywords
                .iter()
                .map(|(k, v)| format!("{k}={}", v.signature()))
                .collect::<Vec<_>>()
                .join(",")
        );
        let memo_key = (key.0, key.1, format!("{}{signature}", f.decorators_applied));
        if let Some(v) = self.memo.get(&memo_key) {
            return v.clone();
        }
        let site_loc = site.map(|(m, n)| self.location(m, n));
        if let Some(loc) = site_loc.clone() {
            self.call_sites.push(loc);
        }
        self.frames.push(f.name.clone());
        self.active.insert(key);

        let result = if !f.decorators_applied && !f.decorators.is_empty() {
            self.active.remove(&key);
            let r = self.apply_decorators(&f, args);
            self.active.insert(key);
            r
        } else {
            self.run_body(&f, args)
        };

        self.active.remove(&key);
        self.frames.pop();
        if site_loc.is_some() {
            self.call_sites.pop();
        }
        self.memo.insert(memo_key, result.clone());
        result
    }

    /// Decorators run when the decorated function is reached: library decorators report
    /// their calls; a local decorator's wrapper is called in place of the function.
    fn apply_decorators(&mut self, f: &Rc<FuncVal<'t>>, args: CallArgs<'t>) -> Val<'t> {
        let bare = f.bare();
        let mut scope = Scope {
            module: f.module,
            locals: new_env(),
            enclosing: f.closure.clone(),
            globals: HashSet::new(),
            returns: Vec::new(),
            is_module: false,
            class_name: None,
            function: None,
        };
        for decorator in f.decorators.iter().rev() {
            let Some(expr) = decorator.named_child(0) else {
                continue;
            };
            let d = self.eval(expr, &mut scope);
            match d {
                Val::Function(dec) => {
                    let wrapper = self.call_function(
                        dec,
                        CallArgs::of(vec![Val::Function(bare.clone())]),
                        Some((f.module, *decorator)),
                    );
                    if let Val::Function(w) = wrapper
                        && !(w.module == bare.module && w.node.id() == bare.node.id())
                    {
                        return self.call_function(w, args, Some((f.module, *decorator)));
                    }
                }
                // A library decorator: evaluating `@idempotent(...)` above already applied
                // its model; the function itself runs below.
                Val::Extern(_) | Val::Bound(..) | Val::LibObject(_) => {}
                _ => {}
            }
        }
        self.run_body(&bare, args)
    }

    fn run_body(&mut self, f: &Rc<FuncVal<'t>>, args: CallArgs<'t>) -> Val<'t> {
        let mut scope = Scope {
            module: f.module,
            locals: new_env(),
            enclosing: f.closure.clone(),
            globals: HashSet::new(),
            returns: Vec::new(),
            is_module: false,
            class_name: None,
            function: Some(f.clone()),
        };
        self.bind_parameters(f, args, &mut scope);
        let Some(body) = f.node.field("body") else {
            return Val::Unknown;
        };
        if f.node.kind() == "lambda" {
            return self.eval(body, &mut scope);
        }
        self.exec_block(body, &mut scope);
        if scope.returns.is_empty() {
            return Val::None;
        }
        join_vals(scope.returns)
    }

    fn bind_parameters(&mut self, f: &Rc<FuncVal<'t>>, args: CallArgs<'t>, scope: &mut Scope<'t>) {
        let src = self.src(f.module);
        let Some(params) = f.node.field("parameters") else {
            return;
        };
        let keywords = args.keywords;
        let mut positional = args.positional.into_iter();
        let mut bound = f.bound.clone();
        let mut cursor = params.walk();
        let children: Vec<Node> = params.named_children(&mut cursor).collect();
        let mut keyword_only = false;
        for param in children {
            let (name, default) = match param.kind() {
                "identifier" => (Some(param), None),
                "typed_parameter" => (
                    param.named_child(0).filter(|n| n.kind() == "identifier"),
                    None,
                ),
                "default_parameter" | "typed_default_parameter" => {
                    (param.field("name"), param.field("value"))
                }
                "list_splat_pattern" | "keyword_separator" => {
                    keyword_only = true;
                    continue;
                }
                _ => continue,
            };
            let Some(name) = name else { continue };
            let name = node_text(name, src);
            let val = if let Some(b) = bound.take() {
                b
            } else if let Some((_, v)) = keywords.iter().rev().find(|(k, _)| k == name) {
                v.clone()
            } else if let Some(v) = (!keyword_only).then(|| positional.next()).flatten() {
                v
            } else if let Some(expr) = default.or_else(|| annotated_dependency(param, src)) {
                // A default (`table=Depends(get_table)`) or an `Annotated[..]` marker,
                // evaluated where the function is defined.
                let mut module_scope = Scope {
                    module: f.module,
                    locals: self.module_env(f.module),
                    enclosing: Vec::new(),
                    globals: HashSet::new(),
                    returns: Vec::new(),
                    is_module: true,
                    class_name: None,
                    function: None,
                };
                let val = self.eval(expr, &mut module_scope);
                self.resolve_dependency(val, f.module, param)
            } else {
                Val::Unknown
            };
            scope.locals.borrow_mut().insert(name.to_string(), val);
        }
    }

    /// A parameter default `Depends(get_table)` (`grammars/python/frameworks.toml`): the
    /// framework calls `get_table` and passes what it returns (or yields). Other values
    /// are returned as they are.
    fn resolve_dependency(&mut self, val: Val<'t>, module: usize, param: Node<'t>) -> Val<'t> {
        let Val::LibObject(o) = &val else {
            return val;
        };
        if !super::models::is_dependency_marker(&o.qualname) {
            return val;
        }
        match o.args.get(0, "dependency").cloned() {
            Some(Val::Function(f)) => {
                self.call_function(f, CallArgs::default(), Some((module, param)))
            }
            Some(Val::Class(c)) => {
                let mut scope = Scope {
                    module,
                    locals: self.module_env(module),
                    enclosing: Vec::new(),
                    globals: HashSet::new(),
                    returns: Vec::new(),
                    is_module: true,
                    class_name: None,
                    function: None,
                };
                self.instantiate(c, CallArgs::default(), param, &mut scope)
            }
            _ => Val::Unknown,
        }
    }

    // ----- entry points ----------------------------------------------------------------

    /// Runs the handler `function` (dotted for methods) of the entry module. Returns false
    /// when the name is not a function of the module.
    pub fn run_handler(&mut self, module: usize, function: &str) -> bool {
        let env = self.load_module(module, None);
        let mut parts = function.split('.');
        let first = parts.next().unwrap_or("");
        let mut val = env.borrow().get(first).cloned();
        for part in parts {
            val = match val {
                Some(Val::Class(c)) => self.class_attr(&c, part, None),
                Some(Val::Instance(i)) => {
                    self.class_attr(&i.class.clone(), part, Some(&Val::Instance(i)))
                }
                _ => None,
            };
        }
        // `handler = Handler()`: Lambda calls the instance, that is its `__call__`.
        if let Some(Val::Instance(i)) = &val {
            let instance = Val::Instance(i.clone());
            val = self.class_attr(&i.class.clone(), "__call__", Some(&instance));
        }
        match val {
            Some(Val::Function(f)) => {
                let args = CallArgs::of(vec![self.event_root(), Val::Unknown]);
                self.call_function(f, args, None);
                true
            }
            Some(Val::LibObject(o)) => self.dispatch_entry_object(&o),
            _ => false,
        }
    }

    /// The handler's event: what the triggers put in it, where the infrastructure says.
    fn event_root(&self) -> Val<'t> {
        if self.ctx.event.is_empty() {
            Val::Unknown
        } else {
            Val::Event(Rc::from(""))
        }
    }

    /// Reading `field` (or an item, for `None`) of the event part at `path`.
    fn event_part(&self, path: &str, field: Option<&str>) -> Val<'t> {
        match self.ctx.event_step(path, field) {
            Ok(value) => Val::Data(value),
            Err(path) => Val::Event(Rc::from(path)),
        }
    }

    /// The handler names a framework object (`app` of Chalice or Zappa/Flask, or
    /// `Mangum(app)`): its routes, and those of the objects it wraps, are the handler.
    /// False when it has none (then the whole file counts as reachable).
    fn dispatch_entry_object(&mut self, o: &Rc<LibObject<'t>>) -> bool {
        let wrapped = o
            .args
            .positional
            .iter()
            .chain(o.args.keywords.iter().map(|(_, v)| v))
            .filter_map(|v| match v {
                Val::LibObject(inner) => Some(inner.clone()),
                _ => None,
            });
        let objects: Vec<Rc<LibObject<'t>>> = std::iter::once(o.clone()).chain(wrapped).collect();
        let routed: Vec<Rc<LibObject<'t>>> = objects
            .into_iter()
            .filter(|x| !x.callbacks.borrow().is_empty() || !x.mounted.borrow().is_empty())
            .collect();
        if routed.is_empty() {
            return false;
        }
        for x in routed {
            if x.callbacks_ran.get() {
                continue;
            }
            x.callbacks_ran.set(true);
            let callbacks = x.callbacks.borrow().clone();
            for callback in callbacks {
                self.call_function(callback, CallArgs::default(), None);
            }
            let mounted = x.mounted.borrow().clone();
            for child in mounted {
                self.dispatch_entry_object(&child);
            }
        }
        true
    }

    /// Runs every function of the file registered with `@<object>.<registrar>` (`@app.route`):
    /// the routes of a web app the platform invokes as one function (Chalice's API
    /// handler, a Flask app behind Zappa). False when there is none.
    pub fn run_decorated(&mut self, module: usize, object: &str, registrar: &str) -> bool {
        let env = self.load_module(module, None);
        let src = self.src(module);
        let mut found: Vec<Rc<FuncVal<'t>>> = env
            .borrow()
            .values()
            .filter_map(|v| match v {
                Val::Function(f) if f.module == module => Some(f.clone()),
                _ => None,
            })
            .filter(|f| {
                f.decorators.iter().any(|d| {
                    let mut expr = d.named_child(0);
                    if let Some(call) = expr.filter(|e| e.kind() == "call") {
                        expr = call.field("function");
                    }
                    expr.is_some_and(|e| node_text(e, src) == format!("{object}.{registrar}"))
                })
            })
            .collect();
        found.sort_by_key(|f| f.node.start_byte());
        found.dedup_by_key(|f| f.node.start_byte());
        let mut any = !found.is_empty();
        for f in found {
            self.call_function(f, CallArgs::of(vec![Val::Unknown; 2]), None);
        }
        // Blueprints and routers mounted on the object (`app.register_blueprint(bp)`).
        let object_val = env.borrow().get(object).cloned();
        if let Some(Val::LibObject(o)) = object_val {
            let mounted = o.mounted.borrow().clone();
            for child in mounted {
                any |= self.dispatch_entry_object(&child);
            }
        }
        any
    }

    /// The whole file is reachable: its top-level code, every function, every method.
    pub fn run_whole_module(&mut self, module: usize) {
        let env = self.load_module(module, None);
        let mut defined: Vec<Val> = env
            .borrow()
            .values()
            .filter(|v| match v {
                Val::Function(f) => f.module == module,
                Val::Class(c) => c.module == module,
                _ => false,
            })
            .cloned()
            .collect();
        defined.sort_by_key(|v| match v {
            Val::Function(f) => f.node.start_byte(),
            Val::Class(c) => c.node.start_byte(),
            _ => 0,
        });
        for val in defined {
            match val {
                // Parameters bind unknown values, or their defaults (`t=Depends(get_table)`).
                Val::Function(f) => {
                    self.call_function(f, CallArgs::default(), None);
                }
                Val::Class(c) => {
                    let instance = Val::Instance(Rc::new(InstanceVal {
                        class: c.clone(),
                        attrs: new_env(),
                        owner: None,
                    }));
                    if let Some(Val::Function(init)) =
                        self.class_attr(&c, "__init__", Some(&instance))
                    {
                        self.call_function(init, CallArgs::default(), None);
                    }
                    let mut methods: Vec<Rc<FuncVal>> = c
                        .attrs
                        .borrow()
                        .values()
                        .filter_map(|v| match v {
                            Val::Function(f) => Some(f.clone()),
                            _ => None,
                        })
                        .collect();
                    methods.sort_by_key(|f| f.node.start_byte());
                    for m in methods {
                        let bound = m.with_bound(instance.clone());
                        self.call_function(bound, CallArgs::default(), None);
                    }
                }
                _ => {}
            }
        }
    }
}

/// `table: Annotated[Table, Depends(get_table)]`: the `Depends(...)` call in a typed
/// parameter's annotation, if any.
fn annotated_dependency<'t>(param: Node<'t>, src: &str) -> Option<Node<'t>> {
    if param.kind() != "typed_parameter" {
        return None;
    }
    let annotation = param.field("type")?;
    let text = node_text(annotation, src);
    if !text.starts_with("Annotated[") && !text.contains(".Annotated[") {
        return None;
    }
    find_call(annotation, src, &["Depends", "Security"])
}

/// The first call in `node` whose callee's last name is one of `names`.
fn find_call<'t>(node: Node<'t>, src: &str, names: &[&str]) -> Option<Node<'t>> {
    if node.kind() == "call"
        && let Some(f) = node.field("function")
    {
        let callee = node_text(f, src);
        if names.contains(&callee.rsplit('.').next().unwrap_or(callee)) {
            return Some(node);
        }
    }
    let mut cursor = node.walk();
    let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
    children.into_iter().find_map(|c| find_call(c, src, names))
}

/// True for a receiver the analyzer cannot identify: an unknown value, `None` (a parameter
/// defaulting to `None`), a name from a module we do not read (outside boto3 and botocore,
/// which are modelled), or a union holding one of those.
fn is_unidentified(v: &Val) -> bool {
    match v {
        Val::Unknown | Val::None => true,
        Val::Extern(q) => {
            let root = q.split('.').next().unwrap_or(q);
            !matches!(root, "boto3" | "botocore" | "aioboto3" | "aiobotocore")
        }
        Val::Union(items) => items.iter().any(is_unidentified),
        _ => false,
    }
}

/// Joins the names bound on each path through a branch. Equal values stay; differing
/// data becomes unknown (never one path's guess); otherwise the first informative value.
fn merge_bindings<'t>(outcomes: Vec<HashMap<String, Val<'t>>>) -> HashMap<String, Val<'t>> {
    let mut merged: HashMap<String, Vec<Val<'t>>> = HashMap::new();
    for outcome in outcomes {
        for (name, val) in outcome {
            merged.entry(name).or_default().push(val);
        }
    }
    merged
        .into_iter()
        .map(|(name, vals)| (name, join_vals(vals)))
        .collect()
}

/// One value for what several paths produce: equal values stay; differing data becomes
/// unknown (never one path's guess); resources of one type keep the identifiers they agree
/// on; otherwise the first informative value.
pub fn join_vals<'t>(vals: Vec<Val<'t>>) -> Val<'t> {
    let Some(first) = vals.first().cloned() else {
        return Val::Unknown;
    };
    if vals.iter().all(|v| v.signature() == first.signature()) {
        return first;
    }
    let informative: Vec<&Val> = vals.iter().filter(|v| !v.is_unknown()).collect();
    match informative.as_slice() {
        [] => Val::Unknown,
        [only] => (*only).clone(),
        many if many.iter().all(|v| matches!(v, Val::Data(_))) => Val::Data(Value::Unknown),
        many => {
            if let Val::Resource(r0) = many[0]
                && many.iter().all(|v| {
                    matches!(v, Val::Resource(r) if r.service == r0.service && r.type_name == r0.type_name)
                })
            {
                let mut ids = r0.ids.clone();
                for v in many.iter().skip(1) {
                    if let Val::Resource(r) = v {
                        for (k, value) in ids.iter_mut() {
                            if r.ids.get(k) != Some(value) {
                                *value = Value::Unknown;
                            }
                        }
                    }
                }
                return Val::Resource(Rc::new(super::val::ResourceVal {
                    service: r0.service.clone(),
                    type_name: r0.type_name.clone(),
                    ids,
                }));
            }
            let mut items: Vec<Val<'t>> = Vec::new();
            for v in many {
                let members = match v {
                    Val::Union(inner) => inner.clone(),
                    other => vec![(*other).clone()],
                };
                for m in members {
                    if !items.iter().any(|i| i.signature() == m.signature()) {
                        items.push(m);
                    }
                }
            }
            if items.len() > MAX_UNION {
                Val::Unknown
            } else {
                Val::Union(items)
            }
        }
    }
}

/// `a + b` on values: string concatenation when both sides are data.
pub fn concat_vals<'t>(a: &Val<'t>, b: &Val<'t>) -> Val<'t> {
    match (a, b) {
        (Val::Data(Value::List { items: x }), Val::Data(Value::List { items: y })) => {
            Val::Data(Value::List {
                items: x.iter().chain(y).cloned().collect(),
            })
        }
        (Val::Data(Value::Scalar { .. }), _) | (_, Val::Data(Value::Scalar { .. })) => Val::Unknown,
        (Val::Data(x), Val::Data(y)) => Val::Data(Value::concat(vec![x.clone(), y.clone()])),
        (Val::Data(x), Val::Unknown) => Val::Data(Value::concat(vec![x.clone(), Value::Unknown])),
        (Val::Unknown, Val::Data(y)) => Val::Data(Value::concat(vec![Value::Unknown, y.clone()])),
        _ => Val::Unknown,
    }
}

/// `"fmt %s" % args` for `%s`, `%d`, `%i`, `%r` and `%%`.
pub fn percent_format<'t>(fmt: &str, args: &Val<'t>) -> Val<'t> {
    let items: Vec<Value> = match args {
        Val::Data(Value::List { items }) => items.clone(),
        other => vec![other.to_value()],
    };
    let mut items = items.into_iter();
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            text.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => text.push('%'),
            Some('s' | 'd' | 'i' | 'r') => {
                parts.push(Value::str(std::mem::take(&mut text)));
                parts.push(items.next().unwrap_or(Value::Unknown));
            }
            _ => return Val::Unknown,
        }
    }
    parts.push(Value::str(text));
    Val::Data(Value::concat(parts))
}

/// `value.split(sep, maxsplit)`, also on values only partly known (see [`Value::split`]).
/// Splitting on whitespace (no separator) is left unknown.
fn split<'t>(value: &Value, args: &CallArgs<'t>) -> Val<'t> {
    let Some(separator) = args.get(0, "sep").and_then(Val::as_str) else {
        return Val::Unknown;
    };
    let max_splits = match args.get(1, "maxsplit") {
        None => None,
        Some(Val::Data(Value::Scalar { value })) => match value.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n as usize),
            Ok(_) => None,
            Err(_) => return Val::Unknown,
        },
        Some(_) => return Val::Unknown,
    };
    Val::Data(value.split(separator, max_splits))
}

/// Methods of a known string: `.format(...)`, case changes, `.strip()`.
pub fn string_method<'t>(value: &str, name: &str, args: &CallArgs<'t>) -> Val<'t> {
    match name {
        "format" => brace_format(value, args),
        "lower" => Val::str(value.to_lowercase()),
        "upper" => Val::str(value.to_uppercase()),
        "strip" if args.positional.is_empty() => Val::str(value.trim()),
        "replace" => match (
            args.positional.first().and_then(Val::as_str),
            args.positional.get(1).and_then(Val::as_str),
        ) {
            (Some(from), Some(to)) => Val::str(value.replace(from, to)),
            _ => Val::Unknown,
        },
        _ => Val::Unknown,
    }
}

/// `"{}-{name}".format(a, name=b)`; format specs are ignored.
fn brace_format<'t>(fmt: &str, args: &CallArgs<'t>) -> Val<'t> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut next_index = 0;
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
                let mut field = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    field.push(c);
                }
                let name = field.split([':', '!']).next().unwrap_or("").to_string();
                let value = if name.is_empty() {
                    next_index += 1;
                    args.positional.get(next_index - 1)
                } else if let Ok(i) = name.parse::<usize>() {
                    args.positional.get(i)
                } else {
                    args.keyword(&name)
                };
                parts.push(Value::str(std::mem::take(&mut text)));
                parts.push(value.map(Val::to_value).unwrap_or(Value::Unknown));
            }
            c => text.push(c),
        }
    }
    parts.push(Value::str(text));
    Val::Data(Value::concat(parts))
}

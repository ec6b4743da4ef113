//! The walker: interprets function bodies from the entry, abstractly. Locals hold [`Abs`]
//! values; calls to local functions and methods are followed with their arguments'
//! values (so a concrete store passed as `&dyn Store` stays concrete), SDK calls become
//! facts. Nothing is executed.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::abs::Abs;
use super::index::{ConstId, Def, FileId, FnId, Index, ModId, Owner, TraitId, TypeId};
use super::resolve::Target;
use super::tables;
use crate::diagnostics::Diagnostic;
use crate::facts::{CallFact, Location, Step, Unresolved};
use crate::project::Context;

/// How deep calls are followed from the entry.
const MAX_DEPTH: usize = 32;
/// How many function bodies one analysis may walk; guards against exponential call trees.
const MAX_INVOCATIONS: usize = 20_000;

/// One function being walked.
pub struct Frame {
    pub fn_id: Option<FnId>,
    pub name: String,
    pub module: ModId,
    pub file: FileId,
    /// Where this frame calls the next one (set when it does).
    pub call_site: Option<Location>,
    /// Locals, innermost last; blocks truncate back to their start.
    pub env: Vec<(String, Abs)>,
    /// Values of `return` expressions.
    pub returns: Vec<Abs>,
    /// Generic parameters and the local traits bounding them.
    pub generics: BTreeMap<String, Vec<TraitId>>,
    /// What `Self` is: a local type, or a trait's implementor (unknown).
    pub self_type: Option<TypeId>,
    pub self_trait: Option<TraitId>,
    /// The SDK client package when walking a method of an impl for a client.
    pub self_client: Option<Rc<str>>,
}

/// A request built on a client, waiting for more setters.
pub struct Pending {
    /// Index into `Walker::calls`.
    pub fact: usize,
    /// Sent, paginated or presigned: later methods are not input setters.
    pub sealed: bool,
    /// Byte offset where the request expression starts, to widen its `call` text while
    /// the same expression goes on.
    pub start: usize,
}

pub struct Walker<'a> {
    pub ix: &'a Index,
    pub ctx: &'a Context,
    pub calls: Vec<CallFact>,
    pub unresolved: Vec<Unresolved>,
    pub diagnostics: Vec<Diagnostic>,
    pub pending: Vec<Pending>,
    pub frames: Vec<Frame>,
    invocations: usize,
    const_stack: Vec<ConstId>,
    /// What `Self` means while a type outside the current frame is read.
    pub self_hint: Option<TypeId>,
    /// Every construction of a local struct seen so far, joined field by field: a value
    /// known only by its type (axum's `State<AppState>`) is one of these.
    constructed: BTreeMap<TypeId, BTreeMap<String, Abs>>,
    /// The final value of `self` in the function walked last.
    pub last_self: Option<Abs>,
    /// Local types already handed to foreign code (their foreign-trait methods walked).
    pub handed_over: std::collections::BTreeSet<TypeId>,
}

impl<'a> Walker<'a> {
    pub fn new(ix: &'a Index, ctx: &'a Context) -> Self {
        Walker {
            ix,
            ctx,
            calls: Vec::new(),
            unresolved: Vec::new(),
            diagnostics: Vec::new(),
            pending: Vec::new(),
            frames: Vec::new(),
            invocations: 0,
            const_stack: Vec::new(),
            self_hint: None,
            constructed: BTreeMap::new(),
            handed_over: std::collections::BTreeSet::new(),
            last_self: None,
        }
    }

    /// Walks `id` as an entry point: parameters known only by their types.
    pub fn run_root(&mut self, id: FnId) {
        self.invoke(id, None, Vec::new(), None);
    }

    // ----- frames and locations -------------------------------------------------------

    pub fn frame(&self) -> Option<&Frame> {
        self.frames.last()
    }

    fn frame_mut(&mut self) -> Option<&mut Frame> {
        self.frames.last_mut()
    }

    pub fn module(&self) -> ModId {
        self.frame().map(|f| f.module).unwrap_or(0)
    }

    pub fn file_rel(&self) -> String {
        self.frame()
            .and_then(|f| self.ix.files.get(f.file))
            .map(|f| f.rel.clone())
            .unwrap_or_default()
    }

    /// The location of a token in the current frame's file.
    pub fn location(&self, span: proc_macro2::Span) -> Location {
        Location {
            file: self.file_rel(),
            line: span.start().line as u32,
        }
    }

    /// The source text between two byte offsets of the current file.
    pub fn text_range(&self, range: std::ops::Range<usize>) -> &'a str {
        let ix: &'a Index = self.ix;
        let Some(file) = self.frame().and_then(|f| ix.files.get(f.file)) else {
            return "";
        };
        file.text.get(range).unwrap_or("")
    }

    /// The chain from the root to the current frame, the last step standing at `at`.
    pub fn chain(&self, at: &Location) -> Vec<Step> {
        let n = self.frames.len();
        self.frames
            .iter()
            .enumerate()
            .filter(|(_, f)| f.fn_id.is_some())
            .map(|(i, f)| Step {
                function: f.name.clone(),
                at: if i + 1 == n {
                    at.clone()
                } else {
                    f.call_site.clone().unwrap_or_else(|| at.clone())
                },
            })
            .collect()
    }

    pub fn lookup(&self, name: &str) -> Option<Abs> {
        self.frame()?
            .env
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    pub fn bind(&mut self, name: String, value: Abs) {
        if let Some(f) = self.frame_mut() {
            f.env.push((name, value));
        }
    }

    fn assign(&mut self, name: &str, value: Abs) {
        if let Some(f) = self.frame_mut()
            && let Some(slot) = f.env.iter_mut().rev().find(|(n, _)| n == name)
        {
            slot.1 = value;
        }
    }

    fn scope(&self) -> usize {
        self.frame().map(|f| f.env.len()).unwrap_or(0)
    }

    fn end_scope(&mut self, mark: usize) {
        if let Some(f) = self.frame_mut() {
            f.env.truncate(mark);
        }
    }

    // ----- calls into local code ------------------------------------------------------

    /// Walks local function `id` with the receiver and arguments' values; returns what it
    /// returns. Recursion, depth and the invocation budget end the walk early.
    pub fn invoke(
        &mut self,
        id: FnId,
        recv: Option<Abs>,
        args: Vec<Abs>,
        site: Option<Location>,
    ) -> Abs {
        let ix = self.ix;
        let Some(def) = ix.fns.get(id) else {
            return Abs::Unknown;
        };
        if self.frames.iter().any(|f| f.fn_id == Some(id)) || self.frames.len() >= MAX_DEPTH {
            return self.type_abs_of_return(id);
        }
        if self.invocations >= MAX_INVOCATIONS {
            if self.invocations == MAX_INVOCATIONS {
                self.invocations += 1;
                let file = ix
                    .files
                    .get(def.file)
                    .map(|f| f.rel.clone())
                    .unwrap_or_default();
                self.diagnostics.push(Diagnostic::warning(
                    file,
                    0,
                    format!(
                        "analysis stopped after {MAX_INVOCATIONS} function walks; calls beyond may be missing"
                    ),
                ));
            }
            return self.type_abs_of_return(id);
        }
        self.invocations += 1;
        if let Some(f) = self.frame_mut() {
            f.call_site = site;
        }
        let (self_type, self_trait, impl_generics) = match def.owner {
            Some(Owner::Impl(i)) => {
                let imp = &ix.impls[i];
                (imp.self_def, None, Some(&imp.generics))
            }
            Some(Owner::Trait(t)) => (None, Some(t), None),
            None => (None, None, None),
        };
        let self_client = match def.owner {
            Some(Owner::Impl(i)) => ix.impls[i].self_client.as_deref().map(Rc::from),
            _ => None,
        };
        let mut generics = BTreeMap::new();
        if let Some(g) = impl_generics {
            self.collect_generics(g, def.module, &mut generics);
        }
        self.collect_generics(&def.sig.generics, def.module, &mut generics);
        self.frames.push(Frame {
            fn_id: Some(id),
            name: ix.fn_display(id),
            module: def.module,
            file: def.file,
            call_site: None,
            env: Vec::new(),
            returns: Vec::new(),
            generics,
            self_type,
            self_trait,
            self_client,
        });

        let mut args = args.into_iter();
        for input in &def.sig.inputs {
            match input {
                syn::FnArg::Receiver(_) => {
                    let value = recv.clone().unwrap_or_else(|| self.self_abs());
                    self.bind("self".to_string(), value);
                }
                syn::FnArg::Typed(pt) => {
                    let value = args.next().unwrap_or(Abs::Unknown);
                    self.bind_pat(&pt.pat, value, Some(&pt.ty));
                }
            }
        }
        let tail = self.block(&def.body);
        let frame = self.frames.pop();
        // What `self` became, for a caller whose `&mut self` method changed fields.
        self.last_self = frame.as_ref().and_then(|f| {
            f.env
                .iter()
                .find(|(n, _)| n == "self")
                .map(|(_, v)| v.clone())
        });
        let result = frame
            .map(|f| f.returns)
            .unwrap_or_default()
            .into_iter()
            .fold(tail, Abs::join);
        if result.is_informative() {
            result
        } else {
            self.type_abs_of_return(id)
        }
    }

    /// What `self` is when nothing was passed: the impl's type or the trait's implementor.
    fn self_abs(&self) -> Abs {
        match self.frame() {
            Some(Frame {
                self_type: Some(t), ..
            }) => Abs::instance(*t),
            Some(Frame {
                self_trait: Some(t),
                ..
            }) => Abs::Dyn(Rc::from(vec![*t])),
            Some(Frame {
                self_client: Some(package),
                ..
            }) => Abs::Client(package.clone()),
            _ => Abs::Unknown,
        }
    }

    fn type_abs_of_return(&mut self, id: FnId) -> Abs {
        let ix = self.ix;
        let def = &ix.fns[id];
        self.self_hint = match def.owner {
            Some(Owner::Impl(i)) => ix.impls[i].self_def,
            _ => None,
        };
        let abs = match &def.sig.output {
            syn::ReturnType::Type(_, ty) => self.type_abs_in(ty, def.module, &BTreeMap::new()),
            syn::ReturnType::Default => Abs::Unknown,
        };
        self.self_hint = None;
        abs
    }

    /// Evaluates a `const` or `static`: its initialiser when that says more than its type.
    pub fn const_abs(&mut self, id: ConstId) -> Abs {
        let ix = self.ix;
        let Some(def) = ix.consts.get(id) else {
            return Abs::Unknown;
        };
        let by_type = self.type_abs_in(&def.ty, def.module, &BTreeMap::new());
        if matches!(by_type, Abs::Client(_)) || self.const_stack.contains(&id) {
            return by_type;
        }
        self.const_stack.push(id);
        let file = ix.modules.get(def.module).map(|m| m.file).unwrap_or(0);
        self.frames.push(Frame {
            fn_id: None,
            name: String::new(),
            module: def.module,
            file,
            call_site: None,
            env: Vec::new(),
            returns: Vec::new(),
            generics: BTreeMap::new(),
            self_type: None,
            self_trait: None,
            self_client: None,
        });
        let value = self.eval(&def.expr);
        self.frames.pop();
        self.const_stack.pop();
        if value.is_informative() {
            value
        } else {
            by_type
        }
    }

    // ----- statements and expressions ------------------------------------------------

    pub fn block(&mut self, block: &syn::Block) -> Abs {
        let mark = self.scope();
        let mut result = Abs::Unknown;
        let n = block.stmts.len();
        for (i, stmt) in block.stmts.iter().enumerate() {
            let value = self.stmt(stmt);
            if i + 1 == n {
                result = value;
            }
        }
        self.end_scope(mark);
        result
    }

    fn stmt(&mut self, stmt: &syn::Stmt) -> Abs {
        match stmt {
            syn::Stmt::Local(local) => {
                let value = match &local.init {
                    Some(init) => {
                        let v = self.eval(&init.expr);
                        if let Some((_, diverge)) = &init.diverge {
                            self.eval(diverge);
                        }
                        v
                    }
                    None => Abs::Unknown,
                };
                // `let config: Config = envy::from_env()?;`: the annotation names the struct.
                let value = match (&local.pat, &local.init) {
                    (syn::Pat::Type(pt), Some(init))
                        if !value.is_informative() && fills_from_env(&init.expr) =>
                    {
                        self.env_struct(&pt.ty)
                    }
                    _ => value,
                };
                self.bind_pat(&local.pat, value, None);
                Abs::Unknown
            }
            syn::Stmt::Expr(expr, semi) => {
                let v = self.eval(expr);
                if semi.is_some() { Abs::Unknown } else { v }
            }
            syn::Stmt::Macro(m) => {
                self.mac(&m.mac);
                Abs::Unknown
            }
            syn::Stmt::Item(_) => Abs::Unknown,
        }
    }

    /// Binds the names in `pat` to what `value` (or, failing that, `ty`) tells us.
    pub fn bind_pat(&mut self, pat: &syn::Pat, value: Abs, ty: Option<&syn::Type>) {
        match pat {
            syn::Pat::Ident(p) => {
                let value = match (&value, ty) {
                    (v, Some(ty)) if !v.is_informative() => {
                        let by_type = self.type_abs(ty);
                        self.as_constructed(by_type)
                    }
                    _ => value,
                };
                if let Some((_, sub)) = &p.subpat {
                    self.bind_pat(sub, value.clone(), None);
                }
                self.bind(p.ident.to_string(), value);
            }
            syn::Pat::Type(p) => self.bind_pat(&p.pat, value, Some(&p.ty)),
            syn::Pat::Reference(p) => self.bind_pat(&p.pat, value, ty),
            syn::Pat::Paren(p) => self.bind_pat(&p.pat, value, ty),
            syn::Pat::TupleStruct(p) if p.elems.len() == 1 => {
                // `State(state): State<App>`, `Some(x)`, `Ok(x)`: the inner value.
                if let Some(inner) = p.elems.first() {
                    self.bind_pat(inner, value, ty);
                }
            }
            syn::Pat::Struct(p) => {
                for field in &p.fields {
                    let name = match &field.member {
                        syn::Member::Named(i) => i.to_string(),
                        syn::Member::Unnamed(i) => i.index.to_string(),
                    };
                    let v = self.field(value.clone(), &name);
                    self.bind_pat(&field.pat, v, None);
                }
            }
            syn::Pat::Or(p) => {
                if let Some(first) = p.cases.first() {
                    self.bind_pat(first, value, ty);
                }
            }
            syn::Pat::Tuple(p) => {
                let types: Vec<Option<&syn::Type>> = match ty {
                    Some(syn::Type::Tuple(t)) => t.elems.iter().map(Some).collect(),
                    _ => Vec::new(),
                };
                for (i, elem) in p.elems.iter().enumerate() {
                    self.bind_pat(elem, Abs::Unknown, types.get(i).copied().flatten());
                }
            }
            syn::Pat::TupleStruct(p) => {
                for elem in &p.elems {
                    self.bind_pat(elem, Abs::Unknown, None);
                }
            }
            syn::Pat::Slice(p) => {
                for elem in &p.elems {
                    self.bind_pat(elem, Abs::Unknown, None);
                }
            }
            _ => {}
        }
    }

    pub fn eval(&mut self, expr: &syn::Expr) -> Abs {
        use syn::Expr;
        match expr {
            Expr::Lit(l) => lit_abs(&l.lit),
            Expr::Path(p) => self.eval_path(p),
            Expr::MethodCall(m) => self.method_call(m),
            Expr::Call(c) => self.call(c),
            Expr::Await(a) => self.eval(&a.base),
            Expr::Try(t) => self.eval(&t.expr),
            Expr::Reference(r) => self.eval(&r.expr),
            Expr::Paren(p) => self.eval(&p.expr),
            Expr::Group(g) => self.eval(&g.expr),
            Expr::Unary(u) => {
                let v = self.eval(&u.expr);
                if matches!(u.op, syn::UnOp::Deref(_)) {
                    v
                } else {
                    Abs::Unknown
                }
            }
            Expr::Field(f) => {
                let base = self.eval(&f.base);
                let name = match &f.member {
                    syn::Member::Named(i) => i.to_string(),
                    syn::Member::Unnamed(i) => i.index.to_string(),
                };
                self.field(base, &name)
            }
            Expr::Struct(s) => self.struct_literal(s),
            Expr::Block(b) => self.block(&b.block),
            Expr::Async(a) => self.block(&a.block),
            Expr::Unsafe(u) => self.block(&u.block),
            Expr::Const(c) => self.block(&c.block),
            Expr::TryBlock(t) => self.block(&t.block),
            Expr::If(i) => {
                let mark = self.scope();
                let before = self.locals(mark);
                self.eval(&i.cond);
                let then = self.block(&i.then_branch);
                self.end_scope(mark);
                let after_then = self.locals(mark);
                self.set_locals(&before);
                let (value, after_else) = match &i.else_branch {
                    Some((_, e)) => {
                        let other = self.eval(e);
                        let v = if then == other { then } else { Abs::Unknown };
                        (v, self.locals(mark))
                    }
                    None => (Abs::Unknown, before),
                };
                self.merge_locals(&[after_then, after_else]);
                value
            }
            Expr::Match(m) => {
                let scrutinee = self.eval(&m.expr);
                let mut result: Option<Abs> = None;
                let mark = self.scope();
                let before = self.locals(mark);
                let mut afters = Vec::with_capacity(m.arms.len());
                for arm in &m.arms {
                    self.set_locals(&before);
                    self.bind_pat(&arm.pat, scrutinee.clone(), None);
                    if let Some((_, guard)) = &arm.guard {
                        self.eval(guard);
                    }
                    let v = self.eval(&arm.body);
                    self.end_scope(mark);
                    afters.push(self.locals(mark));
                    result = Some(match result {
                        None => v,
                        Some(r) if r == v => r,
                        Some(_) => Abs::Unknown,
                    });
                }
                if !afters.is_empty() {
                    self.merge_locals(&afters);
                }
                result.unwrap_or(Abs::Unknown)
            }
            Expr::Let(l) => {
                let v = self.eval(&l.expr);
                self.bind_pat(&l.pat, v, None);
                Abs::Unknown
            }
            Expr::Closure(c) => {
                let mark = self.scope();
                for input in &c.inputs {
                    self.bind_pat(input, Abs::Unknown, None);
                }
                let v = self.eval(&c.body);
                self.end_scope(mark);
                v
            }
            Expr::Assign(a) => {
                let v = self.eval(&a.right);
                self.store(&a.left, v);
                Abs::Unknown
            }
            Expr::Binary(b) => {
                let l = self.eval(&b.left);
                let r = self.eval(&b.right);
                if is_compound_assignment(b.op) {
                    // `s += "-x"` appends; any other `op=` leaves a value we do not track.
                    let updated = match (b.op, &l) {
                        (syn::BinOp::AddAssign(_), Abs::Val(_)) => {
                            Abs::Val(crate::value::Value::concat(vec![
                                l.to_value(),
                                r.to_value(),
                            ]))
                        }
                        _ => Abs::Unknown,
                    };
                    self.store(&b.left, updated);
                    return Abs::Unknown;
                }
                match (b.op, &l, &r) {
                    (syn::BinOp::Add(_), Abs::Val(_), _) | (syn::BinOp::Add(_), _, Abs::Val(_)) => {
                        Abs::Val(crate::value::Value::concat(vec![
                            l.to_value(),
                            r.to_value(),
                        ]))
                    }
                    _ => Abs::Unknown,
                }
            }
            Expr::Macro(m) => self.mac(&m.mac),
            Expr::Return(r) => {
                if let Some(e) = &r.expr {
                    let v = self.eval(e);
                    if let Some(f) = self.frame_mut() {
                        f.returns.push(v);
                    }
                }
                Abs::Unknown
            }
            Expr::Array(a) => {
                let items = a.elems.iter().map(|e| self.eval(e).to_value()).collect();
                Abs::Val(crate::value::Value::List { items })
            }
            Expr::Tuple(t) => {
                for e in &t.elems {
                    self.eval(e);
                }
                Abs::Unknown
            }
            Expr::Index(i) => {
                self.eval(&i.expr);
                self.eval(&i.index);
                Abs::Unknown
            }
            Expr::ForLoop(f) => {
                let element = match self.eval(&f.expr) {
                    Abs::Event(path) => self.event_part(&path, None),
                    collection => element_of(collection),
                };
                self.forget_assigned_in(&f.body);
                let mark = self.scope();
                self.bind_pat(&f.pat, element, None);
                self.block(&f.body);
                self.end_scope(mark);
                Abs::Unknown
            }
            Expr::While(w) => {
                self.forget_assigned_in(&w.body);
                let mark = self.scope();
                self.eval(&w.cond);
                self.block(&w.body);
                self.end_scope(mark);
                Abs::Unknown
            }
            Expr::Loop(l) => {
                self.forget_assigned_in(&l.body);
                self.block(&l.body);
                Abs::Unknown
            }
            Expr::Break(b) => {
                if let Some(e) = &b.expr {
                    self.eval(e);
                }
                Abs::Unknown
            }
            Expr::Cast(c) => {
                self.eval(&c.expr);
                Abs::Unknown
            }
            Expr::Range(r) => {
                for e in [&r.start, &r.end].into_iter().flatten() {
                    self.eval(e);
                }
                Abs::Unknown
            }
            Expr::Repeat(r) => {
                self.eval(&r.expr);
                Abs::Unknown
            }
            Expr::Yield(y) => {
                if let Some(e) = &y.expr {
                    self.eval(e);
                }
                Abs::Unknown
            }
            _ => Abs::Unknown,
        }
    }

    /// A path in expression position: a local, a const or static, a local function.
    fn eval_path(&mut self, p: &syn::ExprPath) -> Abs {
        if p.qself.is_some() {
            return Abs::Unknown;
        }
        let segments: Vec<String> = p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if let [name] = segments.as_slice() {
            if let Some(v) = self.lookup(name) {
                return v;
            }
            if name == "None" {
                return Abs::Unknown;
            }
        }
        match self.resolve_here(&segments) {
            Target::Local(Def::Fn(id)) => Abs::FnRef(id),
            Target::Local(Def::Const(id)) => self.const_abs(id),
            Target::Local(Def::Type(t)) => Abs::instance(t),
            Target::Assoc(t, name) => match self.find_method(t, &name) {
                Some(id) => Abs::FnRef(id),
                None => match self.find_assoc_const(t, &name) {
                    Some(c) => self.const_abs(c),
                    // An enum variant or unit-like value of the type.
                    None => Abs::instance(t),
                },
            },
            Target::Aws(..) | Target::Other(_) => Abs::Foreign,
            _ => Abs::Unknown,
        }
    }

    /// Resolves a path in the current frame, with `Self` standing for the impl's type.
    pub fn resolve_here(&self, segments: &[String]) -> Target {
        if segments.first().map(String::as_str) == Some("Self") {
            if let Some(t) = self.frame().and_then(|f| f.self_type) {
                return match &segments[1..] {
                    [] => Target::Local(Def::Type(t)),
                    [name] => Target::Assoc(t, name.clone()),
                    _ => Target::Unknown,
                };
            }
            return Target::Unknown;
        }
        self.ix.resolve(self.module(), segments)
    }

    /// A method of local type `t`: inherent impls first, then trait impls, then trait
    /// default bodies.
    pub fn find_method(&self, t: TypeId, name: &str) -> Option<FnId> {
        let ix = self.ix;
        let impls = &ix.types.get(t)?.impls;
        let mut ordered: Vec<_> = impls
            .iter()
            .filter(|i| ix.impls[**i].trait_def.is_none())
            .collect();
        ordered.extend(impls.iter().filter(|i| ix.impls[**i].trait_path.is_some()));
        for i in &ordered {
            if let Some(f) = ix.impls[**i].fns.iter().find(|f| ix.fns[**f].name == name) {
                return Some(*f);
            }
        }
        for i in ordered {
            if let Some(tr) = ix.impls[*i].trait_def
                && let Some(f) = ix.traits[tr]
                    .defaults
                    .iter()
                    .find(|f| ix.fns[**f].name == name)
            {
                return Some(*f);
            }
        }
        None
    }

    /// Writes `value` where `place` says: a local (`x = ..`), a field of a local struct
    /// (`cfg.table = ..`, `self.x = ..`). Places we do not track are evaluated only.
    pub fn store(&mut self, place: &syn::Expr, value: Abs) {
        match place {
            syn::Expr::Path(p) if p.path.segments.len() == 1 => {
                let name = p.path.segments[0].ident.to_string();
                self.assign(&name, value);
            }
            syn::Expr::Field(f) => {
                let syn::Expr::Path(p) = &*f.base else {
                    self.eval(place);
                    return;
                };
                let Some(ident) = p.path.get_ident().map(|i| i.to_string()) else {
                    return;
                };
                if let Some(Abs::Instance { ty, fields }) = self.lookup(&ident) {
                    let name = match &f.member {
                        syn::Member::Named(i) => i.to_string(),
                        syn::Member::Unnamed(i) => i.index.to_string(),
                    };
                    let mut fields = (*fields).clone();
                    fields.insert(name, value);
                    self.assign(
                        &ident,
                        Abs::Instance {
                            ty,
                            fields: Rc::new(fields),
                        },
                    );
                }
            }
            syn::Expr::Paren(p) => self.store(&p.expr, value),
            syn::Expr::Unary(u) => self.store(&u.expr, value),
            other => {
                self.eval(other);
            }
        }
    }

    /// The values of the first `mark` locals.
    fn locals(&self, mark: usize) -> Vec<Abs> {
        self.frame()
            .map(|f| f.env.iter().take(mark).map(|(_, v)| v.clone()).collect())
            .unwrap_or_default()
    }

    fn set_locals(&mut self, values: &[Abs]) {
        if let Some(f) = self.frame_mut() {
            for (slot, value) in f.env.iter_mut().zip(values) {
                slot.1 = value.clone();
            }
        }
    }

    /// After branches: a local keeps a value only if every branch left it the same.
    fn merge_locals(&mut self, branches: &[Vec<Abs>]) {
        let Some((first, rest)) = branches.split_first() else {
            return;
        };
        let merged: Vec<Abs> = first
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if rest.iter().all(|b| b.get(i) == Some(v)) {
                    v.clone()
                } else {
                    Abs::Unknown
                }
            })
            .collect();
        self.set_locals(&merged);
    }

    /// A loop body runs more than once: a local it changes holds, at the top of the body,
    /// either its value before the loop or whatever the body made of it. Forget it.
    fn forget_assigned_in(&mut self, body: &syn::Block) {
        let mut finder = AssignedLocals::default();
        syn::visit::Visit::visit_block(&mut finder, body);
        for name in finder.names {
            if self.lookup(&name).is_some() {
                self.assign(&name, Abs::Unknown);
            }
        }
    }

    /// An associated const of local type `t` (`Self::TABLE`).
    fn find_assoc_const(&self, t: TypeId, name: &str) -> Option<ConstId> {
        let ix = self.ix;
        ix.types.get(t)?.impls.iter().find_map(|&i| {
            ix.impls[i]
                .consts
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, c)| *c)
        })
    }

    /// Field `name` of `base`.
    pub fn field(&mut self, base: Abs, name: &str) -> Abs {
        match base {
            // `event.payload` of a `LambdaEvent`: the event itself.
            Abs::Event(path) if path.is_empty() && name == tables::EVENT_WRAPPER.1 => {
                Abs::Event(path)
            }
            Abs::Event(path) => self.event_part(&path, Some(name)),
            Abs::Instance { ty, fields } => {
                if let Some(v) = fields.get(name) {
                    return v.clone();
                }
                let ix = self.ix;
                let Some(def) = ix.types.get(ty) else {
                    return Abs::Unknown;
                };
                match def.fields.iter().find(|(n, _)| n == name) {
                    Some((_, field_ty)) => self.type_abs_in(field_ty, def.module, &BTreeMap::new()),
                    None => Abs::Unknown,
                }
            }
            Abs::Foreign => Abs::Foreign,
            _ => Abs::Unknown,
        }
    }

    /// Reading `field` (or an item, for `None`) of the event part at `path`: the triggers'
    /// value where they bind that path.
    pub fn event_part(&self, path: &str, field: Option<&str>) -> Abs {
        match self.ctx.event_step(path, field) {
            Ok(value) => Abs::Val(value),
            Err(path) => Abs::Event(Rc::from(path)),
        }
    }

    fn struct_literal(&mut self, s: &syn::ExprStruct) -> Abs {
        let mut fields = BTreeMap::new();
        for field in &s.fields {
            let name = match &field.member {
                syn::Member::Named(i) => i.to_string(),
                syn::Member::Unnamed(i) => i.index.to_string(),
            };
            let v = self.eval(&field.expr);
            fields.insert(name, v);
        }
        let base = s.rest.as_ref().map(|r| self.eval(r));
        let segments: Vec<String> = s
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        match self.resolve_here(&segments) {
            Target::Local(Def::Type(ty)) => {
                self.remember_construction(ty, &fields);
                if let Some(Abs::Instance {
                    ty: base_ty,
                    fields: base_fields,
                }) = base
                    && base_ty == ty
                {
                    for (k, v) in base_fields.iter() {
                        fields.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
                Abs::Instance {
                    ty,
                    fields: Rc::new(fields),
                }
            }
            Target::Local(_) | Target::Assoc(..) | Target::Unknown => Abs::Unknown,
            // An SDK input struct (rusoto's `PutItemInput { table_name, .. }`): its members.
            Target::Aws(..) => Abs::Val(crate::value::Value::Map {
                entries: fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect(),
            }),
            Target::Other(_) => Abs::Foreign,
        }
    }

    fn remember_construction(&mut self, ty: TypeId, fields: &BTreeMap<String, Abs>) {
        match self.constructed.get_mut(&ty) {
            None => {
                self.constructed.insert(ty, fields.clone());
            }
            Some(known) => {
                let names: Vec<String> = known.keys().chain(fields.keys()).cloned().collect();
                for name in names {
                    let a = known.get(&name).cloned().unwrap_or(Abs::Unknown);
                    let b = fields.get(&name).cloned().unwrap_or(Abs::Unknown);
                    let joined = if a == b { a } else { Abs::Unknown };
                    known.insert(name, joined);
                }
            }
        }
    }

    /// A value known only by its local type: what the constructions of that type agree on.
    fn as_constructed(&self, value: Abs) -> Abs {
        match value {
            Abs::Instance { ty, fields } if fields.is_empty() => match self.constructed.get(&ty) {
                Some(known) => Abs::Instance {
                    ty,
                    fields: Rc::new(known.clone()),
                },
                None => Abs::Instance { ty, fields },
            },
            other => other,
        }
    }

    /// Records a call that reaches AWS but cannot be pinned down.
    pub fn report_unresolved(
        &mut self,
        span: proc_macro2::Span,
        text: std::ops::Range<usize>,
        why: String,
    ) {
        let location = self.location(span);
        let call = crate::facts::call_text(self.text_range(text));
        self.unresolved.push(Unresolved {
            location,
            call,
            why,
        });
    }
}

/// The locals a piece of code assigns to, appends to or changes in place.
#[derive(Default)]
struct AssignedLocals {
    names: std::collections::BTreeSet<String>,
}

impl AssignedLocals {
    fn note_place(&mut self, place: &syn::Expr) {
        let mut e = place;
        loop {
            match e {
                syn::Expr::Field(f) => e = &f.base,
                syn::Expr::Paren(p) => e = &p.expr,
                syn::Expr::Unary(u) => e = &u.expr,
                syn::Expr::Path(p) => {
                    if let Some(ident) = p.path.get_ident() {
                        self.names.insert(ident.to_string());
                    }
                    return;
                }
                _ => return,
            }
        }
    }
}

impl<'ast> syn::visit::Visit<'ast> for AssignedLocals {
    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        self.note_place(&a.left);
        syn::visit::visit_expr_assign(self, a);
    }

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        if is_compound_assignment(b.op) {
            self.note_place(&b.left);
        }
        syn::visit::visit_expr_binary(self, b);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if super::tables::STRING_MUTATORS.contains(&m.method.to_string().as_str()) {
            self.note_place(&m.receiver);
        }
        syn::visit::visit_expr_method_call(self, m);
    }
}

fn is_compound_assignment(op: syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(
        op,
        AddAssign(_)
            | SubAssign(_)
            | MulAssign(_)
            | DivAssign(_)
            | RemAssign(_)
            | BitXorAssign(_)
            | BitAndAssign(_)
            | BitOrAssign(_)
            | ShlAssign(_)
            | ShrAssign(_)
    )
}

/// Whether `expr` is (a `?`, `.await`, `.unwrap()` of) a call that fills a struct from
/// the environment.
fn fills_from_env(expr: &syn::Expr) -> bool {
    let mut e = expr;
    loop {
        match e {
            syn::Expr::Try(t) => e = &t.expr,
            syn::Expr::Await(a) => e = &a.base,
            syn::Expr::MethodCall(m)
                if super::tables::PASSTHROUGH_METHODS.contains(&m.method.to_string().as_str()) =>
            {
                e = &m.receiver
            }
            syn::Expr::Call(c) => {
                return match &*c.func {
                    syn::Expr::Path(p) => {
                        let segments: Vec<String> = p
                            .path
                            .segments
                            .iter()
                            .map(|s| s.ident.to_string())
                            .collect();
                        super::tables::path_matches(super::tables::ENV_STRUCT_FNS, &segments)
                    }
                    _ => false,
                };
            }
            _ => return false,
        }
    }
}

/// What iterating over `collection` yields: a collection of clients (typed as one, see
/// `CONTAINER_TYPES`) yields clients; a list of values yields their common value.
fn element_of(collection: Abs) -> Abs {
    match collection {
        Abs::Client(_) | Abs::Dyn(_) | Abs::Instance { .. } => collection,
        Abs::Val(crate::value::Value::List { items }) => {
            let mut items = items.into_iter();
            match items.next() {
                Some(first) if items.all(|i| i == first) => Abs::Val(first),
                _ => Abs::Unknown,
            }
        }
        _ => Abs::Unknown,
    }
}

fn lit_abs(lit: &syn::Lit) -> Abs {
    use crate::value::Value;
    match lit {
        syn::Lit::Str(s) => Abs::Val(Value::str(s.value())),
        syn::Lit::Int(i) => Abs::Val(Value::Scalar {
            value: i.base10_digits().to_string(),
        }),
        syn::Lit::Float(f) => Abs::Val(Value::Scalar {
            value: f.base10_digits().to_string(),
        }),
        syn::Lit::Bool(b) => Abs::Val(Value::Scalar {
            value: b.value.to_string(),
        }),
        syn::Lit::Char(c) => Abs::Val(Value::str(c.value().to_string())),
        _ => Abs::Unknown,
    }
}

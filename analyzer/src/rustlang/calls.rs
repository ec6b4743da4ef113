//! Calls and method calls: following local functions and methods, building client
//! values, turning fluent builders on a client into facts
//! (`client.put_item().table_name(t).send()`), dispatch on trait objects.

use std::collections::BTreeMap;
use std::rc::Rc;

use syn::spanned::Spanned;

/// Byte offset where a chain's base expression starts.
fn chain_start(base: &syn::Expr) -> usize {
    base.span().byte_range().start
}

/// Whether the request sent by `m` (`x.put_item().table_name(t).send()`) was started by a
/// method that is not a passthrough: `tx.clone().send()` was not.
fn has_operation_before(m: &syn::ExprMethodCall) -> bool {
    let mut receiver: &syn::Expr = &m.receiver;
    let mut found = false;
    loop {
        match receiver {
            syn::Expr::MethodCall(inner) => {
                let name = inner.method.to_string();
                found |= !tables::PASSTHROUGH_METHODS.contains(&name.as_str());
                receiver = &inner.receiver;
            }
            syn::Expr::Await(a) => receiver = &a.base,
            syn::Expr::Try(t) => receiver = &t.expr,
            _ => return found,
        }
    }
}

/// Byte offset where a method call ends: after its closing parenthesis.
fn chain_end(m: &syn::ExprMethodCall) -> usize {
    m.paren_token.span.close().byte_range().end
}

use super::abs::Abs;
use super::index::{Def, FnId, TraitId};
use super::resolve::Target;
use super::tables;
use super::walker::{Pending, Walker};
use crate::facts::{CallFact, Client, Operation, Sdk, Via};
use crate::value::Value;

impl Walker<'_> {
    /// `f(args)`.
    pub fn call(&mut self, c: &syn::ExprCall) -> Abs {
        let site = self.location(c.func.span());
        let syn::Expr::Path(path) = &*c.func else {
            let callee = self.eval(&c.func);
            let args = self.eval_args(c.args.iter());
            return self.call_value(callee, args, site);
        };
        let segments: Vec<String> = path
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if let [name] = segments.as_slice()
            && let Some(callee) = self.lookup(name)
        {
            let args = self.eval_args(c.args.iter());
            return self.call_value(callee, args, site);
        }
        let args = self.eval_args(c.args.iter());
        match self.resolve_here(&segments) {
            Target::Local(Def::Fn(id)) => self.invoke(id, None, args, Some(site)),
            Target::Assoc(t, name) => match self.find_method(t, &name) {
                Some(id) => self.invoke_ufcs(id, args, site),
                // An enum variant or tuple constructor: a value of the type.
                None => Abs::instance(t),
            },
            Target::Local(Def::Type(t)) => {
                let fields: BTreeMap<String, Abs> = args
                    .into_iter()
                    .enumerate()
                    .map(|(i, a)| (i.to_string(), a))
                    .collect();
                Abs::Instance {
                    ty: t,
                    fields: Rc::new(fields),
                }
            }
            Target::Aws(package, rest) => {
                let n = rest.len();
                let builds_client = n >= 2
                    && tables::is_client_type(&rest[..n - 1])
                    && tables::CLIENT_CONSTRUCTORS.contains(&rest[n - 1].as_str());
                if builds_client {
                    Abs::Client(Rc::from(package.as_str()))
                } else {
                    Abs::Foreign
                }
            }
            Target::Other(full) => self.foreign_call(&full, args, c, site),
            Target::Local(_) => Abs::Unknown,
            Target::Unknown => {
                self.invoke_fn_refs(&args, &site);
                Abs::Unknown
            }
        }
    }

    /// A call into another crate (std included): env reads, passthrough constructors,
    /// and local functions handed over as values (`service_fn(handler)`).
    fn foreign_call(
        &mut self,
        path: &[String],
        args: Vec<Abs>,
        c: &syn::ExprCall,
        site: crate::facts::Location,
    ) -> Abs {
        if tables::path_matches(tables::ENV_FNS, path) {
            return match args.first().map(Abs::to_value) {
                Some(Value::Str { value }) => Abs::Val(self.ctx.env_value(&value, None)),
                _ => Abs::Val(Value::Unknown),
            };
        }
        if tables::path_matches(tables::ENV_STRUCT_FNS, path) {
            let turbofish = match &*c.func {
                syn::Expr::Path(p) => p.path.segments.last().and_then(|s| match &s.arguments {
                    syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
                        syn::GenericArgument::Type(t) => Some(t.clone()),
                        _ => None,
                    }),
                    _ => None,
                }),
                _ => None,
            };
            return match turbofish {
                Some(ty) => self.env_struct(&ty),
                None => Abs::Foreign,
            };
        }
        if tables::path_matches(tables::PASSTHROUGH_FNS, path) {
            // `Some(None)`-like shapes: the argument itself when it is a literal `None`.
            if matches!(c.args.first(), Some(syn::Expr::Path(p)) if p.path.is_ident("None")) {
                return Abs::Unknown;
            }
            return args.into_iter().next().unwrap_or(Abs::Unknown);
        }
        if let Some(class) = self.library_class(&path[..path.len().saturating_sub(1)]) {
            return Abs::Library(class);
        }
        self.invoke_fn_refs(&args, &site);
        // `Client::new()`, `Router::new()`: a value of that foreign type. A free function of
        // another crate (`shared::make_client()`) may return anything, an SDK client too.
        let constructs_type = path.len() >= 2
            && path[path.len() - 2]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase());
        if constructs_type {
            Abs::Foreign
        } else {
            Abs::Unknown
        }
    }

    /// A local struct filled from the environment (`envy::from_env::<Config>()`): each field
    /// is the variable named as the field in upper case.
    pub fn env_struct(&mut self, ty: &syn::Type) -> Abs {
        let Abs::Instance { ty: t, .. } = self.type_abs(ty) else {
            return Abs::Foreign;
        };
        let ix = self.ix;
        let fields = ix.types[t]
            .fields
            .iter()
            .map(|(name, _)| {
                let var = name.to_uppercase();
                (name.clone(), Abs::Val(self.ctx.env_value(&var, None)))
            })
            .collect();
        Abs::Instance {
            ty: t,
            fields: Rc::new(fields),
        }
    }

    /// Calls a value: a local function held in a variable, or something unknown.
    fn call_value(&mut self, callee: Abs, args: Vec<Abs>, site: crate::facts::Location) -> Abs {
        match callee {
            Abs::FnRef(id) => self.invoke(id, None, args, Some(site)),
            _ => {
                self.invoke_fn_refs(&args, &site);
                Abs::Unknown
            }
        }
    }

    /// `Type::method(recv, args)` or `Type::new(args)`.
    fn invoke_ufcs(&mut self, id: FnId, args: Vec<Abs>, site: crate::facts::Location) -> Abs {
        let has_receiver = matches!(
            self.ix.fns[id].sig.inputs.first(),
            Some(syn::FnArg::Receiver(_))
        );
        if has_receiver {
            let mut args = args.into_iter();
            let recv = args.next();
            self.invoke(id, recv, args.collect(), Some(site))
        } else {
            self.invoke(id, None, args, Some(site))
        }
    }

    /// Values handed to code we do not read: local functions run from there, and so do
    /// the methods of local types' impls of foreign traits (`impl Service<..> for
    /// Processor`, whose `call` the runtime invokes). Walk them.
    fn invoke_fn_refs(&mut self, args: &[Abs], site: &crate::facts::Location) {
        for arg in args {
            match arg {
                Abs::FnRef(id) => {
                    self.invoke(*id, None, Vec::new(), Some(site.clone()));
                }
                Abs::Instance { ty, .. } => {
                    if !self.handed_over.insert(*ty) {
                        continue;
                    }
                    let ix = self.ix;
                    let methods: Vec<FnId> = ix.types[*ty]
                        .impls
                        .iter()
                        .filter(|&&i| {
                            ix.impls[i].trait_path.is_some() && ix.impls[i].trait_def.is_none()
                        })
                        .flat_map(|&i| ix.impls[i].fns.iter().copied())
                        .collect();
                    for id in methods {
                        self.invoke(id, Some(arg.clone()), Vec::new(), Some(site.clone()));
                    }
                }
                _ => {}
            }
        }
    }

    fn eval_args<'e>(&mut self, args: impl Iterator<Item = &'e syn::Expr>) -> Vec<Abs> {
        args.map(|a| self.eval(a)).collect()
    }

    /// `recv.method(args)`.
    /// `recv.a(..).b(..).c(..)`: the chain is walked in a loop from its base, not by
    /// recursion, so builder chains of any length cannot exhaust the stack.
    pub fn method_call(&mut self, m: &syn::ExprMethodCall) -> Abs {
        let mut links = vec![m];
        let mut base: &syn::Expr = &m.receiver;
        loop {
            match base {
                syn::Expr::MethodCall(inner) => {
                    links.push(inner);
                    base = &inner.receiver;
                }
                syn::Expr::Await(a) => base = &a.base,
                syn::Expr::Try(t) => base = &t.expr,
                _ => break,
            }
        }
        let chain_start = chain_start(base);
        let mut value = self.eval(base);
        for link in links.into_iter().rev() {
            value = self.apply_method(value, link, chain_start);
        }
        value
    }

    /// One method call of a chain, on the value its receiver evaluated to.
    fn apply_method(&mut self, recv: Abs, m: &syn::ExprMethodCall, chain_start: usize) -> Abs {
        let args = self.eval_args(m.args.iter());
        let method = m.method.to_string();
        let site = self.location(m.method.span());
        match recv {
            Abs::Client(package) => match self.client_impl_method(&package, &method) {
                Some(id) => self.invoke(id, Some(Abs::Client(package)), args, Some(site)),
                None => self.client_method(package, &method, &args, m, chain_start),
            },
            Abs::Builder(id) => self.builder_method(id, &method, &args, m, chain_start),
            Abs::Instance { ty, .. } => match self.find_method(ty, &method) {
                Some(id) => {
                    let result = self.invoke(id, Some(recv), args, Some(site));
                    let mutates = matches!(
                        self.ix.fns[id].sig.inputs.first(),
                        Some(syn::FnArg::Receiver(r)) if r.mutability.is_some()
                            || matches!(&*r.ty, syn::Type::Reference(t) if t.mutability.is_some())
                    );
                    if mutates && let Some(changed) = self.last_self.take() {
                        self.store(&m.receiver, changed);
                    }
                    result
                }
                None if tables::PASSTHROUGH_METHODS.contains(&method.as_str()) => recv,
                None => {
                    self.invoke_fn_refs(&args, &site);
                    Abs::Unknown
                }
            },
            Abs::Dyn(traits) => self.dyn_method(&traits, &method, args, m, chain_start),
            Abs::Val(value) if tables::STRING_MUTATORS.contains(&method.as_str()) => {
                // `b.push_str("-thumbs")` changes `b`: append, or forget what it held.
                let updated = match (method.as_str(), args.first()) {
                    ("push_str" | "push", Some(Abs::Val(more))) => {
                        Abs::Val(Value::concat(vec![value, more.clone()]))
                    }
                    _ => Abs::Unknown,
                };
                self.store(&m.receiver, updated);
                Abs::Unknown
            }
            Abs::Val(value) => self.value_method(value, &method, args),
            Abs::Foreign => {
                self.invoke_fn_refs(&args, &site);
                Abs::Foreign
            }
            Abs::FnRef(_) => Abs::Unknown,
            Abs::Event(_) if tables::PASSTHROUGH_METHODS.contains(&method.as_str()) => recv,
            Abs::Event(_) => Abs::Unknown,
            Abs::Library(class) => self.library_call(&class, &method, &args, m, chain_start),
            Abs::Unknown => {
                self.invoke_fn_refs(&args, &site);
                if method == "send" && m.args.is_empty() && has_operation_before(m) {
                    let why =
                        "`.send()` on a request whose client type is not known here".to_string();
                    self.report_unresolved(m.method.span(), chain_start..chain_end(m), why);
                }
                Abs::Unknown
            }
        }
    }

    /// A method that local code defines on an SDK client (`impl GetFile for S3Client`):
    /// followed, not taken for an operation.
    fn client_impl_method(&self, package: &str, method: &str) -> Option<FnId> {
        let ix = self.ix;
        ix.client_impls.get(package)?.iter().find_map(|&i| {
            ix.impls[i]
                .fns
                .iter()
                .copied()
                .find(|&f| ix.fns[f].name == method)
        })
    }

    /// A method on a client: an operation (a new request), a waiter, or a passthrough.
    fn client_method(
        &mut self,
        package: Rc<str>,
        method: &str,
        args: &[Abs],
        m: &syn::ExprMethodCall,
        chain_start: usize,
    ) -> Abs {
        if tables::PASSTHROUGH_METHODS.contains(&method) {
            return Abs::Client(package);
        }
        if tables::CLIENT_NON_OPERATIONS.contains(&method) {
            return Abs::Foreign;
        }
        let (operation, via) = match method.strip_prefix(tables::WAITER_PREFIX) {
            Some(waiter) => (Operation::Waiter(waiter.to_string()), Via::Waiter),
            None => (Operation::Method(method.to_string()), Via::Call),
        };
        let location = self.location(m.method.span());
        let call = crate::facts::call_text(self.text_range(chain_start..chain_end(m)));
        let chain = self.chain(&location);
        self.calls.push(CallFact {
            client: Client {
                sdk: Sdk::Rust,
                service: package.to_string(),
            },
            operation,
            // rusoto passes the input as a struct: `put_item(PutItemInput { table_name, .. })`.
            args: match args {
                [Abs::Val(Value::Map { entries })] => entries.clone(),
                _ => BTreeMap::new(),
            },
            via,
            location,
            call,
            chain,
            region: None,
        });
        self.pending.push(Pending {
            fact: self.calls.len() - 1,
            sealed: false,
            start: chain_start,
        });
        Abs::Builder(self.pending.len() - 1)
    }

    /// A method on a request builder: a setter, sending, paginating, presigning.
    fn builder_method(
        &mut self,
        id: usize,
        method: &str,
        args: &[Abs],
        m: &syn::ExprMethodCall,
        chain_start: usize,
    ) -> Abs {
        let Some(pending) = self.pending.get(id) else {
            return Abs::Unknown;
        };
        let (fact, sealed, start) = (pending.fact, pending.sealed, pending.start);
        // After sending, paginating or presigning: an SDK output, paginator or presigned
        // request, none of them a client.
        if sealed {
            return Abs::Foreign;
        }
        // The same expression goes on: widen the call text to it.
        if chain_start == start {
            let call = crate::facts::call_text(self.text_range(chain_start..chain_end(m)));
            if let Some(f) = self.calls.get_mut(fact) {
                f.call = call;
            }
        }
        let seal = |w: &mut Self| {
            if let Some(p) = w.pending.get_mut(id) {
                p.sealed = true;
            }
        };
        match method {
            "into_paginator" => {
                if let Some(f) = self.calls.get_mut(fact) {
                    f.via = Via::Paginator;
                }
                seal(self);
                Abs::Foreign
            }
            "presigned" => {
                if let Some(f) = self.calls.get_mut(fact) {
                    f.via = Via::Presign;
                }
                seal(self);
                Abs::Foreign
            }
            _ if tables::SEND_METHODS.contains(&method) => {
                seal(self);
                Abs::Foreign
            }
            _ if tables::BUILDER_NEUTRAL_METHODS.contains(&method) => Abs::Builder(id),
            _ => {
                self.record_setter(fact, method, args, m);
                Abs::Builder(id)
            }
        }
    }

    /// `.table_name(t)`: the member's value; `.item(k, v)` adds to a map; a setter called
    /// again adds to a list (aws-sdk-rust's list members append).
    fn record_setter(&mut self, fact: usize, method: &str, args: &[Abs], m: &syn::ExprMethodCall) {
        let is_none = |e: Option<&syn::Expr>| matches!(e, Some(syn::Expr::Path(p)) if p.path.is_ident("None"));
        let value = match args {
            [] => return,
            [_] if is_none(m.args.first()) => return,
            [one] => one.to_value(),
            [key, value, ..] => {
                let mut entries = BTreeMap::new();
                match key.to_value() {
                    Value::Str { value: k } => {
                        entries.insert(k, value.to_value());
                        Value::Map { entries }
                    }
                    _ => Value::Unknown,
                }
            }
        };
        let Some(f) = self.calls.get_mut(fact) else {
            return;
        };
        let merged = match (f.args.remove(method), value) {
            (None, v) => v,
            (Some(Value::Map { mut entries }), Value::Map { entries: more }) => {
                entries.extend(more);
                Value::Map { entries }
            }
            (Some(Value::List { mut items }), v) if args.len() == 1 => {
                items.push(v);
                Value::List { items }
            }
            (Some(old), v) if args.len() == 1 => Value::List {
                items: vec![old, v],
            },
            (Some(_), _) => Value::Unknown,
        };
        f.args.insert(method.to_string(), merged);
    }

    /// Methods on strings and env reads: passthroughs and `unwrap_or` defaults.
    fn value_method(&mut self, value: Value, method: &str, args: Vec<Abs>) -> Abs {
        if tables::DEFAULT_METHODS.contains(&method) {
            return match value {
                Value::Env {
                    name,
                    default: None,
                } => Abs::Val(Value::Env {
                    name,
                    default: args.first().map(|a| Box::new(a.to_value())),
                }),
                other => Abs::Val(other),
            };
        }
        if tables::PASSTHROUGH_METHODS.contains(&method) {
            return Abs::Val(value);
        }
        Abs::Unknown
    }

    /// A method on a trait object or generic: which implementation runs is not known. If an
    /// implementation reaches AWS, the call is unresolved, naming the implementations.
    fn dyn_method(
        &mut self,
        traits: &[TraitId],
        method: &str,
        args: Vec<Abs>,
        m: &syn::ExprMethodCall,
        chain_start: usize,
    ) -> Abs {
        let ix = self.ix;
        let all = ix.with_supertraits(traits);
        let Some(&tr) = all.iter().find(|t| ix.traits[**t].methods.contains(method)) else {
            return if tables::PASSTHROUGH_METHODS.contains(&method) {
                Abs::Dyn(Rc::from(traits))
            } else {
                Abs::Unknown
            };
        };
        let mut candidates: Vec<(String, FnId)> = Vec::new();
        for &i in &ix.traits[tr].impls {
            let imp = &ix.impls[i];
            let found = imp
                .fns
                .iter()
                .find(|f| ix.fns[**f].name == method)
                .or_else(|| {
                    ix.traits[tr]
                        .defaults
                        .iter()
                        .find(|f| ix.fns[**f].name == method)
                });
            if let Some(f) = found {
                let type_name = imp
                    .self_def
                    .map(|t| ix.types[t].name.clone())
                    .or_else(|| {
                        imp.self_client
                            .as_ref()
                            .map(|p| format!("{}::Client", p.replace('-', "_")))
                    })
                    .unwrap_or_default();
                candidates.push((type_name, *f));
            }
        }
        let mut reaching = Vec::new();
        for (name, id) in candidates {
            let recv = self.impl_self(id);
            if self.probe(id, recv, args.clone()) {
                reaching.push(name);
            }
        }
        if !reaching.is_empty() {
            reaching.sort();
            reaching.dedup();
            let why = format!(
                "`{method}` is called on `{}` whose concrete type is not known here; implemented with AWS calls by {}",
                ix.traits[tr].name,
                reaching.join(", ")
            );
            self.report_unresolved(m.method.span(), chain_start..chain_end(m), why);
        }
        Abs::Unknown
    }

    fn impl_self(&self, id: FnId) -> Option<Abs> {
        match self.ix.fns[id].owner {
            Some(super::index::Owner::Impl(i)) => {
                let imp = &self.ix.impls[i];
                imp.self_def
                    .map(Abs::instance)
                    .or_else(|| imp.self_client.as_deref().map(|p| Abs::Client(Rc::from(p))))
            }
            _ => None,
        }
    }

    /// Whether walking `id` would reach an AWS call. Leaves no facts behind.
    fn probe(&mut self, id: FnId, recv: Option<Abs>, args: Vec<Abs>) -> bool {
        let (calls, unresolved, pending) =
            (self.calls.len(), self.unresolved.len(), self.pending.len());
        self.invoke(id, recv, args, None);
        let reached = self.calls.len() > calls || self.unresolved.len() > unresolved;
        self.calls.truncate(calls);
        self.unresolved.truncate(unresolved);
        self.pending.truncate(pending);
        reached
    }
}

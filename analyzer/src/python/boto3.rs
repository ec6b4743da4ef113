//! boto3 semantics: how clients, sessions, resources, collections, paginators, waiters,
//! presigners and s3transfer helpers turn into SDK calls.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use tree_sitter::Node;

use crate::Value;
use crate::facts::{Operation, Via};

use super::interp::{Interp, Scope};
use super::models::{self, Param, Request, ResourceRef};
use super::val::{CallArgs, CollectionVal, LibObject, ResourceVal, Service, Val};

/// What a boto3/botocore factory makes.
#[derive(Clone, Copy)]
enum Factory {
    Client,
    Resource,
    Session,
}

/// Third-party callables that make sessions, clients and resources. Sources: boto3 docs
/// (`boto3.client`, `boto3.resource`, `boto3.session.Session`), botocore
/// (`botocore.session.get_session`), aioboto3/aiobotocore (same API, async).
const FACTORIES: &[(&str, Factory)] = &[
    ("boto3.client", Factory::Client),
    ("boto3.resource", Factory::Resource),
    ("boto3.Session", Factory::Session),
    ("boto3.session.Session", Factory::Session),
    ("botocore.session.get_session", Factory::Session),
    ("botocore.session.Session", Factory::Session),
    ("aioboto3.Session", Factory::Session),
    ("aioboto3.session.Session", Factory::Session),
    ("aiobotocore.session.get_session", Factory::Session),
    ("aiobotocore.session.AioSession", Factory::Session),
];

/// Methods of a session that make clients or resources.
const SESSION_METHODS: &[(&str, Factory)] = &[
    ("client", Factory::Client),
    ("create_client", Factory::Client),
    ("resource", Factory::Resource),
];

/// Client methods that never call AWS.
const LOCAL_CLIENT_METHODS: &[&str] = &["close", "can_paginate", "get_waiter", "get_paginator"];

/// Class-body field specifiers whose value is their `default`, or what their
/// `default_factory` (attrs: `factory`) returns. Sources: Python's `dataclasses.field`,
/// pydantic's `Field`, attrs' `attr.ib` / `attrs.field`.
const FIELD_SPECIFIERS: &[&str] = &[
    "dataclasses.field",
    "pydantic.Field",
    "pydantic.fields.Field",
    "attr.ib",
    "attr.attrib",
    "attrs.field",
    "attr.field",
];

impl<'t, 'c> Interp<'t, 'c> {
    /// A call of a third-party callable `q` (with `receiver` for a method of a library object).
    pub fn extern_call(
        &mut self,
        q: &str,
        receiver: Option<Val<'t>>,
        args: CallArgs<'t>,
        node: Node<'t>,
        scope: &mut Scope<'t>,
    ) -> Val<'t> {
        if let Some((_, factory)) = FACTORIES.iter().find(|(name, _)| *name == q) {
            return self.make(*factory, &args, None);
        }
        // Bound for a later call: run then, with all its arguments, not now.
        if super::dicts::PARTIALS.contains(&q) {
            let mut args = args;
            if args.positional.is_empty() {
                return Val::Unknown;
            }
            let callee = args.positional.remove(0);
            return Val::Partial(Rc::new((callee, args)));
        }
        self.run_passed_callables(&args, node, scope);
        match q {
            "os.getenv" | "os.environ.get" | "os.environ.setdefault" => {
                return match args.get(0, "key").and_then(Val::as_str) {
                    Some(name) => {
                        let default = args.get(1, "default").map(Val::to_value);
                        Val::Data(self.ctx.env_value(name, default))
                    }
                    None => Val::Unknown,
                };
            }
            "builtins.getattr" => {
                let recv = args.positional.first().cloned().unwrap_or(Val::Unknown);
                return match args.positional.get(1) {
                    Some(name) => match name.as_str() {
                        Some(name) => {
                            let name = name.to_string();
                            self.get_attr(recv, &name, node, scope)
                        }
                        None => {
                            match self.attrs_with_prefix(&recv, &name.to_value(), node, scope) {
                                Some(found) => found,
                                None => Val::DynamicAttr(Box::new(recv)),
                            }
                        }
                    },
                    None => Val::Unknown,
                };
            }
            "builtins.super" if args.positional.is_empty() => {
                let function = scope.function.clone();
                return match function {
                    Some(f) => match (&f.bound, f.name.rsplit_once('.')) {
                        (Some(instance), Some((owner, _))) => {
                            Val::Super(Box::new(instance.clone()), Rc::from(owner))
                        }
                        _ => Val::Unknown,
                    },
                    None => Val::Unknown,
                };
            }
            // `field(default_factory=lambda: os.environ["TABLE"])`: the field's value is what
            // the factory returns, or its `default`.
            _ if FIELD_SPECIFIERS.contains(&q) => {
                for factory in ["default_factory", "factory"] {
                    if let Some(Val::Function(f)) = args.keyword(factory).cloned() {
                        return self.call_function(
                            f,
                            CallArgs::default(),
                            Some((scope.module, node)),
                        );
                    }
                }
                return args.get(0, "default").cloned().unwrap_or(Val::Unknown);
            }
            "builtins.dict" => return super::dicts::builtin_dict(&args),
            "builtins.str" => {
                return match args.positional.first() {
                    Some(
                        v @ Val::Data(Value::Str { .. } | Value::Env { .. } | Value::Concat { .. }),
                    ) => v.clone(),
                    _ => Val::Unknown,
                };
            }
            "builtins.list" | "builtins.iter" | "builtins.next" | "builtins.sorted" => {
                return match args.positional.first() {
                    Some(Val::Collection(c)) => {
                        if q == "builtins.next" {
                            self.collection_item(c)
                        } else {
                            Val::Collection(c.clone())
                        }
                    }
                    _ => Val::Unknown,
                };
            }
            _ => {}
        }
        if self.library_call(q, receiver.as_ref(), &args, node, scope) {
            return Val::Unknown;
        }
        // A third-party class: keep its arguments, library models may read them later.
        let last = q.rsplit('.').next().unwrap_or(q);
        if receiver.is_none()
            && last.chars().next().is_some_and(char::is_uppercase)
            && !q.starts_with("builtins.")
        {
            return Val::LibObject(Rc::new(LibObject::new(q.to_string(), args)));
        }
        Val::Unknown
    }

    /// `getattr(self, f"handle_{kind}")` on local code: every attribute whose name starts
    /// with the known prefix (a dispatch by naming convention). `None` without a prefix.
    fn attrs_with_prefix(
        &mut self,
        recv: &Val<'t>,
        name: &Value,
        node: Node<'t>,
        scope: &mut Scope<'t>,
    ) -> Option<Val<'t>> {
        let prefix = match name {
            Value::Concat { parts } => parts.first()?.as_str()?.to_string(),
            _ => return None,
        };
        if prefix.is_empty() {
            return None;
        }
        let mut names: Vec<String> = match recv {
            Val::Instance(i) => {
                let mut names: Vec<String> = i.attrs.borrow().keys().cloned().collect();
                let mut stack = vec![i.class.clone()];
                while let Some(c) = stack.pop() {
                    names.extend(c.attrs.borrow().keys().cloned());
                    for base in &c.bases {
                        if let Val::Class(b) = base {
                            stack.push(b.clone());
                        }
                    }
                }
                names
            }
            Val::Class(c) => c.attrs.borrow().keys().cloned().collect(),
            Val::Module(super::val::ModRef::Local(idx)) => {
                let env = self.module_env(*idx);
                let names: Vec<String> = env.borrow().keys().cloned().collect();
                names
            }
            _ => return None,
        };
        names.retain(|n| n.starts_with(&prefix));
        names.sort();
        names.dedup();
        let found: Vec<Val<'t>> = names
            .iter()
            .map(|n| self.get_attr(recv.clone(), n, node, scope))
            .collect();
        Some(match found.len() {
            0 => Val::Unknown,
            _ => super::interp::join_vals(found),
        })
    }

    /// A session, client or resource made with `args`; `session_region` is the region of the
    /// session it is made from, which a `region_name` argument overrides.
    fn make(
        &mut self,
        factory: Factory,
        args: &CallArgs<'t>,
        session_region: Option<Value>,
    ) -> Val<'t> {
        match factory {
            Factory::Session => Val::Session(region_arg(args, 3, session_region)),
            Factory::Client => Val::Client(service_arg(args, session_region)),
            Factory::Resource => match service_arg(args, session_region) {
                Some(service) if models::resource_model(&service, None).is_some() => {
                    Val::Resource(Rc::new(ResourceVal {
                        service,
                        type_name: None,
                        ids: BTreeMap::new(),
                    }))
                }
                // A resource of a service without a resource model, or an unknown service:
                // its calls cannot be pinned down.
                _ => Val::Client(None),
            },
        }
    }

    /// `receiver.name(...)` on a boto3 object.
    pub fn sdk_method(
        &mut self,
        recv: Val<'t>,
        name: &str,
        args: CallArgs<'t>,
        node: Node<'t>,
        scope: &mut Scope<'t>,
    ) -> Val<'t> {
        let module = scope.module;
        match recv {
            Val::Session(region) => match SESSION_METHODS.iter().find(|(n, _)| *n == name) {
                Some((_, factory)) => self.make(*factory, &args, region),
                None => Val::Unknown,
            },
            Val::Client(service) => self.client_method(service, name, args, node, module),
            Val::Paginator(service, method) if name == "paginate" => {
                match (service, method) {
                    (Some(service), Some(method)) => self.emit_boto3(
                        module,
                        node,
                        &service,
                        Operation::Method(method),
                        args.members(),
                        Via::Paginator,
                    ),
                    (None, _) => {
                        self.unresolved(module, node, "service of this client is not a constant")
                    }
                    (_, None) => {
                        self.unresolved(module, node, "paginator operation is not a constant")
                    }
                }
                Val::Unknown
            }
            Val::Waiter(service, waiter) if name == "wait" => {
                match (service, waiter) {
                    (Some(service), Some(waiter)) => self.emit_boto3(
                        module,
                        node,
                        &service,
                        Operation::Waiter(waiter),
                        args.members(),
                        Via::Waiter,
                    ),
                    (None, _) => {
                        self.unresolved(module, node, "service of this client is not a constant")
                    }
                    (_, None) => self.unresolved(module, node, "waiter name is not a constant"),
                }
                Val::Unknown
            }
            Val::Resource(r) => self.resource_method(&r, name, args, node, module),
            Val::Collection(c) => self.collection_method(&c, name, args, node, module),
            _ => Val::Unknown,
        }
    }

    /// `receiver.name` (not called) on a boto3 object.
    pub fn sdk_attr(
        &mut self,
        recv: Val<'t>,
        name: &str,
        node: Node<'t>,
        scope: &mut Scope<'t>,
    ) -> Val<'t> {
        match &recv {
            Val::Meta(service) if name == "client" => Val::Client(Some(service.clone())),
            Val::Client(Some(service)) if name == "meta" => Val::Meta(service.clone()),
            Val::Client(_) if name == "exceptions" || name == "meta" => Val::Unknown,
            Val::Resource(r) => self.resource_attr(r, name, node, scope.module),
            Val::Meta(_) | Val::Collection(_) => Val::Bound(Box::new(recv.clone()), Rc::from(name)),
            _ => Val::Bound(Box::new(recv.clone()), Rc::from(name)),
        }
    }

    fn client_method(
        &mut self,
        service: Option<Rc<Service>>,
        name: &str,
        args: CallArgs<'t>,
        node: Node<'t>,
        module: usize,
    ) -> Val<'t> {
        match name {
            "get_paginator" => {
                let method = args
                    .get(0, "operation_name")
                    .and_then(Val::as_str)
                    .map(str::to_string);
                return Val::Paginator(service, method);
            }
            "get_waiter" => {
                let waiter = args
                    .get(0, "waiter_name")
                    .and_then(Val::as_str)
                    .map(str::to_string);
                return Val::Waiter(service, waiter);
            }
            _ if LOCAL_CLIENT_METHODS.contains(&name) => return Val::Unknown,
            _ => {}
        }
        let Some(service) = service else {
            self.unresolved(module, node, "service of this client is not a constant");
            return Val::Unknown;
        };
        match name {
            "generate_presigned_url" => {
                let params = match args.get(1, "Params").map(Val::to_value) {
                    Some(Value::Map { entries }) => entries,
                    _ => BTreeMap::new(),
                };
                match args.get(0, "ClientMethod").and_then(Val::as_str) {
                    Some(method) => self.emit_boto3(
                        module,
                        node,
                        &service,
                        Operation::Method(method.to_string()),
                        params,
                        Via::Presign,
                    ),
                    None => self.unresolved(module, node, "presigned operation is not a constant"),
                }
            }
            "generate_presigned_post" => {
                let mut members = BTreeMap::new();
                for (i, member) in ["Bucket", "Key"].into_iter().enumerate() {
                    if let Some(v) = args.get(i, member) {
                        members.insert(member.to_string(), v.to_value());
                    }
                }
                self.emit_boto3(
                    module,
                    node,
                    &service,
                    Operation::Method("put_object".to_string()),
                    members,
                    Via::Presign,
                );
            }
            _ => {
                if service.name.as_ref() == "s3"
                    && self.transfer(
                        &service,
                        "client",
                        &BTreeMap::new(),
                        name,
                        &args,
                        node,
                        module,
                    )
                {
                    return Val::Unknown;
                }
                self.emit_boto3(
                    module,
                    node,
                    &service,
                    Operation::Method(name.to_string()),
                    args.members(),
                    Via::Call,
                );
            }
        }
        Val::Unknown
    }

    /// An s3transfer helper (`upload_file`, ...): one fact per operation it may issue.
    /// `ids` are the resource identifiers for a `Bucket` or `Object` receiver.
    #[allow(clippy::too_many_arguments)]
    fn transfer(
        &mut self,
        service: &Service,
        receiver: &str,
        ids: &BTreeMap<String, Value>,
        name: &str,
        args: &CallArgs<'t>,
        node: Node<'t>,
        module: usize,
    ) -> bool {
        let Some((helper, params)) = models::transfer_helper(name, receiver) else {
            return false;
        };
        let Some(table) = models::transfer() else {
            return false;
        };
        let mut bound: BTreeMap<String, Value> = BTreeMap::new();
        match receiver {
            "Bucket" => {
                if let Some(v) = ids.get("Name") {
                    bound.insert("Bucket".into(), v.clone());
                }
            }
            "Object" => {
                for (id, param) in [("BucketName", "Bucket"), ("Key", "Key")] {
                    if let Some(v) = ids.get(id) {
                        bound.insert(param.into(), v.clone());
                    }
                }
            }
            _ => {}
        }
        for (i, param) in params.iter().enumerate() {
            if let Some(v) = args.get(i, param) {
                bound.insert(param.clone(), v.to_value());
            }
        }
        for op in table.ops(&helper.kind) {
            let mut members = BTreeMap::new();
            for (member, spec) in &op.args {
                let value = match spec.split_once('.') {
                    Some((param, key)) => match bound.get(param) {
                        Some(Value::Map { entries }) => entries.get(key).cloned(),
                        Some(_) => Some(Value::Unknown),
                        None => None,
                    },
                    None => bound.get(spec).cloned(),
                };
                if let Some(value) = value {
                    members.insert(member.clone(), value);
                }
            }
            self.emit_boto3(
                module,
                node,
                service,
                Operation::Method(op.op.clone()),
                members,
                Via::Helper,
            );
        }
        true
    }

    fn resource_method(
        &mut self,
        r: &Rc<ResourceVal>,
        name: &str,
        args: CallArgs<'t>,
        node: Node<'t>,
        module: usize,
    ) -> Val<'t> {
        let type_name = r.type_name.as_deref();
        if let Some(injected) = type_name.and_then(|t| models::injection(&r.service, t, name)) {
            let mut members = args.members();
            for (member, id) in &injected.args {
                members.insert(
                    member.clone(),
                    r.ids.get(id).cloned().unwrap_or(Value::Unknown),
                );
            }
            self.emit_boto3(
                module,
                node,
                &r.service,
                Operation::Method(injected.op.clone()),
                members,
                Via::Helper,
            );
            // A boto3 object whose calls are already reported (the batch writer buffers
            // `put_item` into `batch_write_item`): not an unidentified receiver.
            return Val::Extern(Rc::from(format!("boto3.{}.{name}()", r.service)));
        }
        let Some(model) = models::resource_model(&r.service, type_name) else {
            return Val::Unknown;
        };
        if let Some(action) = model.actions.get(name) {
            let members = request_members(&action.request, &r.ids, &args);
            self.emit_boto3(
                module,
                node,
                &r.service,
                Operation::Method(action.request.op.clone()),
                members.clone(),
                Via::Helper,
            );
            return match &action.resource {
                Some(reference) => self.make_resource(
                    &r.service,
                    reference,
                    &r.ids,
                    &CallArgs::default(),
                    &members,
                ),
                None => Val::Unknown,
            };
        }
        if let Some(waiter) = model.waiters.get(name) {
            let mut members = args.members();
            members.extend(param_members(&waiter.params, &r.ids));
            self.emit_boto3(
                module,
                node,
                &r.service,
                Operation::Waiter(waiter.waiter.clone()),
                members,
                Via::Waiter,
            );
            return Val::Unknown;
        }
        if let Some(reference) = model.subresources.get(name) {
            return self.make_resource(&r.service, reference, &r.ids, &args, &BTreeMap::new());
        }
        if matches!(name, "load" | "reload") {
            self.emit_load(r, node, module);
            return Val::Unknown;
        }
        if r.service.name.as_ref() == "s3"
            && let Some(receiver @ ("Bucket" | "Object")) = type_name
            && self.transfer(&r.service, receiver, &r.ids, name, &args, node, module)
        {
            return Val::Unknown;
        }
        Val::Unknown
    }

    /// Reports the call that loads a resource's attributes, if it has one.
    fn emit_load(&mut self, r: &ResourceVal, node: Node<'t>, module: usize) {
        let type_name = r.type_name.as_deref().unwrap_or("");
        if let Some(injected) = models::injection(&r.service, type_name, "load") {
            let members = injected
                .args
                .iter()
                .map(|(m, id)| (m.clone(), r.ids.get(id).cloned().unwrap_or(Value::Unknown)))
                .collect();
            self.emit_boto3(
                module,
                node,
                &r.service,
                Operation::Method(injected.op.clone()),
                members,
                Via::Helper,
            );
            return;
        }
        if let Some(load) =
            models::resource_model(&r.service, r.type_name.as_deref()).and_then(|m| m.load.as_ref())
        {
            let members = request_members(load, &r.ids, &CallArgs::default());
            self.emit_boto3(
                module,
                node,
                &r.service,
                Operation::Method(load.op.clone()),
                members,
                Via::Helper,
            );
        }
    }

    fn resource_attr(
        &mut self,
        r: &Rc<ResourceVal>,
        name: &str,
        node: Node<'t>,
        module: usize,
    ) -> Val<'t> {
        if name == "meta" {
            return Val::Meta(r.service.clone());
        }
        let Some(model) = models::resource_model(&r.service, r.type_name.as_deref()) else {
            return Val::Unknown;
        };
        if let Some(id) = model.identifiers.iter().find(|i| i.attribute == name) {
            return Val::Data(r.ids.get(&id.name).cloned().unwrap_or(Value::Unknown));
        }
        if let Some(collection) = model.collections.get(name) {
            let _ = collection;
            return Val::Collection(Rc::new(CollectionVal {
                service: r.service.clone(),
                owner_type: r.type_name.clone(),
                name: name.to_string(),
                owner_ids: r.ids.clone(),
                listed: Cell::new(false),
                request_args: RefCell::new(BTreeMap::new()),
            }));
        }
        if let Some(reference) = model.references.get(name) {
            self.emit_load(r, node, module);
            return self.make_resource(
                &r.service,
                reference,
                &r.ids,
                &CallArgs::default(),
                &BTreeMap::new(),
            );
        }
        if model.attributes.iter().any(|a| a == name) {
            self.emit_load(r, node, module);
            return Val::Unknown;
        }
        Val::Bound(Box::new(Val::Resource(r.clone())), Rc::from(name))
    }

    /// A resource made from a reference: identifiers from the parent, the call's
    /// arguments (`input`), or the request that returned it.
    fn make_resource(
        &mut self,
        service: &Rc<Service>,
        reference: &ResourceRef,
        parent_ids: &BTreeMap<String, Value>,
        args: &CallArgs<'t>,
        request: &BTreeMap<String, Value>,
    ) -> Val<'t> {
        let target_model = models::resource_model(service, Some(&reference.type_name));
        let mut ids = BTreeMap::new();
        let mut next_input = 0;
        for param in &reference.identifiers {
            let value = match param.source.as_str() {
                "identifier" => param
                    .name
                    .as_ref()
                    .and_then(|n| parent_ids.get(n).cloned())
                    .unwrap_or(Value::Unknown),
                "input" => {
                    let attribute = target_model
                        .and_then(|m| m.identifiers.iter().find(|i| i.name == param.target))
                        .map(|i| i.attribute.clone())
                        .unwrap_or_default();
                    let v = args
                        .get(next_input, &attribute)
                        .map(Val::to_value)
                        .unwrap_or(Value::Unknown);
                    next_input += 1;
                    v
                }
                "requestParameter" => param
                    .path
                    .as_ref()
                    .and_then(|p| request.get(top_member(p)).cloned())
                    .unwrap_or(Value::Unknown),
                _ => Value::Unknown,
            };
            ids.insert(param.target.clone(), value);
        }
        Val::Resource(Rc::new(ResourceVal {
            service: service.clone(),
            type_name: Some(reference.type_name.clone()),
            ids,
        }))
    }

    fn collection_method(
        &mut self,
        c: &Rc<CollectionVal>,
        name: &str,
        args: CallArgs<'t>,
        node: Node<'t>,
        module: usize,
    ) -> Val<'t> {
        let Some(model) = models::resource_model(&c.service, c.owner_type.as_deref())
            .and_then(|m| m.collections.get(&c.name))
        else {
            return Val::Unknown;
        };
        let lists = matches!(
            name,
            "all" | "filter" | "limit" | "page_size" | "pages" | "iterator"
        );
        let batch = model.batch.get(name);
        if !lists && batch.is_none() {
            return Val::Unknown;
        }
        if !c.listed.get() {
            let members = request_members(&model.request, &c.owner_ids, &args);
            *c.request_args.borrow_mut() = members.clone();
            c.listed.set(true);
            self.emit_boto3(
                module,
                node,
                &c.service,
                Operation::Method(model.request.op.clone()),
                members,
                Via::Helper,
            );
        }
        if let Some(batch) = batch {
            let item_ids = match self.collection_item(c) {
                Val::Resource(r) => r.ids.clone(),
                _ => BTreeMap::new(),
            };
            let members = request_members(batch, &item_ids, &args);
            self.emit_boto3(
                module,
                node,
                &c.service,
                Operation::Method(batch.op.clone()),
                members,
                Via::Helper,
            );
            return Val::Unknown;
        }
        Val::Collection(c.clone())
    }

    /// The resource one iteration over a collection yields.
    pub fn collection_item(&mut self, c: &Rc<CollectionVal>) -> Val<'t> {
        let reference = models::resource_model(&c.service, c.owner_type.as_deref())
            .and_then(|m| m.collections.get(&c.name))
            .and_then(|m| m.resource.as_ref());
        match reference {
            Some(reference) => {
                let request = c.request_args.borrow().clone();
                self.make_resource(
                    &c.service,
                    reference,
                    &c.owner_ids,
                    &CallArgs::default(),
                    &request,
                )
            }
            None => Val::Unknown,
        }
    }
}

/// The service argument of `client(...)` / `resource(...)`, with its region: the
/// `region_name` argument, else the session's.
fn service_arg(args: &CallArgs, session_region: Option<Value>) -> Option<Rc<Service>> {
    let name = args.get(0, "service_name").and_then(Val::as_str)?;
    Some(Service::new(name, region_arg(args, 1, session_region)))
}

/// The `region_name` argument, by keyword or at `position` (boto3: `client(service_name,
/// region_name=None, ...)`, `resource` alike, `Session(aws_access_key_id,
/// aws_secret_access_key, aws_session_token, region_name, ...)`), else the `region_name` of a
/// `config=botocore.config.Config(...)` argument (botocore: an explicit argument wins over
/// the config's), else `otherwise`. `None` is the function's own region: no argument, `None`,
/// or the runtime's `AWS_REGION`.
fn region_arg(args: &CallArgs, position: usize, otherwise: Option<Value>) -> Option<Value> {
    let configured = || match args.keyword("config") {
        Some(Val::LibObject(config)) if config.qualname == "botocore.config.Config" => {
            config.args.get(0, "region_name").cloned()
        }
        _ => None,
    };
    let region = args
        .get(position, "region_name")
        .cloned()
        .or_else(configured);
    match region {
        None | Some(Val::None) => otherwise,
        Some(region) => crate::facts::fixed_region(region.to_value()),
    }
}

/// `Delete.Objects[].Key` -> `Delete`.
fn top_member(path: &str) -> &str {
    path.split(['.', '[']).next().unwrap_or(path)
}

/// The members a resource-model request sends: the call's keywords, then the params the
/// model fills from identifiers and constants.
fn request_members(
    request: &Request,
    ids: &BTreeMap<String, Value>,
    args: &CallArgs,
) -> BTreeMap<String, Value> {
    let mut members = args.members();
    members.extend(param_members(&request.params, ids));
    members
}

fn param_members(params: &[Param], ids: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    let mut members = BTreeMap::new();
    for param in params {
        let value = match param.source.as_str() {
            "identifier" => param
                .name
                .as_ref()
                .and_then(|n| ids.get(n).cloned())
                .unwrap_or(Value::Unknown),
            "string" => match &param.value {
                Some(serde_json::Value::String(s)) => Value::str(s.clone()),
                _ => Value::Unknown,
            },
            "integer" | "boolean" => match &param.value {
                Some(v) => Value::Scalar {
                    value: v.to_string(),
                },
                None => Value::Unknown,
            },
            "input" => continue,
            _ => Value::Unknown,
        };
        let top = top_member(&param.target);
        let shaped = if top == param.target {
            value
        } else if param.target[top.len()..].starts_with('[')
            && !param.target[top.len()..].contains('.')
        {
            Value::List { items: vec![value] }
        } else {
            Value::Unknown
        };
        members.entry(top.to_string()).or_insert(shaped);
    }
    members
}

//! SDK dispatch: what a call or `new` does when its target is an SDK client, command,
//! package function or modelled library; everything else is followed as local code.

use std::collections::BTreeMap;
use std::rc::Rc;

use tree_sitter::Node;

use crate::facts::{CallFact, Client, Operation, Sdk, Unresolved, Via, call_text};
use crate::value::Value;

use super::frameworks::{self, Framework};
use super::interp::Interp;
use super::library;
use super::sdk::{self, table};
use super::sym::{ClientKind, ClientSym, Sym};
use crate::fields::Fields;

impl<'a> Interp<'a, '_> {
    /// `callee(args)`.
    pub fn call(&mut self, node: Node<'a>) -> Sym<'a> {
        let Some(callee) = node.field("function") else {
            return Sym::Unknown;
        };
        let arguments = node.field("arguments");
        match callee.kind() {
            "member_expression" => {
                let (Some(object), Some(property)) =
                    (callee.field("object"), callee.field("property"))
                else {
                    return Sym::Unknown;
                };
                let target = if object.kind() == "super" {
                    self.frames
                        .last()
                        .and_then(|f| f.this.clone())
                        .unwrap_or_default()
                } else {
                    self.eval(object)
                };
                let name = self.text(property).trim_start_matches('#').to_string();
                let args = self.eval_args(arguments);
                self.call_method(node, target, &name, args)
            }
            "subscript_expression" => {
                let (Some(object), Some(index)) = (callee.field("object"), callee.field("index"))
                else {
                    return Sym::Unknown;
                };
                let target = self.eval(object);
                let key = self.eval(index);
                let args = self.eval_args(arguments);
                match key.as_str() {
                    Some(name) => {
                        let name = name.to_string();
                        self.call_method(node, target, &name, args)
                    }
                    None => {
                        if matches!(target, Sym::Client(_)) {
                            self.unresolved(node, "the operation name is not a constant");
                        }
                        self.invoke_callbacks(&args, node);
                        Sym::Unknown
                    }
                }
            }
            "identifier"
                if self.text(callee) == "require" && self.lookup("require").is_unknown() =>
            {
                self.require_call(arguments)
            }
            "import" => self.require_call(arguments),
            "super" => {
                let args = self.eval_args(arguments);
                let this = self.frames.last().and_then(|f| f.this.clone());
                if let Some(Sym::Instance(instance)) = &this
                    && let Some(base) = self.base_class(instance.class)
                    && let Some(constructor) = self.method_of(base, "constructor", false)
                {
                    self.call_function(&constructor, &args, this.clone(), Some(node));
                }
                Sym::Unknown
            }
            _ => {
                let target = self.eval(callee);
                let args = self.eval_args(arguments);
                self.call_value(node, target, args)
            }
        }
    }

    fn require_call(&mut self, arguments: Option<Node<'a>>) -> Sym<'a> {
        let args = self.eval_args(arguments);
        match args.first().and_then(Sym::as_str) {
            Some(spec) => {
                let spec = spec.to_string();
                self.require(&spec)
            }
            None => Sym::Unknown,
        }
    }

    /// Calls a value that is not a method access.
    fn call_value(&mut self, node: Node<'a>, target: Sym<'a>, args: Vec<Sym<'a>>) -> Sym<'a> {
        match target {
            Sym::Func(func) => self.call_function(&func, &args, None, Some(node)),
            Sym::Method { client, name } => {
                self.client_call(node, &client, &name, &args);
                self.invoke_callbacks(&args, node);
                Sym::Unknown
            }
            Sym::Export { package, path } => self.call_export(node, &package, &path, args),
            Sym::Package(package) => self.call_export(node, &package, "default", args),
            Sym::Module(file) => {
                let default = self.module_export(file, "default");
                match default {
                    Sym::Func(func) => self.call_function(&func, &args, None, Some(node)),
                    _ => Sym::Unknown,
                }
            }
            _ => {
                self.invoke_callbacks(&args, node);
                Sym::Unknown
            }
        }
    }

    /// `target.name(args)`.
    fn call_method(
        &mut self,
        node: Node<'a>,
        target: Sym<'a>,
        name: &str,
        args: Vec<Sym<'a>>,
    ) -> Sym<'a> {
        match &target {
            Sym::Client(client) => {
                let client = client.clone();
                self.client_call(node, &client, name, &args);
                self.invoke_callbacks(&args, node);
                Sym::Unknown
            }
            Sym::Func(func) => match name {
                "bind" => target.clone(),
                "call" => {
                    let func = func.clone();
                    let this = args.first().cloned();
                    self.call_function(&func, args.get(1..).unwrap_or_default(), this, Some(node))
                }
                "apply" => {
                    let func = func.clone();
                    self.call_function(&func, &[], args.first().cloned(), Some(node))
                }
                _ => Sym::Unknown,
            },
            // `s3.putObject.bind(s3)`, `.call(s3, params)`, `.apply(s3, [params])`.
            Sym::Method {
                client,
                name: method,
            } => {
                let (client, method) = (client.clone(), method.clone());
                let args = match name {
                    "bind" => return target.clone(),
                    "call" => args.get(1..).unwrap_or_default().to_vec(),
                    "apply" => match args.get(1) {
                        Some(Sym::List(items)) => items.borrow().clone(),
                        _ => Vec::new(),
                    },
                    _ => {
                        self.invoke_callbacks(&args, node);
                        return Sym::Unknown;
                    }
                };
                self.client_call(node, &client, &method, &args);
                self.invoke_callbacks(&args, node);
                Sym::Unknown
            }
            Sym::Export { package, path } => {
                let (package, path) = (package.clone(), format!("{path}.{name}"));
                self.call_export(node, &package, &path, args)
            }
            Sym::Package(package) => {
                let package = package.clone();
                self.call_export(node, &package, name, args)
            }
            Sym::LibraryInstance {
                package,
                class,
                args: constructed,
            } => {
                let callable = format!("{class}.{name}");
                let package = package.clone();
                let constructed = constructed.clone();
                if !library::apply_method(self, node, &package, &callable, &args, &constructed) {
                    self.invoke_callbacks(&args, node);
                }
                Sym::Unknown
            }
            Sym::Framework(app) => {
                let app = app.clone();
                self.framework_call(node, &app, name, &args)
            }
            // `event.Records.map(async (record) => ...)`: each callback gets an item.
            Sym::Event(path) if ITEM_CALLBACKS.contains(&name) => {
                let item = self.event_part(path, None);
                for arg in &args {
                    if let Sym::Func(func) = arg {
                        let func = func.clone();
                        self.call_function(&func, std::slice::from_ref(&item), None, Some(node));
                    }
                }
                Sym::Unknown
            }
            Sym::List(items) if matches!(name, "push" | "unshift") => {
                items.borrow_mut().extend(args.iter().cloned());
                Sym::Unknown
            }
            Sym::List(items) if MUTATORS.contains(&name) => {
                // Items the analyzer cannot follow: the list's content is no longer known.
                let mut items = items.borrow_mut();
                items.clear();
                items.push(Sym::Unknown);
                Sym::Unknown
            }
            Sym::Instance(_) | Sym::Module(_) | Sym::Obj(_) | Sym::Class(_) => {
                let method = self.member(&target, name);
                match method {
                    Sym::Func(func) => {
                        let this = match &target {
                            Sym::Instance(_) => Some(target.clone()),
                            _ => None,
                        };
                        self.call_function(&func, &args, this, Some(node))
                    }
                    Sym::Export { package, path } => self.call_export(node, &package, &path, args),
                    _ => {
                        self.invoke_callbacks(&args, node);
                        Sym::Unknown
                    }
                }
            }
            _ => {
                if table().is_wrapper(name) {
                    return args.first().cloned().unwrap_or_default();
                }
                self.invoke_callbacks(&args, node);
                Sym::Unknown
            }
        }
    }

    /// Calls a function exported by a package (`paginateX`, `getSignedUrl`, a library).
    fn call_export(
        &mut self,
        node: Node<'a>,
        package: &str,
        path: &str,
        args: Vec<Sym<'a>>,
    ) -> Sym<'a> {
        let name = path.rsplit('.').next().unwrap_or(path);
        if table().is_wrapper(name) {
            return args.first().cloned().unwrap_or_default();
        }
        if let Some(row) = frameworks::factory(package, path) {
            return Sym::Framework(Framework::new(row));
        }
        // `AWS.config.update({ region })`: the region of every v2 client made after it.
        if package == sdk::V2_PACKAGE && path == "config.update" {
            if let Some(region) = args.first().and_then(|options| options.property("region")) {
                self.v2_region = crate::facts::fixed_region(region.to_value());
            }
            return Sym::Unknown;
        }
        // `dynamoose.Table.defaults.set({ prefix })`: options later models take.
        if let Some(row) = library::defaults_setter(package, path) {
            let options = args.first().cloned().unwrap_or_default();
            self.library_defaults
                .insert((package.to_string(), row.callable.clone()), options);
            return Sym::Unknown;
        }
        let args = match library::defaults_for(package, path) {
            Some(row) => match self
                .library_defaults
                .get(&(package.to_string(), path.to_string()))
            {
                Some(defaults) => library::with_defaults(args, row.argument, defaults),
                None => args,
            },
            None => args,
        };
        let input = args.get(1).cloned().unwrap_or_default();
        if package == sdk::V3_LIB_DYNAMODB {
            match path {
                "DynamoDBDocumentClient.from" => {
                    let document =
                        Sym::client(Sdk::JsV3, "client-dynamodb", ClientKind::V3Document);
                    return with_region_of(document, args.first());
                }
                "DynamoDBDocument.from" => {
                    let document = Sym::client(
                        Sdk::JsV3,
                        "client-dynamodb",
                        ClientKind::V3DocumentAggregated,
                    );
                    return with_region_of(document, args.first());
                }
                _ => {}
            }
            if let Some(command) = table().v3.lib_dynamodb_paginators.get(path) {
                let client = v3_client("client-dynamodb");
                self.emit(
                    node,
                    client,
                    Operation::Method(command.clone()),
                    input.to_args(),
                    Via::Paginator,
                );
                return Sym::Unknown;
            }
        }
        if let Some(service) = package
            .strip_prefix("@aws-sdk/")
            .filter(|_| package.starts_with(sdk::V3_CLIENT_PREFIX))
        {
            if let Some(operation) = path.strip_prefix("paginate").filter(|o| starts_upper(o)) {
                let client = v3_client(service);
                let command = format!("{operation}Command");
                self.emit(
                    node,
                    client,
                    Operation::Method(command),
                    input.to_args(),
                    Via::Paginator,
                );
                return Sym::Unknown;
            }
            if (path.starts_with("waitUntil") || path.starts_with("waitFor")) && !path.contains('.')
            {
                let client = v3_client(service);
                self.emit(
                    node,
                    client,
                    Operation::Waiter(path.to_string()),
                    input.to_args(),
                    Via::Waiter,
                );
                return Sym::Unknown;
            }
        }
        if package == sdk::V3_PRESIGNER && path == "getSignedUrl" {
            match args.get(1) {
                Some(Sym::Command {
                    client,
                    name,
                    input,
                }) => {
                    let (client, name, members) = (client.clone(), name.clone(), input.to_args());
                    let region = match args.first() {
                        Some(Sym::Client(signer)) => signer.region.clone(),
                        _ => None,
                    };
                    let outer = std::mem::replace(&mut self.client_region, region);
                    self.emit(node, client, Operation::Method(name), members, Via::Presign);
                    self.client_region = outer;
                }
                _ => self.unresolved(node, "the command being presigned cannot be determined"),
            }
            return Sym::Unknown;
        }
        if package == sdk::V3_PRESIGNED_POST && path == "createPresignedPost" {
            let members = presigned_post_members(&input);
            self.emit(
                node,
                v3_client("client-s3"),
                Operation::Method("PutObjectCommand".into()),
                members,
                Via::Presign,
            );
            return Sym::Unknown;
        }
        let modelled = library::apply(self, node, package, path, &args);
        // A factory whose result has modelled methods (`dynamoose.model('Cat', schema)`).
        if library::has_class(package, path) {
            return Sym::LibraryInstance {
                package: package.to_string(),
                class: path.to_string(),
                args: Rc::new(args),
            };
        }
        if !modelled {
            self.invoke_callbacks(&args, node);
        }
        Sym::Unknown
    }

    /// `new Ctor(args)`.
    pub fn construct(&mut self, node: Node<'a>) -> Sym<'a> {
        let constructor = node.field("constructor");
        // `new AWS[name]()`, `new s3[commandName](input)`: an SDK class chosen at run time.
        if let Some(subscript) = constructor.filter(|c| c.kind() == "subscript_expression")
            && let (Some(object), Some(index)) =
                (subscript.field("object"), subscript.field("index"))
            && matches!(self.eval(object), Sym::Package(p) if is_sdk_package(&p))
            && self.eval(index).as_str().is_none()
        {
            self.eval_args(node.field("arguments"));
            self.unresolved(node, "the SDK class is not a constant");
            return Sym::Unknown;
        }
        let target = constructor.map(|c| self.eval(c)).unwrap_or_default();
        let args = self.eval_args(node.field("arguments"));
        match target {
            Sym::Class(class) => self.instantiate(class, &args, Some(node)),
            Sym::Export { package, path } => self.construct_export(node, &package, &path, args),
            // `new Koa()`, `new Router()`: the package's default export.
            Sym::Package(package) => self.construct_export(node, &package, "default", args),
            Sym::Func(func) => {
                self.call_function(&func, &args, None, Some(node));
                Sym::Unknown
            }
            // `new Model(item)` of a library's model (dynamoose): an item whose methods
            // (`save`, `delete`) are the model's `new.*` callables.
            Sym::LibraryInstance {
                package,
                class,
                args: constructed,
            } if library::has_class(&package, &format!("{class}.new")) => Sym::LibraryInstance {
                package,
                class: format!("{class}.new"),
                args: constructed,
            },
            _ => {
                self.invoke_callbacks(&args, node);
                Sym::Unknown
            }
        }
    }

    fn construct_export(
        &mut self,
        node: Node<'a>,
        package: &str,
        path: &str,
        args: Vec<Sym<'a>>,
    ) -> Sym<'a> {
        if let Some(row) = frameworks::factory(package, path) {
            return Sym::Framework(Framework::new(row));
        }
        let input = args.first().cloned().unwrap_or_default();
        if package == sdk::V2_PACKAGE && path == "S3.ManagedUpload" {
            let params = input.property("params").unwrap_or_default();
            self.emit_set(
                node,
                Client {
                    sdk: Sdk::JsV2,
                    service: "S3".into(),
                },
                &table().v2.upload,
                &params,
                Via::Helper,
            );
            return Sym::Unknown;
        }
        if package == sdk::V3_LIB_STORAGE && path == "Upload" {
            let params = input.property("params").unwrap_or_default();
            let client = v3_client("client-s3");
            self.emit_set(
                node,
                client.clone(),
                &table().v3.upload.commands,
                &params,
                Via::Helper,
            );
            if input.property("tags").is_some() {
                let tagging = table().v3.upload.tagging.clone();
                self.emit(
                    node,
                    client,
                    Operation::Method(tagging),
                    params.to_args(),
                    Via::Helper,
                );
            }
            return Sym::Unknown;
        }
        if package == sdk::V3_LIB_DYNAMODB
            && let Some(command) = table().v3.lib_dynamodb_commands.get(path)
        {
            return Sym::Command {
                client: v3_client("client-dynamodb"),
                name: command.clone(),
                input: Box::new(input),
            };
        }
        if package.starts_with(sdk::V3_CLIENT_PREFIX)
            && path.ends_with("Command")
            && !path.contains('.')
        {
            let service = package.trim_start_matches("@aws-sdk/");
            return Sym::Command {
                client: v3_client(service),
                name: path.to_string(),
                input: Box::new(input),
            };
        }
        if let Some(client) = self.client_class(package, path) {
            let client = match &client {
                Sym::Client(c) if c.client.sdk == Sdk::JsV2 && self.v2_region.is_some() => {
                    c.in_region(self.v2_region.clone())
                }
                _ => client,
            };
            return configure(client, &input);
        }
        if library::apply(self, node, package, path, &args) || library::has_class(package, path) {
            return Sym::LibraryInstance {
                package: package.to_string(),
                class: path.to_string(),
                args: Rc::new(args),
            };
        }
        self.invoke_callbacks(&args, node);
        Sym::Unknown
    }

    /// The client an SDK class makes, if it is a client class.
    pub fn client_class(&self, package: &str, path: &str) -> Option<Sym<'a>> {
        if package == sdk::V2_PACKAGE {
            if path == "DynamoDB.DocumentClient" {
                return Some(Sym::client(
                    Sdk::JsV2,
                    "DynamoDB",
                    ClientKind::V2DocumentClient,
                ));
            }
            if path.contains('.')
                || !starts_upper(path)
                || table().v2.not_clients.iter().any(|c| c == path)
            {
                return None;
            }
            return Some(Sym::client(Sdk::JsV2, path, ClientKind::V2));
        }
        if package == sdk::V3_LIB_DYNAMODB {
            return match path {
                "DynamoDBDocumentClient" => Some(Sym::client(
                    Sdk::JsV3,
                    "client-dynamodb",
                    ClientKind::V3Document,
                )),
                "DynamoDBDocument" => Some(Sym::client(
                    Sdk::JsV3,
                    "client-dynamodb",
                    ClientKind::V3DocumentAggregated,
                )),
                _ => None,
            };
        }
        if package.starts_with(sdk::V3_CLIENT_PREFIX) && !path.contains('.') && starts_upper(path) {
            let service = package.trim_start_matches("@aws-sdk/");
            if path.ends_with("Command") || path.ends_with("Exception") || path.ends_with("Error") {
                return None;
            }
            let kind = if path.ends_with("Client") {
                ClientKind::V3Bare
            } else {
                ClientKind::V3Aggregated
            };
            return Some(Sym::client(Sdk::JsV3, service, kind));
        }
        None
    }

    /// A method call on an SDK client.
    fn client_call(
        &mut self,
        node: Node<'a>,
        client: &Rc<ClientSym>,
        method: &str,
        args: &[Sym<'a>],
    ) {
        let input = args.first().cloned().unwrap_or_default();
        let c = client.client.clone();
        let outer = std::mem::replace(&mut self.client_region, client.region.clone());
        self.dispatch_client_call(node, client, c, method, args, input);
        self.client_region = outer;
    }

    fn dispatch_client_call(
        &mut self,
        node: Node<'a>,
        client: &Rc<ClientSym>,
        c: Client,
        method: &str,
        args: &[Sym<'a>],
        input: Sym<'a>,
    ) {
        match client.kind {
            ClientKind::V3Bare | ClientKind::V3Document => {
                if method == "send" {
                    self.send(node, args);
                }
            }
            ClientKind::V3Aggregated => {
                if method == "send" {
                    self.send(node, args);
                } else if !table().v3.not_operations.iter().any(|m| m == method) {
                    self.emit(
                        node,
                        c,
                        Operation::Method(method.to_string()),
                        input.to_args(),
                        Via::Call,
                    );
                }
            }
            ClientKind::V3DocumentAggregated => {
                if method == "send" {
                    self.send(node, args);
                } else if let Some(mapped) = table().v3.lib_dynamodb_methods.get(method) {
                    self.emit(
                        node,
                        c,
                        Operation::Method(mapped.clone()),
                        input.to_args(),
                        Via::Call,
                    );
                }
            }
            ClientKind::V2DocumentClient => {
                if let Some(mapped) = table().v2.document_client.get(method) {
                    self.emit(
                        node,
                        c,
                        Operation::Method(mapped.clone()),
                        input.to_args(),
                        Via::Call,
                    );
                }
            }
            ClientKind::V2 => self.v2_call(node, c, method, args, &client.bound),
        }
    }

    fn v2_call(
        &mut self,
        node: Node<'a>,
        client: Client,
        method: &str,
        args: &[Sym<'a>],
        bound: &BTreeMap<String, Value>,
    ) {
        let first = with_bound(args.first().cloned().unwrap_or_default(), bound);
        let second = with_bound(args.get(1).cloned().unwrap_or_default(), bound);
        match method {
            "upload" if client.service == "S3" => {
                self.emit_set(node, client, &table().v2.upload, &first, Via::Helper);
            }
            "getSignedUrl"
            | "getSignedUrlPromise"
            | "makeRequest"
            | "makeUnauthenticatedRequest"
            | "waitFor" => {
                let Some(name) = first.as_str() else {
                    self.unresolved(node, "the operation name is not a constant");
                    return;
                };
                let (operation, via) = match method {
                    "waitFor" => (Operation::Waiter(name.to_string()), Via::Waiter),
                    "getSignedUrl" | "getSignedUrlPromise" => {
                        (Operation::Method(name.to_string()), Via::Presign)
                    }
                    _ => (Operation::Method(name.to_string()), Via::Call),
                };
                self.emit(node, client, operation, second.to_args(), via);
            }
            "createPresignedPost" if client.service == "S3" => {
                let members = presigned_post_members(&first);
                self.emit(
                    node,
                    client,
                    Operation::Method("putObject".into()),
                    members,
                    Via::Presign,
                );
            }
            _ if table().v2.not_operations.iter().any(|m| m == method) => {}
            _ => {
                self.emit(
                    node,
                    client,
                    Operation::Method(method.to_string()),
                    first.to_args(),
                    Via::Call,
                );
            }
        }
    }

    /// `client.send(command)`.
    fn send(&mut self, node: Node<'a>, args: &[Sym<'a>]) {
        match args.first() {
            Some(Sym::Command {
                client,
                name,
                input,
            }) => {
                let (client, name, members) = (client.clone(), name.clone(), input.to_args());
                self.emit(node, client, Operation::Method(name), members, Via::Call);
            }
            _ => self.unresolved(node, "the command sent cannot be determined"),
        }
    }

    /// One fact per operation of a helper's set (upload's multipart set).
    fn emit_set(
        &mut self,
        node: Node<'a>,
        client: Client,
        operations: &[String],
        input: &Sym<'a>,
        via: Via,
    ) {
        for operation in operations {
            self.emit(
                node,
                client.clone(),
                Operation::Method(operation.clone()),
                input.to_args(),
                via,
            );
        }
    }

    pub fn emit(
        &mut self,
        node: Node<'a>,
        client: Client,
        operation: Operation,
        args: BTreeMap<String, Value>,
        via: Via,
    ) {
        let location = self.location(operation_node(node));
        let chain = self.chain(&location);
        self.facts.calls.push(CallFact {
            client,
            operation,
            args,
            via,
            call: call_text(self.text(node)),
            location,
            chain,
            region: self.client_region.clone(),
        });
    }

    pub fn unresolved(&mut self, node: Node<'a>, why: &str) {
        self.facts.unresolved.push(Unresolved {
            location: self.location(operation_node(node)),
            call: call_text(self.text(node)),
            why: why.to_string(),
        });
    }
}

/// The node whose line a fact reports: the method name of `client\n  .put(...)`, so chained
/// calls split over lines point at the operation, else the call itself.
fn operation_node(call: Node<'_>) -> Node<'_> {
    call.field("function")
        .filter(|f| f.kind() == "member_expression")
        .and_then(|f| f.field("property"))
        .unwrap_or(call)
}

/// A document client made `from` a client: it calls through that client, in its region.
fn with_region_of<'a>(document: Sym<'a>, wrapped: Option<&Sym<'a>>) -> Sym<'a> {
    match (&document, wrapped) {
        (Sym::Client(d), Some(Sym::Client(w))) if w.region.is_some() => {
            d.in_region(w.region.clone())
        }
        _ => document,
    }
}

/// A client as its constructor's options configure it: the region they fix, and for v2,
/// `{ params: {...} }` kept as bound parameters.
fn configure<'a>(client: Sym<'a>, options: &Sym<'a>) -> Sym<'a> {
    let Sym::Client(c) = &client else {
        return client;
    };
    let region = options
        .property("region")
        .and_then(|r| crate::facts::fixed_region(r.to_value()));
    let params = options
        .property("params")
        .filter(|_| c.client.sdk == Sdk::JsV2);
    if region.is_none() && params.is_none() {
        return client;
    }
    Sym::Client(Rc::new(ClientSym {
        bound: params.map_or_else(|| c.bound.clone(), |p| p.to_args()),
        region: region.or_else(|| c.region.clone()),
        ..(**c).clone()
    }))
}

/// A v2 call's input with the client's bound parameters filled in where the call has none.
fn with_bound<'a>(input: Sym<'a>, bound: &BTreeMap<String, Value>) -> Sym<'a> {
    if bound.is_empty() {
        return input;
    }
    let object = super::sym::Object::default();
    for (key, value) in bound {
        object
            .borrow_mut()
            .insert(key.clone(), Sym::Val(value.clone()));
    }
    match &input {
        Sym::Obj(given) => {
            for (key, value) in given.borrow().iter() {
                object.borrow_mut().insert(key.clone(), value.clone());
            }
        }
        // `s3.listObjects(callback)`: no params of its own.
        Sym::Func(_) => {}
        // Unknown params may override the bound ones: claim nothing.
        _ => return input,
    }
    Sym::Obj(object)
}

/// Array methods that change a list in ways not tracked item by item.
const MUTATORS: [&str; 5] = ["splice", "fill", "copyWithin", "pop", "shift"];

/// Array methods that call their callback with each item (MDN, Array.prototype).
const ITEM_CALLBACKS: &[&str] = &[
    "map",
    "forEach",
    "filter",
    "flatMap",
    "some",
    "every",
    "find",
    "findIndex",
];

fn is_sdk_package(package: &str) -> bool {
    package == sdk::V2_PACKAGE
        || package.starts_with(sdk::V3_CLIENT_PREFIX)
        || package == sdk::V3_LIB_DYNAMODB
}

fn v3_client(service: &str) -> Client {
    Client {
        sdk: Sdk::JsV3,
        service: service.to_string(),
    }
}

fn starts_upper(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

/// PutObject members of a presigned POST: `Bucket`, and `Key` from `Key` (v3) or
/// `Fields.key` (v2).
fn presigned_post_members(input: &Sym<'_>) -> BTreeMap<String, Value> {
    let mut members = BTreeMap::new();
    if let Some(bucket) = input.property("Bucket") {
        members.insert("Bucket".to_string(), bucket.to_value());
    }
    let key = input
        .property("Key")
        .or_else(|| input.property("Fields").and_then(|f| f.property("key")));
    if let Some(key) = key {
        members.insert("Key".to_string(), key.to_value());
    }
    members
}

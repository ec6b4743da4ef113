//! Abstract values: what an expression evaluates to, as far as the analyzer tracks it.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use tree_sitter::Node;

use crate::facts::{Client, Sdk};

use super::frameworks::Framework;
use crate::value::Value;

/// The kind of SDK client an object is; decides how its methods map to operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientKind {
    /// v2 `new AWS.S3()`: every method is an operation.
    V2,
    /// v2 `new AWS.DynamoDB.DocumentClient()`.
    V2DocumentClient,
    /// v3 `new S3Client()`: only `send(command)`.
    V3Bare,
    /// v3 `new S3()`: aggregated, methods and `send`.
    V3Aggregated,
    /// v3 `DynamoDBDocumentClient.from(...)`: `send` with lib-dynamodb commands.
    V3Document,
    /// v3 `DynamoDBDocument.from(...)`: aggregated lib-dynamodb methods.
    V3DocumentAggregated,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSym {
    pub client: Client,
    pub kind: ClientKind,
    /// v2 bound parameters (`new AWS.S3({ params: { Bucket: 'b' } })`): members every call
    /// of the client carries unless the call gives its own.
    pub bound: BTreeMap<String, Value>,
    /// The region the code fixed for the client (`{ region: 'us-east-1' }`); `None` is the
    /// function's own.
    pub region: Option<Value>,
}

impl ClientSym {
    /// This client made for `region` instead.
    pub fn in_region<'a>(&self, region: Option<Value>) -> Sym<'a> {
        Sym::Client(Rc::new(ClientSym {
            region,
            ..self.clone()
        }))
    }
}

/// A function the analyzer can walk into.
#[derive(Debug, Clone)]
pub struct FuncRef<'a> {
    pub file: usize,
    /// A function declaration/expression, arrow function or method definition.
    pub node: Node<'a>,
    pub name: String,
    /// The scope the function closes over (none for module-level functions).
    pub scope: Option<Rc<Scope<'a>>>,
    /// `this` inside the function: the instance for methods, captured for arrows.
    pub this: Option<Sym<'a>>,
}

#[derive(Debug, Clone, Copy)]
pub struct ClassRef<'a> {
    pub file: usize,
    pub node: Node<'a>,
}

#[derive(Debug)]
pub struct Instance<'a> {
    pub class: ClassRef<'a>,
    pub fields: RefCell<HashMap<String, Sym<'a>>>,
}

/// An object literal (mutable: `params.Key = k` after creation is common).
pub type Object<'a> = Rc<RefCell<BTreeMap<String, Sym<'a>>>>;

/// The key under which an object records that it has members the analyzer could not name
/// (a computed key, a spread of an unknown object). Never a JavaScript identifier.
const OPEN: &str = "\u{0}open";

/// Records that `object` has members the analyzer could not name.
pub fn mark_open(object: &Object<'_>) {
    object.borrow_mut().insert(OPEN.to_string(), Sym::Unknown);
}

/// An array literal's items.
pub type List<'a> = Rc<RefCell<Vec<Sym<'a>>>>;

#[derive(Debug, Clone, Default)]
pub enum Sym<'a> {
    #[default]
    Unknown,
    /// A string, number, env var or concatenation.
    Val(Value),
    Obj(Object<'a>),
    /// An array literal (mutable: `items.push(x)` adds `x`).
    List(List<'a>),
    /// A non-local package's module object (`aws-sdk`, `@aws-sdk/client-s3`).
    Package(String),
    /// A named export of a package, with a dotted path below it (`DynamoDB.DocumentClient`).
    Export {
        package: String,
        path: String,
    },
    Client(Rc<ClientSym>),
    /// A client's method taken as a value (`s3.putObject.bind(s3)`, `const { send } = client`,
    /// `promisify(ddb.get)`): calling it is calling the method on the client.
    Method {
        client: Rc<ClientSym>,
        name: String,
    },
    /// A v3 command object: the operation it will run, with its input.
    Command {
        client: Client,
        name: String,
        input: Box<Sym<'a>>,
    },
    /// An object a modelled library's class constructed (`new SSMProvider()`), with the
    /// constructor's arguments (models read them as `new.N...`).
    LibraryInstance {
        package: String,
        class: String,
        args: Rc<Vec<Sym<'a>>>,
    },
    Func(Rc<FuncRef<'a>>),
    /// A web framework's app or router (`express()`, `new Koa()`): routes run on dispatch.
    Framework(Rc<Framework<'a>>),
    Class(ClassRef<'a>),
    Instance(Rc<Instance<'a>>),
    /// A local module's namespace object (index into the program's files).
    Module(usize),
    /// `process`.
    Process,
    /// `process.env`.
    ProcessEnv,
    /// A part of the handler's event not yet bound by the triggers, by its path
    /// (`Records[]`, `Records[].s3`): reading further may reach a value they determine.
    Event(Rc<str>),
}

impl<'a> Sym<'a> {
    pub fn str(value: impl Into<String>) -> Self {
        Sym::Val(Value::str(value))
    }

    pub fn list(items: Vec<Sym<'a>>) -> Self {
        Sym::List(Rc::new(RefCell::new(items)))
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Sym::Unknown)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Sym::Val(v) => v.as_str(),
            _ => None,
        }
    }

    pub fn client(sdk: Sdk, service: impl Into<String>, kind: ClientKind) -> Self {
        Sym::Client(Rc::new(ClientSym {
            client: Client {
                sdk,
                service: service.into(),
            },
            kind,
            bound: BTreeMap::new(),
            region: None,
        }))
    }

    /// The property `name` of an object literal.
    pub fn property(&self, name: &str) -> Option<Sym<'a>> {
        match self {
            Sym::Obj(object) => object.borrow().get(name).cloned(),
            _ => None,
        }
    }

    /// The value an SDK argument takes: strings and containers as [`Value`]s, anything
    /// else unknown.
    pub fn to_value(&self) -> Value {
        self.to_value_depth(0)
    }

    fn to_value_depth(&self, depth: usize) -> Value {
        if depth > 8 {
            return Value::Unknown;
        }
        match self {
            Sym::Val(v) => v.clone(),
            // A map with members we could not name is not a map we know.
            Sym::Obj(object) if object.borrow().contains_key(OPEN) => Value::Unknown,
            Sym::Obj(object) => Value::Map {
                entries: object
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value_depth(depth + 1)))
                    .collect(),
            },
            Sym::List(items) => Value::List {
                items: items
                    .borrow()
                    .iter()
                    .map(|i| i.to_value_depth(depth + 1))
                    .collect(),
            },
            _ => Value::Unknown,
        }
    }

    /// The input members of an SDK call, from its input argument.
    pub fn to_args(&self) -> BTreeMap<String, Value> {
        match self {
            Sym::Obj(object) => object
                .borrow()
                .iter()
                .filter(|(k, _)| k.as_str() != OPEN)
                .map(|(k, v)| (k.clone(), v.to_value()))
                .collect(),
            _ => BTreeMap::new(),
        }
    }

    /// A short, deterministic description used to memoise function walks by argument.
    pub fn signature(&self, out: &mut String, depth: usize) {
        use std::fmt::Write;
        if depth > 3 || out.len() > 512 {
            return;
        }
        match self {
            Sym::Unknown => out.push('?'),
            Sym::Val(v) => {
                let _ = write!(out, "{v:?}");
            }
            Sym::Obj(object) => {
                out.push('{');
                for (k, v) in object.borrow().iter() {
                    out.push_str(k);
                    out.push(':');
                    v.signature(out, depth + 1);
                    out.push(',');
                }
                out.push('}');
            }
            Sym::List(items) => {
                out.push('[');
                for item in items.borrow().iter() {
                    item.signature(out, depth + 1);
                    out.push(',');
                }
                out.push(']');
            }
            Sym::Package(p) => out.push_str(p),
            Sym::Export { package, path } => {
                let _ = write!(out, "{package}#{path}");
            }
            Sym::Client(c) => {
                let _ = write!(out, "client:{}:{:?}", c.client.service, c.kind);
            }
            Sym::Command { name, .. } => out.push_str(name),
            Sym::Method { client, name } => {
                let _ = write!(
                    out,
                    "method:{}:{:?}.{name}",
                    client.client.service, client.kind
                );
            }
            Sym::LibraryInstance { class, .. } => out.push_str(class),
            Sym::Func(f) => {
                let _ = write!(out, "fn:{}:{}", f.file, f.node.id());
            }
            Sym::Framework(app) => {
                let _ = write!(out, "app:{:p}", Rc::as_ptr(app));
            }
            Sym::Class(c) => {
                let _ = write!(out, "class:{}:{}", c.file, c.node.id());
            }
            Sym::Instance(i) => {
                let _ = write!(out, "inst:{:p}", Rc::as_ptr(i));
            }
            Sym::Module(m) => {
                let _ = write!(out, "mod:{m}");
            }
            Sym::Process => out.push_str("process"),
            Sym::ProcessEnv => out.push_str("process.env"),
            Sym::Event(path) => {
                let _ = write!(out, "event:{path}");
            }
        }
    }
}

/// A function-level scope (blocks share their function's scope).
#[derive(Debug, Default)]
pub struct Scope<'a> {
    pub vars: RefCell<HashMap<String, Sym<'a>>>,
    pub parent: Option<Rc<Scope<'a>>>,
}

impl<'a> Scope<'a> {
    pub fn child(parent: Option<Rc<Scope<'a>>>) -> Rc<Scope<'a>> {
        Rc::new(Scope {
            vars: RefCell::new(HashMap::new()),
            parent,
        })
    }

    /// The scope that declares `name`, if any.
    pub fn lookup(&self, name: &str) -> Option<Sym<'a>> {
        if let Some(found) = self.vars.borrow().get(name) {
            return Some(found.clone());
        }
        self.parent.as_ref().and_then(|p| p.lookup(name))
    }

    pub fn declare(&self, name: &str, value: Sym<'a>) {
        self.vars.borrow_mut().insert(name.to_string(), value);
    }

    /// Assigns to the innermost scope declaring `name`; false when none does.
    pub fn assign(&self, name: &str, value: Sym<'a>) -> bool {
        if let Some(slot) = self.vars.borrow_mut().get_mut(name) {
            *slot = value;
            return true;
        }
        self.parent.as_ref().is_some_and(|p| p.assign(name, value))
    }
}

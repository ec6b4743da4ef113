//! Abstract values: what the interpreter knows about a Python expression.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use tree_sitter::Node;

use crate::Value;

/// A scope's names.
pub type Env<'t> = Rc<RefCell<HashMap<String, Val<'t>>>>;

pub fn new_env<'t>() -> Env<'t> {
    Rc::new(RefCell::new(HashMap::new()))
}

#[derive(Clone)]
pub enum Val<'t> {
    /// Strings, numbers, lists and dicts of them: what becomes an argument [`Value`].
    Data(Value),
    None,
    /// A dict holding values that are not plain data (clients, resources) under string
    /// keys: `CLIENTS = {"s3": boto3.client("s3")}`, lazily filled caches.
    Dict(Rc<RefCell<BTreeMap<String, Val<'t>>>>),
    /// A local module (index into the program), or a namespace package folder.
    Module(ModRef),
    /// A name from a module we do not read: `boto3.client`, `os.environ`.
    Extern(Rc<str>),
    /// An object made by calling a third-party class: `SSMProvider()`.
    LibObject(Rc<LibObject<'t>>),
    /// A boto3/botocore session, with the region it was made for (`region_name=`).
    Session(Option<Value>),
    /// A client; `None` when the service name is not a constant.
    Client(Option<Rc<Service>>),
    /// A boto3 resource (service resource when `type_name` is `None`).
    Resource(Rc<ResourceVal>),
    Collection(Rc<CollectionVal>),
    /// `resource.meta`: its `.client` is the resource's client.
    Meta(Rc<Service>),
    Paginator(Option<Rc<Service>>, Option<String>),
    Waiter(Option<Rc<Service>>, Option<String>),
    Function(Rc<FuncVal<'t>>),
    Class(Rc<ClassVal<'t>>),
    Instance(Rc<InstanceVal<'t>>),
    /// `receiver.name` not called yet: dispatched when called.
    Bound(Box<Val<'t>>, Rc<str>),
    /// `getattr(receiver, name)` with a name that is not a constant.
    DynamicAttr(Box<Val<'t>>),
    /// One of several objects (functions of a dispatch table, clients of two branches):
    /// calls and attribute reads apply to each.
    Union(Vec<Val<'t>>),
    /// A part of the handler's event not yet bound by the triggers, by its path
    /// (`Records[]`, `Records[].s3`): reading further may reach a value they determine.
    Event(Rc<str>),
    /// `super()` inside a method of class `owner`, for `instance`.
    Super(Box<Val<'t>>, Rc<str>),
    /// `functools.partial(callee, *args, **kwargs)`: calling it calls `callee` with these
    /// arguments first (`put = partial(s3.put_object, Bucket=B)`).
    Partial(Rc<(Val<'t>, CallArgs<'t>)>),
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ModRef {
    Local(usize),
    Namespace(String),
}

pub struct LibObject<'t> {
    pub qualname: String,
    pub args: CallArgs<'t>,
    /// Local functions registered on the object by decorators (`@app.get("/")`,
    /// `@app.route(...)`): the framework calls them when the object handles an event.
    pub callbacks: RefCell<Vec<Rc<FuncVal<'t>>>>,
    /// Framework objects mounted on this one (`app.include_router(router)`): it dispatches
    /// to their callbacks too.
    pub mounted: RefCell<Vec<Rc<LibObject<'t>>>>,
    /// The methods used to register them (they do not dispatch).
    pub registrars: RefCell<Vec<String>>,
    pub callbacks_ran: Cell<bool>,
}

impl<'t> LibObject<'t> {
    pub fn new(qualname: String, args: CallArgs<'t>) -> Self {
        Self {
            qualname,
            args,
            callbacks: RefCell::new(Vec::new()),
            mounted: RefCell::new(Vec::new()),
            registrars: RefCell::new(Vec::new()),
            callbacks_ran: Cell::new(false),
        }
    }
}

/// The service of a client or resource object, and the region the code fixed when it made
/// the object (`region_name="us-east-1"`): `None` is the function's own region. Reads as
/// the service name.
#[derive(Debug, PartialEq)]
pub struct Service {
    pub name: Rc<str>,
    pub region: Option<Value>,
}

impl Service {
    pub fn new(name: impl Into<Rc<str>>, region: Option<Value>) -> Rc<Self> {
        Rc::new(Self {
            name: name.into(),
            region,
        })
    }
}

impl std::ops::Deref for Service {
    type Target = str;

    fn deref(&self) -> &str {
        &self.name
    }
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

pub struct ResourceVal {
    pub service: Rc<Service>,
    pub type_name: Option<String>,
    /// Identifier name (`Name`, `BucketName`) -> value.
    pub ids: BTreeMap<String, Value>,
}

pub struct CollectionVal {
    pub service: Rc<Service>,
    pub owner_type: Option<String>,
    pub name: String,
    pub owner_ids: BTreeMap<String, Value>,
    /// Set once the listing call has been reported, so `.filter().limit()` reports it once.
    pub listed: Cell<bool>,
    pub request_args: RefCell<BTreeMap<String, Value>>,
}

pub struct FuncVal<'t> {
    pub module: usize,
    /// The `function_definition` (or `lambda`) node.
    pub node: Node<'t>,
    /// `name` or `Class.name`, for chains.
    pub name: String,
    pub decorators: Vec<Node<'t>>,
    /// Enclosing function scopes, innermost last.
    pub closure: Vec<Env<'t>>,
    /// `self` (or `cls`) for a bound method.
    pub bound: Option<Val<'t>>,
    pub decorators_applied: bool,
}

impl<'t> FuncVal<'t> {
    pub fn has_decorator(&self, src: &str, names: &[&str]) -> bool {
        self.decorators.iter().any(|d| {
            let text = super::syntax::node_text(*d, src);
            let text = text.trim_start_matches('@').trim();
            let last = text.rsplit('.').next().unwrap_or(text);
            names.contains(&last)
        })
    }

    pub fn with_bound(&self, bound: Val<'t>) -> Rc<FuncVal<'t>> {
        Rc::new(FuncVal {
            module: self.module,
            node: self.node,
            name: self.name.clone(),
            decorators: self.decorators.clone(),
            closure: self.closure.clone(),
            bound: Some(bound),
            decorators_applied: self.decorators_applied,
        })
    }

    pub fn bare(&self) -> Rc<FuncVal<'t>> {
        Rc::new(FuncVal {
            module: self.module,
            node: self.node,
            name: self.name.clone(),
            decorators: self.decorators.clone(),
            closure: self.closure.clone(),
            bound: self.bound.clone(),
            decorators_applied: true,
        })
    }
}

pub struct ClassVal<'t> {
    pub module: usize,
    pub name: String,
    pub node: Node<'t>,
    pub bases: Vec<Val<'t>>,
    pub attrs: Env<'t>,
}

pub struct InstanceVal<'t> {
    pub class: Rc<ClassVal<'t>>,
    pub attrs: Env<'t>,
    /// The local class (or instance) this object was read from as an attribute, and the
    /// attribute's name: a PynamoDB index (`User.email_index`) queries its model's table
    /// and is named after the attribute unless its `Meta` names it. Set only for instances
    /// of classes with a third-party base, the only ones library models read it from.
    pub owner: Option<(Val<'t>, Rc<str>)>,
}

/// Evaluated call arguments.
#[derive(Clone, Default)]
pub struct CallArgs<'t> {
    pub positional: Vec<Val<'t>>,
    pub keywords: Vec<(String, Val<'t>)>,
}

impl<'t> CallArgs<'t> {
    pub fn of(positional: Vec<Val<'t>>) -> Self {
        Self {
            positional,
            keywords: Vec::new(),
        }
    }

    pub fn keyword(&self, name: &str) -> Option<&Val<'t>> {
        self.keywords
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The argument given by position `index` or by keyword `name`.
    pub fn get(&self, index: usize, name: &str) -> Option<&Val<'t>> {
        self.keyword(name).or_else(|| self.positional.get(index))
    }

    /// Keyword arguments as SDK input members.
    pub fn members(&self) -> BTreeMap<String, Value> {
        self.keywords
            .iter()
            .map(|(k, v)| (k.clone(), v.to_value()))
            .collect()
    }
}

impl<'t> Val<'t> {
    pub fn str(s: impl Into<String>) -> Self {
        Val::Data(Value::str(s))
    }

    /// The argument value synth sees.
    pub fn to_value(&self) -> Value {
        match self {
            Val::Data(v) => v.clone(),
            Val::Dict(d) => Value::Map {
                entries: d
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect(),
            },
            _ => Value::Unknown,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Data(v) => v.as_str(),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown | Val::None | Val::Data(Value::Unknown))
    }

    /// A short description of the value for memoising calls by their arguments.
    pub fn signature(&self) -> String {
        match self {
            Val::Data(v) => format!("{v:?}"),
            Val::None => "None".into(),
            Val::Dict(d) => format!("dict:{:p}", Rc::as_ptr(d)),
            Val::Module(m) => format!("mod:{m:?}"),
            Val::Extern(q) => format!("ext:{q}"),
            Val::LibObject(o) => format!("lib:{:p}", Rc::as_ptr(o)),
            Val::Session(region) => format!("session:{region:?}"),
            Val::Client(s) => format!("client:{s:?}"),
            Val::Resource(r) => format!("res:{}:{:?}:{:?}", r.service, r.type_name, r.ids),
            Val::Collection(c) => format!("coll:{:p}", Rc::as_ptr(c)),
            Val::Meta(s) => format!("meta:{s}"),
            Val::Paginator(s, m) => format!("pag:{s:?}:{m:?}"),
            Val::Waiter(s, m) => format!("wait:{s:?}:{m:?}"),
            Val::Function(f) => format!(
                "fn:{}:{}:{}",
                f.module,
                f.node.id(),
                f.bound.as_ref().map(Val::signature).unwrap_or_default()
            ),
            Val::Class(c) => format!("class:{:p}", Rc::as_ptr(c)),
            Val::Instance(i) => format!("inst:{:p}", Rc::as_ptr(i)),
            Val::Bound(r, n) => format!("bound:{}.{n}", r.signature()),
            Val::DynamicAttr(r) => format!("dyn:{}", r.signature()),
            Val::Super(i, owner) => format!("super:{owner}:{}", i.signature()),
            Val::Event(path) => format!("event:{path}"),
            Val::Partial(p) => format!("partial:{:p}", Rc::as_ptr(p)),
            Val::Union(items) => format!(
                "union:{}",
                items
                    .iter()
                    .map(Val::signature)
                    .collect::<Vec<_>>()
                    .join("|")
            ),
            Val::Unknown => "?".into(),
        }
    }
}

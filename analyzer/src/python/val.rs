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
    /// A boto3/botocore session.
    Session,
    /// A client; `None` when the service name is not a constant.
    Client(Option<Rc<str>>),
    /// A boto3 resource (service resource when `type_name` is `None`).
    Resource(Rc<ResourceVal>),
    Collection(Rc<CollectionVal>),
    /// `resource.meta`: its `.client` is the resource's client.
    Meta(Rc<str>),
    Paginator(Option<Rc<str>>, Option<String>),
    Waiter(Option<Rc<str>>, Option<String>),
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

pub struct ResourceVal {
    pub service: Rc<str>,
    pub type_name: Option<String>,
    /// Identifier name (`Name`, `BucketName`) -> value.
    pub ids: BTreeMap<String, Value>,
}

pub struct CollectionVal {
    pub service: Rc<str>,
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
            Val::Session => "session".into(),
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

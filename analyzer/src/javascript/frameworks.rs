//! Web frameworks run inside a Lambda function behind an adapter (`serverless(app)` with
//! Express, Koa, Fastify, Hono, lambda-api): the routes registered on the app are what the
//! function runs. Which packages make framework objects is data, the `[[framework]]` rows of
//! `grammars/libraries/javascript.toml`; this file is what a framework object does.
//!
//! A framework object records the functions its methods are given (`app.get('/x', fn)`,
//! `app.use(mw)`, `fastify.route({ handler })`) and the framework objects mounted on it
//! (`app.use('/p', router)`, `app.use(router.routes())`, `app.route('/api', sub)`); every
//! method returns the object itself, so chains (`router.route('/x').get(f).post(g)`) register
//! on it too. Nothing runs at registration: the routes run when the object is dispatched —
//! handed to code the analyzer does not read (`serverless(app)`, `serverlessExpress({ app })`,
//! `handle(app)`), called through a dispatch method (`api.run(event, context)`), or exported
//! as the handler. A module that builds an app for another handler adds nothing to this one.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::OnceLock;

use serde::Deserialize;
use tree_sitter::Node;

use super::interp::Interp;
use super::sym::{FuncRef, Sym};

const TABLE: &str = include_str!("../../../grammars/libraries/javascript.toml");

/// One `[[framework]]` row.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkRow {
    /// The distribution name and where its routing is documented: for readers of the
    /// table, checked by its test.
    #[cfg_attr(not(test), allow(dead_code))]
    pub library: String,
    #[cfg_attr(not(test), allow(dead_code))]
    pub source: String,
    /// The package the factories are imported from.
    pub module: String,
    /// Exports that make a framework object when called or constructed (`default` for the
    /// package itself: `express()`, `new Koa()`).
    pub factories: Vec<String>,
    /// Methods that dispatch an event to the routes (`api.run(event, context)`).
    #[serde(default)]
    pub dispatchers: Vec<String>,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    framework: Vec<FrameworkRow>,
}

pub fn rows() -> &'static [FrameworkRow] {
    static ROWS: OnceLock<Vec<FrameworkRow>> = OnceLock::new();
    ROWS.get_or_init(|| match toml::from_str::<File>(TABLE) {
        Ok(file) => file.framework,
        // Compiled in and checked by a test: an error here is our bug.
        Err(e) => panic!("grammars/libraries/javascript.toml is invalid: {e}"),
    })
}

/// The framework whose `export` of `package` makes a framework object.
pub fn factory(package: &str, export: &str) -> Option<&'static FrameworkRow> {
    rows()
        .iter()
        .find(|r| r.module == package && r.factories.iter().any(|f| f == export))
}

/// An app or router.
#[derive(Debug)]
pub struct Framework<'a> {
    pub row: &'static FrameworkRow,
    /// Route handlers and middlewares, in registration order.
    callbacks: RefCell<Vec<Rc<FuncRef<'a>>>>,
    /// How many of `callbacks` have run.
    ran: Cell<usize>,
    /// Routers and sub-apps mounted on this one.
    mounted: RefCell<Vec<Rc<Framework<'a>>>>,
}

impl<'a> Framework<'a> {
    pub fn new(row: &'static FrameworkRow) -> Rc<Self> {
        Rc::new(Framework {
            row,
            callbacks: RefCell::default(),
            ran: Cell::new(0),
            mounted: RefCell::default(),
        })
    }

    /// Records the functions and framework objects among a method's arguments (inside
    /// object and array arguments too: `fastify.route({ handler })`, `[auth, handler]`).
    fn register(self: &Rc<Self>, args: &[Sym<'a>]) {
        for arg in args {
            self.register_one(arg, 0);
        }
    }

    fn register_one(self: &Rc<Self>, arg: &Sym<'a>, depth: usize) {
        match arg {
            Sym::Func(func) => self.callbacks.borrow_mut().push(func.clone()),
            Sym::Framework(other) if !Rc::ptr_eq(other, self) => {
                self.mounted.borrow_mut().push(other.clone())
            }
            Sym::List(items) if depth == 0 => {
                for item in items.borrow().iter() {
                    self.register_one(item, depth + 1);
                }
            }
            Sym::Obj(object) if depth == 0 => {
                for value in object.borrow().values() {
                    self.register_one(value, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// Deepest chain of mounted routers followed.
const MAX_MOUNT_DEPTH: usize = 16;

impl<'a> Interp<'a, '_> {
    /// `app.method(args)`: a dispatch method runs the routes; any other method registers what
    /// it is given. Returns the app, for chains.
    pub fn framework_call(
        &mut self,
        node: Node<'a>,
        app: &Rc<Framework<'a>>,
        method: &str,
        args: &[Sym<'a>],
    ) -> Sym<'a> {
        if app.row.dispatchers.iter().any(|d| d == method) {
            self.dispatch(app, node);
            return Sym::Unknown;
        }
        app.register(args);
        Sym::Framework(app.clone())
    }

    /// Runs the routes of `app` and of everything mounted on it that have not run yet.
    pub fn dispatch(&mut self, app: &Rc<Framework<'a>>, node: Node<'a>) {
        self.dispatch_depth(app, Some(node), 0);
    }

    /// [`Self::dispatch`] for an app exported as the handler itself.
    pub fn dispatch_handler(&mut self, app: &Rc<Framework<'a>>) {
        self.dispatch_depth(app, None, 0);
    }

    fn dispatch_depth(&mut self, app: &Rc<Framework<'a>>, node: Option<Node<'a>>, depth: usize) {
        if depth > MAX_MOUNT_DEPTH {
            return;
        }
        loop {
            let next = app.callbacks.borrow().get(app.ran.get()).cloned();
            let Some(callback) = next else { break };
            app.ran.set(app.ran.get() + 1);
            self.call_function(&callback, &[], None, node);
        }
        let mounted = app.mounted.borrow().clone();
        for child in mounted {
            self.dispatch_depth(&child, node, depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framework_rows_parse_cite_a_source_and_name_factories() {
        assert!(rows().len() >= 5);
        for row in rows() {
            assert!(
                row.source.starts_with("https://"),
                "{} has no source",
                row.library
            );
            assert!(!row.factories.is_empty(), "{} has no factory", row.library);
        }
        assert_eq!(
            factory("express", "Router").map(|r| r.library.as_str()),
            Some("express")
        );
        assert!(factory("express", "json").is_none());
        assert_eq!(
            factory("lambda-api", "default").map(|r| r.dispatchers.clone()),
            Some(vec!["run".to_string()])
        );
    }
}

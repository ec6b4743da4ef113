//! Library models (`grammars/libraries/python.toml`): third-party callables whose SDK calls
//! happen inside code we never read.
//!
//! A row names a module and a callable (`get_parameter`, `SSMProvider.get`, `Model.get`).
//! A call matches when its qualified name lies under the row's module and ends with the
//! callable, so re-exports from submodules match too. Argument specs (`args` values):
//! - `"0"`, `"name"`: a positional or keyword argument of the call;
//! - `"self.x"`: read from the receiver: a library object's constructor argument `x`, or a
//!   local subclass's class attribute (`self.Meta.table_name` for PynamoDB models);
//! - `"a.b"`: argument `a` is a library object; take its constructor argument `b`;
//! - `"owner.x"`: the same path read from the local class the receiver is an attribute of
//!   (a PynamoDB index's model: `owner.Meta.table_name`); `"@attribute"`: that attribute's
//!   name;
//! - `"=text"`: a fixed value; alternatives separated by `|`, first known one wins.

use std::rc::Rc;

use tree_sitter::Node;

use crate::facts::{Client, Operation, Via};
use crate::libraries::{self, LibraryModel};
use crate::{Language, Value};

use super::interp::{Interp, Scope};
use super::val::{CallArgs, ClassVal, InstanceVal, Val, new_env};

/// Argument spec: the name of the attribute the receiver was read from (a PynamoDB index's
/// default name).
const ATTRIBUTE_NAME: &str = "@attribute";

/// Whether `qualname` (a call's full dotted name) is the model's callable.
fn matches(model: &LibraryModel, qualname: &str) -> bool {
    qualname.starts_with(&model.module)
        && (qualname.len() == model.module.len() + 1 + model.callable.len()
            || qualname.ends_with(&format!(".{}", model.callable)))
        && qualname.ends_with(&model.callable)
}

impl<'t, 'c> Interp<'t, 'c> {
    /// Reports the calls of every model matching `qualname`; false when none matches.
    pub fn library_call(
        &mut self,
        qualname: &str,
        receiver: Option<&Val<'t>>,
        args: &CallArgs<'t>,
        node: Node<'t>,
        scope: &mut Scope<'t>,
    ) -> bool {
        let models: Vec<&LibraryModel> = libraries::for_language(Language::Python)
            .filter(|m| matches(m, qualname))
            .collect();
        for model in &models {
            let mut members = std::collections::BTreeMap::new();
            for (member, spec) in &model.args {
                if let Some(value) = self.spec_value(spec, receiver, args) {
                    members.insert(member.clone(), value);
                }
            }
            let region = model
                .region
                .as_deref()
                .and_then(|spec| self.spec_value(spec, receiver, args))
                .and_then(crate::facts::fixed_region);
            for method in &model.methods {
                self.emit(
                    scope.module,
                    node,
                    Client {
                        sdk: model.sdk,
                        service: model.service.clone(),
                    },
                    Operation::Method(method.clone()),
                    members.clone(),
                    Via::Library,
                    region.clone(),
                );
            }
        }
        !models.is_empty()
    }

    /// A method a local class inherits from a third-party base (`User.get` of a PynamoDB
    /// `Model` subclass).
    pub fn library_method_on_class(
        &mut self,
        class: &Rc<ClassVal<'t>>,
        receiver: &Val<'t>,
        name: &str,
        args: CallArgs<'t>,
        node: Node<'t>,
        scope: &mut Scope<'t>,
    ) -> Val<'t> {
        for base in self.extern_bases(class) {
            let qualname = format!("{base}.{name}");
            if self.library_call(&qualname, Some(receiver), &args, node, scope) {
                // A modelled class method on a model class (`User.get(...)`, `User.scan()`)
                // returns instances of that class (or iterates them): keep the class so
                // `user.save()` finds its table. An index's queries return its model's.
                let model = match receiver {
                    Val::Class(_) => Some(class.clone()),
                    Val::Instance(i) => match &i.owner {
                        Some((Val::Class(owner), _)) => Some(owner.clone()),
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(model) = model {
                    return Val::Instance(Rc::new(InstanceVal {
                        class: model,
                        attrs: new_env(),
                        owner: None,
                    }));
                }
                break;
            }
        }
        Val::Unknown
    }

    fn spec_value(
        &mut self,
        spec: &str,
        receiver: Option<&Val<'t>>,
        args: &CallArgs<'t>,
    ) -> Option<Value> {
        let mut fallback = None;
        for alternative in spec.split('|') {
            let value = match alternative.strip_prefix('=') {
                Some(fixed) => Some(Value::str(fixed)),
                None => self.path_value(alternative, receiver, args),
            };
            match value {
                Some(Value::Unknown) => fallback = fallback.or(Some(Value::Unknown)),
                Some(v) => return Some(v),
                None => {}
            }
        }
        fallback
    }

    fn path_value(
        &mut self,
        path: &str,
        receiver: Option<&Val<'t>>,
        args: &CallArgs<'t>,
    ) -> Option<Value> {
        // Not read as an attribute (an index passed around): a name we cannot know.
        if path == ATTRIBUTE_NAME {
            return match receiver? {
                Val::Instance(i) => Some(
                    i.owner
                        .as_ref()
                        .map_or(Value::Unknown, |(_, name)| Value::str(&**name)),
                ),
                _ => None,
            };
        }
        let mut segments = path.split('.');
        let first = segments.next()?;
        let mut current = if first == "self" {
            receiver?.clone()
        } else if first == "owner" {
            match receiver? {
                Val::Instance(i) => match &i.owner {
                    Some((owner, _)) => owner.clone(),
                    None => return Some(Value::Unknown),
                },
                _ => return None,
            }
        } else {
            argument(args, first)?.clone()
        };
        for segment in segments {
            current = match current {
                Val::LibObject(o) => argument(&o.args, segment)?.clone(),
                Val::Class(ref c) => {
                    let class = c.clone();
                    self.class_attr(&class, segment, None)?
                }
                Val::Instance(ref i) => {
                    let own = i.attrs.borrow().get(segment).cloned();
                    match own {
                        Some(v) => v,
                        None => {
                            let class = i.class.clone();
                            self.class_attr(&class, segment, None)?
                        }
                    }
                }
                Val::Data(Value::Map { entries }) => Val::Data(entries.get(segment)?.clone()),
                _ => return Some(Value::Unknown),
            };
        }
        Some(current.to_value())
    }
}

/// Argument `spec`: a position (`0`) or a keyword.
fn argument<'a, 't>(args: &'a CallArgs<'t>, spec: &str) -> Option<&'a Val<'t>> {
    match spec.parse::<usize>() {
        Ok(i) => args.positional.get(i),
        Err(_) => args.keyword(spec),
    }
}

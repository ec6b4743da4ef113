//! Library models (`grammars/libraries/rust.toml`): crates that make SDK calls inside code
//! we never read, such as AWS's Secrets Manager caching client. A value of a modelled type
//! comes from its associated functions or its declared type; a modelled method on it
//! becomes one fact per SDK operation it makes, via `Library`.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::abs::Abs;
use super::walker::Walker;
use crate::facts::{CallFact, Client, Operation, Via};
use crate::libraries::{self, LibraryModel};
use crate::project::Language;
use crate::value::Value;

fn models() -> impl Iterator<Item = &'static LibraryModel> {
    libraries::for_language(Language::Rust)
}

/// `Type` of a `Type.method` callable.
fn class_of(model: &LibraryModel) -> &str {
    model.callable.split('.').next().unwrap_or_default()
}

impl Walker<'_> {
    /// The modelled type `path` names (`aws_secretsmanager_caching::SecretsManagerCachingClient`),
    /// as `module::Type`.
    pub fn library_class(&self, path: &[String]) -> Option<Rc<str>> {
        let (class, module) = path.split_last()?;
        let module = module.join("::");
        models()
            .find(|m| m.module == module && class_of(m) == class)
            .map(|m| Rc::from(format!("{}::{}", m.module, class_of(m))))
    }

    /// A method on a modelled value: its facts, or nothing if the method is not modelled.
    pub fn library_call(
        &mut self,
        class: &str,
        method: &str,
        args: &[Abs],
        m: &syn::ExprMethodCall,
        chain_start: usize,
    ) -> Abs {
        let Some(model) = models().find(|model| {
            format!("{}::{}", model.module, class_of(model)) == class
                && model.callable.split('.').nth(1) == Some(method)
        }) else {
            return Abs::Foreign;
        };
        let mut inputs = BTreeMap::new();
        for (member, source) in &model.args {
            let value = match source.strip_prefix('=') {
                Some(literal) => Value::str(literal),
                None => match source.parse::<usize>() {
                    Ok(i) => args.get(i).map(Abs::to_value).unwrap_or(Value::Unknown),
                    Err(_) => continue,
                },
            };
            inputs.insert(member.clone(), value);
        }
        let location = self.location(m.method.span());
        let end = m.paren_token.span.close().byte_range().end;
        let call = crate::facts::call_text(self.text_range(chain_start..end));
        let chain = self.chain(&location);
        for operation in &model.methods {
            self.calls.push(CallFact {
                client: Client {
                    sdk: model.sdk,
                    service: model.service.clone(),
                },
                operation: Operation::Method(operation.clone()),
                args: inputs.clone(),
                via: Via::Library,
                location: location.clone(),
                call: call.clone(),
                chain: chain.clone(),
                region: None,
            });
        }
        Abs::Foreign
    }
}

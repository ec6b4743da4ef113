//! iamsynth's analyzer: source and infrastructure files in, call facts out.
//!
//! Data flow: [`infra`] finds the functions and their environment; for each function the
//! language module of its runtime ([`python`], [`javascript`], [`rustlang`]) parses the
//! entry file, follows calls from the handler through local modules and emits
//! [`facts::CallFact`]s. The analyzer knows SDKs, not IAM.

pub mod diagnostics;
pub mod facts;
mod fields;
pub mod infra;
pub mod javascript;
pub mod jsonc;
pub mod libraries;
pub mod project;
pub mod python;
pub mod rustlang;
pub mod source;
pub mod value;

pub use diagnostics::Diagnostic;
pub use facts::{CallFact, Client, FunctionFacts, Location, Operation, Sdk, Step, Unresolved, Via};
pub use project::{Context, Entry, Language};
pub use value::{InfraRef, Value};

/// Analyses one function: the calls reachable from `entry`'s handler.
pub fn analyze(ctx: &Context, language: Language, entry: &Entry) -> FunctionFacts {
    let mut facts = match language {
        Language::Python => python::analyze(ctx, entry),
        Language::JavaScript | Language::TypeScript => javascript::analyze(ctx, entry),
        Language::Rust => rustlang::analyze(ctx, entry),
    };
    facts.canonicalize();
    facts
}

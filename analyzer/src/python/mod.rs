//! Python (boto3) analysis with tree-sitter-python.
//!
//! [`program`] loads the entry file and every local module it can import (parsed in
//! parallel); [`interp`] walks the code from the handler, tracking clients and resources;
//! [`boto3`] knows what boto3's objects do, from the tables in [`models`]; [`library`]
//! applies the library models.

mod boto3;
mod interp;
mod library;
mod models;
mod program;
mod syntax;
mod val;

#[cfg(test)]
mod tests;

use crate::{Context, Diagnostic, Entry, FunctionFacts};

use interp::Interp;
use program::Program;

/// The boto3 calls reachable from `entry`.
pub fn analyze(ctx: &Context, entry: &Entry) -> FunctionFacts {
    let program = Program::load(&ctx.root, &entry.file, &ctx.search_paths);
    let mut diagnostics = program.diagnostics.clone();
    let entry_rel = crate::source::relative(&ctx.root, &ctx.root.join(&entry.file));
    let Some(module) = program.by_rel.get(&entry_rel).copied() else {
        let mut facts = FunctionFacts {
            diagnostics,
            ..FunctionFacts::default()
        };
        facts.canonicalize();
        return facts;
    };
    let mut interp = Interp::new(ctx, &program);
    match &entry.function {
        Some(function) => {
            if !interp.run_handler(module, function) {
                diagnostics.push(Diagnostic::note(
                    &entry_rel,
                    0,
                    format!(
                        "`{function}` is not a function defined in this file (a framework \
                         object?); every function in the file counts as reachable"
                    ),
                ));
                interp.run_whole_module(module);
            }
        }
        None => interp.run_whole_module(module),
    }
    let mut facts = interp.facts;
    facts.diagnostics.extend(diagnostics);
    facts.canonicalize();
    facts
}

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

/// Parses Python source and nothing else: the baseline the analysis benchmark compares
/// its throughput with (`bench/python.rs`). True when a tree came back.
pub fn parse_only(text: &str) -> bool {
    program::parse(text).is_some()
}

/// Stack for the analysis thread: the interpreter recurses along the code's nesting and
/// call chains (both bounded); this leaves a wide margin on every platform.
const ANALYSIS_STACK: usize = 256 * 1024 * 1024;

/// The boto3 calls reachable from `entry`. Runs on its own thread with a large stack so
/// deeply nested code cannot overflow the caller's (possibly small) stack.
pub fn analyze(ctx: &Context, entry: &Entry) -> FunctionFacts {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("iamsynth-python".into())
            .stack_size(ANALYSIS_STACK)
            .spawn_scoped(scope, || analyze_here(ctx, entry))
            .map(|handle| handle.join())
    })
    .ok()
    .and_then(Result::ok)
    .unwrap_or_else(|| FunctionFacts {
        diagnostics: vec![Diagnostic::warning(
            &entry.file,
            0,
            "Python analysis could not run (no thread available)",
        )],
        ..FunctionFacts::default()
    })
}

fn analyze_here(ctx: &Context, entry: &Entry) -> FunctionFacts {
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

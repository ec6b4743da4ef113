//! Python (boto3) analysis with tree-sitter-python.
//!
//! [`program`] loads the entry file and every local module it can import (parsed in
//! parallel); [`interp`] walks the code from the handler, tracking clients and resources;
//! [`boto3`] knows what boto3's objects do, from the tables in [`models`]; [`library`]
//! applies the library models;
//! [`settings`] reads settings classes' fields from the environment.

mod boto3;
mod dicts;
mod interp;
mod library;
mod models;
mod program;
mod settings;
mod syntax;
mod unknown_receiver;
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

/// Stack for the analysis threads: the interpreter recurses along the code's nesting and
/// call chains (both bounded); this leaves a wide margin on every platform.
const ANALYSIS_STACK: usize = 64 * 1024 * 1024;

/// The boto3 calls reachable from `entry`. Runs in a small thread pool of its own, with
/// large stacks so deeply nested code cannot overflow, and its own workers for parsing so
/// that callers which analyse functions on rayon's global pool never wait on themselves.
pub fn analyze(ctx: &Context, entry: &Entry) -> FunctionFacts {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    match rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(ANALYSIS_STACK)
        .thread_name(|i| format!("iamsynth-python-{i}"))
        .build()
    {
        Ok(pool) => pool.install(|| analyze_here(ctx, entry)),
        Err(_) => analyze_here(ctx, entry),
    }
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
        // `@app.route`: every function so decorated (infra's entry for a routed web app).
        Some(function) if function.starts_with('@') => {
            let (object, registrar) = function[1..].rsplit_once('.').unwrap_or(("app", "route"));
            if !interp.run_decorated(module, object, registrar) {
                diagnostics.push(Diagnostic::note(
                    &entry_rel,
                    0,
                    format!(
                        "no function decorated with `{function}`; every function in the file \
                         counts as reachable"
                    ),
                ));
                interp.run_whole_module(module);
            }
        }
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
    let mut facts = std::mem::take(&mut interp.facts);
    drop(interp);
    // Freeing the trees is a million small frees: on every worker, beside the tidying.
    rayon::join(
        || program.release(),
        || {
            drop_resolved_elsewhere(&mut facts);
            facts.diagnostics.extend(diagnostics);
            facts.canonicalize();
            keep_one_chain_per_call(&mut facts);
        },
    );
    facts
}

/// The same call reached along two paths (a route walked as a registered callback and as a
/// file-level function) is one fact, one reason: the shortest chain is kept.
fn keep_one_chain_per_call(facts: &mut FunctionFacts) {
    use crate::facts::CallFact;
    fn key(c: &CallFact) -> impl Ord + '_ {
        (
            &c.client,
            &c.operation,
            &c.args,
            &c.via,
            &c.location,
            &c.call,
        )
    }
    facts.calls.sort_by(|a, b| {
        key(a)
            .cmp(&key(b))
            .then(a.chain.len().cmp(&b.chain.len()))
            .then(a.chain.cmp(&b.chain))
    });
    facts
        .calls
        .dedup_by(|later, first| key(later) == key(first));
    facts.calls.sort();
}

/// A call on an unidentified receiver that was resolved when reached another way (a helper
/// walked once with the handler's client and once, for the whole module, with unknown
/// arguments) is not unresolved: the other path names its client.
fn drop_resolved_elsewhere(facts: &mut FunctionFacts) {
    let resolved: std::collections::HashSet<(&str, u32, &str)> = facts
        .calls
        .iter()
        .map(|c| (c.location.file.as_str(), c.location.line, c.call.as_str()))
        .collect();
    let keep: Vec<bool> = facts
        .unresolved
        .iter()
        .map(|u| {
            u.why != unknown_receiver::WHY
                || !resolved.contains(&(u.location.file.as_str(), u.location.line, u.call.as_str()))
        })
        .collect();
    let mut keep = keep.into_iter();
    facts.unresolved.retain(|_| keep.next().unwrap_or(true));
}

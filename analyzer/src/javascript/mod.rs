//! JavaScript and TypeScript (AWS SDK v2 and v3) analysis with tree-sitter.
//!
//! Data flow: [`load`] parses the entry file and the local modules it imports (in parallel,
//! level by level); [`index`] records each module's imports, bindings and exports;
//! [`interp`] walks from the handler, evaluating what names hold and following local calls;
//! [`calls`] turns calls on SDK clients, commands, helpers and modelled libraries
//! ([`library`]) into facts, with the SDK knowledge in `grammars/javascript/sdk.toml` ([`sdk`]);
//! web framework apps ([`frameworks`]) run their routes when an adapter dispatches them.

mod calls;
mod frameworks;
mod index;
mod interp;
mod library;
mod load;
mod sdk;
mod sym;
pub(crate) mod tsconfig;

#[cfg(test)]
mod tests;

use crate::{Context, Diagnostic, Entry, FunctionFacts};

pub use load::MAX_LINE_CHARS;

/// The AWS SDK calls reachable from `entry`.
pub fn analyze(ctx: &Context, entry: &Entry) -> FunctionFacts {
    let root = ctx.root.canonicalize().unwrap_or_else(|_| ctx.root.clone());
    let ctx = Context {
        root,
        env: ctx.env.clone(),
        search_paths: ctx.search_paths.clone(),
        event: ctx.event.clone(),
    };
    if entry.file.split('/').any(|c| c == "node_modules") {
        return only(Diagnostic::note(
            &entry.file,
            0,
            "skipped: node_modules are third-party code",
        ));
    }
    // Infrastructure often names the built file (`dist/handler.js`, or `handler` without an
    // extension) where the repository holds the source (`handler.ts`).
    let entry_path = load::entry_file(&ctx, &entry.file);
    if load::Dialect::of_path(&entry_path).is_none() {
        return only(Diagnostic::note(
            &entry.file,
            0,
            "skipped: not a JavaScript or TypeScript source file (declaration files have no code)",
        ));
    }
    let program = load::load(&ctx, &entry_path);
    let mut facts = FunctionFacts {
        diagnostics: program.diagnostics.clone(),
        ..FunctionFacts::default()
    };
    if program.files.is_empty() {
        return facts;
    }
    let mut interp = interp::Interp::new(&ctx, &program.files);
    let entry_file = 0;
    // Module-level code of every loaded module runs when the function cold-starts.
    for file in (0..program.files.len()).rev() {
        if file != entry_file {
            interp.run_module(file, true);
        }
    }
    match &entry.function {
        None => interp.run_whole_file(entry_file),
        Some(name) => {
            interp.run_module(entry_file, true);
            let handler = handler_value(&mut interp, entry_file, name);
            if matches!(handler, sym::Sym::Unknown) && !interp.defines(entry_file, name) {
                interp.facts.diagnostics.push(Diagnostic::warning(
                    &entry.file,
                    0,
                    format!("handler `{name}` is not a function this file exports or defines"),
                ));
            }
            interp.invoke_handler(&handler);
        }
    }
    facts.calls.append(&mut interp.facts.calls);
    facts.unresolved.append(&mut interp.facts.unresolved);
    facts.diagnostics.append(&mut interp.facts.diagnostics);
    facts.canonicalize();
    facts
}

/// The handler: an export of that name, else a top-level function of that name (a dotted
/// name such as `Handler.handle` is looked up member by member).
fn handler_value<'a>(interp: &mut interp::Interp<'a, '_>, file: usize, name: &str) -> sym::Sym<'a> {
    let mut parts = name.split('.');
    let first = parts.next().unwrap_or(name);
    let mut value = interp.module_export(file, first);
    if matches!(value, sym::Sym::Unknown) {
        value = interp.module_name(file, first);
    }
    for part in parts {
        value = interp.member(&value, part);
    }
    value
}

fn only(diagnostic: Diagnostic) -> FunctionFacts {
    FunctionFacts {
        diagnostics: vec![diagnostic],
        ..FunctionFacts::default()
    }
}

//! Rust (aws-sdk-rust) analysis with syn.
//!
//! 1. [`cargo`]: the entry file's package, its targets and dependencies.
//! 2. [`index`]: the crate's modules and items (and its path dependencies').
//! 3. [`walker`]: from the handler, an abstract walk of the bodies: clients from
//!    constructors and types, fluent builders into facts ([`calls`]), values of
//!    arguments, macros ([`macros`]).
//!
//! Understood: clients from `Client::new`/`from_conf` (any import or rename, Cargo
//! `package =` renames), from types (parameters, struct fields, `Arc`, collections,
//! `OnceCell`/`Lazy`/`lazy_static!` statics, axum `State`/`Extension`); rusoto clients
//! (`DynamoDbClient`, input structs as arguments), spelled as the matching aws-sdk crate;
//! calls followed into local functions, methods, trait impls (also impls for the SDK
//! client itself), closures, `async` blocks, functions handed to the runtime
//! (`service_fn(handler)`, `get(handler)`) and foreign-trait impls of values handed to it
//! (`impl Service for X`); builders split across `let`s; paginators, waiters (reported
//! stripped of `wait_until_`: `Waiter("table_exists")`), presigning; library models
//! (`grammars/libraries/rust.toml`); values from literals, consts, associated consts, env
//! vars, `envy` structs, `format!`, struct fields set where the value was built. Locals
//! changed in loops, in one branch only, or in place are forgotten rather than kept stale.
//!
//! Not understood, and reported: a method called on a trait object or generic whose
//! implementations call AWS (unresolved, naming them); `.send()` after an operation on a
//! client whose type is unknown (unresolved); SDK calls inside macro tokens that are not
//! expressions (note). Not understood: items declared in nested blocks of a function body;
//! values flowing back through `&mut` arguments other than `self`.

mod abs;
mod calls;
mod cargo;
mod index;
mod library;
mod macros;
mod resolve;
mod tables;
mod types;
mod walker;
mod worker;

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::{Context, Entry, FunctionFacts};

use index::{FnId, Index};
use walker::Walker;

/// The aws-sdk-rust calls reachable from `entry`. The entry is a source file (with a
/// handler, or whole), or a package folder / its `Cargo.toml` (then the function names the
/// binary, else the package's only binary is meant, and its `main` is the handler).
pub fn analyze(ctx: &Context, entry: &Entry) -> FunctionFacts {
    // On a long-lived thread with a large stack (see `worker`).
    match worker::run(ctx, entry, analyze_on_this_thread) {
        Ok(Some(facts)) => facts,
        Ok(None) => FunctionFacts {
            diagnostics: vec![Diagnostic::warning(
                &entry.file,
                0,
                "Rust analysis failed on this function (an internal error); its calls are not listed",
            )],
            ..FunctionFacts::default()
        },
        // Could not start a thread: analyse here instead.
        Err(()) => analyze_on_this_thread(ctx, entry),
    }
}

fn analyze_on_this_thread(ctx: &Context, entry: &Entry) -> FunctionFacts {
    let root = ctx.root.canonicalize().unwrap_or_else(|_| ctx.root.clone());
    let mut diagnostics = Vec::new();
    let Some((entry_path, function)) = entry_target(&root, entry, &mut diagnostics) else {
        return FunctionFacts {
            diagnostics,
            ..FunctionFacts::default()
        };
    };
    let index = load_index(&root, &entry_path, &mut diagnostics);
    diagnostics.extend(index.diagnostics.iter().cloned());

    let entry_rel = crate::source::relative(&root, &entry_path);
    let roots = entry_functions(&index, &entry_rel, function.as_deref(), &mut diagnostics);
    let mut walker = Walker::new(&index, ctx);
    for id in roots {
        walker.run_root(id);
    }
    diagnostics.append(&mut walker.diagnostics);
    let mut facts = FunctionFacts {
        calls: walker.calls,
        unresolved: walker.unresolved,
        diagnostics,
    };
    facts.canonicalize();
    facts
}

/// The source file and handler an entry stands for.
fn entry_target(
    root: &Path,
    entry: &Entry,
    diags: &mut Vec<Diagnostic>,
) -> Option<(PathBuf, Option<String>)> {
    let path = root.join(&entry.file);
    if path.is_file() && path.extension().is_some_and(|e| e == "rs") {
        return Some((path, entry.function.clone()));
    }
    let dir = if path.is_dir() {
        path
    } else if path.file_name().is_some_and(|n| n == "Cargo.toml") && path.is_file() {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        diags.push(Diagnostic::warning(&entry.file, 0, "entry file not found"));
        return None;
    };
    let manifest = cargo::read_manifest(root, &dir, diags)?;
    let bins = manifest.bins();
    let chosen = match &entry.function {
        Some(name) => bins.iter().find(|(bin, _)| bin == name),
        None if bins.len() == 1 => bins.first(),
        None => None,
    };
    match chosen {
        Some((_, bin)) => Some((bin.clone(), Some("main".to_string()))),
        None => {
            diags.push(Diagnostic::warning(
                &entry.file,
                0,
                format!(
                    "cannot tell which binary is the function (found: {})",
                    bins.iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
            None
        }
    }
}

/// Indexes the crate that contains `entry_path`: the target whose root it is, else the
/// first target whose module tree holds it, else the file on its own.
fn load_index(root: &Path, entry_path: &Path, diags: &mut Vec<Diagnostic>) -> Index {
    let manifest = entry_path
        .parent()
        .and_then(|dir| cargo::find_manifest_dir(root, dir))
        .and_then(|dir| cargo::read_manifest(root, &dir, diags));
    let Some(manifest) = manifest else {
        return Index::load(root, entry_path, None);
    };
    if manifest.is_target_root(entry_path) {
        return Index::load(root, entry_path, Some(&manifest));
    }
    let entry_rel = crate::source::relative(root, entry_path);
    let targets: Vec<PathBuf> = manifest
        .bins()
        .into_iter()
        .map(|(_, p)| p)
        .chain(manifest.lib.clone())
        .collect();
    for target in &targets {
        let index = Index::load(root, target, Some(&manifest));
        if index.files.iter().any(|f| f.rel == entry_rel) {
            return index;
        }
    }
    Index::load(root, entry_path, Some(&manifest))
}

/// The functions analysis starts from: the named handler (`handler`, `Type::method`), or
/// every function of the file when no handler is named.
fn entry_functions(
    index: &Index,
    entry_rel: &str,
    function: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<FnId> {
    let in_file: Vec<FnId> = (0..index.fns.len())
        .filter(|&id| {
            index
                .files
                .get(index.fns[id].file)
                .is_some_and(|f| f.rel == entry_rel)
        })
        .collect();
    let Some(name) = function else {
        return in_file;
    };
    let free = in_file
        .iter()
        .copied()
        .find(|&id| index.fns[id].owner.is_none() && index.fns[id].name == name);
    let found = free.or_else(|| {
        in_file
            .iter()
            .copied()
            .find(|&id| index.fn_display(id) == name || index.fns[id].name == name)
    });
    match found {
        Some(id) => vec![id],
        None => {
            diags.push(Diagnostic::warning(
                entry_rel,
                0,
                format!("handler `{name}` not found in this file; every function in it is analysed instead"),
            ));
            in_file
        }
    }
}

#[cfg(test)]
mod tests;

//! Rust (aws-sdk-rust) analysis with syn.
//!
//! 1. [`cargo`]: the entry file's package, its targets and dependencies.
//! 2. [`index`]: the crate's modules and items (and its path dependencies').
//! 3. [`walker`]: from the handler, an abstract walk of the bodies: clients from
//!    constructors and types, fluent builders into facts ([`calls`]), values of
//!    arguments, macros ([`macros`]).

mod abs;
mod calls;
mod cargo;
mod index;
mod macros;
mod resolve;
mod tables;
mod types;
mod walker;

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::{Context, Entry, FunctionFacts};

use index::{FnId, Index};
use walker::Walker;

/// The aws-sdk-rust calls reachable from `entry`.
pub fn analyze(ctx: &Context, entry: &Entry) -> FunctionFacts {
    let root = ctx.root.canonicalize().unwrap_or_else(|_| ctx.root.clone());
    let entry_path = root.join(&entry.file);
    if !entry_path.is_file() {
        return FunctionFacts {
            diagnostics: vec![Diagnostic::warning(&entry.file, 0, "entry file not found")],
            ..FunctionFacts::default()
        };
    }
    let mut diagnostics = Vec::new();
    let (index, _) = load_index(&root, &entry_path, &mut diagnostics);
    diagnostics.extend(index.diagnostics.iter().cloned());

    let entry_rel = crate::source::relative(&root, &entry_path);
    let roots = entry_functions(
        &index,
        &entry_rel,
        entry.function.as_deref(),
        &mut diagnostics,
    );
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

/// Indexes the crate that contains `entry_path`: the target whose root it is, else the
/// first target whose module tree holds it, else the file on its own.
fn load_index(
    root: &Path,
    entry_path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> (Index, index::CrateId) {
    let manifest = entry_path
        .parent()
        .and_then(|dir| cargo::find_manifest_dir(root, dir))
        .and_then(|dir| cargo::read_manifest(root, &dir, diags));
    let Some(manifest) = manifest else {
        return Index::load(root, entry_path, None);
    };
    let same =
        |p: &PathBuf| p.canonicalize().ok().as_deref() == entry_path.canonicalize().ok().as_deref();
    let targets: Vec<PathBuf> = manifest
        .bins
        .iter()
        .chain(manifest.lib.iter())
        .cloned()
        .collect();
    if let Some(target) = targets.iter().find(|t| same(t)) {
        return Index::load(root, target, Some(&manifest));
    }
    let entry_rel = crate::source::relative(root, entry_path);
    for target in &targets {
        let (index, krate) = Index::load(root, target, Some(&manifest));
        if index.files.iter().any(|f| f.rel == entry_rel) {
            return (index, krate);
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

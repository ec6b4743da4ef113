//! JavaScript and TypeScript (AWS SDK v2 and v3) analysis with tree-sitter.

use crate::{Context, Diagnostic, Entry, FunctionFacts};

/// The AWS SDK calls reachable from `entry`.
pub fn analyze(_ctx: &Context, entry: &Entry) -> FunctionFacts {
    FunctionFacts {
        diagnostics: vec![Diagnostic::warning(
            &entry.file,
            0,
            "JavaScript analysis is not built yet",
        )],
        ..FunctionFacts::default()
    }
}

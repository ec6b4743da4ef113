//! Python (boto3) analysis with tree-sitter-python.

use crate::{Context, Diagnostic, Entry, FunctionFacts};

/// The boto3 calls reachable from `entry`.
pub fn analyze(_ctx: &Context, entry: &Entry) -> FunctionFacts {
    FunctionFacts {
        diagnostics: vec![Diagnostic::warning(
            &entry.file,
            0,
            "Python analysis is not built yet",
        )],
        ..FunctionFacts::default()
    }
}

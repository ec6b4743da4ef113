//! Rust (aws-sdk-rust) analysis with syn.

use crate::{Context, Diagnostic, Entry, FunctionFacts};

/// The aws-sdk-rust calls reachable from `entry`.
pub fn analyze(_ctx: &Context, entry: &Entry) -> FunctionFacts {
    FunctionFacts {
        diagnostics: vec![Diagnostic::warning(
            &entry.file,
            0,
            "Rust analysis is not built yet",
        )],
        ..FunctionFacts::default()
    }
}

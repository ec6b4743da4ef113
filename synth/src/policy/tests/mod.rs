//! Tests of the policy model, expectations written by hand from the IAM User Guide.

mod canonical;
mod json;
mod size;

use std::collections::BTreeSet;

/// Keeps placeholders as they are.
pub(super) fn keep(placeholder: &str) -> String {
    placeholder.to_string()
}

/// A resource set from string literals.
pub(super) fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

//! The IAM policy model: statements, canonical form, IAM's JSON, size limits.

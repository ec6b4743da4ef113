//! Errors of the policy model: parsing IAM JSON and fitting documents into IAM's size limits.

/// What went wrong reading or sizing a policy document. Messages name the statement (0-based
/// index, as in the document) and the element so that the user can find it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The text is neither JSON nor percent-encoded JSON.
    #[error("policy document is not valid JSON: {0}")]
    Json(String),
    /// The text looked percent-encoded (as IAM's GetRolePolicy returns it) but is malformed.
    #[error("policy document is not valid percent-encoded text: {0}")]
    PercentEncoding(String),
    /// The JSON is well formed but not an IAM policy.
    #[error("invalid policy document: {0}")]
    Invalid(String),
    /// One statement of the document is not valid.
    #[error("invalid policy statement {index}: {message}")]
    InvalidStatement {
        /// 0-based position of the statement in the document.
        index: usize,
        /// What is wrong with it.
        message: String,
    },
    /// A single action on a single resource does not fit into one policy of the given limit.
    #[error(
        "action {action} on {resource} alone takes {size} characters, more than the {limit}-character policy limit"
    )]
    GrantTooLarge {
        /// The IAM action.
        action: String,
        /// The resource it is granted on.
        resource: String,
        /// Size of the smallest document holding it.
        size: usize,
        /// The limit it exceeds.
        limit: usize,
    },
    /// A NotAction/NotResource statement cannot be split without changing its meaning.
    #[error(
        "statement {sid} takes {size} characters, more than the {limit}-character limit, and its NotAction/NotResource cannot be split"
    )]
    StatementTooLarge {
        /// The statement's Sid, or its position when it has none.
        sid: String,
        /// Size of the smallest document holding it.
        size: usize,
        /// The limit it exceeds.
        limit: usize,
    },
    /// Inline role policies share one limit per role; splitting cannot make them fit.
    #[error(
        "the policy takes {size} characters; inline role policies are limited to {limit} characters per role in total, use managed policies instead"
    )]
    InlineTooLarge {
        /// Size of the document.
        size: usize,
        /// The per-role inline limit.
        limit: usize,
    },
}

//! IAM's size limits and splitting documents to fit them.
//!
//! IAM counts the characters of a policy document excluding whitespace (IAM User Guide,
//! "IAM and AWS STS quotas": "IAM doesn't count white space when computing the size of a
//! policy against these limits").

use serde_json::Value;

use super::document::PolicyDocument;
use super::error::PolicyError;
use super::json::statement_json;
use super::statement::Statement;

/// Inline policies of one role: 10,240 characters in total, whatever their number.
pub const INLINE_ROLE_LIMIT: usize = 10_240;
/// One customer managed policy: 6,144 characters.
pub const MANAGED_POLICY_LIMIT: usize = 6_144;

/// Where a policy goes, which decides the limit it must fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// Inline role policy: all inline policies of a role share [`INLINE_ROLE_LIMIT`].
    Inline,
    /// Customer managed policy: each one up to [`MANAGED_POLICY_LIMIT`].
    Managed,
}

impl PolicyKind {
    /// The character limit of one document of this kind.
    pub fn limit(self) -> usize {
        match self {
            PolicyKind::Inline => INLINE_ROLE_LIMIT,
            PolicyKind::Managed => MANAGED_POLICY_LIMIT,
        }
    }
}

/// Characters of `doc`'s minified JSON that are not whitespace, the way IAM counts.
pub fn policy_size(doc: &Value) -> usize {
    json_size(doc)
}

/// Non-whitespace characters of any JSON value, minified.
fn json_size(value: &Value) -> usize {
    value
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .count()
}

impl PolicyDocument {
    /// Documents that each fit `kind`'s limit and together grant exactly what `self` grants.
    ///
    /// Sizes are measured after `substitute` (the same function later given to
    /// [`PolicyDocument::to_iam_json`]; for CloudFormation output, where names are only
    /// known at deploy time, pass an estimate such as the placeholder itself).
    /// - [`PolicyKind::Managed`]: greedily packs whole statements, in order, into documents
    ///   of at most [`MANAGED_POLICY_LIMIT`]; a statement too large on its own is split by
    ///   actions (Sids get `Part1`, `Part2`…), and one action's resources are split when
    ///   needed. Fails when a single action on a single resource cannot fit, or when a
    ///   NotAction/NotResource statement (which cannot be split) is too large.
    /// - [`PolicyKind::Inline`]: the limit is per role in total, so splitting cannot help:
    ///   the document itself, or an error advising managed policies.
    pub fn split(
        &self,
        kind: PolicyKind,
        substitute: &dyn Fn(&str) -> String,
    ) -> Result<Vec<PolicyDocument>, PolicyError> {
        match kind {
            PolicyKind::Inline => {
                let size = policy_size(&self.to_iam_json(substitute));
                if size <= INLINE_ROLE_LIMIT {
                    Ok(vec![self.clone()])
                } else {
                    Err(PolicyError::InlineTooLarge {
                        size,
                        limit: INLINE_ROLE_LIMIT,
                    })
                }
            }
            PolicyKind::Managed => self.split_to_fit(MANAGED_POLICY_LIMIT, substitute),
        }
    }

    /// Documents of at most `limit` characters each that together grant exactly what `self`
    /// grants; see [`PolicyDocument::split`] for the method.
    pub fn split_to_fit(
        &self,
        limit: usize,
        substitute: &dyn Fn(&str) -> String,
    ) -> Result<Vec<PolicyDocument>, PolicyError> {
        let sizer = Sizer {
            limit,
            substitute,
            overhead: json_size(&PolicyDocument::default().to_iam_json(substitute)),
        };
        let mut documents = Vec::new();
        let mut current: Vec<Statement> = Vec::new();
        let mut current_size = sizer.overhead;
        for (index, statement) in self.statements.iter().enumerate() {
            for piece in sizer.pieces(index, statement)? {
                let size = sizer.statement_size(&piece);
                // Statements after the first one cost a separating comma.
                if !current.is_empty() && current_size + 1 + size > limit {
                    documents.push(PolicyDocument {
                        statements: std::mem::take(&mut current),
                    });
                    current_size = sizer.overhead;
                }
                current_size += size + usize::from(!current.is_empty());
                current.push(piece);
            }
        }
        if !current.is_empty() || documents.is_empty() {
            documents.push(PolicyDocument {
                statements: current,
            });
        }
        Ok(documents)
    }
}

/// Measures statements against one limit.
struct Sizer<'a> {
    limit: usize,
    substitute: &'a dyn Fn(&str) -> String,
    /// Size of a document with no statements: `{"Version":"2012-10-17","Statement":[]}`.
    overhead: usize,
}

impl Sizer<'_> {
    fn statement_size(&self, statement: &Statement) -> usize {
        json_size(&statement_json(statement, self.substitute))
    }

    /// Size of a document holding only `statement`.
    fn alone(&self, statement: &Statement) -> usize {
        self.overhead + self.statement_size(statement)
    }

    fn fits(&self, statement: &Statement) -> bool {
        self.alone(statement) <= self.limit
    }

    /// `statement` itself when it fits alone, else parts of it that each fit.
    fn pieces(&self, index: usize, statement: &Statement) -> Result<Vec<Statement>, PolicyError> {
        if self.fits(statement) {
            return Ok(vec![statement.clone()]);
        }
        if !statement.is_plain() {
            return Err(PolicyError::StatementTooLarge {
                sid: statement.sid.clone().unwrap_or_else(|| format!("#{index}")),
                size: self.alone(statement),
                limit: self.limit,
            });
        }
        let mut pieces: Vec<Statement> = Vec::new();
        let mut current: Option<Statement> = None;
        for action in &statement.actions {
            if let Some(mut grown) = current.clone() {
                grown.actions.insert(action.clone());
                if self.fits(&grown) {
                    current = Some(grown);
                    continue;
                }
                pieces.extend(current.take());
            }
            let part = self.part(
                statement,
                pieces.len() + 1,
                [action.clone()].into(),
                statement.resources.clone(),
            );
            if self.fits(&part) {
                current = Some(part);
            } else {
                pieces.extend(self.split_resources(statement, action, pieces.len() + 1)?);
            }
        }
        pieces.extend(current);
        Ok(pieces)
    }

    /// One action's resources split into parts that each fit, numbered from `first`.
    fn split_resources(
        &self,
        statement: &Statement,
        action: &str,
        first: usize,
    ) -> Result<Vec<Statement>, PolicyError> {
        let mut pieces: Vec<Statement> = Vec::new();
        let mut current: Option<Statement> = None;
        for resource in &statement.resources {
            if let Some(mut grown) = current.clone() {
                grown.resources.insert(resource.clone());
                if self.fits(&grown) {
                    current = Some(grown);
                    continue;
                }
                pieces.extend(current.take());
            }
            let part = self.part(
                statement,
                first + pieces.len(),
                [action.to_string()].into(),
                [resource.clone()].into(),
            );
            if !self.fits(&part) {
                return Err(PolicyError::GrantTooLarge {
                    action: action.to_string(),
                    resource: resource.clone(),
                    size: self.alone(&part),
                    limit: self.limit,
                });
            }
            current = Some(part);
        }
        pieces.extend(current);
        Ok(pieces)
    }

    /// Part `number` of `statement`: same effect and conditions, the given lists, Sid
    /// suffixed `Part<number>`.
    fn part(
        &self,
        statement: &Statement,
        number: usize,
        actions: std::collections::BTreeSet<String>,
        resources: std::collections::BTreeSet<String>,
    ) -> Statement {
        Statement {
            sid: statement
                .sid
                .as_ref()
                .map(|sid| format!("{sid}Part{number}")),
            actions,
            resources,
            ..statement.clone()
        }
    }
}

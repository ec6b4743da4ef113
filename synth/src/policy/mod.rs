//! The IAM policy model: statements, canonical form, IAM's JSON, size limits.
//!
//! One model serves every renderer and the diff. Resource strings use CloudFormation `!Sub`
//! placeholder syntax (`arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}`)
//! so that a CloudFormation renderer can emit them as they are and a plain-JSON renderer can
//! substitute them (see [`placeholder`]).

mod canonical;
mod document;
mod error;
mod intrinsic;
mod json;
mod placeholder;
mod size;
mod statement;

pub use document::{POLICY_VERSION, PolicyDocument};
pub use error::PolicyError;
pub use placeholder::{escape_policy_variables, placeholders, substitute};
pub use size::{INLINE_ROLE_LIMIT, MANAGED_POLICY_LIMIT, PolicyKind, policy_size};
pub use statement::{Conditions, Effect, Listing, Statement};

#[cfg(test)]
mod tests;

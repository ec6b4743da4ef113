//! Infrastructure: the functions a project deploys, from serverless.yml, SAM/CloudFormation
//! templates and CDK output, with each function's handler and environment bindings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use crate::project::{Entry, Language};
use crate::value::Value;

/// One deployed function as the infrastructure declares it.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionSpec {
    /// The function's name in the infrastructure file (logical id or `functions:` key).
    pub name: String,
    pub runtime: Option<String>,
    pub language: Language,
    pub entry: Entry,
    /// Environment variables, bound to literals or infrastructure references.
    pub env: BTreeMap<String, Value>,
    /// Import search folders (layers, source roots), relative to the project root.
    pub search_paths: Vec<PathBuf>,
    /// The infrastructure file that declares the function, relative to the root.
    pub declared_in: String,
}

#[derive(Debug, Error)]
pub enum InfraError {
    #[error("{file}:{line}: {message}")]
    Invalid {
        file: String,
        line: u32,
        message: String,
    },
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
}

/// Finds the infrastructure files in `root` (or reads `templates`) and returns every
/// function they declare, sorted by name.
pub fn discover(_root: &Path, _templates: &[PathBuf]) -> Result<Vec<FunctionSpec>, InfraError> {
    Ok(Vec::new())
}

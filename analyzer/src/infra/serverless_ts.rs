//! `serverless.ts` / `serverless.js`: the Serverless configuration written in code, as the
//! official `aws-nodejs-typescript` template does. The exported object literal
//! (`module.exports = config`, `export default config`) is evaluated statically through
//! [`super::ts_literal`] (following imported local modules such as `@functions/hello`),
//! then read exactly like a `serverless.yml`, `${...}` variables included.

use std::path::Path;

use serde_norway::Value as Yaml;

use super::discovery::Found;
use super::document::Document;
use super::handler::normalize;
use super::ts_literal::Program;
use super::{Deployment, FileFunctions, InfraError, serverless};
use crate::source::read_source;

/// Reads one `serverless.ts` / `serverless.js`.
pub fn read(
    root: &Path,
    file: &Found,
    deployment: &Deployment,
) -> Result<FileFunctions, InfraError> {
    let source = read_source(root, &file.path).map_err(|d| InfraError::Invalid {
        file: d.file,
        line: d.line,
        message: d.message,
    })?;
    let base = normalize(file.path.parent().unwrap_or(root));
    let program = Program::load(root, &file.path, &base, true)
        .ok_or_else(|| InfraError::invalid(&source.rel, 0, "could not be parsed"))?;
    let no_hook = |_: &_, _: &str, _: &str| None;
    let tree = program
        .export(0, "default", &no_hook)
        .filter(Yaml::is_mapping)
        .ok_or_else(|| {
            InfraError::invalid(
                &source.rel,
                0,
                "no exported configuration object (`module.exports = {..}` or `export default {..}`)",
            )
        })?;
    let doc = Document {
        rel: source.rel,
        text: source.text,
        tree,
    };
    serverless::read_document(root, file, doc, deployment)
}

//! Renderers: one output format per file. Each turns a generate [`Report`] into text.

pub mod cfn;
pub mod json;
pub mod policy;
pub mod sam;
pub mod serverless;
pub mod terraform;

use crate::generate::Report;

/// Values for the placeholders in resource ARNs. What is not given stays a wildcard in its
/// ARN field (the partition defaults to `aws`, as the contract's examples show).
#[derive(Debug, Clone, Default)]
pub struct ArnValues {
    pub partition: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
}

impl ArnValues {
    /// The text of one `${...}` placeholder in a plain IAM document: pseudo parameters from
    /// the flags, infrastructure names that are not known statically as `*`.
    pub fn plain(&self, placeholder: &str) -> String {
        match placeholder {
            "${AWS::Partition}" => self.partition.clone().unwrap_or_else(|| "aws".to_string()),
            "${AWS::Region}" => self.region.clone().unwrap_or_else(|| "*".to_string()),
            "${AWS::AccountId}" => self.account.clone().unwrap_or_else(|| "*".to_string()),
            "${AWS::URLSuffix}" => "amazonaws.com".to_string(),
            _ => "*".to_string(),
        }
    }
}

/// One rendered output: the whole of stdout, or one file per function with `--out`.
pub struct Rendered {
    /// `(function name, file extension, text)` per function.
    pub files: Vec<(String, &'static str, String)>,
    /// Everything together, for stdout.
    pub stdout: String,
}

/// Pretty JSON with a trailing newline. Infallible for `serde_json::Value`.
pub fn pretty(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// The report's functions, rendered one file each and together.
pub fn per_function(
    report: &Report,
    extension: &'static str,
    render: impl Fn(&crate::generate::FunctionReport) -> String,
) -> Vec<(String, &'static str, String)> {
    report
        .functions
        .iter()
        .map(|f| (f.name.clone(), extension, render(f)))
        .collect()
}

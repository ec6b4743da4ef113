//! Finding infrastructure files in a project: every `serverless.{yml,yaml,json}`, every
//! YAML/JSON file that declares a Lambda function (SAM/CloudFormation, wherever it lives:
//! `template.yaml`, `infra/stack.yml`, nested apps), and `cdk.out/**/*.template.json`.
//!
//! Not searched: dependencies and build output that copy sources or templates
//! (`node_modules`, `.aws-sam`, `.serverless`, virtual environments, `target`), VCS folders,
//! and CDK asset folders (their templates' functions are read through `cdk.out`). Ignore
//! files are not honoured: `cdk.out` is usually git-ignored but is exactly what we need.

use std::path::{Path, PathBuf};

use super::InfraError;
use crate::source::{read_source, relative};

/// Folder names never descended into.
const SKIPPED_FOLDERS: &[&str] = &[
    "node_modules",
    ".git",
    ".hg",
    ".svn",
    ".aws-sam",
    ".serverless",
    ".esbuild",
    ".webpack",
    ".build",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    "target",
    ".terraform",
    ".idea",
    ".vscode",
    "coverage",
];

/// Serverless Framework configuration file names (YAML and JSON forms).
const SERVERLESS_NAMES: &[&str] = &["serverless.yml", "serverless.yaml", "serverless.json"];
/// Serverless configurations in code, which we cannot evaluate statically.
const SERVERLESS_CODE_NAMES: &[&str] = &["serverless.ts", "serverless.js"];
/// Names that say "this is a CloudFormation/SAM template": a parse error is then an error.
const TEMPLATE_NAMES: &[&str] = &["template.yaml", "template.yml", "template.json"];
/// Text that a template declaring a function must contain.
const FUNCTION_TYPES: &[&str] = &["AWS::Serverless::Function", "AWS::Lambda::Function"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Serverless,
    CloudFormation,
    CdkTemplate,
    /// `serverless.ts` / `serverless.js`: configuration in code, reported, not read.
    ServerlessCode,
}

/// An infrastructure file to read.
#[derive(Debug, Clone)]
pub struct Found {
    pub path: PathBuf,
    pub rel: String,
    pub kind: Kind,
    /// A parse error is fatal (explicit `--template`, or an unmistakable file name).
    pub required: bool,
}

/// The file named by `--template`, classified by name and content.
pub fn explicit(root: &Path, path: &Path) -> Result<Found, InfraError> {
    let full = if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    };
    let rel = relative(root, &full);
    if !full.is_file() {
        return Err(InfraError::invalid(&rel, 0, "template file not found"));
    }
    let name = file_name(&full);
    let kind = if SERVERLESS_NAMES.contains(&name.as_str()) || name.starts_with("serverless") {
        Kind::Serverless
    } else if rel.contains("cdk.out/") || name.ends_with(".template.json") {
        Kind::CdkTemplate
    } else {
        Kind::CloudFormation
    };
    Ok(Found {
        path: full,
        rel,
        kind,
        required: true,
    })
}

/// Every infrastructure file under `root`, sorted by path.
pub fn find(root: &Path) -> Vec<Found> {
    let walker = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .follow_links(false)
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir
                && (SKIPPED_FOLDERS.contains(&name.as_ref())
                    || is_cdk_asset(entry.path())
                    || entry.path().join("pyvenv.cfg").is_file()))
        })
        .build();
    let mut found = Vec::new();
    for entry in walker.filter_map(Result::ok) {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path().to_path_buf();
        if let Some(kind) = classify(root, &path) {
            let name = file_name(&path);
            let required = matches!(kind, Kind::Serverless | Kind::CdkTemplate)
                || TEMPLATE_NAMES.contains(&name.as_str());
            found.push(Found {
                rel: relative(root, &path),
                path,
                kind,
                required,
            });
        }
    }
    found.sort_by(|a, b| a.rel.cmp(&b.rel));
    found
}

/// What kind of infrastructure file `path` is, if any. Reads the file (bounded) only when
/// its extension allows a template.
fn classify(root: &Path, path: &Path) -> Option<Kind> {
    let name = file_name(path);
    if SERVERLESS_NAMES.contains(&name.as_str()) {
        return Some(Kind::Serverless);
    }
    if SERVERLESS_CODE_NAMES.contains(&name.as_str()) {
        return Some(Kind::ServerlessCode);
    }
    let extension = path.extension()?.to_str()?;
    if !matches!(extension, "yaml" | "yml" | "json" | "template") {
        return None;
    }
    let in_cdk_out = path
        .components()
        .any(|c| c.as_os_str().to_str() == Some("cdk.out"));
    if in_cdk_out && !name.ends_with(".template.json") {
        return None;
    }
    let text = read_source(root, path).ok()?.text;
    if !FUNCTION_TYPES.iter().any(|t| text.contains(t)) {
        return None;
    }
    Some(if in_cdk_out {
        Kind::CdkTemplate
    } else {
        Kind::CloudFormation
    })
}

/// `cdk.out/asset.<hash>` folders: copies of function code, read through the template.
fn is_cdk_asset(path: &Path) -> bool {
    let parent_is_cdk_out = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == "cdk.out" || n.starts_with("assembly-"));
    parent_is_cdk_out && file_name(path).starts_with("asset.")
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

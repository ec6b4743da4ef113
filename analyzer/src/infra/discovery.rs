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
/// Serverless configurations in code, whose exported literal is evaluated statically.
const SERVERLESS_CODE_NAMES: &[&str] = &["serverless.ts", "serverless.js"];
/// Zappa settings file names (https://github.com/zappa/Zappa#advanced-settings).
const ZAPPA_NAMES: &[&str] = &[
    "zappa_settings.json",
    "zappa_settings.yml",
    "zappa_settings.yaml",
];
/// Names that say "this is a CloudFormation/SAM template": a parse error is then an error.
const TEMPLATE_NAMES: &[&str] = &["template.yaml", "template.yml", "template.json"];
/// Text that a Terraform file declaring a function contains: the resource type, or the
/// terraform-aws-modules Lambda module.
const TERRAFORM_FUNCTIONS: &[&str] = &[
    "\"aws_lambda_function\"",
    "terraform-aws-modules/lambda/aws",
];
/// Text that a template declaring a function must contain.
const FUNCTION_TYPES: &[&str] = &["AWS::Serverless::Function", "AWS::Lambda::Function"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Serverless,
    CloudFormation,
    CdkTemplate,
    /// `serverless.ts` / `serverless.js`: configuration in code, its literal evaluated.
    ServerlessCode,
    /// `cdk.json` of a CDK app: its source is read when it has no `cdk.out` templates.
    CdkApp,
    /// `.chalice/config.json` of a Chalice app.
    Chalice,
    /// `zappa_settings.json` / `.yml` / `.yaml` of a Zappa project.
    Zappa,
    /// A `.tf` file declaring a Lambda function: its folder (the Terraform module) is read.
    Terraform,
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
    let kind = if SERVERLESS_CODE_NAMES.contains(&name.as_str()) {
        Kind::ServerlessCode
    } else if name == "cdk.json" {
        Kind::CdkApp
    } else if name == "config.json" && parent_name(&full) == ".chalice" {
        Kind::Chalice
    } else if ZAPPA_NAMES.contains(&name.as_str()) {
        Kind::Zappa
    } else if name.ends_with(".tf") {
        Kind::Terraform
    } else if SERVERLESS_NAMES.contains(&name.as_str()) || name.starts_with("serverless") {
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
    drop_synthesized_apps(&mut found);
    one_per_terraform_module(&mut found);
    found
}

/// A Terraform module is its folder: one of its files stands for all of them.
fn one_per_terraform_module(found: &mut Vec<Found>) {
    let mut seen = std::collections::BTreeSet::new();
    found.retain(|f| {
        f.kind != Kind::Terraform || seen.insert(f.path.parent().map(Path::to_path_buf))
    });
}

/// A CDK app whose `cdk.out` holds templates is read through them, not its source.
fn drop_synthesized_apps(found: &mut Vec<Found>) {
    found.retain(|f| f.kind != Kind::CdkApp || !synthesized(&f.path));
}

/// `cdk.out` next to `cdk_json` holds a template or a nested assembly.
fn synthesized(cdk_json: &Path) -> bool {
    let Some(out) = cdk_json.parent().map(|dir| dir.join("cdk.out")) else {
        return false;
    };
    std::fs::read_dir(out).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.ends_with(".template.json") || name.starts_with("assembly-")
        })
    })
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
    if name == "cdk.json" {
        return Some(Kind::CdkApp);
    }
    if name == "config.json" && parent_name(path) == ".chalice" {
        return Some(Kind::Chalice);
    }
    if ZAPPA_NAMES.contains(&name.as_str()) {
        return Some(Kind::Zappa);
    }
    let extension = path.extension()?.to_str()?;
    if extension == "tf" {
        let text = read_source(root, path).ok()?.text;
        return TERRAFORM_FUNCTIONS
            .iter()
            .any(|t| text.contains(t))
            .then_some(Kind::Terraform);
    }
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

fn parent_name(path: &Path) -> String {
    path.parent().map(file_name).unwrap_or_default()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

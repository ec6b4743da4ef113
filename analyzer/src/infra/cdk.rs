//! CDK output: `cdk.out/**/*.template.json` are CloudFormation templates whose functions
//! point at asset folders through `Metadata["aws:asset:path"]` (relative to the template's
//! folder). An asset folder is a copy of the function's code (`Code.fromAsset`) or a
//! bundle (`NodejsFunction`, `PythonFunction`). We analyse the original source where it can
//! be found: the bundle's source map names it, or a project file outside `cdk.out` has the
//! same name and content as the asset's handler file; otherwise the asset copy itself.
//! Reference: https://docs.aws.amazon.com/cdk/v2/guide/assets.html

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_norway::Value as Yaml;

use super::cloudformation::{self, CodeLocation};
use super::discovery::Found;
use super::document::{self, get};
use super::handler::{self, Code, normalize};
use super::intrinsics::{Evaluator, Resource, Template, static_string};
use super::{FileFunctions, InfraError};
use crate::source::{read_source, relative};

/// Functions CDK adds for its own constructs (log retention, bucket notifications,
/// custom resource providers): not the project's code. Matched in `aws:cdk:path`.
const CDK_INTERNAL_PATHS: &[&str] = &[
    "LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a",
    "BucketNotificationsHandler050a0587b7544547bf325f094a3db834",
    "AWS679f53fac002430cb0da5b7982bd2287",
    "CustomResourceProvider",
    "/framework-onEvent",
    "/framework-isComplete",
    "/framework-onTimeout",
    "Custom::CDKBucketDeployment",
    "CustomCDKBucketDeployment",
    "CustomS3AutoDeleteObjects",
    "CustomVpcRestrictDefaultSG",
];

/// Folders not searched for the originals of asset files.
const NOT_ORIGINALS: &[&str] = &[
    "cdk.out",
    "node_modules",
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    "target",
    ".aws-sam",
];

/// Reads one CDK template.
pub fn read(root: &Path, file: &Found) -> Result<FileFunctions, InfraError> {
    let doc = document::load(root, &file.path)?;
    if get(&doc.tree, &["Resources"])
        .and_then(Yaml::as_mapping)
        .is_none()
    {
        return Err(InfraError::invalid(
            &doc.rel,
            0,
            "not a CloudFormation template: no `Resources` mapping",
        ));
    }
    let template_dir = normalize(file.path.parent().unwrap_or(root));
    let mut template = Template::from_node(&doc, &doc.tree);
    template.stack_name = stack_name(&template_dir, &file.path);
    // CDK's own functions are dropped before reading, so they never show as skipped.
    template
        .resources
        .retain(|_, resource| !is_internal(resource));
    let index = RefCell::new(None::<BTreeMap<String, Vec<PathBuf>>>);
    let locate = |id: &str, resource: &Resource, props: &Yaml, eval: &Evaluator| {
        asset_code(root, &template_dir, id, resource, props, eval, &index)
    };
    Ok(cloudformation::functions(root, &template, None, &locate))
}

/// The stack name of a synthesized template: `properties.stackName` of the manifest.json
/// artifact whose `templateFile` it is, else the artifact id CDK names the file after
/// (`<StackId>.template.json`), which is the default stack name.
fn stack_name(template_dir: &Path, template: &Path) -> Option<String> {
    let file_name = template.file_name()?.to_str()?;
    let from_manifest = std::fs::read_to_string(template_dir.join("manifest.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|manifest| {
            manifest
                .get("artifacts")?
                .as_object()?
                .values()
                .map(|artifact| artifact.get("properties"))
                .find(|p| {
                    p.and_then(|p| p.get("templateFile"))
                        .and_then(serde_json::Value::as_str)
                        == Some(file_name)
                })
                .flatten()
                .and_then(|p| p.get("stackName"))
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        });
    from_manifest.or_else(|| file_name.strip_suffix(".template.json").map(str::to_string))
}

fn is_internal(resource: &Resource) -> bool {
    if resource.resource_type != cloudformation::LAMBDA_FUNCTION {
        return false;
    }
    let path = get(&resource.node, &["Metadata", "aws:cdk:path"])
        .and_then(Yaml::as_str)
        .unwrap_or_default();
    CDK_INTERNAL_PATHS.iter().any(|p| path.contains(p))
}

fn asset_code(
    root: &Path,
    template_dir: &Path,
    id: &str,
    resource: &Resource,
    props: &Yaml,
    eval: &Evaluator,
    index: &RefCell<Option<BTreeMap<String, Vec<PathBuf>>>>,
) -> Result<CodeLocation, String> {
    let asset = get(&resource.node, &["Metadata", "aws:asset:path"])
        .and_then(Yaml::as_str)
        .ok_or_else(|| {
            format!("`{id}` has no `aws:asset:path` metadata: its code is not in cdk.out")
        })?;
    let asset_dir = normalize(&template_dir.join(asset));
    if !handler::inside(root, &asset_dir) || !asset_dir.is_dir() {
        return Err(format!(
            "asset folder `{asset}` is missing (run `cdk synth`?)"
        ));
    }
    let text = |path: &[&str]| get(props, path).and_then(|n| static_string(&eval.eval(n)));
    let handler_text = text(&["Handler"]);
    let runtime = text(&["Runtime"]);
    let code = Code {
        root,
        dir: asset_dir.clone(),
        handler: handler_text.as_deref(),
        runtime: runtime.as_deref(),
        rust_build: false,
        rust_binary: None,
        entry_points: Vec::new(),
    };
    let (entry, _) = handler::map(&code)?;
    let asset_file = normalize(&root.join(&entry.file));
    let in_asset = asset_file
        .strip_prefix(&asset_dir)
        .map(|p| p.to_path_buf())
        .unwrap_or_default();

    if let Some(source) = source_map_entry(root, &asset_file) {
        return Ok(CodeLocation {
            dir: source.parent().unwrap_or(root).to_path_buf(),
            handler: handler_text.map(|h| rebase_handler(&h, &source)),
        });
    }
    if let Some(dir) = original_folder(root, &asset_file, &in_asset, index) {
        return Ok(CodeLocation { dir, handler: None });
    }
    Ok(CodeLocation {
        dir: asset_dir,
        handler: None,
    })
}

/// `index.handler` whose module is now `source`: `<source stem>.handler`, relative to the
/// source's folder.
fn rebase_handler(handler: &str, source: &Path) -> String {
    let function = handler
        .rsplit('/')
        .next()
        .and_then(|b| b.split_once('.'))
        .map(|(_, f)| f)
        .unwrap_or("handler");
    let stem = source
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("index");
    format!("{stem}.{function}")
}

/// The original entry file of a bundle, from `<bundle>.map`: the last source outside
/// `node_modules` (esbuild emits the entry module last).
fn source_map_entry(root: &Path, bundle: &Path) -> Option<PathBuf> {
    let mut map_path = bundle.as_os_str().to_owned();
    map_path.push(".map");
    let map_path = PathBuf::from(map_path);
    if !map_path.is_file() {
        return None;
    }
    let text = read_source(root, &map_path).ok()?.text;
    let map: serde_json::Value = serde_json::from_str(&text).ok()?;
    let source_root = map.get("sourceRoot").and_then(|s| s.as_str()).unwrap_or("");
    let base = map_path.parent()?.join(source_root);
    map.get("sources")?
        .as_array()?
        .iter()
        .filter_map(|s| s.as_str())
        .filter(|s| !s.contains("node_modules/") && !s.starts_with("webpack/"))
        .filter_map(|s| {
            let path = normalize(&base.join(s.trim_start_matches("file://")));
            (handler::inside(root, &path) && path.is_file() && !is_in_cdk_out(root, &path))
                .then_some(path)
        })
        .next_back()
}

fn is_in_cdk_out(root: &Path, path: &Path) -> bool {
    relative(root, path).split('/').any(|c| c == "cdk.out")
}

/// The project folder the asset was copied from: where a file with the same name and
/// content as the asset's handler file sits at the same relative path. The first in path
/// order when several match.
fn original_folder(
    root: &Path,
    asset_file: &Path,
    in_asset: &Path,
    index: &RefCell<Option<BTreeMap<String, Vec<PathBuf>>>>,
) -> Option<PathBuf> {
    let name = asset_file.file_name()?.to_str()?.to_string();
    let content = read_source(root, asset_file).ok()?.text;
    let mut index = index.borrow_mut();
    let files = index.get_or_insert_with(|| index_files(root));
    let depth = in_asset.components().count();
    files.get(&name)?.iter().find_map(|candidate| {
        let same = read_source(root, candidate).ok()?.text == content;
        if !same {
            return None;
        }
        let mut dir = candidate.clone();
        for _ in 0..depth {
            dir.pop();
        }
        (dir.join(in_asset) == *candidate).then_some(dir)
    })
}

/// Source files of the project outside `cdk.out` and dependencies, by file name.
fn index_files(root: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut files: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let walker = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .follow_links(false)
        .filter_entry(|e| !NOT_ORIGINALS.contains(&e.file_name().to_string_lossy().as_ref()))
        .build();
    for entry in walker.filter_map(Result::ok) {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = normalize(entry.path());
        if crate::project::Language::of_path(&path).is_none() {
            continue;
        }
        if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            files
                .entry(name.to_string())
                .or_default()
                .push(path.clone());
        }
    }
    for paths in files.values_mut() {
        paths.sort();
    }
    files
}

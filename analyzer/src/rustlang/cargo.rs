//! Cargo manifests: which files are crate roots (lib, bins) and which names in `use`
//! paths are other crates (path dependencies, renamed packages, `workspace = true`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::source::read_source;

/// A dependency as the code sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepSpec {
    /// The package name on crates.io or in the workspace (`aws-sdk-s3`).
    pub package: String,
    /// Absolute folder of a path dependency.
    pub path: Option<PathBuf>,
}

/// What one `Cargo.toml` says about its package.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// `[package] name`.
    pub package: Option<String>,
    /// The library root, if the package has one.
    pub lib: Option<PathBuf>,
    /// Binary roots: `src/main.rs`, `src/bin/*.rs`, `src/bin/*/main.rs`, `[[bin]] path`.
    pub bins: Vec<PathBuf>,
    /// Dependencies by the name code uses for them (hyphens as underscores).
    pub deps: BTreeMap<String, DepSpec>,
}

/// The folder of the nearest `Cargo.toml` at or above `start`, never above `root`.
pub fn find_manifest_dir(root: &Path, start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        if !d.starts_with(root) {
            return None;
        }
        if d.join("Cargo.toml").is_file() {
            return Some(d.to_path_buf());
        }
        dir = d.parent();
    }
    None
}

/// Reads `dir/Cargo.toml`. Errors become diagnostics; a manifest that cannot be read is `None`.
pub fn read_manifest(root: &Path, dir: &Path, diags: &mut Vec<Diagnostic>) -> Option<Manifest> {
    let table = read_table(root, &dir.join("Cargo.toml"), diags)?;
    let package = table
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_string);

    let mut manifest = Manifest {
        package,
        ..Manifest::default()
    };
    manifest.lib = match table
        .get("lib")
        .and_then(|l| l.get("path"))
        .and_then(|p| p.as_str())
    {
        Some(path) => Some(dir.join(path)),
        None => Some(dir.join("src/lib.rs")).filter(|p| p.is_file()),
    };
    manifest.bins = bin_roots(dir, &table);

    let workspace_deps = workspace_dependencies(root, dir, diags);
    for section in ["dependencies", "build-dependencies"] {
        if let Some(deps) = table.get(section).and_then(|d| d.as_table()) {
            add_deps(&mut manifest.deps, deps, dir, &workspace_deps);
        }
    }
    if let Some(targets) = table.get("target").and_then(|t| t.as_table()) {
        for target in targets.values() {
            if let Some(deps) = target.get("dependencies").and_then(|d| d.as_table()) {
                add_deps(&mut manifest.deps, deps, dir, &workspace_deps);
            }
        }
    }
    Some(manifest)
}

fn read_table(root: &Path, path: &Path, diags: &mut Vec<Diagnostic>) -> Option<toml::Table> {
    let source = match read_source(root, path) {
        Ok(source) => source,
        Err(diag) => {
            diags.push(diag);
            return None;
        }
    };
    match toml::from_str::<toml::Table>(&source.text) {
        Ok(table) => Some(table),
        Err(e) => {
            let line = e
                .span()
                .map(|s| {
                    source.text[..s.start.min(source.text.len())]
                        .lines()
                        .count() as u32
                })
                .unwrap_or(0);
            diags.push(Diagnostic::warning(
                &source.rel,
                line.max(1),
                format!("invalid Cargo.toml: {}", e.message()),
            ));
            None
        }
    }
}

fn bin_roots(dir: &Path, table: &toml::Table) -> Vec<PathBuf> {
    let mut bins = Vec::new();
    if let Some(declared) = table.get("bin").and_then(|b| b.as_array()) {
        for bin in declared {
            let path = bin.get("path").and_then(|p| p.as_str());
            let name = bin.get("name").and_then(|n| n.as_str());
            match (path, name) {
                (Some(path), _) => bins.push(dir.join(path)),
                (None, Some(name)) => {
                    bins.push(dir.join("src/bin").join(format!("{name}.rs")));
                    bins.push(dir.join("src/bin").join(name).join("main.rs"));
                }
                (None, None) => {}
            }
        }
    }
    bins.push(dir.join("src/main.rs"));
    if let Ok(entries) = std::fs::read_dir(dir.join("src/bin")) {
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .map(|p| if p.is_dir() { p.join("main.rs") } else { p })
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        found.sort();
        bins.extend(found);
    }
    bins.retain(|p| p.is_file());
    bins.dedup();
    bins
}

/// `[workspace.dependencies]` of the nearest workspace manifest above `dir`.
fn workspace_dependencies(
    root: &Path,
    dir: &Path,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, DepSpec> {
    let mut found = BTreeMap::new();
    let mut current = Some(dir);
    while let Some(d) = current {
        if !d.starts_with(root) {
            break;
        }
        let manifest = d.join("Cargo.toml");
        if manifest.is_file() {
            let mut local = Vec::new();
            let table = read_table(root, &manifest, &mut local);
            if let Some(workspace) = table.as_ref().and_then(|t| t.get("workspace")) {
                diags.extend(local);
                if let Some(deps) = workspace.get("dependencies").and_then(|d| d.as_table()) {
                    add_deps(&mut found, deps, d, &BTreeMap::new());
                }
                break;
            }
        }
        current = d.parent();
    }
    found
}

fn add_deps(
    out: &mut BTreeMap<String, DepSpec>,
    deps: &toml::Table,
    dir: &Path,
    workspace: &BTreeMap<String, DepSpec>,
) {
    for (key, spec) in deps {
        let code_name = key.replace('-', "_");
        let inherited = spec.get("workspace").and_then(|w| w.as_bool()) == Some(true);
        let dep = if inherited {
            match workspace.get(&code_name) {
                Some(dep) => dep.clone(),
                None => DepSpec {
                    package: key.clone(),
                    path: None,
                },
            }
        } else {
            DepSpec {
                package: spec
                    .get("package")
                    .and_then(|p| p.as_str())
                    .unwrap_or(key)
                    .to_string(),
                path: spec
                    .get("path")
                    .and_then(|p| p.as_str())
                    .map(|p| dir.join(p)),
            }
        };
        out.insert(code_name, dep);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_renames_paths_and_workspace_inheritance() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"app\"]\n[workspace.dependencies]\naws-sdk-sqs = \"1\"\nshared = { path = \"shared\" }\n",
        )
        .expect("write");
        std::fs::create_dir_all(root.join("app/src/bin")).expect("mkdir");
        std::fs::write(root.join("app/src/main.rs"), "fn main() {}").expect("write");
        std::fs::write(root.join("app/src/bin/worker.rs"), "fn main() {}").expect("write");
        std::fs::write(
            root.join("app/Cargo.toml"),
            "[package]\nname = \"my-app\"\n[dependencies]\ns3 = { package = \"aws-sdk-s3\", version = \"1\" }\naws-sdk-sqs.workspace = true\nshared = { workspace = true }\n",
        )
        .expect("write");
        let mut diags = Vec::new();
        let m = read_manifest(root, &root.join("app"), &mut diags).expect("manifest");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(m.package.as_deref(), Some("my-app"));
        assert_eq!(m.deps["s3"].package, "aws-sdk-s3");
        assert_eq!(m.deps["aws_sdk_sqs"].package, "aws-sdk-sqs");
        assert_eq!(
            m.deps["shared"].path.as_deref(),
            Some(root.join("shared").as_path())
        );
        assert_eq!(
            m.bins,
            vec![
                root.join("app/src/main.rs"),
                root.join("app/src/bin/worker.rs")
            ]
        );
        assert_eq!(m.lib, None);
    }
}

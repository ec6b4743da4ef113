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
    /// Absolute folder holding the `Cargo.toml`.
    pub dir: PathBuf,
    /// `[package] name`.
    pub package: Option<String>,
    /// The library root, if the package has one.
    pub lib: Option<PathBuf>,
    /// Binary roots declared with `[[bin]]` (the conventional ones are found by [`Manifest::bins`]).
    pub declared_bins: Vec<(Option<String>, PathBuf)>,
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
        dir: dir.to_path_buf(),
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
    manifest.declared_bins = declared_bins(dir, &table);

    // The package's own manifest may be the workspace root; read the others only if not.
    let workspace_deps = match table.get("workspace") {
        Some(workspace) => workspace_table_deps(workspace, dir),
        None => dir
            .parent()
            .map(|parent| workspace_dependencies(root, parent, diags))
            .unwrap_or_default(),
    };
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
                .and_then(|s| source.text.get(..s.start))
                .map(|before| before.lines().count() as u32)
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

fn declared_bins(dir: &Path, table: &toml::Table) -> Vec<(Option<String>, PathBuf)> {
    let mut bins = Vec::new();
    for bin in table
        .get("bin")
        .and_then(|b| b.as_array())
        .into_iter()
        .flatten()
    {
        let path = bin.get("path").and_then(|p| p.as_str());
        let name = bin.get("name").and_then(|n| n.as_str()).map(str::to_string);
        match (path, &name) {
            (Some(path), _) => bins.push((name.clone(), dir.join(path))),
            (None, Some(n)) => {
                bins.push((name.clone(), dir.join("src/bin").join(format!("{n}.rs"))));
                bins.push((name.clone(), dir.join("src/bin").join(n).join("main.rs")));
            }
            (None, None) => {}
        }
    }
    bins
}

impl Manifest {
    /// Whether `path` is the root of one of the package's targets, by Cargo's layout
    /// conventions or a declaration. Touches no other file: packages may have many bins.
    pub fn is_target_root(&self, path: &Path) -> bool {
        let src = self.dir.join("src");
        let bin_dir = src.join("bin");
        self.lib.as_deref() == Some(path)
            || path == src.join("main.rs")
            || self.declared_bins.iter().any(|(_, p)| p == path)
            || (path.parent() == Some(bin_dir.as_path())
                && path.extension().is_some_and(|e| e == "rs"))
            || (path.file_name().is_some_and(|n| n == "main.rs")
                && path.parent().and_then(Path::parent) == Some(bin_dir.as_path()))
    }

    /// Binary roots with their names: `[[bin]]`, `src/main.rs`, `src/bin/*.rs`,
    /// `src/bin/*/main.rs`; only files that exist.
    pub fn bins(&self) -> Vec<(String, PathBuf)> {
        let package = self.package.clone().unwrap_or_default();
        let mut bins: Vec<(String, PathBuf)> = self
            .declared_bins
            .iter()
            .map(|(n, p)| (n.clone().unwrap_or_else(|| package.clone()), p.clone()))
            .collect();
        bins.push((package, self.dir.join("src/main.rs")));
        if let Ok(entries) = std::fs::read_dir(self.dir.join("src/bin")) {
            let mut found: Vec<(String, PathBuf)> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter_map(|p| {
                    let name = p.file_stem()?.to_string_lossy().into_owned();
                    let root = if p.is_dir() { p.join("main.rs") } else { p };
                    Some((name, root))
                })
                .filter(|(_, p)| p.extension().is_some_and(|e| e == "rs"))
                .collect();
            found.sort();
            bins.extend(found);
        }
        bins.retain(|(_, p)| p.is_file());
        let mut seen = std::collections::BTreeSet::new();
        bins.retain(|(_, p)| seen.insert(p.clone()));
        bins
    }
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
                found = workspace_table_deps(workspace, d);
                break;
            }
        }
        current = d.parent();
    }
    found
}

fn workspace_table_deps(workspace: &toml::Value, dir: &Path) -> BTreeMap<String, DepSpec> {
    let mut found = BTreeMap::new();
    if let Some(deps) = workspace.get("dependencies").and_then(|d| d.as_table()) {
        add_deps(&mut found, deps, dir, &BTreeMap::new());
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
            m.bins(),
            vec![
                ("my-app".to_string(), root.join("app/src/main.rs")),
                ("worker".to_string(), root.join("app/src/bin/worker.rs"))
            ]
        );
        assert!(m.is_target_root(&root.join("app/src/bin/worker.rs")));
        assert!(!m.is_target_root(&root.join("app/src/util.rs")));
        assert_eq!(m.lib, None);
    }
}

//! Handler strings to entry points, per runtime, as the Lambda runtimes read them:
//! - Python `pkg.mod.fn`: module `pkg/mod.py` (or `pkg/mod/__init__.py`), function `fn`;
//!   Serverless also writes folders with slashes (`src/handlers/orders.create`).
//!   (https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html)
//! - Node.js `dir/file.fn`: the file part ends at the first dot of the last path segment
//!   (the runtime's `^([^.]*)\.(.*)$`), any of `.js .mjs .cjs`; TypeScript sources behind a
//!   build folder are found through `tsconfig.json` (`outDir` -> `rootDir`) or beside it.
//!   (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html)
//! - Rust on `provided.*`: the handler is `bootstrap`; the binary is the crate's
//!   `src/main.rs` or the `[[bin]]` the function names (cargo-lambda `Binary`).

use std::path::{Component, Path, PathBuf};

use crate::project::{Entry, Language};
use crate::source::{read_source, relative};

const NODE_EXTENSIONS: &[&str] = &["js", "mjs", "cjs", "ts", "mts", "cts"];
const TS_EXTENSIONS: &[&str] = &["ts", "mts", "cts", "tsx"];
/// Build output folders whose sources usually sit in `src/` or at the top.
const BUILD_FOLDERS: &[&str] = &["dist", "build", "out", "lib", ".build", "bundle"];

/// What the function runs and where its code is.
pub struct Code<'a> {
    pub root: &'a Path,
    /// The code folder (CodeUri, the Serverless service folder), lexically normalised.
    pub dir: PathBuf,
    pub handler: Option<&'a str>,
    pub runtime: Option<&'a str>,
    /// cargo-lambda `BuildMethod: rust-cargolambda` seen in the metadata.
    pub rust_build: bool,
    /// The `[[bin]]` the function runs (cargo-lambda `BuildProperties.Binary`).
    pub rust_binary: Option<&'a str>,
    /// esbuild entry points (SAM `BuildProperties.EntryPoints`), relative to `dir`.
    pub entry_points: Vec<String>,
}

/// The runtime family, from the runtime identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Python,
    Node,
    Custom,
    Unsupported,
    Unknown,
}

fn family(runtime: Option<&str>) -> Family {
    match runtime {
        None => Family::Unknown,
        Some(r) if r.starts_with("python") => Family::Python,
        Some(r) if r.starts_with("nodejs") => Family::Node,
        Some(r) if r.starts_with("provided") => Family::Custom,
        Some(_) => Family::Unsupported,
    }
}

/// The entry and language of the function, or why there is none.
pub fn map(code: &Code) -> Result<(Entry, Language), String> {
    if !inside(code.root, &code.dir) {
        return Err(format!(
            "code folder {} is outside the project",
            code.dir.display()
        ));
    }
    let rust_crate = code.dir.join("Cargo.toml").is_file();
    match family(code.runtime) {
        Family::Python => python(code),
        Family::Node => node(code),
        Family::Custom if code.rust_build || rust_crate => rust(code),
        Family::Custom => Err(format!(
            "custom runtime {} without a Cargo.toml in {}: only Rust is analysed",
            code.runtime.unwrap_or_default(),
            relative(code.root, &code.dir)
        )),
        Family::Unsupported => Err(format!(
            "runtime {} is not analysed",
            code.runtime.unwrap_or_default()
        )),
        Family::Unknown if code.rust_build => rust(code),
        Family::Unknown => python(code)
            .or_else(|_| node(code))
            .or_else(|e| if rust_crate { rust(code) } else { Err(e) }),
    }
}

fn python(code: &Code) -> Result<(Entry, Language), String> {
    let handler = code.handler.ok_or("the function has no handler")?;
    let (module, function) = handler
        .rsplit_once('.')
        .ok_or_else(|| format!("handler `{handler}` is not `module.function`"))?;
    let (folder, dotted) = match module.rsplit_once('/') {
        Some((folder, rest)) => (format!("{folder}/"), rest),
        None => (String::new(), module),
    };
    let module_path = format!("{folder}{}", dotted.replace('.', "/"));
    let candidates = [
        format!("{module_path}.py"),
        format!("{module_path}/__init__.py"),
    ];
    find(code, &candidates)
        .map(|file| {
            (
                Entry {
                    file,
                    function: Some(function.to_string()),
                },
                Language::Python,
            )
        })
        .ok_or_else(|| missing(code, handler, &candidates[0]))
}

fn node(code: &Code) -> Result<(Entry, Language), String> {
    let handler = code.handler.ok_or("the function has no handler")?;
    let (folder, base) = match handler.rsplit_once('/') {
        Some((folder, base)) => (format!("{folder}/"), base),
        None => (String::new(), handler),
    };
    let (module, function) = base
        .split_once('.')
        .ok_or_else(|| format!("handler `{handler}` is not `file.function`"))?;
    let module = format!("{folder}{module}");
    let mut candidates: Vec<String> = Vec::new();
    // esbuild entry points name the source directly.
    for point in &code.entry_points {
        let stem = point.rsplit_once('.').map(|(s, _)| s).unwrap_or(point);
        let stem = stem.trim_start_matches("./");
        if stem.rsplit('/').next() == module.rsplit('/').next() {
            candidates.push(point.trim_start_matches("./").to_string());
        }
    }
    // tsconfig `outDir` -> `rootDir`: the TypeScript source of compiled output.
    if let Some(source) = typescript_source(code, &module) {
        candidates.extend(TS_EXTENSIONS.iter().map(|e| format!("{source}.{e}")));
    }
    candidates.extend(NODE_EXTENSIONS.iter().map(|e| format!("{module}.{e}")));
    candidates.extend(["index.js", "index.ts"].map(|i| format!("{module}/{i}")));
    // `dist/index.handler` with no dist folder: the source beside it.
    if let Some((first, rest)) = module.split_once('/')
        && BUILD_FOLDERS.contains(&first)
    {
        for base in ["src/", ""] {
            candidates.extend(TS_EXTENSIONS.iter().map(|e| format!("{base}{rest}.{e}")));
            candidates.push(format!("{base}{rest}.js"));
        }
    }
    let file = find(code, &candidates).ok_or_else(|| missing(code, handler, &candidates[0]))?;
    let language = Language::of_path(Path::new(&file)).unwrap_or(Language::JavaScript);
    Ok((
        Entry {
            file,
            function: Some(function.to_string()),
        },
        language,
    ))
}

/// The TypeScript module compiled to `module` (relative to the code folder), when a
/// `tsconfig.json` in the code folder (or above, inside the root) has an `outDir` that
/// `module` lies in.
fn typescript_source(code: &Code, module: &str) -> Option<String> {
    let mut dir = code.dir.clone();
    loop {
        let config = dir.join("tsconfig.json");
        if config.is_file() {
            let text = read_source(code.root, &config).ok()?.text;
            let json = crate::jsonc::parse(&text)?;
            let options = json.get("compilerOptions")?;
            let out_dir = options.get("outDir")?.as_str()?;
            let root_dir = options
                .get("rootDir")
                .and_then(|r| r.as_str())
                .unwrap_or_else(|| if dir.join("src").is_dir() { "src" } else { "." });
            let out = relative(code.root, &dir.join(out_dir));
            let src = relative(code.root, &dir.join(root_dir));
            let module_rel = relative(code.root, &code.dir.join(module));
            let rest = module_rel.strip_prefix(&out)?.trim_start_matches('/');
            let source = if src.is_empty() {
                rest.to_string()
            } else {
                format!("{src}/{rest}")
            };
            let code_rel = relative(code.root, &code.dir);
            return Some(if code_rel.is_empty() {
                source
            } else {
                source
                    .strip_prefix(&format!("{code_rel}/"))
                    .map(String::from)
                    .unwrap_or_else(|| format!("{}/{source}", up(&code_rel)))
            });
        }
        if dir == code.root || !dir.pop() || !inside(code.root, &dir) {
            return None;
        }
    }
}

/// `../` once per segment of `rel`: from the code folder back to the root.
fn up(rel: &str) -> String {
    rel.split('/').map(|_| "..").collect::<Vec<_>>().join("/")
}

fn rust(code: &Code) -> Result<(Entry, Language), String> {
    let binary = code.rust_binary.or(code
        .handler
        .filter(|h| *h != "bootstrap" && !h.contains('.')));
    let manifest = code.dir.join("Cargo.toml");
    let text = read_source(code.root, &manifest)
        .map_err(|d| format!("Rust function without a readable Cargo.toml: {}", d.message))?
        .text;
    let cargo: toml::Table = toml::from_str(&text).map_err(|e| {
        format!(
            "{}: invalid Cargo.toml: {e}",
            relative(code.root, &manifest)
        )
    })?;
    if let Some(file) = crate_binary(code, &code.dir, &cargo, binary) {
        return Ok((rust_entry(file), Language::Rust));
    }
    // A workspace: the member crate that has the binary.
    let members = cargo
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
        .cloned()
        .unwrap_or_default();
    for member in members.iter().filter_map(|m| m.as_str()) {
        for dir in expand_member(&code.dir, member) {
            let Ok(source) = read_source(code.root, &dir.join("Cargo.toml")) else {
                continue;
            };
            let Ok(member_cargo) = toml::from_str::<toml::Table>(&source.text) else {
                continue;
            };
            if binary.is_none() && members.len() > 1 {
                continue;
            }
            if let Some(file) = crate_binary(code, &dir, &member_cargo, binary) {
                return Ok((rust_entry(file), Language::Rust));
            }
        }
    }
    Err(match binary {
        Some(b) => format!("no binary `{b}` in {}", relative(code.root, &manifest)),
        None => format!(
            "cannot tell which binary of {} the function runs",
            relative(code.root, &manifest)
        ),
    })
}

fn rust_entry(file: String) -> Entry {
    Entry {
        file,
        function: Some("main".to_string()),
    }
}

/// Workspace member globs: `crates/*` lists the folders; anything else is a path.
fn expand_member(dir: &Path, member: &str) -> Vec<PathBuf> {
    match member.strip_suffix("/*") {
        Some(parent) => {
            let mut found: Vec<PathBuf> = std::fs::read_dir(dir.join(parent))
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| p.is_dir())
                        .collect()
                })
                .unwrap_or_default();
            found.sort();
            found
        }
        None => vec![normalize(&dir.join(member))],
    }
}

/// The source file of the binary `binary` (or the only/main binary) of one crate.
fn crate_binary(
    code: &Code,
    dir: &Path,
    cargo: &toml::Table,
    binary: Option<&str>,
) -> Option<String> {
    let package = cargo
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str());
    let bins: Vec<(String, String)> = cargo
        .get("bin")
        .and_then(|b| b.as_array())
        .map(|bins| {
            bins.iter()
                .filter_map(|bin| {
                    let name = bin.get("name")?.as_str()?.to_string();
                    let path = bin
                        .get("path")
                        .and_then(|p| p.as_str())
                        .map(String::from)
                        .unwrap_or_else(|| format!("src/bin/{name}.rs"));
                    Some((name, path))
                })
                .collect()
        })
        .unwrap_or_default();
    let exists = |rel: &str| {
        let path = normalize(&dir.join(rel));
        (path.is_file() && inside(code.root, &path)).then(|| relative(code.root, &path))
    };
    match binary {
        Some(name) => {
            if let Some((_, path)) = bins.iter().find(|(n, _)| n == name) {
                return exists(path);
            }
            if package == Some(name)
                || package.map(|p| p.replace('-', "_")) == Some(name.replace('-', "_"))
            {
                return exists("src/main.rs");
            }
            exists(&format!("src/bin/{name}.rs"))
                .or_else(|| exists(&format!("src/bin/{name}/main.rs")))
        }
        None => exists("src/main.rs").or_else(|| match bins.as_slice() {
            [(_, path)] => exists(path),
            _ => None,
        }),
    }
}

/// The first candidate (relative to the code folder) that is a file inside the root,
/// relative to the root.
fn find(code: &Code, candidates: &[String]) -> Option<String> {
    candidates.iter().find_map(|candidate| {
        let path = normalize(&code.dir.join(candidate));
        (inside(code.root, &path) && path.is_file()).then(|| relative(code.root, &path))
    })
}

fn missing(code: &Code, handler: &str, expected: &str) -> String {
    let dir = relative(code.root, &code.dir);
    let expected = if dir.is_empty() {
        expected.to_string()
    } else {
        format!("{dir}/{expected}")
    };
    format!("handler `{handler}`: no source file found (expected {expected})")
}

/// `a/./b/../c` as `a/c`, without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A folder as an import search path relative to the root; the root itself is `.`.
pub fn search_path(root: &Path, dir: &Path) -> PathBuf {
    match relative(root, dir) {
        rel if rel.is_empty() => PathBuf::from("."),
        rel => PathBuf::from(rel),
    }
}

/// Whether `path` lies inside `root` (lexically; symlinks are checked when reading).
pub fn inside(root: &Path, path: &Path) -> bool {
    normalize(path).starts_with(normalize(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        for file in files {
            let (name, content) = file.split_once('=').unwrap_or((file, ""));
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, content).expect("write");
        }
        dir
    }

    fn mapped(
        root: &Path,
        dir: &str,
        handler: &str,
        runtime: &str,
    ) -> Result<(String, Option<String>, Language), String> {
        let code = Code {
            root,
            dir: normalize(&root.join(dir)),
            handler: Some(handler),
            runtime: Some(runtime),
            rust_build: false,
            rust_binary: None,
            entry_points: Vec::new(),
        };
        map(&code).map(|(e, l)| (e.file, e.function, l))
    }

    #[test]
    fn python_handlers() {
        let t = tree(&[
            "fn/app.py",
            "fn/pkg/mod/handlers.py",
            "src/handlers/orders.py",
            "pkg2/__init__.py",
        ]);
        let r = t.path();
        assert_eq!(
            mapped(r, "fn", "app.lambda_handler", "python3.12"),
            Ok((
                "fn/app.py".into(),
                Some("lambda_handler".into()),
                Language::Python
            ))
        );
        assert_eq!(
            mapped(r, "fn", "pkg.mod.handlers.main", "python3.12").map(|m| m.0),
            Ok("fn/pkg/mod/handlers.py".into())
        );
        assert_eq!(
            mapped(r, ".", "src/handlers/orders.create", "python3.11").map(|m| m.0),
            Ok("src/handlers/orders.py".into())
        );
        assert_eq!(
            mapped(r, ".", "pkg2.handler", "python3.11").map(|m| m.0),
            Ok("pkg2/__init__.py".into())
        );
        let error = mapped(r, "fn", "nope.handler", "python3.12").expect_err("missing");
        assert!(error.contains("fn/nope.py"), "{error}");
        assert!(
            mapped(r, "..", "app.handler", "python3.12")
                .expect_err("outside")
                .contains("outside")
        );
        assert!(
            mapped(r, "fn", "app.handler", "java21")
                .expect_err("java")
                .contains("java21")
        );
    }

    #[test]
    fn node_handlers() {
        let t = tree(&[
            "a/src/handler.mjs",
            "b/app.ts",
            "c/tsconfig.json={ // build\n \"compilerOptions\": {\"outDir\": \"./dist\", \"rootDir\": \"./src\",},\n}",
            "c/src/index.ts",
            "c/dist/index.js",
            "d/src/index.ts",
            "e/dist/index.js",
        ]);
        let r = t.path();
        assert_eq!(
            mapped(r, "a", "src/handler.main", "nodejs20.x"),
            Ok((
                "a/src/handler.mjs".into(),
                Some("main".into()),
                Language::JavaScript
            ))
        );
        assert_eq!(
            mapped(r, "b", "app.lambdaHandler", "nodejs20.x"),
            Ok((
                "b/app.ts".into(),
                Some("lambdaHandler".into()),
                Language::TypeScript
            ))
        );
        assert_eq!(
            mapped(r, "c", "dist/index.handler", "nodejs20.x").map(|m| m.0),
            Ok("c/src/index.ts".into())
        );
        assert_eq!(
            mapped(r, "d", "dist/index.handler", "nodejs20.x").map(|m| m.0),
            Ok("d/src/index.ts".into())
        );
        assert_eq!(
            mapped(r, "e", "dist/index.handler", "nodejs20.x").map(|m| m.0),
            Ok("e/dist/index.js".into())
        );
    }

    #[test]
    fn rust_binaries() {
        let t = tree(&[
            "one/Cargo.toml=[package]\nname = \"one\"\n",
            "one/src/main.rs",
            "many/Cargo.toml=[package]\nname = \"many\"\n[[bin]]\nname = \"get\"\npath = \"src/get.rs\"\n[[bin]]\nname = \"put\"\n",
            "many/src/get.rs",
            "many/src/bin/put.rs",
        ]);
        let r = t.path();
        assert_eq!(
            mapped(r, "one", "bootstrap", "provided.al2023"),
            Ok((
                "one/src/main.rs".into(),
                Some("main".into()),
                Language::Rust
            ))
        );
        let code = |binary| Code {
            root: r,
            dir: normalize(&r.join("many")),
            handler: Some("bootstrap"),
            runtime: Some("provided.al2"),
            rust_build: true,
            rust_binary: binary,
            entry_points: Vec::new(),
        };
        assert_eq!(
            map(&code(Some("get"))).map(|m| m.0.file),
            Ok("many/src/get.rs".into())
        );
        assert_eq!(
            map(&code(Some("put"))).map(|m| m.0.file),
            Ok("many/src/bin/put.rs".into())
        );
        assert!(map(&code(None)).is_err());
    }
}

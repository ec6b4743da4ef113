//! The program: every local module the entry can import, parsed once per analysis.
//!
//! Loading works in waves: parse the files known so far in parallel (rayon), scan their
//! statements for imports, resolve each imported name to a local file, repeat with the new
//! files. Third-party imports are never read.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use tree_sitter::{Node, Parser, Tree};

use crate::Diagnostic;
use crate::fields::Fields;
use crate::source::{read_source, relative};

use super::syntax::{node_text, syntax_error_line};

/// One parsed local module.
pub struct Module {
    /// Relative to the root, with `/`.
    pub rel: String,
    pub text: String,
    pub tree: Tree,
}

/// Where a dotted module name leads inside the project.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// A module file or a package's `__init__.py`, relative to the root.
    File(String),
    /// A namespace package: a folder without `__init__.py`, relative to the root.
    Namespace(String),
}

/// Top-level packages never read from the project even when vendored into it: their
/// behaviour is modelled (boto3, botocore, s3transfer) or comes from the library table.
const NEVER_LOCAL: &[&str] = &["boto3", "botocore", "s3transfer", "aioboto3", "aiobotocore"];

/// Finds the files behind module names, the way Lambda's Python runtime does: the handler's
/// folder first, then the project root, `src/`, then the extra search paths (layers).
pub struct Resolver {
    root: PathBuf,
    bases: Vec<PathBuf>,
    library_roots: BTreeSet<String>,
    /// Per base folder: top-level names installed there by pip (`pip install -t .` vendors
    /// dependencies next to the handler). Those are third-party: never read.
    installed: Vec<BTreeSet<String>>,
    /// Absolute names resolve the same from every file: remembered (loader threads share it).
    absolute: Mutex<HashMap<String, Option<Target>>>,
}

impl Resolver {
    pub fn new(root: &Path, entry_file: &str, search_paths: &[PathBuf]) -> Self {
        let entry_dir = Path::new(entry_file)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut bases: Vec<PathBuf> = Vec::new();
        for base in [entry_dir, PathBuf::new(), PathBuf::from("src")]
            .into_iter()
            .chain(search_paths.iter().cloned())
        {
            let normalised = PathBuf::from(relative(root, &root.join(&base)));
            if !bases.contains(&normalised) {
                bases.push(normalised);
            }
        }
        let library_roots = crate::libraries::for_language(crate::Language::Python)
            .filter_map(|m| m.module.split('.').next())
            .map(str::to_string)
            .chain(NEVER_LOCAL.iter().map(|s| s.to_string()))
            .collect();
        let installed = bases
            .iter()
            .map(|base| installed_packages(root, base))
            .collect();
        Self {
            root: root.to_path_buf(),
            bases,
            library_roots,
            installed,
            absolute: Mutex::new(HashMap::new()),
        }
    }

    /// Resolves `dotted` (absolute when `level` is 0, else relative to the package of
    /// `from_rel`, `level` dots up).
    pub fn resolve(&self, from_rel: &str, level: usize, dotted: &str) -> Option<Target> {
        let parts: Vec<&str> = dotted.split('.').filter(|p| !p.is_empty()).collect();
        if level == 0 {
            let first = parts.first()?;
            if self.library_roots.contains(*first) {
                return None;
            }
            if let Some(known) = self
                .absolute
                .lock()
                .ok()
                .and_then(|m| m.get(dotted).cloned())
            {
                return known;
            }
            let found = self
                .bases
                .iter()
                .zip(&self.installed)
                .filter(|(_, installed)| !installed.contains(*first))
                .find_map(|(base, _)| self.resolve_in(base, &parts));
            if let Ok(mut cache) = self.absolute.lock() {
                cache.insert(dotted.to_string(), found.clone());
            }
            found
        } else {
            let mut dir = Path::new(from_rel)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            for _ in 1..level {
                dir = dir.parent()?.to_path_buf();
            }
            if parts.is_empty() {
                return self.package_target(&dir);
            }
            self.resolve_in(&dir, &parts)
        }
    }

    fn resolve_in(&self, base: &Path, parts: &[&str]) -> Option<Target> {
        let mut path = base.to_path_buf();
        for part in parts {
            path.push(part);
        }
        let module_file = path.with_extension("py");
        // A link that loops or dangles still names the module: reading it reports why.
        if self.root.join(&module_file).symlink_metadata().is_ok() {
            return Some(Target::File(relative(
                &self.root,
                &self.root.join(module_file),
            )));
        }
        self.package_target(&path)
    }

    fn package_target(&self, dir: &Path) -> Option<Target> {
        let full = self.root.join(dir);
        if full.join("__init__.py").is_file() {
            Some(Target::File(relative(
                &self.root,
                &full.join("__init__.py"),
            )))
        } else if full.is_dir() {
            Some(Target::Namespace(relative(&self.root, &full)))
        } else {
            None
        }
    }
}

/// Top-level modules that pip installed into `base`: each `*.dist-info` lists them in
/// `top_level.txt`, or else its `RECORD` names the files it installed.
fn installed_packages(root: &Path, base: &Path) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let Ok(entries) = std::fs::read_dir(root.join(base)) else {
        return names;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.ends_with(".dist-info") || name.ends_with(".egg-info")) {
            continue;
        }
        let info = base.join(&name);
        if let Ok(top) = read_source(root, &info.join("top_level.txt")) {
            names.extend(
                top.text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string),
            );
        } else if let Ok(record) = read_source(root, &info.join("RECORD")) {
            for line in record.text.lines() {
                let path = line.split(',').next().unwrap_or("");
                let first = path.split('/').next().unwrap_or("");
                if !first.is_empty() && !first.ends_with("-info") && first != ".." {
                    names.insert(first.trim_end_matches(".py").to_string());
                }
            }
        }
    }
    names
}

/// An import statement reduced to what resolution needs.
pub struct ImportSpec {
    pub level: usize,
    pub module: String,
    /// `from module import a, b`: the imported names (`*` for a wildcard).
    pub names: Vec<String>,
}

/// Reads an `import_statement` / `import_from_statement` node.
pub fn import_specs(node: Node, src: &str) -> Vec<ImportSpec> {
    let mut out = Vec::new();
    match node.kind() {
        "import_statement" => {
            let mut cursor = node.walk();
            for name in node.children_by_field_name("name", &mut cursor) {
                let dotted = match name.kind() {
                    "aliased_import" => name.field("name"),
                    _ => Some(name),
                };
                if let Some(dotted) = dotted {
                    out.push(ImportSpec {
                        level: 0,
                        module: node_text(dotted, src).to_string(),
                        names: Vec::new(),
                    });
                }
            }
        }
        "import_from_statement" => {
            let Some(module) = node.field("module_name") else {
                return out;
            };
            let (level, dotted) = if module.kind() == "relative_import" {
                let text = node_text(module, src);
                let level = text.chars().take_while(|c| *c == '.').count();
                (level, text[level..].trim().to_string())
            } else {
                (0, node_text(module, src).to_string())
            };
            let mut names = Vec::new();
            let mut cursor = node.walk();
            for name in node.children_by_field_name("name", &mut cursor) {
                let dotted = match name.kind() {
                    "aliased_import" => name.field("name"),
                    _ => Some(name),
                };
                if let Some(dotted) = dotted {
                    names.push(node_text(dotted, src).to_string());
                }
            }
            let mut cursor = node.walk();
            if node
                .children(&mut cursor)
                .any(|c| c.kind() == "wildcard_import")
            {
                names.push("*".to_string());
            }
            out.push(ImportSpec {
                level,
                module: dotted,
                names,
            });
        }
        _ => {}
    }
    out
}

/// Every module an import spec may load: each package along the dotted path, the module,
/// and for `from m import n` the submodule `m.n` when there is one.
pub fn candidate_modules(spec: &ImportSpec) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let parts: Vec<&str> = spec.module.split('.').filter(|p| !p.is_empty()).collect();
    if spec.level > 0 {
        out.push((spec.level, String::new()));
    }
    for i in 1..=parts.len() {
        out.push((spec.level, parts[..i].join(".")));
    }
    for name in &spec.names {
        if name != "*" {
            let joined = if spec.module.is_empty() {
                name.clone()
            } else {
                format!("{}.{}", spec.module, name)
            };
            out.push((spec.level, joined));
        }
    }
    out
}

/// Statement kinds that can contain an import statement; expressions never do, so the
/// scan does not descend into them (a tree-sitter query would visit every node).
const STATEMENT_CONTAINERS: &[&str] = &[
    "module",
    "block",
    "function_definition",
    "class_definition",
    "decorated_definition",
    "if_statement",
    "elif_clause",
    "else_clause",
    "for_statement",
    "while_statement",
    "try_statement",
    "except_clause",
    "except_group_clause",
    "finally_clause",
    "with_statement",
    "match_statement",
    "case_clause",
];

/// Every import statement of a module, including those inside functions and branches.
pub fn import_statements(root: Node) -> Vec<Node> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "import_statement" | "import_from_statement" => out.push(node),
            kind if STATEMENT_CONTAINERS.contains(&kind) => {
                let mut cursor = node.walk();
                stack.extend(node.named_children(&mut cursor));
            }
            _ => {}
        }
    }
    out
}

/// Parses Python source. `None` only if tree-sitter itself refuses (never for valid input).
/// Each thread keeps one parser: making one per file costs more than parsing a small file.
pub fn parse(text: &str) -> Option<Tree> {
    thread_local! {
        static PARSER: std::cell::RefCell<Option<Parser>> = const { std::cell::RefCell::new(None) };
    }
    PARSER.with(|cell| {
        let mut slot = cell.try_borrow_mut().ok()?;
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_python::LANGUAGE.into())
                .ok()?;
            *slot = Some(parser);
        }
        slot.as_mut()?.parse(text, None)
    })
}

/// All parsed modules of one analysis, indexed by relative path.
pub struct Program {
    pub modules: Vec<Module>,
    pub by_rel: HashMap<String, usize>,
    pub resolver: Resolver,
    pub diagnostics: Vec<Diagnostic>,
}

impl Program {
    /// Loads the entry file and everything it can import, transitively.
    pub fn load(root: &Path, entry_file: &str, search_paths: &[PathBuf]) -> Program {
        let resolver = Resolver::new(root, entry_file, search_paths);
        let mut program = Program {
            modules: Vec::new(),
            by_rel: HashMap::new(),
            resolver,
            diagnostics: Vec::new(),
        };
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut wave: Vec<String> = vec![relative(root, &root.join(entry_file))];
        seen.extend(wave.iter().cloned());
        while !wave.is_empty() {
            let parsed: Vec<Result<(Module, Vec<String>), Diagnostic>> = wave
                .par_iter()
                .map(|rel| load_one(root, rel, &program.resolver))
                .collect();
            let mut next = Vec::new();
            for result in parsed {
                match result {
                    Ok((module, imports)) => {
                        if let Some(line) = syntax_error_line(module.tree.root_node()) {
                            program.diagnostics.push(Diagnostic::warning(
                                &module.rel,
                                line,
                                "syntax error; analysed what could be read",
                            ));
                        }
                        for rel in imports {
                            if seen.insert(rel.clone()) {
                                next.push(rel);
                            }
                        }
                        program
                            .by_rel
                            .insert(module.rel.clone(), program.modules.len());
                        program.modules.push(module);
                    }
                    Err(diagnostic) => program.diagnostics.push(diagnostic),
                }
            }
            next.sort();
            wave = next;
        }
        program
    }

    /// Frees the trees on every worker: a tree is one heap block per node, and deleting
    /// 2,000 of them on one thread was a visible part of the analysis (bench/python.rs).
    pub fn release(self) {
        self.modules.into_par_iter().for_each(drop);
    }
}

/// Reads and parses one file, and lists the local files its imports lead to.
fn load_one(
    root: &Path,
    rel: &str,
    resolver: &Resolver,
) -> Result<(Module, Vec<String>), Diagnostic> {
    let source = read_source(root, Path::new(rel))?;
    let tree = parse(&source.text)
        .ok_or_else(|| Diagnostic::warning(&source.rel, 0, "could not be parsed"))?;
    let mut imports = Vec::new();
    for node in import_statements(tree.root_node()) {
        for spec in import_specs(node, &source.text) {
            for (level, dotted) in candidate_modules(&spec) {
                if let Some(Target::File(file)) = resolver.resolve(&source.rel, level, &dotted) {
                    imports.push(file);
                }
            }
        }
    }
    Ok((
        Module {
            rel: source.rel,
            text: source.text,
            tree,
        },
        imports,
    ))
}

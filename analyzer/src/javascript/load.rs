//! Loading the local module graph: parse the entry file, find the modules it imports,
//! resolve them, and repeat level by level, parsing each level in parallel. Bundles, `.d.ts` files and `node_modules` are skipped with a note.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use tree_sitter::{Language as Grammar, Node, Parser, Tree};

use crate::source::{read_source, relative};
use crate::{Context, Diagnostic};

use super::tsconfig::TsConfig;
use crate::fields::Fields;

/// A line longer than this marks a minified bundle: skipped, never parsed.
pub const MAX_LINE_CHARS: usize = 10_000;

/// Extensions tried, in order, for a specifier written without one.
const EXTENSIONS: [&str; 8] = ["ts", "tsx", "mts", "cts", "js", "mjs", "cjs", "jsx"];

/// Which tree-sitter grammar parses a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    JavaScript,
    TypeScript,
    Tsx,
}

impl Dialect {
    pub fn of_path(path: &Path) -> Option<Dialect> {
        let name = path.file_name()?.to_str()?;
        if [".d.ts", ".d.mts", ".d.cts"]
            .iter()
            .any(|s| name.ends_with(s))
        {
            return None;
        }
        match path.extension()?.to_str()? {
            "js" | "mjs" | "cjs" | "jsx" => Some(Dialect::JavaScript),
            "ts" | "mts" | "cts" => Some(Dialect::TypeScript),
            "tsx" => Some(Dialect::Tsx),
            _ => None,
        }
    }

    pub fn grammar(self) -> Grammar {
        match self {
            Dialect::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Dialect::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Dialect::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        }
    }
}

/// One parsed source file.
pub struct ParsedFile {
    /// Relative to the root, with `/`.
    pub rel: String,
    pub path: PathBuf,
    pub text: String,
    pub tree: Tree,
    /// Specifier as written -> the file it resolves to (index into `Program::files`), for
    /// local modules only.
    pub resolved: HashMap<String, usize>,
    /// Specifier as written -> the JSON file it imports.
    pub data: HashMap<String, serde_json::Value>,
}

/// The entry file and every local module it reaches through imports.
pub struct Program {
    pub files: Vec<ParsedFile>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Why a path is not parsed.
fn skip_reason(rel: &str, text: &str) -> Option<String> {
    if rel.ends_with(".min.js") || rel.ends_with(".min.mjs") || rel.ends_with(".min.cjs") {
        return Some("skipped: minified bundle (.min.js)".into());
    }
    if text.lines().any(|l| l.len() > MAX_LINE_CHARS) {
        return Some(format!(
            "skipped: a line over {MAX_LINE_CHARS} characters marks a generated bundle"
        ));
    }
    None
}

fn has_node_modules(rel: &str) -> bool {
    rel.split('/').any(|c| c == "node_modules")
}

/// Parses one file and collects its import specifiers.
fn parse_one(ctx: &Context, path: &Path) -> Parsed {
    let source = read_source(&ctx.root, path)?;
    let dialect = Dialect::of_path(&source.path).ok_or_else(|| {
        Diagnostic::note(
            &source.rel,
            0,
            "skipped: not a JavaScript or TypeScript source file",
        )
    })?;
    if let Some(reason) = skip_reason(&source.rel, &source.text) {
        return Err(Diagnostic::note(&source.rel, 0, reason));
    }
    let mut parser = Parser::new();
    parser
        .set_language(&dialect.grammar())
        .map_err(|e| Diagnostic::warning(&source.rel, 0, format!("parser unavailable: {e}")))?;
    let tree = parser
        .parse(&source.text, None)
        .ok_or_else(|| Diagnostic::warning(&source.rel, 0, "could not be parsed"))?;
    let mut specs = import_specifiers(tree.root_node(), &source.text);
    specs.sort();
    specs.dedup();
    Ok((
        ParsedFile {
            rel: source.rel,
            path: source.path,
            text: source.text,
            tree,
            resolved: HashMap::new(),
            data: HashMap::new(),
        },
        specs,
    ))
}

/// Module specifiers a file depends on: `import ... from 's'`, `export ... from 's'`,
/// `require('s')`, `import('s')` and TypeScript's `import x = require('s')`, anywhere in the
/// file (lazy `require`s inside functions are common). A hand-written walk: a tree-sitter
/// query over the whole tree cost a quarter of the parse time.
fn import_specifiers(root: Node<'_>, text: &str) -> Vec<String> {
    let mut specs = Vec::new();
    let mut top = root.walk();
    for statement in root.children(&mut top) {
        // `export ... from 's'` is a top-level statement: read its source directly.
        if statement.kind() == "export_statement"
            && let Some(spec) = statement
                .field("source")
                .and_then(|s| super::index::string_value(s, text))
        {
            specs.push(spec);
        }
        // Most statements mention neither keyword: skip their subtrees without walking them.
        let source = text.get(statement.byte_range()).unwrap_or("");
        if source.contains("require") || source.contains("import") {
            specifiers_in(statement, text, &mut specs);
        }
    }
    specs
}

fn specifiers_in(root: Node<'_>, text: &str, specs: &mut Vec<String>) {
    let mut cursor = root.walk();
    let mut descend = true;
    loop {
        let node = cursor.node();
        if descend {
            let source = match node.kind() {
                "import_statement" | "export_statement" | "import_require_clause" => {
                    node.field("source")
                }
                "call_expression" => node
                    .field("function")
                    .filter(|f| f.kind() == "import" || super::index::text(*f, text) == "require")
                    .and_then(|_| node.field("arguments"))
                    .and_then(|a| a.named_child(0)),
                _ => None,
            };
            if let Some(spec) = source.and_then(|s| super::index::string_value(s, text)) {
                specs.push(spec);
            }
        }
        if descend && cursor.goto_first_child() {
            continue;
        }
        if cursor.goto_next_sibling() {
            descend = true;
            continue;
        }
        if !cursor.goto_parent() || cursor.node() == root {
            break;
        }
        descend = false;
    }
}

/// A JSON module's content.
fn read_json(ctx: &Context, path: &Path) -> Result<serde_json::Value, Diagnostic> {
    let source = read_source(&ctx.root, path)?;
    serde_json::from_str(&source.text).map_err(|e| {
        Diagnostic::warning(&source.rel, e.line() as u32, format!("invalid JSON: {e}"))
    })
}

/// A syntax-error note for files tree-sitter had to recover.
fn syntax_diagnostic(file: &ParsedFile) -> Option<Diagnostic> {
    let root = file.tree.root_node();
    if !root.has_error() {
        return None;
    }
    let mut cursor = root.walk();
    let mut line = 0;
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            line = node.start_position().row as u32 + 1;
            break;
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        if cursor.goto_next_sibling() {
            continue;
        }
        break;
    }
    Some(Diagnostic::warning(
        &file.rel,
        line,
        "syntax error; the parts that parse are still analysed",
    ))
}

/// A parsed file with its import specifiers, or why it was not parsed.
type Parsed = Result<(ParsedFile, Vec<String>), Diagnostic>;

/// The entry file as named, else the source file it stands for: `app.js` for `app.ts`,
/// `handler` for `handler.js`, a folder for its index. Absolute, inside the root.
pub fn entry_file(ctx: &Context, entry: &str) -> PathBuf {
    let named = normalise(&ctx.root.join(entry));
    if named.is_file() || !named.starts_with(&ctx.root) {
        return named;
    }
    file_for(&named).unwrap_or(named)
}

/// Loads the entry file (absolute) and its local module graph.
pub fn load(ctx: &Context, entry: &Path) -> Program {
    let mut resolver = Resolver::new(ctx);
    let mut files: Vec<ParsedFile> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut index_of: HashMap<PathBuf, Option<usize>> = HashMap::new();
    let entry = normalise(entry);
    let mut frontier: Vec<PathBuf> = vec![entry.clone()];
    index_of.insert(entry, None);
    // Which (file, spec) pairs wait for which path.
    let mut pending: Vec<(usize, String, PathBuf)> = Vec::new();
    while !frontier.is_empty() {
        let parsed: Vec<(PathBuf, Parsed)> = frontier
            .par_iter()
            .map(|path| (path.clone(), parse_one(ctx, path)))
            .collect();
        frontier = Vec::new();
        for (path, result) in parsed {
            match result {
                Ok((mut file, specs)) => {
                    let index = files.len();
                    diagnostics.extend(syntax_diagnostic(&file));
                    for spec in specs {
                        match resolver.resolve(&file.path, &spec) {
                            Resolved::File(target) => {
                                let rel = relative(&ctx.root, &target);
                                if has_node_modules(&rel) && !resolver.in_search_path(&target) {
                                    diagnostics.push(Diagnostic::note(
                                        &file.rel,
                                        0,
                                        format!("`{spec}` is in node_modules; not analysed"),
                                    ));
                                    continue;
                                }
                                if !index_of.contains_key(&target) {
                                    index_of.insert(target.clone(), None);
                                    frontier.push(target.clone());
                                }
                                pending.push((index, spec, target));
                            }
                            Resolved::Data(target) => match read_json(ctx, &target) {
                                Ok(json) => {
                                    file.data.insert(spec, json);
                                }
                                Err(diagnostic) => diagnostics.push(diagnostic),
                            },
                            Resolved::Missing => diagnostics.push(Diagnostic::note(
                                &file.rel,
                                0,
                                format!(
                                    "import `{spec}` does not resolve to a file in the project"
                                ),
                            )),
                            Resolved::Package => {}
                        }
                    }
                    index_of.insert(path, Some(index));
                    files.push(file);
                }
                Err(diagnostic) => diagnostics.push(diagnostic),
            }
        }
        frontier.sort();
    }
    for (from, spec, target) in pending {
        if let Some(Some(to)) = index_of.get(&target) {
            files[from].resolved.insert(spec, *to);
        }
    }
    Program { files, diagnostics }
}

enum Resolved {
    File(PathBuf),
    /// A JSON file, imported as data.
    Data(PathBuf),
    Package,
    Missing,
}

/// Resolves module specifiers the way Node and TypeScript do, for project files only.
struct Resolver<'c> {
    ctx: &'c Context,
    /// Nearest tsconfig.json per folder.
    tsconfigs: BTreeMap<PathBuf, Option<TsConfig>>,
}

impl<'c> Resolver<'c> {
    fn new(ctx: &'c Context) -> Self {
        Self {
            ctx,
            tsconfigs: BTreeMap::new(),
        }
    }

    fn in_search_path(&self, path: &Path) -> bool {
        self.ctx
            .search_paths
            .iter()
            .any(|sp| path.starts_with(self.ctx.root.join(sp)))
    }

    fn resolve(&mut self, from: &Path, spec: &str) -> Resolved {
        let dir = from.parent().unwrap_or(&self.ctx.root).to_path_buf();
        if spec.starts_with("./") || spec.starts_with("../") || spec == "." || spec == ".." {
            return self.first_file([dir.join(spec)]);
        }
        if let Some(rest) = spec.strip_prefix("/opt/") {
            // Lambda layers are mounted at /opt; the layer's content folder is a search path
            // (or an ancestor of one, when the search path is its nodejs/node_modules).
            let mut candidates = Vec::new();
            for sp in &self.ctx.search_paths {
                let mut folder = Some(self.ctx.root.join(sp));
                for _ in 0..3 {
                    let Some(f) = folder else { break };
                    candidates.push(f.join(rest));
                    folder = f.parent().map(Path::to_path_buf);
                }
            }
            return self.first_file(candidates);
        }
        // `node:crypto` is a Node.js built-in; other schemes (`data:`, `https:`) hold no
        // project code either. Neither is a missing file.
        if spec.contains(':') {
            return Resolved::Package;
        }
        if spec.starts_with('/') {
            return Resolved::Missing;
        }
        let mut candidates = Vec::new();
        if let Some(config) = self.tsconfig_for(&dir) {
            candidates.extend(config.candidates(spec));
        }
        for sp in &self.ctx.search_paths {
            candidates.push(self.ctx.root.join(sp).join(spec));
        }
        match self.first_file(candidates) {
            Resolved::File(f) => Resolved::File(f),
            _ => Resolved::Package,
        }
    }

    /// The first candidate that names a file, trying extensions and index files.
    fn first_file(&self, candidates: impl IntoIterator<Item = PathBuf>) -> Resolved {
        for base in candidates {
            let base = normalise(&base);
            if !base.starts_with(&self.ctx.root) {
                continue;
            }
            if let Some(found) = file_for(&base) {
                return Resolved::File(found);
            }
            // JSON modules (`require('./config.json')`, or `./config` for config.json).
            let json = if base.extension().is_some_and(|e| e == "json") {
                base.clone()
            } else {
                let mut with = base.clone().into_os_string();
                with.push(".json");
                PathBuf::from(with)
            };
            if json.is_file() {
                return Resolved::Data(json);
            }
            // Stylesheets, images and other assets bundlers import: no code, nothing missing.
            if base.is_file() {
                return Resolved::Package;
            }
            // Type declarations hold no code: nothing to analyse, nothing missing.
            let name = base.file_name().map(|n| n.to_string_lossy().into_owned());
            if let Some(name) = name
                && (base.with_file_name(format!("{name}.d.ts")).is_file()
                    || base.join("index.d.ts").is_file())
            {
                return Resolved::Package;
            }
        }
        Resolved::Missing
    }

    fn tsconfig_for(&mut self, dir: &Path) -> Option<TsConfig> {
        if let Some(cached) = self.tsconfigs.get(dir) {
            return cached.clone();
        }
        let mut found = None;
        let mut current = Some(dir.to_path_buf());
        while let Some(folder) = current {
            if !folder.starts_with(&self.ctx.root) {
                break;
            }
            let candidate = folder.join("tsconfig.json");
            if candidate.is_file() {
                found = TsConfig::load(&self.ctx.root, &candidate);
                break;
            }
            current = folder.parent().map(Path::to_path_buf);
        }
        self.tsconfigs.insert(dir.to_path_buf(), found.clone());
        found
    }
}

/// `base` as a file: itself, with an extension, with a TS extension in place of a JS one
/// (`./repo.js` written in TS source means `./repo.ts`), or its `index` file.
fn file_for(base: &Path) -> Option<PathBuf> {
    let is_source = |p: &Path| p.is_file() && Dialect::of_path(p).is_some();
    if let Some(ext) = base.extension().and_then(|e| e.to_str()) {
        let swaps: &[&str] = match ext {
            "js" => &["ts", "tsx"],
            "mjs" => &["mts"],
            "cjs" => &["cts"],
            "jsx" => &["tsx"],
            _ => &[],
        };
        for swap in swaps {
            let candidate = base.with_extension(swap);
            if is_source(&candidate) {
                return Some(candidate);
            }
        }
    }
    if is_source(base) {
        return Some(base.to_path_buf());
    }
    let name = base.file_name()?.to_string_lossy().into_owned();
    for ext in EXTENSIONS {
        let candidate = base.with_file_name(format!("{name}.{ext}"));
        if is_source(&candidate) {
            return Some(candidate);
        }
    }
    if base.is_dir() {
        for ext in EXTENSIONS {
            let candidate = base.join(format!("index.{ext}"));
            if is_source(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

/// Removes `.` and `..` components without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

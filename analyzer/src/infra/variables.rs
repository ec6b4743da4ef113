//! Serverless Framework variables: `${self:custom.x}`, `${opt:stage, 'dev'}`, `${sls:stage}`,
//! `${env:X}`, `${param:x}`, `${file(./config.yml):key}`, with fallbacks and nesting.
//! Static sources are resolved (defaults used, as a deploy without options would); the
//! rest (`env`, `ssm`, `cf`, `s3`, `aws:accountId` ...) become [`UNKNOWN_MARK`] inside
//! strings, which [`super::intrinsics::string_value`] turns into `Value::Unknown` parts.
//! Reference: https://www.serverless.com/framework/docs/providers/aws/guide/variables

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_norway::Value as Yaml;

use super::document::{self, get, scalar_string};
use crate::diagnostics::Diagnostic;
use crate::source::relative;

/// Stands for a part of a string no static source can give. NUL never occurs in YAML text.
pub const UNKNOWN_MARK: &str = "\u{0}?\u{0}";

/// Deepest chain of variables through variables (`${self:a}` -> `${self:b}` -> ...).
const MAX_DEPTH: usize = 32;
/// Most variables resolved for one file: a guard against exponential self-reference.
const MAX_RESOLUTIONS: usize = 100_000;

/// The outcome for one `${...}`.
#[derive(Debug, Clone)]
enum Resolved {
    Value(Yaml),
    Unknown,
    /// Not a Serverless variable (`${AWS::Region}`, `${Bucket}` in `Fn::Sub`): kept as text.
    Literal,
}

/// Resolves variables of one serverless.yml.
pub struct Resolver<'a> {
    root: &'a Path,
    /// The folder of the serverless file, absolute or relative to the process's cwd.
    base: PathBuf,
    rel: String,
    text: String,
    tree: &'a Yaml,
    depth: Cell<usize>,
    resolutions: Cell<usize>,
    files: RefCell<BTreeMap<PathBuf, Option<Yaml>>>,
    memo: RefCell<BTreeMap<String, Resolved>>,
    diagnostics: RefCell<Vec<Diagnostic>>,
    /// `--stage`, as the deploy command would be given it.
    stage_option: Option<String>,
}

impl<'a> Resolver<'a> {
    pub fn new(
        root: &'a Path,
        base: PathBuf,
        doc: &'a document::Document,
        stage_option: Option<&str>,
    ) -> Self {
        Self {
            root,
            base,
            rel: doc.rel.clone(),
            text: doc.text.clone(),
            tree: &doc.tree,
            depth: Cell::new(0),
            resolutions: Cell::new(0),
            files: RefCell::new(BTreeMap::new()),
            memo: RefCell::new(BTreeMap::new()),
            diagnostics: RefCell::new(Vec::new()),
            stage_option: stage_option.map(str::to_string),
        }
    }

    pub fn take_diagnostics(&self) -> Vec<Diagnostic> {
        std::mem::take(&mut *self.diagnostics.borrow_mut())
    }

    fn warn_once(&self, needle: &str, message: String) {
        let line = document::Document {
            rel: self.rel.clone(),
            text: self.text.clone(),
            tree: Yaml::Null,
        }
        .line_of_text(needle, 0);
        let diagnostic = Diagnostic::warning(self.rel.clone(), line, message);
        let mut diagnostics = self.diagnostics.borrow_mut();
        if !diagnostics.contains(&diagnostic) {
            diagnostics.push(diagnostic);
        }
    }

    /// `node` with every variable in its strings resolved.
    pub fn resolve(&self, node: &Yaml) -> Yaml {
        match node {
            Yaml::String(s) => self.resolve_string(s),
            Yaml::Sequence(items) => {
                Yaml::Sequence(items.iter().map(|i| self.resolve(i)).collect())
            }
            Yaml::Mapping(map) => Yaml::Mapping(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.resolve(v)))
                    .collect(),
            ),
            Yaml::Tagged(tagged) => {
                let mut tagged = tagged.as_ref().clone();
                tagged.value = self.resolve(&tagged.value);
                Yaml::Tagged(Box::new(tagged))
            }
            other => other.clone(),
        }
    }

    /// The stage of the deploy: `--stage`, else `provider.stage`, else `dev`.
    pub fn stage(&self) -> Option<String> {
        if let Some(stage) = &self.stage_option {
            return Some(stage.clone());
        }
        match get(self.tree, &["provider", "stage"]) {
            Some(node) => static_text(&self.resolve(node)),
            None => Some("dev".to_string()),
        }
    }

    /// A string: one whole variable yields the referenced node (a mapping, a number ...);
    /// variables inside text are substituted.
    fn resolve_string(&self, text: &str) -> Yaml {
        let spans = variable_spans(text);
        if spans.is_empty() {
            return Yaml::String(text.to_string());
        }
        if let [(0, end)] = spans.as_slice()
            && *end == text.len()
        {
            return match self.variable(&text[2..text.len() - 1]) {
                Resolved::Value(value) => value,
                Resolved::Unknown => Yaml::String(UNKNOWN_MARK.to_string()),
                Resolved::Literal => Yaml::String(text.to_string()),
            };
        }
        let mut out = String::new();
        let mut at = 0;
        for (start, end) in spans {
            out.push_str(&text[at..start]);
            match self.variable(&text[start + 2..end - 1]) {
                Resolved::Value(value) => match static_text(&value) {
                    Some(s) => out.push_str(&s),
                    None => out.push_str(UNKNOWN_MARK),
                },
                Resolved::Unknown => out.push_str(UNKNOWN_MARK),
                Resolved::Literal => out.push_str(&text[start..end]),
            }
            at = end;
        }
        out.push_str(&text[at..]);
        Yaml::String(out)
    }

    /// The inside of one `${...}`: nested variables first, then sources with fallbacks.
    fn variable(&self, inner: &str) -> Resolved {
        if let Some(known) = self.memo.borrow().get(inner) {
            return known.clone();
        }
        let count = self.resolutions.get() + 1;
        self.resolutions.set(count);
        let depth = self.depth.get();
        if depth >= MAX_DEPTH || count > MAX_RESOLUTIONS {
            self.warn_once(
                inner,
                format!("variable `${{{inner}}}` refers to itself or nests too deep; its value is unknown"),
            );
            return Resolved::Unknown;
        }
        self.depth.set(depth + 1);
        let resolved = self.variable_inner(inner);
        self.depth.set(depth);
        self.memo
            .borrow_mut()
            .insert(inner.to_string(), resolved.clone());
        resolved
    }

    fn variable_inner(&self, inner: &str) -> Resolved {
        let inner = match self.resolve_string(inner) {
            Yaml::String(s) => s,
            _ => return Resolved::Unknown,
        };
        if inner.contains(UNKNOWN_MARK) {
            return Resolved::Unknown;
        }
        let trimmed = inner.trim();
        if is_cloudformation_reference(trimmed) {
            return Resolved::Literal;
        }
        let sources = split_fallbacks(trimmed);
        for source in &sources {
            if let Some(value) = self.source(source.trim())
                && !value.is_null()
            {
                return Resolved::Value(value);
            }
        }
        // Sources in the files themselves that give nothing are mistakes worth a word;
        // deploy-time sources (ssm, env, opt ...) are unknown by nature.
        if sources.iter().all(|s| {
            let s = s.trim();
            s.starts_with("self:") || s.starts_with("file(")
        }) {
            self.warn_once(
                trimmed,
                format!("variable `${{{trimmed}}}` resolves to nothing in the configuration files; its value is unknown"),
            );
        }
        Resolved::Unknown
    }

    /// `self:a.b.c`: the path through the configuration, resolving variables met on the
    /// way, so `custom.config: ${file(./config.yml)}` can be read as `custom.config.key`.
    fn self_get(&self, address: &str) -> Option<Yaml> {
        let mut node = Cow::Borrowed(self.tree);
        if !address.is_empty() {
            for key in address.split('.') {
                if matches!(node.as_ref(), Yaml::String(text) if text.contains("${")) {
                    node = Cow::Owned(self.resolve(&node));
                }
                node = match node {
                    Cow::Borrowed(at) => Cow::Borrowed(path_get(at, key)?),
                    Cow::Owned(at) => Cow::Owned(path_get(&at, key)?.clone()),
                };
            }
        }
        Some(self.resolve(&node))
    }

    /// One source of a variable; `None` when it gives nothing statically.
    fn source(&self, source: &str) -> Option<Yaml> {
        if let Some(quoted) = unquote(source) {
            return Some(Yaml::String(quoted.to_string()));
        }
        if let Ok(number) = source.parse::<i64>() {
            return Some(Yaml::Number(number.into()));
        }
        match source {
            "true" => return Some(Yaml::Bool(true)),
            "false" => return Some(Yaml::Bool(false)),
            "null" => return None,
            _ => {}
        }
        if let Some(rest) = source.strip_prefix("file(") {
            let (path, key) = rest.split_once(')')?;
            return self.file(path.trim(), key.trim_start_matches(':').trim());
        }
        let (kind, address) = source.split_once(':')?;
        match kind.trim() {
            "self" => self.self_get(address.trim()),
            "sls" => match address.trim() {
                "stage" => self.stage().map(Yaml::String),
                _ => None,
            },
            "opt" => match address.trim() {
                "stage" => self.stage_option.clone().map(Yaml::String),
                _ => None,
            },
            "aws" => match address.trim() {
                "region" => get(self.tree, &["provider", "region"])
                    .map(|r| self.resolve(r))
                    .filter(|r| static_text(r).is_some()),
                _ => None,
            },
            // v3: `params.<stage>.x`, `params.default.x`; v4: `stages.<stage>.params.x`,
            // `stages.default.params.x`.
            "param" => {
                let name = address.trim();
                let stage = self.stage().unwrap_or_else(|| "dev".to_string());
                let node = [
                    &["params", stage.as_str(), name][..],
                    &["stages", stage.as_str(), "params", name][..],
                    &["params", "default", name][..],
                    &["stages", "default", "params", name][..],
                ]
                .iter()
                .find_map(|path| get(self.tree, path))?
                .clone();
                Some(self.resolve(&node))
            }
            // opt other than stage, env (deploy-time environment), ssm, cf,
            // s3, git, sls:instanceId ...: not knowable from the files.
            _ => None,
        }
    }

    /// `file(./config.yml):a.b`: a YAML or JSON file inside the project.
    fn file(&self, path: &str, key: &str) -> Option<Yaml> {
        let path = unquote(path).unwrap_or(path);
        let full = self.base.join(path);
        if !(path.ends_with(".yml") || path.ends_with(".yaml") || path.ends_with(".json")) {
            return None;
        }
        let cached = self.files.borrow().get(&full).cloned();
        let tree = match cached {
            Some(tree) => tree,
            None => {
                let loaded = match document::load(self.root, &full) {
                    Ok(doc) => Some(doc.tree),
                    Err(error) => {
                        let rel = relative(self.root, &full);
                        self.warn_once(path, format!("cannot read variable file {rel}: {error}"));
                        None
                    }
                };
                self.files.borrow_mut().insert(full.clone(), loaded.clone());
                loaded
            }
        }?;
        let node = if key.is_empty() {
            tree
        } else {
            path_get(&tree, key)?.clone()
        };
        // Variables inside the included file refer to the including service (`self:`).
        Some(self.resolve(&node))
    }
}

/// A scalar as text; `None` for mappings, lists, and strings with unknown parts.
pub fn static_text(node: &Yaml) -> Option<String> {
    scalar_string(node).filter(|s| !s.contains(UNKNOWN_MARK))
}

/// `a.b.0.c` through mappings and sequences; an empty path is the node itself.
fn path_get<'y>(node: &'y Yaml, path: &str) -> Option<&'y Yaml> {
    if path.is_empty() {
        return Some(node);
    }
    path.split('.').try_fold(node, |at, key| match at {
        Yaml::Sequence(items) => items.get(key.parse::<usize>().ok()?),
        Yaml::Mapping(map) => map.get(key),
        _ => None,
    })
}

fn unquote(text: &str) -> Option<&str> {
    let t = text.trim();
    t.strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .or_else(|| t.strip_prefix('"').and_then(|r| r.strip_suffix('"')))
}

/// `${AWS::Region}`, `${Bucket}`, `${Bucket.Arn}`: CloudFormation `Fn::Sub` references,
/// which Serverless leaves alone.
fn is_cloudformation_reference(inner: &str) -> bool {
    inner.starts_with("AWS::")
        || (!inner.contains(':')
            && !inner.contains('(')
            && !inner.contains('\'')
            && !inner.contains('"')
            && !inner.contains(','))
}

/// Splits `a, 'b, c', self:x` at top-level commas.
fn split_fallbacks(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quote, mut parens) = (0, None::<char>, 0usize);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => parens += 1,
            (None, ')') => parens = parens.saturating_sub(1),
            (None, ',') if parens == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Byte spans `[start, end)` of the outermost `${...}` in `text`, nesting respected.
fn variable_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'$' && bytes[i + 1] == b'{' {
            let start = i;
            let mut depth = 0usize;
            let mut j = i;
            let mut end = None;
            while j < bytes.len() {
                if bytes[j] == b'$' && bytes.get(j + 1) == Some(&b'{') {
                    depth += 1;
                    j += 2;
                    continue;
                }
                if bytes[j] == b'}' {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(j + 1);
                        break;
                    }
                }
                j += 1;
            }
            match end {
                Some(end) => {
                    spans.push((start, end));
                    i = end;
                }
                None => break,
            }
        } else {
            i += 1;
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::document::{Document, parse};

    fn resolve(text: &str, key: &str) -> (Yaml, Vec<Diagnostic>) {
        resolve_for(text, key, None)
    }

    fn resolve_for(text: &str, key: &str, stage: Option<&str>) -> (Yaml, Vec<Diagnostic>) {
        let doc = Document {
            rel: "serverless.yml".into(),
            text: text.into(),
            tree: parse("serverless.yml", text).expect("yaml"),
        };
        let root = Path::new("/nonexistent");
        let resolver = Resolver::new(root, root.to_path_buf(), &doc, stage);
        let node = path_get(&doc.tree, key).expect("key").clone();
        let value = resolver.resolve(&node);
        (value, resolver.take_diagnostics())
    }

    const SERVICE: &str = r#"
service: orders
params:
  default:
    color: blue
  prod:
    color: red
stages:
  dev:
    params:
      size: large
provider:
  stage: ${opt:stage, 'dev'}
  region: ${opt:region, 'eu-west-1'}
custom:
  tableName: ${self:service}-${sls:stage}-orders
  tables:
    dev: dev-table
  nested: ${self:custom.tables.${sls:stage}}
  secret: ${ssm:/orders/secret}
  fromEnv: pre-${env:USER}-post
  withDefault: ${env:MISSING, 'fallback'}
  color: ${param:color}
  size: ${param:size}
  sub: arn:aws:s3:::${AWS::Region}-${Bucket}
  whole: ${self:custom.tables}
  loopA: ${self:custom.loopB}
  loopB: ${self:custom.loopA}
  region: ${aws:region}
"#;

    #[test]
    fn the_stage_given_on_the_command_line_wins() {
        let prod = |key: &str| resolve_for(SERVICE, key, Some("prod")).0;
        assert_eq!(prod("provider.stage"), Yaml::String("prod".into()));
        assert_eq!(
            prod("custom.tableName"),
            Yaml::String("orders-prod-orders".into())
        );
        assert_eq!(prod("custom.color"), Yaml::String("red".into()));
        // Without it: provider.stage's own default.
        assert_eq!(
            resolve(SERVICE, "custom.tableName").0,
            Yaml::String("orders-dev-orders".into())
        );
    }

    #[test]
    fn resolves_static_sources() {
        let s = |key: &str| resolve(SERVICE, key).0;
        assert_eq!(s("custom.tableName").as_str(), Some("orders-dev-orders"));
        assert_eq!(s("custom.nested").as_str(), Some("dev-table"));
        assert_eq!(s("custom.secret").as_str(), Some(UNKNOWN_MARK));
        assert_eq!(
            s("custom.fromEnv").as_str().map(String::from),
            Some(format!("pre-{UNKNOWN_MARK}-post"))
        );
        assert_eq!(s("custom.withDefault").as_str(), Some("fallback"));
        assert_eq!(s("custom.color").as_str(), Some("blue"));
        assert_eq!(s("custom.size").as_str(), Some("large"));
        assert_eq!(
            s("custom.sub").as_str(),
            Some("arn:aws:s3:::${AWS::Region}-${Bucket}")
        );
        assert_eq!(s("custom.whole")["dev"].as_str(), Some("dev-table"));
        assert_eq!(s("custom.region").as_str(), Some("eu-west-1"));
    }

    #[test]
    fn circular_variables_warn_and_stop() {
        let (value, diagnostics) = resolve(SERVICE, "custom.loopA");
        assert_eq!(value.as_str(), Some(UNKNOWN_MARK));
        assert!(
            diagnostics
                .iter()
                .any(|d| d.message.contains("refers to itself")),
            "{diagnostics:?}"
        );
    }

    #[test]
    fn spans_respect_nesting() {
        assert_eq!(variable_spans("a${b${c}}d${e}"), vec![(1, 9), (10, 14)]);
        assert_eq!(variable_spans("unterminated ${x"), vec![]);
        assert_eq!(
            split_fallbacks("opt:stage, 'a,b', file(x,y)"),
            vec!["opt:stage", " 'a,b'", " file(x,y)"]
        );
    }
}

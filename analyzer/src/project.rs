//! What to analyse: the project root, each function's entry point, and what the
//! infrastructure tells us about the function's environment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::value::Value;

/// Source language of a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Python,
    JavaScript,
    TypeScript,
    Rust,
}

impl Language {
    /// The language of a source file, from its extension.
    pub fn of_path(path: &Path) -> Option<Language> {
        let name = path.file_name()?.to_str()?;
        if name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts") {
            return None;
        }
        match path.extension()?.to_str()? {
            "py" => Some(Language::Python),
            "js" | "mjs" | "cjs" | "jsx" => Some(Language::JavaScript),
            "ts" | "mts" | "cts" | "tsx" => Some(Language::TypeScript),
            "rs" => Some(Language::Rust),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Rust => "rust",
        }
    }
}

/// An entry point: a file, and the function in it that the runtime calls.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Entry {
    /// Relative to the project root, with `/`.
    pub file: String,
    /// The handler function (`handler`, `lambda_handler`, `main`). `None` means the whole
    /// file counts as reachable: used when a file is reported as its own function because
    /// no infrastructure or `--entry` names a handler.
    pub function: Option<String>,
}

/// Everything a language analyzer needs besides the entry.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The project root; all reported paths are relative to it. Files outside it are never read.
    pub root: PathBuf,
    /// Environment variables the infrastructure binds for this function.
    pub env: BTreeMap<String, Value>,
    /// Extra folders searched for imports, relative to the root: Lambda layers (`python/`,
    /// `nodejs/node_modules` inside a layer's content), source roots.
    pub search_paths: Vec<PathBuf>,
    /// Values the function's triggers put in its event, by path (`Records[].s3.bucket.name`
    /// -> the trigger bucket): see [`crate::infra::event_values`].
    pub event: BTreeMap<String, Value>,
}

impl Context {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            ..Self::default()
        }
    }

    /// The value the triggers give an event path, compared without case or `_` (so
    /// Powertools' `event.records` is `Records`). Paths use `.field` and `[]` for any item.
    pub fn event_value(&self, path: &str) -> Option<&Value> {
        let fold = |p: &str| p.replace('_', "").to_ascii_lowercase();
        let wanted = fold(path);
        self.event
            .iter()
            .find(|(p, _)| fold(p) == wanted)
            .map(|(_, v)| v)
    }

    /// Reading `field` (or any item, for `None`) of the event part at `path`: the value the
    /// triggers give the longer path, or that path to keep following.
    pub fn event_step(&self, path: &str, field: Option<&str>) -> Result<Value, String> {
        let path = match field {
            Some(field) if path.is_empty() => field.to_string(),
            Some(field) => format!("{path}.{field}"),
            None => format!("{path}[]"),
        };
        self.event_value(&path).cloned().ok_or(path)
    }

    /// The value an environment variable read resolves to: the infrastructure's binding if
    /// there is one, else a named unknown that keeps the code's default.
    /// The value of the first of `names` the infrastructure binds (compared without ASCII
    /// case unless `case_sensitive`: settings libraries read variables so), else a named
    /// unknown for the first name (upper-cased when case does not matter) keeping `default`.
    pub fn env_value_among(
        &self,
        names: &[String],
        case_sensitive: bool,
        default: Option<Value>,
    ) -> Value {
        for name in names {
            if let Some(bound) = self.env.get(name) {
                return bound.clone();
            }
            if !case_sensitive {
                if let Some((_, bound)) =
                    self.env.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))
                {
                    return bound.clone();
                }
            }
        }
        let first = names.first().map(String::as_str).unwrap_or_default();
        Value::Env {
            name: if case_sensitive {
                first.to_string()
            } else {
                first.to_ascii_uppercase()
            },
            default: default.map(Box::new),
        }
    }

    pub fn env_value(&self, name: &str, default: Option<Value>) -> Value {
        match self.env.get(name) {
            Some(bound) => bound.clone(),
            None => Value::Env {
                name: name.to_string(),
                default: default.map(Box::new),
            },
        }
    }
}

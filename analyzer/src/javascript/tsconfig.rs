//! `tsconfig.json` module resolution settings: `compilerOptions.baseUrl` and `paths`,
//! following `extends` chains of relative files. tsconfig is JSON with comments and
//! trailing commas, so it is cleaned before parsing.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::source::read_source;

/// The settings that matter for resolving bare specifiers.
#[derive(Debug, Clone, Default)]
pub struct TsConfig {
    /// Absolute folder non-relative specifiers are resolved against.
    pub base_url: Option<PathBuf>,
    /// `paths` patterns (`@lib/*`) with their targets, already joined to their base folder.
    pub paths: Vec<(String, Vec<PathBuf>)>,
}

impl TsConfig {
    /// Loads `file` (absolute, inside `root`), following up to eight `extends` links.
    pub fn load(root: &Path, file: &Path) -> Option<TsConfig> {
        let mut chain: Vec<(PathBuf, Json)> = Vec::new();
        let mut next = Some(file.to_path_buf());
        while let Some(path) = next.take() {
            if chain.len() >= 8 {
                break;
            }
            let source = read_source(root, &path).ok()?;
            let json: Json = serde_json::from_str(&crate::jsonc::clean(&source.text)).ok()?;
            let dir = path.parent()?.to_path_buf();
            if let Some(parent) = json.get("extends").and_then(Json::as_str)
                && parent.starts_with('.')
            {
                let mut candidate = dir.join(parent);
                if candidate.extension().is_none() {
                    candidate.set_extension("json");
                }
                next = Some(candidate);
            }
            chain.push((dir, json));
        }
        // Parents first, so children override.
        let mut config = TsConfig::default();
        for (dir, json) in chain.iter().rev() {
            let Some(options) = json.get("compilerOptions") else {
                continue;
            };
            if let Some(base) = options.get("baseUrl").and_then(Json::as_str) {
                config.base_url = Some(dir.join(base));
            }
            if let Some(paths) = options.get("paths").and_then(Json::as_object) {
                let base = options
                    .get("baseUrl")
                    .and_then(Json::as_str)
                    .map(|b| dir.join(b))
                    .or_else(|| config.base_url.clone())
                    .unwrap_or_else(|| dir.clone());
                config.paths = paths
                    .iter()
                    .map(|(pattern, targets)| {
                        let targets = targets
                            .as_array()
                            .map(|t| {
                                t.iter()
                                    .filter_map(Json::as_str)
                                    .map(|t| base.join(t))
                                    .collect()
                            })
                            .unwrap_or_default();
                        (pattern.clone(), targets)
                    })
                    .collect();
            }
        }
        Some(config)
    }

    /// Candidate paths for a bare specifier: `paths` matches (longest prefix first), then
    /// `baseUrl`.
    pub fn candidates(&self, spec: &str) -> Vec<PathBuf> {
        let mut matches: Vec<(usize, Vec<PathBuf>)> = Vec::new();
        for (pattern, targets) in &self.paths {
            let star = match pattern.split_once('*') {
                Some((prefix, suffix)) => {
                    if spec.len() >= prefix.len() + suffix.len()
                        && spec.starts_with(prefix)
                        && spec.ends_with(suffix)
                    {
                        Some((prefix.len(), &spec[prefix.len()..spec.len() - suffix.len()]))
                    } else {
                        None
                    }
                }
                None if pattern == spec => Some((pattern.len() + 1, "")),
                None => None,
            };
            if let Some((weight, matched)) = star {
                let paths = targets
                    .iter()
                    .map(|t| PathBuf::from(t.to_string_lossy().replacen('*', matched, 1)))
                    .collect();
                matches.push((weight, paths));
            }
        }
        matches.sort_by_key(|m| std::cmp::Reverse(m.0));
        let mut out: Vec<PathBuf> = matches.into_iter().flat_map(|(_, p)| p).collect();
        if let Some(base) = &self.base_url {
            out.push(base.join(spec));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_comments_and_trailing_commas() {
        let text = "{\n // c\n \"a\": \"x//y\", /* b */ \"p\": [1,2,],\n}";
        let json: Json = serde_json::from_str(&crate::jsonc::clean(text)).expect("valid");
        assert_eq!(json["a"], "x//y");
        assert_eq!(json["p"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn paths_prefer_the_longest_prefix() {
        let config = TsConfig {
            base_url: Some(PathBuf::from("/r")),
            paths: vec![
                ("@lib/*".into(), vec![PathBuf::from("/r/src/lib/*")]),
                ("@lib/db/*".into(), vec![PathBuf::from("/r/src/db/*")]),
            ],
        };
        assert_eq!(
            config.candidates("@lib/db/client"),
            vec![
                PathBuf::from("/r/src/db/client"),
                PathBuf::from("/r/src/lib/db/client"),
                PathBuf::from("/r/@lib/db/client")
            ]
        );
    }
}

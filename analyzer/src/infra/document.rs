//! Loading infrastructure files: YAML (keeping CloudFormation's short tags such as `!Ref`
//! as tagged values) and JSON, into one tree type, plus line lookup for messages.
//!
//! YAML aliases: serde_norway expands an alias each time it is used, but stops with
//! "repetition limit exceeded" after 100 alias jumps per event of the document, and
//! nesting deeper than 128 levels with "recursion limit exceeded"; an alias bomb therefore
//! ends in an error, not a hang (see the `alias_bomb_is_an_error` test).

use std::path::Path;

use serde_norway::Value as Yaml;

use super::InfraError;
use crate::source::read_source;

/// A loaded infrastructure file.
#[derive(Debug, Clone)]
pub struct Document {
    /// Relative to the project root, with `/`.
    pub rel: String,
    pub text: String,
    pub tree: Yaml,
}

/// Reads and parses `path` (inside `root`) as JSON when it ends in `.json`, else YAML.
pub fn load(root: &Path, path: &Path) -> Result<Document, InfraError> {
    let source = read_source(root, path).map_err(|d| InfraError::Invalid {
        file: d.file,
        line: d.line,
        message: d.message,
    })?;
    let tree = parse(&source.rel, &source.text)?;
    Ok(Document {
        rel: source.rel,
        text: source.text,
        tree,
    })
}

/// Parses `text` as JSON if `rel` ends in `.json`, else YAML; applies YAML merge keys (`<<`).
pub fn parse(rel: &str, text: &str) -> Result<Yaml, InfraError> {
    if rel.ends_with(".json") {
        return serde_json::from_str::<Yaml>(text)
            .map_err(|e| InfraError::invalid(rel, to_u32(e.line()), format!("invalid JSON: {e}")));
    }
    let mut tree = serde_norway::from_str::<Yaml>(text).map_err(|e| {
        let line = e.location().map(|l| to_u32(l.line())).unwrap_or(0);
        InfraError::invalid(rel, line, format!("invalid YAML: {e}"))
    })?;
    tree.apply_merge()
        .map_err(|e| InfraError::invalid(rel, 0, format!("invalid YAML merge key: {e}")))?;
    Ok(tree)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Document {
    /// The 1-based line where `key` is first declared as a mapping key (`key:` in YAML,
    /// `"key":` in JSON), searching from the line where `after` is declared when given.
    /// 0 when not found: messages then name the file alone.
    pub fn line_of_key(&self, key: &str, after: Option<&str>) -> u32 {
        let start = after.map(|a| self.line_of_key(a, None)).unwrap_or(0);
        let skip = start.saturating_sub(1) as usize;
        for (index, line) in self.text.lines().enumerate().skip(skip) {
            let trimmed = line.trim_start().trim_start_matches("- ");
            let unquoted = trimmed
                .strip_prefix('"')
                .and_then(|t| t.strip_prefix(key))
                .and_then(|t| t.strip_prefix('"'))
                .or_else(|| {
                    trimmed
                        .strip_prefix('\'')
                        .and_then(|t| t.strip_prefix(key))
                        .and_then(|t| t.strip_prefix('\''))
                })
                .or_else(|| trimmed.strip_prefix(key));
            if let Some(rest) = unquoted
                && rest.trim_start().starts_with(':')
            {
                return to_u32(index + 1);
            }
        }
        0
    }

    /// The 1-based line of the first occurrence of `needle` at or after line `from`; 0 if none.
    pub fn line_of_text(&self, needle: &str, from: u32) -> u32 {
        let skip = from.saturating_sub(1) as usize;
        self.text
            .lines()
            .enumerate()
            .skip(skip)
            .find(|(_, line)| line.contains(needle))
            .map(|(index, _)| to_u32(index + 1))
            .unwrap_or(0)
    }
}

/// A CloudFormation intrinsic written either way: `!Ref X` (tagged) or `{Ref: X}` /
/// `{"Fn::GetAtt": ..}` (a one-key mapping). Returns the function name in its long form
/// (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Condition`) and its argument.
pub fn intrinsic(node: &Yaml) -> Option<(String, &Yaml)> {
    match node {
        Yaml::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let long = if name == "Ref" || name == "Condition" || name.starts_with("Fn::") {
                name.to_string()
            } else {
                format!("Fn::{name}")
            };
            Some((long, &tagged.value))
        }
        Yaml::Mapping(map) if map.len() == 1 => {
            let (key, value) = map.iter().next()?;
            let key = key.as_str()?;
            (key == "Ref" || key.starts_with("Fn::")).then(|| (key.to_string(), value))
        }
        _ => None,
    }
}

/// Follows a path of mapping keys: `get(tree, &["Properties", "Environment", "Variables"])`.
pub fn get<'a>(node: &'a Yaml, path: &[&str]) -> Option<&'a Yaml> {
    path.iter()
        .try_fold(node, |at, key| at.as_mapping()?.get(*key))
}

/// A plain string (not an intrinsic), from a string, number or boolean scalar.
pub fn scalar_string(node: &Yaml) -> Option<String> {
    match node {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The node as JSON, intrinsics in their long form (`{"Ref": "X"}`), for raw data such as
/// declared policies.
pub fn to_json(node: &Yaml) -> serde_json::Value {
    use serde_json::Value as Json;
    match node {
        Yaml::Null => Json::Null,
        Yaml::Bool(b) => Json::Bool(*b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Json::from(i)
            } else if let Some(u) = n.as_u64() {
                Json::from(u)
            } else {
                n.as_f64().map(Json::from).unwrap_or(Json::Null)
            }
        }
        Yaml::String(s) => Json::String(s.clone()),
        Yaml::Sequence(items) => Json::Array(items.iter().map(to_json).collect()),
        Yaml::Mapping(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (key_string(k), to_json(v)))
                .collect(),
        ),
        Yaml::Tagged(_) => match intrinsic(node) {
            Some((name, argument)) => {
                let argument = match (name.as_str(), argument) {
                    // `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}` in long form.
                    ("Fn::GetAtt", Yaml::String(s)) => match s.split_once('.') {
                        Some((a, b)) => serde_json::json!([a, b]),
                        None => Json::String(s.clone()),
                    },
                    _ => to_json(argument),
                };
                let mut object = serde_json::Map::new();
                object.insert(name, argument);
                Json::Object(object)
            }
            None => Json::Null,
        },
    }
}

/// A mapping key as text (keys are strings in templates; numbers and booleans are printed).
pub fn key_string(key: &Yaml) -> String {
    scalar_string(key).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tags_are_intrinsics() {
        let tree = parse("t.yaml", "a: !Ref Table\nb: !GetAtt Q.Arn\nc: {Ref: X}\n").expect("yaml");
        let (name, arg) = intrinsic(&tree["a"]).expect("ref");
        assert_eq!((name.as_str(), arg.as_str()), ("Ref", Some("Table")));
        let (name, _) = intrinsic(&tree["b"]).expect("getatt");
        assert_eq!(name, "Fn::GetAtt");
        let (name, arg) = intrinsic(&tree["c"]).expect("long ref");
        assert_eq!((name.as_str(), arg.as_str()), ("Ref", Some("X")));
        assert_eq!(
            to_json(&tree["b"]),
            serde_json::json!({"Fn::GetAtt": ["Q", "Arn"]})
        );
    }

    #[test]
    fn bad_yaml_names_the_line() {
        let error = parse("t.yaml", "a: 1\nb: [\n").expect_err("invalid");
        match error {
            InfraError::Invalid { file, line, .. } => {
                assert_eq!(file, "t.yaml");
                assert!(line >= 2, "line {line}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn alias_bomb_is_an_error() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..12 {
            let prev = level - 1;
            text.push_str(&format!(
                "a{level}: &a{level} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let error = parse("bomb.yaml", &text).expect_err("bomb");
        assert!(error.to_string().contains("limit"), "{error}");
    }

    #[test]
    fn merge_keys_are_applied() {
        let tree = parse("t.yaml", "base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n").expect("yaml");
        assert_eq!(tree["use"]["x"].as_u64(), Some(1));
    }

    #[test]
    fn key_lines() {
        let doc = Document {
            rel: "t.yaml".into(),
            text: "Resources:\n  Fn:\n    Type: x\n  Table:\n    Type: y\n".into(),
            tree: Yaml::Null,
        };
        assert_eq!(doc.line_of_key("Table", None), 4);
        assert_eq!(doc.line_of_key("Type", Some("Table")), 5);
        assert_eq!(doc.line_of_key("Nope", None), 0);
    }
}

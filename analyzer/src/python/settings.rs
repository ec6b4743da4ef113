//! Settings classes (pydantic-settings `BaseSettings`, pydantic v1 `BaseSettings`): reading a
//! field of an instance reads an environment variable (`grammars/python/settings.toml`).
//!
//! `Settings().table_name` is the infrastructure's binding of `TABLE_NAME` (the configured
//! `env_prefix` in front, compared without case unless `case_sensitive`), or of the name a
//! `Field(alias=...)` / `validation_alias` / v1 `env` gives; unbound, it is a named unknown
//! that keeps the field's default. Fields are found in the class bodies as written
//! (`name: type` or `name: type = default`), so only declared fields read the environment.

use crate::fields::Fields;
use std::rc::Rc;
use std::sync::OnceLock;

use serde::Deserialize;
use tree_sitter::Node;

use crate::Value;

use super::interp::Interp;
use super::syntax::{StringPart, node_text, string_parts};
use super::val::{ClassVal, Val};

/// `grammars/python/settings.toml`.
#[derive(Deserialize, Default)]
struct SettingsTable {
    config_attributes: Vec<String>,
    prefix_key: String,
    case_sensitive_key: String,
    field_specifiers: Vec<String>,
    alias_choices: Vec<String>,
    flavour: Vec<Flavour>,
}

/// One library's base classes and the `Field` keywords naming a variable, strongest first.
#[derive(Deserialize, Default)]
struct Flavour {
    bases: Vec<String>,
    alias_keywords: Vec<String>,
}

fn table() -> &'static SettingsTable {
    static TABLE: OnceLock<SettingsTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str(include_str!("../../../grammars/python/settings.toml")).unwrap_or_default()
    })
}

/// How a settings class names its variables.
struct Config {
    prefix: String,
    case_sensitive: bool,
}

impl<'t, 'c> Interp<'t, 'c> {
    /// The value of field `name` read on an instance of `class`: `None` unless `class` is a
    /// settings class declaring that field.
    pub fn settings_field(&mut self, class: &Rc<ClassVal<'t>>, name: &str) -> Option<Val<'t>> {
        let flavour = self.settings_flavour(class)?;
        let (module, declaration) = self.field_declaration(class, name)?;
        let config = self.settings_config(class);
        let aliases = declaration
            .field("right")
            .map(|right| aliases(right, self.src(module), &flavour.alias_keywords))
            .unwrap_or_default();
        let names = if aliases.is_empty() {
            vec![format!("{}{name}", config.prefix)]
        } else {
            aliases
        };
        let default = self
            .class_attr(class, name, None)
            .map(|v| v.to_value())
            .filter(|v| !matches!(v, Value::Unknown));
        Some(Val::Data(self.ctx.env_value_among(
            &names,
            config.case_sensitive,
            default,
        )))
    }

    /// Whether `class` derives from a settings base class.
    pub fn is_settings_class(&self, class: &Rc<ClassVal<'t>>) -> bool {
        self.settings_flavour(class).is_some()
    }

    /// The settings library `class` derives from, if any.
    fn settings_flavour(&self, class: &Rc<ClassVal<'t>>) -> Option<&'static Flavour> {
        let bases = self.extern_bases(class);
        table()
            .flavour
            .iter()
            .find(|f| f.bases.iter().any(|b| bases.iter().any(|e| **e == **b)))
    }

    /// The annotated assignment declaring field `name` in `class` or the first local base
    /// (in method resolution order) that declares it, with its module.
    fn field_declaration(&self, class: &Rc<ClassVal<'t>>, name: &str) -> Option<(usize, Node<'t>)> {
        for c in self.mro(class) {
            let src = self.src(c.module);
            let Some(body) = c.node.field("body") else {
                continue;
            };
            let mut cursor = body.walk();
            for statement in body.named_children(&mut cursor) {
                if statement.kind() != "expression_statement" {
                    continue;
                }
                let Some(assignment) = statement.named_child(0) else {
                    continue;
                };
                if assignment.kind() == "assignment"
                    && assignment.field("type").is_some()
                    && assignment
                        .field("left")
                        .is_some_and(|l| l.kind() == "identifier" && node_text(l, src) == name)
                {
                    return Some((c.module, assignment));
                }
            }
        }
        None
    }

    /// The class's `env_prefix` and `case_sensitive`, from `model_config` (a
    /// `SettingsConfigDict(...)` call or a dict) or an inner `class Config`.
    fn settings_config(&mut self, class: &Rc<ClassVal<'t>>) -> Config {
        let t = table();
        let mut config = Config {
            prefix: String::new(),
            case_sensitive: false,
        };
        for attribute in &t.config_attributes {
            let Some(holder) = self.class_attr(class, attribute, None) else {
                continue;
            };
            if let Some(Val::Data(Value::Str { value })) = self.config_entry(&holder, &t.prefix_key)
            {
                config.prefix = value;
            }
            if let Some(Val::Data(Value::Scalar { value })) =
                self.config_entry(&holder, &t.case_sensitive_key)
            {
                config.case_sensitive = value == "True";
            }
        }
        config
    }

    fn config_entry(&mut self, holder: &Val<'t>, key: &str) -> Option<Val<'t>> {
        match holder {
            Val::LibObject(o) => o.args.keyword(key).cloned(),
            Val::Data(Value::Map { entries }) => entries.get(key).cloned().map(Val::Data),
            Val::Dict(d) => d.borrow().get(key).cloned(),
            Val::Class(c) => {
                let c = c.clone();
                self.class_attr(&c, key, None)
            }
            _ => None,
        }
    }
}

/// The variable names a field specifier gives (`Field(alias="X")`, `validation_alias=
/// AliasChoices("A", "B")`, v1 `env=["A", "B"]`), in the order they are tried; empty when
/// it names none (or names it with something other than string literals).
fn aliases(value: Node, src: &str, alias_keywords: &[String]) -> Vec<String> {
    let t = table();
    if value.kind() != "call" || !callee_is(value, src, &t.field_specifiers) {
        return Vec::new();
    }
    let Some(arguments) = value.field("arguments") else {
        return Vec::new();
    };
    let mut cursor = arguments.walk();
    let keywords: Vec<Node> = arguments
        .named_children(&mut cursor)
        .filter(|a| a.kind() == "keyword_argument")
        .collect();
    for keyword in alias_keywords {
        let given = keywords.iter().find_map(|k| {
            let name = k.field("name")?;
            (node_text(name, src) == keyword)
                .then(|| k.field("value"))
                .flatten()
        });
        if let Some(given) = given {
            return names_in(given, src);
        }
    }
    Vec::new()
}

/// String literals naming variables: one string, a list or tuple of them, or an
/// `AliasChoices(...)` call's positional arguments.
fn names_in(node: Node, src: &str) -> Vec<String> {
    let elements: Vec<Node> = match node.kind() {
        "string" => vec![node],
        "list" | "tuple" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor).collect()
        }
        "call" if callee_is(node, src, &table().alias_choices) => match node.field("arguments") {
            Some(arguments) => {
                let mut cursor = arguments.walk();
                arguments
                    .named_children(&mut cursor)
                    .filter(|a| a.kind() != "keyword_argument")
                    .collect()
            }
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    elements
        .into_iter()
        .filter_map(|e| string_literal(e, src))
        .collect()
}

/// The text of a string literal without interpolations.
fn string_literal(node: Node, src: &str) -> Option<String> {
    if node.kind() != "string" {
        return None;
    }
    let mut text = String::new();
    for part in string_parts(node, src) {
        match part {
            StringPart::Text(t) => text.push_str(&t),
            StringPart::Interpolation(_) => return None,
        }
    }
    Some(text)
}

/// Whether the call's callee, as written, ends with one of `names` (`Field`, `pydantic.Field`).
fn callee_is(call: Node, src: &str, names: &[String]) -> bool {
    call.field("function").is_some_and(|f| {
        let text = node_text(f, src);
        let last = text.rsplit('.').next().unwrap_or(text);
        names.iter().any(|n| n == last)
    })
}

#[cfg(test)]
mod tests {
    use super::table;

    #[test]
    fn settings_table_parses() {
        let t = table();
        let v2 = t
            .flavour
            .iter()
            .find(|f| {
                f.bases
                    .iter()
                    .any(|b| b == "pydantic_settings.BaseSettings")
            })
            .expect("pydantic-settings flavour");
        assert_eq!(v2.alias_keywords[0], "validation_alias");
        let v1 = t
            .flavour
            .iter()
            .find(|f| f.bases.iter().any(|b| b == "pydantic.BaseSettings"))
            .expect("pydantic v1 flavour");
        assert_eq!(v1.alias_keywords, ["env"]);
        assert_eq!(t.prefix_key, "env_prefix");
        assert!(t.config_attributes.iter().any(|a| a == "Config"));
    }
}

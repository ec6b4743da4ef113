//! Library models: third-party wrappers whose SDK calls live in site-packages or
//! node_modules, which we never read. Each model says "calling this function of that
//! library makes these SDK calls, with these arguments". The table is data:
//! `grammars/libraries.toml`; adding a library is a table edit.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::facts::Sdk;
use crate::project::Language;

/// The tables, one per language, compiled in so analysis never reads outside the project.
const TABLES: [(&str, &str); 3] = [
    (
        "grammars/libraries/python.toml",
        include_str!("../../grammars/libraries/python.toml"),
    ),
    (
        "grammars/libraries/javascript.toml",
        include_str!("../../grammars/libraries/javascript.toml"),
    ),
    (
        "grammars/libraries/rust.toml",
        include_str!("../../grammars/libraries/rust.toml"),
    ),
];

/// One modelled callable.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryModel {
    /// `python` or `javascript` (JavaScript models serve TypeScript too).
    pub language: String,
    /// The distribution name, for reasons and docs (`aws-lambda-powertools`).
    pub library: String,
    /// Where the behaviour is documented.
    pub source: String,
    /// The module the callable is imported from (`aws_lambda_powertools.utilities.parameters`,
    /// `@aws-lambda-powertools/parameters/ssm`).
    pub module: String,
    /// The callable's name within the module; `Class.method` for methods of a class the
    /// library exports (`SSMProvider.get`), `Class` for a constructor or decorator.
    pub callable: String,
    pub sdk: Sdk,
    /// The service in the SDK's spelling (`ssm`, `client-ssm`).
    pub service: String,
    /// Operations (SDK spelling) the callable makes.
    pub methods: Vec<String>,
    /// Input member <- argument: `"0"` for the first positional argument, `"name"` for a
    /// keyword or an options-object property, `"=literal"` for a fixed value.
    #[serde(default)]
    pub args: BTreeMap<String, String>,
    /// Where the region of the library's client comes from, when the library fixes one
    /// (`"self.Meta.region|=us-east-1"`: PynamoDB's default is us-east-1, not the function's
    /// region); a source like those of `args`. `None`: the function's own region. Read by the
    /// Python analyzer.
    #[serde(default)]
    pub region: Option<String>,
    /// Conditions under which the call makes no SDK call, each `source=value` pairs joined
    /// by `,` that must all hold (`"2.create=false,2.waitForActive=false"`). Read by the
    /// JavaScript analyzer.
    #[serde(default)]
    pub unless: Vec<String>,
}

#[derive(Deserialize)]
struct LibrariesFile {
    #[serde(default)]
    model: Vec<LibraryModel>,
}

/// Every model in the table.
pub fn all() -> &'static [LibraryModel] {
    use std::sync::OnceLock;
    static MODELS: OnceLock<Vec<LibraryModel>> = OnceLock::new();
    MODELS.get_or_init(|| {
        let mut models = Vec::new();
        for (name, text) in TABLES {
            match toml::from_str::<LibrariesFile>(text) {
                Ok(file) => models.extend(file.model),
                // The tables are compiled in and checked by a test; an error here is our bug.
                Err(e) => panic!("{name} is invalid: {e}"),
            }
        }
        models
    })
}

/// Models for one language (TypeScript shares JavaScript's).
pub fn for_language(language: Language) -> impl Iterator<Item = &'static LibraryModel> {
    let wanted = match language {
        Language::Python => "python",
        Language::JavaScript | Language::TypeScript => "javascript",
        Language::Rust => "rust",
    };
    all().iter().filter(move |m| m.language == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_and_every_row_cites_a_source() {
        for model in all() {
            assert!(
                model.source.starts_with("https://"),
                "{} {} has no source",
                model.library,
                model.callable
            );
            assert!(
                !model.methods.is_empty(),
                "{} {} makes no call",
                model.library,
                model.callable
            );
            assert!(matches!(
                model.language.as_str(),
                "python" | "javascript" | "rust"
            ));
        }
    }
}

//! What a function is allowed today: the statements of its role, each with who grants it
//! and where that is written.

use serde_json::Value;

use crate::policy::{PolicyDocument, Statement};

/// One statement of the role's policies.
#[derive(Debug, Clone)]
pub struct Grant {
    pub statement: Statement,
    /// Who grants it: the statement's Sid, a policy name, a SAM policy template's name.
    pub granted_by: String,
    /// Where it is written: file (relative to the project root, or the path given) and
    /// 1-based line; `None` for live roles.
    pub location: Option<(String, u32)>,
    /// Added by the framework that generates the role (SAM's AWSLambdaBasicExecutionRole,
    /// the Serverless Framework's log statements), not written by the user: not flagged as
    /// broadened, since the template cannot narrow it.
    pub framework: bool,
}

/// The permissions of one function's role.
#[derive(Debug, Clone, Default)]
pub struct Deployed {
    /// The role: a template logical id, an ARN, or the policy file.
    pub role: Option<String>,
    pub grants: Vec<Grant>,
    /// What the comparison could not take into account (unreadable statements, unknown
    /// policy templates, a permissions boundary), said in the output.
    pub notes: Vec<String>,
    /// False when nothing is known about the role (an external role in template mode):
    /// the function is reported but not compared.
    pub known: bool,
}

impl Deployed {
    pub fn new(role: Option<String>) -> Deployed {
        Deployed {
            role,
            known: true,
            ..Deployed::default()
        }
    }

    /// Adds every statement of `document` (a policy document, or a statement list or single
    /// statement) one by one, so one unreadable statement costs only itself, with a note.
    /// `label` names the policy; a statement's Sid names it better where there is one.
    pub fn add_statements(
        &mut self,
        statements: &Value,
        label: &str,
        location: Option<(String, u32)>,
        label_by_sid: bool,
    ) {
        let statements = match statements {
            Value::Object(map) if map.contains_key("Statement") => &map["Statement"],
            other => other,
        };
        let items: Vec<&Value> = match statements {
            Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        let several = items.len() > 1;
        for (index, item) in items.into_iter().enumerate() {
            let document =
                serde_json::json!({"Version": crate::policy::POLICY_VERSION, "Statement": [item]});
            match PolicyDocument::from_iam_value(&document) {
                Ok(parsed) => {
                    for statement in parsed.statements {
                        let granted_by = match (&statement.sid, label_by_sid) {
                            (Some(sid), true) => sid.clone(),
                            _ if several && label_by_sid => format!("{label}[{index}]"),
                            _ => label.to_string(),
                        };
                        self.grants.push(Grant {
                            statement,
                            granted_by,
                            location: location.clone(),
                            framework: false,
                        });
                    }
                }
                Err(error) => self.notes.push(format!(
                    "{label}: statement {index} is not counted: {}",
                    error_text(&error)
                )),
            }
        }
    }

    /// Adds a whole policy document read from IAM or a file (percent-encoded text allowed).
    pub fn add_document_text(&mut self, text: &str, label: &str, location: Option<(String, u32)>) {
        match serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}').trim()) {
            Ok(value) => self.add_statements(&value, label, location, true),
            Err(_) => match PolicyDocument::from_iam_json(text) {
                Ok(document) => {
                    let value = document.to_iam_json(&|p| p.to_string());
                    self.add_statements(&value, label, location, true);
                }
                Err(error) => self
                    .notes
                    .push(format!("{label}: not counted: {}", error_text(&error))),
            },
        }
    }
}

fn error_text(error: &crate::policy::PolicyError) -> String {
    error.to_string()
}

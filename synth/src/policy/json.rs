//! IAM's JSON for policy documents: writing it (keys in IAM's order, lists always arrays) and
//! reading it (strings or arrays, single statement objects, percent-encoded text as IAM's
//! GetRolePolicy returns it).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::document::{POLICY_VERSION, PolicyDocument};
use super::error::PolicyError;
use super::intrinsic::text_of;
use super::placeholder::substitute;
use super::statement::{Conditions, Effect, Listing, Statement};

/// Policy language versions IAM accepts; documents are always written with [`POLICY_VERSION`].
const ACCEPTED_VERSIONS: [&str; 2] = [POLICY_VERSION, "2008-10-17"];

impl PolicyDocument {
    /// IAM's JSON: keys in the order `Version`, `Statement`; statement keys `Sid`, `Effect`,
    /// `Action`/`NotAction`, `Resource`/`NotResource`, `Condition` (absent keys omitted);
    /// lists always arrays, for diff stability. `substitute` maps each placeholder (with its
    /// `${` and `}`) in resources and condition values to its text, e.g. `${AWS::Partition}`
    /// -> `aws`; pass a function returning its argument to keep placeholders.
    pub fn to_iam_json(&self, substitute: &dyn Fn(&str) -> String) -> Value {
        let statements = self
            .statements
            .iter()
            .map(|s| statement_json(s, substitute))
            .collect();
        let mut document = Map::new();
        document.insert("Version".into(), Value::from(POLICY_VERSION));
        document.insert("Statement".into(), Value::Array(statements));
        Value::Object(document)
    }

    /// Read an IAM policy document from its JSON text, or from that text percent-encoded
    /// (IAM's `GetRolePolicy` and `GetPolicyVersion` return it so; some emulators do not).
    /// The document is returned as written, not canonicalized.
    pub fn from_iam_json(text: &str) -> Result<Self, PolicyError> {
        // A byte-order mark is not whitespace to `trim`, but editors write one.
        let trimmed = text.trim_start_matches('\u{feff}').trim();
        let decoded;
        let json = if !trimmed.starts_with('{') && trimmed.contains('%') {
            decoded = percent_decode(trimmed)?;
            decoded.as_str()
        } else {
            trimmed
        };
        let value: Value =
            serde_json::from_str(json).map_err(|e| PolicyError::Json(e.to_string()))?;
        Self::from_iam_value(&value)
    }

    /// Read an IAM policy document already parsed as JSON, e.g. from a CloudFormation, SAM
    /// or Serverless template: `Ref`, `Fn::GetAtt`, `Fn::Sub` and `Fn::Join` in actions,
    /// resources and condition values become placeholder text (`${Orders.Arn}`).
    pub fn from_iam_value(value: &Value) -> Result<Self, PolicyError> {
        let Value::Object(document) = value else {
            return Err(PolicyError::Invalid(
                "a policy document must be a JSON object".into(),
            ));
        };
        let mut statements = None;
        for (key, value) in document {
            match key.as_str() {
                "Version" => match value.as_str() {
                    Some(v) if ACCEPTED_VERSIONS.contains(&v) => {}
                    _ => {
                        return Err(PolicyError::Invalid(format!(
                            "unsupported Version {value}; IAM accepts \"2012-10-17\" and \"2008-10-17\""
                        )));
                    }
                },
                "Id" => {}
                "Statement" => statements = Some(value),
                other => {
                    return Err(PolicyError::Invalid(format!(
                        "unknown key \"{other}\" (a policy document has Version, Id and Statement)"
                    )));
                }
            }
        }
        let statements = match statements {
            Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
            Some(single @ Value::Object(_)) => vec![single],
            Some(_) => {
                return Err(PolicyError::Invalid(
                    "Statement must be an object or an array of objects".into(),
                ));
            }
            None => return Err(PolicyError::Invalid("missing Statement".into())),
        };
        let statements = statements
            .into_iter()
            .enumerate()
            .map(|(index, value)| {
                parse_statement(value)
                    .map_err(|message| PolicyError::InvalidStatement { index, message })
            })
            .collect::<Result<_, _>>()?;
        Ok(PolicyDocument { statements })
    }
}

/// One statement as IAM's JSON, keys in IAM's order.
pub(super) fn statement_json(statement: &Statement, subst: &dyn Fn(&str) -> String) -> Value {
    let mut out = Map::new();
    if let Some(sid) = &statement.sid {
        out.insert("Sid".into(), Value::from(sid.as_str()));
    }
    out.insert("Effect".into(), Value::from(statement.effect.as_str()));
    let action_key = match statement.action_listing {
        Listing::Include => "Action",
        Listing::Exclude => "NotAction",
    };
    out.insert(
        action_key.into(),
        statement
            .actions
            .iter()
            .map(|a| Value::from(a.as_str()))
            .collect(),
    );
    let resource_key = match statement.resource_listing {
        Listing::Include => "Resource",
        Listing::Exclude => "NotResource",
    };
    // Substitution may make two resources equal (two placeholders with one value): keep one.
    let resources: BTreeSet<String> = statement
        .resources
        .iter()
        .map(|r| substitute(r, subst))
        .collect();
    out.insert(
        resource_key.into(),
        resources.into_iter().map(Value::from).collect(),
    );
    if !statement.conditions.is_empty() {
        let conditions = statement
            .conditions
            .iter()
            .map(|(operator, keys)| {
                let keys = keys
                    .iter()
                    .map(|(key, values)| {
                        let values = values.iter().map(|v| Value::from(substitute(v, subst)));
                        (key.clone(), Value::Array(values.collect()))
                    })
                    .collect::<Map<_, _>>();
                (operator.clone(), Value::Object(keys))
            })
            .collect::<Map<_, _>>();
        out.insert("Condition".into(), Value::Object(conditions));
    }
    Value::Object(out)
}

/// One statement from IAM's JSON; the error says what is wrong with it.
fn parse_statement(value: &Value) -> Result<Statement, String> {
    let Value::Object(fields) = value else {
        return Err("a statement must be a JSON object".into());
    };
    let mut statement = Statement::default();
    let mut effect = None;
    let mut actions = None;
    let mut resources = None;
    for (key, value) in fields {
        match key.as_str() {
            "Sid" => {
                let sid = value.as_str().ok_or("Sid must be a string")?;
                statement.sid = Some(sid.to_string());
            }
            "Effect" => {
                effect = Some(match value.as_str() {
                    Some("Allow") => Effect::Allow,
                    Some("Deny") => Effect::Deny,
                    _ => return Err(format!("Effect must be \"Allow\" or \"Deny\", not {value}")),
                });
            }
            "Action" | "NotAction" => {
                if actions.is_some() {
                    return Err("a statement has either Action or NotAction, not both".into());
                }
                let listing = if key == "Action" {
                    Listing::Include
                } else {
                    Listing::Exclude
                };
                actions = Some((listing, string_list(key, value)?));
            }
            "Resource" | "NotResource" => {
                if resources.is_some() {
                    return Err("a statement has either Resource or NotResource, not both".into());
                }
                let listing = if key == "Resource" {
                    Listing::Include
                } else {
                    Listing::Exclude
                };
                resources = Some((listing, string_list(key, value)?));
            }
            "Condition" => statement.conditions = parse_conditions(value)?,
            "Principal" | "NotPrincipal" => {
                return Err(format!(
                    "{key} belongs to resource-based policies; an identity policy statement has none"
                ));
            }
            other => return Err(format!("unknown key \"{other}\"")),
        }
    }
    statement.effect = effect.ok_or("missing Effect")?;
    (statement.action_listing, statement.actions) =
        actions.ok_or("missing Action (or NotAction)")?;
    (statement.resource_listing, statement.resources) =
        resources.ok_or("missing Resource (or NotResource)")?;
    Ok(statement)
}

/// A string or an array of strings, as IAM allows for Action and Resource; CloudFormation
/// intrinsic functions (as templates declare policies) are read as placeholder text.
fn string_list(key: &str, value: &Value) -> Result<BTreeSet<String>, String> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|item| text_of(item).map_err(|e| format!("{key} must hold strings: {e}")))
            .collect(),
        single => text_of(single)
            .map(|text| BTreeSet::from([text]))
            .map_err(|e| format!("{key} must be a string or an array of strings: {e}")),
    }
}

/// `{"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}}`; values may be strings,
/// numbers or booleans, single or in arrays (IAM accepts all of them), or CloudFormation
/// intrinsic functions, kept as text.
fn parse_conditions(value: &Value) -> Result<Conditions, String> {
    let Value::Object(operators) = value else {
        return Err("Condition must be an object of operators".into());
    };
    let mut conditions = Conditions::new();
    for (operator, keys) in operators {
        let Value::Object(keys) = keys else {
            return Err(format!(
                "Condition operator {operator} must map condition keys to values"
            ));
        };
        let entry = conditions.entry(operator.clone()).or_default();
        for (key, values) in keys {
            let values = match values {
                Value::Array(items) => items
                    .iter()
                    .map(|v| scalar_text(operator, key, v))
                    .collect(),
                single => scalar_text(operator, key, single).map(|v| vec![v]),
            }?;
            entry.insert(key.clone(), values);
        }
    }
    Ok(conditions)
}

/// A condition value as text: `true`, `42`, `"eu-west-1"`.
fn scalar_text(operator: &str, key: &str, value: &Value) -> Result<String, String> {
    match value {
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        other => text_of(other).map_err(|e| {
            format!("Condition {operator} {key} must hold strings, numbers or booleans: {e}")
        }),
    }
}

/// Decode `%XX` escapes (RFC 3986, as IAM encodes policy documents); other characters are
/// kept, so partly encoded text decodes too. `+` stays `+`: RFC 3986 does not encode spaces
/// with it.
fn percent_decode(text: &str) -> Result<String, PolicyError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    PolicyError::PercentEncoding(format!("bad escape at character {}", i + 1))
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| PolicyError::PercentEncoding("decoded text is not UTF-8".into()))
}

//! The IAM actions one call needs, given the arguments it passes.
//!
//! Order of authority: an explicit "no permission" row; a reviewed override (with its
//! argument-dependent changes, per-item and per-statement rules); the Service Reference's
//! default; last, an action inferred from the operation's name, flagged as such. Then the
//! conditional extras (`iam:PassRole` when a role is passed, tagging when tags are).

use std::collections::BTreeMap;

use analyzer::Value;
use serde::Serialize;

use super::lookup::fold;
use super::overrides::{ByStatement, OperationOverride, PerItem};
use super::{Catalog, OpRef};

/// Where the answer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// The AWS Service Authorization Reference names the action for this operation.
    ServiceReference,
    /// A reviewed row of `synth/data/overrides.toml`.
    Override,
    /// AWS documents that the operation needs no IAM permission.
    NoPermission,
    /// The Service Reference lists no action for the operation; the action is the operation's
    /// name under the client's prefix. Reported as a warning wherever it is used.
    Inferred,
}

/// One action, and the arguments that locate its resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Need {
    pub action: String,
    /// Input members (canonical spelling) whose values build the resource ARN: the call's
    /// arguments, or one transaction item's, or a parsed copy source.
    pub scope: BTreeMap<String, Value>,
}

#[derive(Debug, Clone)]
pub struct Requirement {
    pub basis: Basis,
    pub needs: Vec<Need>,
    /// The override's or Service Reference's citation, for `catalog --format json`.
    pub source: Option<String>,
}

impl Catalog {
    /// The actions `op` needs when called with `args` (member names in any SDK spelling).
    pub fn required(&self, op: OpRef, args: &BTreeMap<String, Value>) -> Requirement {
        let client = self.client(op.client);
        let (name, _http, members, default, may) = &client.ops[op.index];
        let args = canonical_args(members, args);

        if let Some(row) = self.overrides.no_permission.iter().find(|row| {
            row.client == client.boto3 && row.operations.iter().any(|o| o == "*" || o == name)
        }) {
            return Requirement {
                basis: Basis::NoPermission,
                needs: Vec::new(),
                source: Some(row.source.clone()),
            };
        }

        let (basis, mut needs, source) = match self
            .overrides
            .operation
            .iter()
            .find(|row| row.client == client.boto3 && &row.operation == name)
        {
            Some(row) => (
                Basis::Override,
                override_needs(row, &args),
                Some(row.source.clone()),
            ),
            None if !default.is_empty() => (
                Basis::ServiceReference,
                scoped(default.iter().cloned(), &args),
                None,
            ),
            None => (
                Basis::Inferred,
                scoped([format!("{}:{}", client.prefix, name)], &args),
                None,
            ),
        };

        for extra in &self.overrides.extra {
            let mut found = Vec::new();
            find_members(&args, &extra.arg_suffixes, &mut found);
            if found.is_empty() {
                continue;
            }
            // The extra's resource is the value passed (the role), when the row says where it
            // goes; otherwise the call's own arguments locate it (tagging the resource created).
            let scope = match &extra.scope_member {
                Some(member) => {
                    let value = if found.len() == 1 {
                        found.swap_remove(0)
                    } else {
                        Value::List { items: found }
                    };
                    BTreeMap::from([(member.clone(), value)])
                }
                None => args.clone(),
            };
            needs.extend(
                may.iter()
                    .filter(|a| a.ends_with(&extra.action_suffix))
                    .map(|action| Need {
                        action: action.clone(),
                        scope: scope.clone(),
                    }),
            );
        }
        for read in &self.overrides.object_read {
            if !read.clients.iter().any(|c| *c == client.boto3) {
                continue;
            }
            let mut objects = Vec::new();
            find_members(&args, std::slice::from_ref(&read.member), &mut objects);
            for object in objects {
                let part = |name: &str| match &object {
                    Value::Map { entries } => entries.get(name).cloned().unwrap_or(Value::Unknown),
                    _ => Value::Unknown,
                };
                needs.push(Need {
                    action: read.action.clone(),
                    scope: BTreeMap::from([
                        ("Bucket".to_string(), part(&read.bucket)),
                        ("Key".to_string(), part(&read.key)),
                    ]),
                });
            }
        }
        needs.sort();
        needs.dedup();
        Requirement {
            basis,
            needs,
            source,
        }
    }
}

/// Values of every member, at any depth, whose folded name ends with one of `suffixes`
/// (`Target.RoleArn` of a schedule, `overrides.taskRoleArn` of an ECS task).
fn find_members(args: &BTreeMap<String, Value>, suffixes: &[String], found: &mut Vec<Value>) {
    for (key, value) in args {
        let folded = fold(key);
        if suffixes
            .iter()
            .any(|suffix| folded.ends_with(suffix.as_str()))
        {
            found.push(value.clone());
        }
        match value {
            Value::Map { entries } => find_members(entries, suffixes, found),
            Value::List { items } => {
                for item in items {
                    if let Value::Map { entries } = item {
                        find_members(entries, suffixes, found);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Renames argument keys to the operation's member spelling (`table_name` -> `TableName`).
fn canonical_args(members: &[String], args: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    args.iter()
        .map(|(key, value)| {
            let folded = fold(key);
            // aws-sdk-rust's Option setters are `set_<member>` (`set_table_name(Some(t))`);
            // a member whose own name starts with `Set` (`SetIdentifier`) matches first.
            let unset = key.strip_prefix("set_").map(fold);
            let name = members
                .iter()
                .find(|m| fold(m) == folded)
                .or_else(|| members.iter().find(|m| Some(fold(m)) == unset))
                .cloned()
                .unwrap_or_else(|| key.clone());
            (name, value.clone())
        })
        .collect()
}

fn scoped(actions: impl IntoIterator<Item = String>, args: &BTreeMap<String, Value>) -> Vec<Need> {
    actions
        .into_iter()
        .map(|action| Need {
            action,
            scope: args.clone(),
        })
        .collect()
}

fn override_needs(row: &OperationOverride, args: &BTreeMap<String, Value>) -> Vec<Need> {
    if let Some(per_item) = &row.per_item {
        return per_item_needs(per_item, args);
    }
    if let Some(by_statement) = &row.by_statement {
        return statement_needs(by_statement, args);
    }
    let mut actions: Vec<String> = row.actions.clone();
    for when in &row.when {
        let applies = match args.get(&when.arg) {
            None => false,
            Some(value) => {
                when.values.is_empty()
                    || value
                        .as_str()
                        .is_some_and(|v| when.values.iter().any(|w| w == v))
            }
        };
        if applies {
            actions.retain(|a| !when.remove.contains(a));
            actions.extend(when.add.iter().cloned());
        }
    }
    actions
        .into_iter()
        .map(|action| {
            let scope =
                copy_source_scope(&row.operation, &action, args).unwrap_or_else(|| args.clone());
            Need { action, scope }
        })
        .collect()
}

/// S3 copies read their source from `CopySource` (`bucket/key`, or `{Bucket, Key}` in
/// boto3's dict form): the read action's resource is the source object, not the destination.
/// Source: https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
fn copy_source_scope(
    operation: &str,
    action: &str,
    args: &BTreeMap<String, Value>,
) -> Option<BTreeMap<String, Value>> {
    const COPY_SOURCE_READS: [(&str, &str); 2] = [
        ("CopyObject", "s3:GetObject"),
        ("UploadPartCopy", "s3:GetObject"),
    ];
    if !COPY_SOURCE_READS.contains(&(operation, action)) {
        return None;
    }
    let mut scope = BTreeMap::new();
    match args.get("CopySource") {
        Some(Value::Map { entries }) => {
            for member in ["Bucket", "Key"] {
                scope.insert(
                    member.to_string(),
                    entries.get(member).cloned().unwrap_or(Value::Unknown),
                );
            }
        }
        Some(Value::Str { value }) => {
            let trimmed = value.trim_start_matches('/');
            let path = trimmed.split_once('?').map_or(trimmed, |(path, _)| path);
            let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
            scope.insert("Bucket".to_string(), Value::str(bucket));
            scope.insert(
                "Key".to_string(),
                if key.is_empty() {
                    Value::Unknown
                } else {
                    Value::str(key)
                },
            );
        }
        _ => {
            scope.insert("Bucket".to_string(), Value::Unknown);
            scope.insert("Key".to_string(), Value::Unknown);
        }
    }
    Some(scope)
}

fn per_item_needs(rule: &PerItem, args: &BTreeMap<String, Value>) -> Vec<Need> {
    let all = || {
        rule.actions
            .values()
            .map(|action| Need {
                action: action.clone(),
                scope: BTreeMap::new(),
            })
            .collect::<Vec<_>>()
    };
    let Some(Value::List { items }) = args.get(&rule.list) else {
        return all();
    };
    let mut needs = Vec::new();
    for item in items {
        match item {
            Value::Map { entries } if !entries.is_empty() => {
                for (key, body) in entries {
                    if let Some(action) = rule.actions.get(key) {
                        let scope = match body {
                            Value::Map { entries } => entries.clone(),
                            _ => BTreeMap::new(),
                        };
                        needs.push(Need {
                            action: action.clone(),
                            scope,
                        });
                    }
                }
            }
            // An element we cannot see into may be any kind of item.
            _ => needs.extend(all()),
        }
    }
    needs
}

fn statement_needs(rule: &ByStatement, args: &BTreeMap<String, Value>) -> Vec<Need> {
    let all = || {
        rule.verbs
            .values()
            .map(|action| Need {
                action: action.clone(),
                scope: BTreeMap::new(),
            })
            .collect::<Vec<_>>()
    };
    let statements: Vec<&Value> = match args.get(&rule.arg) {
        Some(Value::List { items }) => items
            .iter()
            .map(|item| match item {
                Value::Map { entries } => entries.get("Statement").unwrap_or(&Value::Unknown),
                other => other,
            })
            .collect(),
        Some(other) => vec![other],
        None => return all(),
    };
    let mut needs = Vec::new();
    for statement in statements {
        let verb = statement
            .as_str()
            .and_then(|s| s.split_whitespace().next())
            .map(str::to_ascii_uppercase);
        match verb.and_then(|v| rule.verbs.get(&v)) {
            Some(action) => {
                let mut scope = BTreeMap::new();
                if let Some(table) = statement.as_str().and_then(partiql_table) {
                    scope.insert("TableName".to_string(), Value::str(table));
                }
                needs.push(Need {
                    action: action.clone(),
                    scope,
                });
            }
            None => needs.extend(all()),
        }
    }
    needs
}

/// The table a PartiQL statement names: `SELECT * FROM "Orders" WHERE ...`,
/// `INSERT INTO Orders VALUE {...}`, `UPDATE "Orders" SET ...`, `DELETE FROM Orders ...`.
fn partiql_table(statement: &str) -> Option<String> {
    let words: Vec<&str> = statement.split_whitespace().collect();
    let position = words
        .iter()
        .position(|w| w.eq_ignore_ascii_case("from") || w.eq_ignore_ascii_case("into"))
        .map(|i| i + 1);
    let position = position.or_else(|| {
        words
            .first()
            .filter(|w| w.eq_ignore_ascii_case("update"))
            .map(|_| 1)
    })?;
    let raw = words.get(position)?;
    let name = raw.trim_matches(|c| c == '"' || c == '\'' || c == ';');
    let name = name.split('.').next()?; // "Orders"."Index"
    (!name.is_empty() && !name.contains('?')).then(|| name.trim_matches('"').to_string())
}

#[cfg(test)]
mod tests {
    use super::partiql_table;

    #[test]
    fn partiql_table_names() {
        assert_eq!(
            partiql_table(r#"SELECT * FROM "Orders" WHERE pk = ?"#).as_deref(),
            Some("Orders")
        );
        assert_eq!(
            partiql_table("INSERT INTO Orders VALUE {'pk': ?}").as_deref(),
            Some("Orders")
        );
        assert_eq!(
            partiql_table(r#"UPDATE "Orders" SET a = 1"#).as_deref(),
            Some("Orders")
        );
        assert_eq!(
            partiql_table(r#"SELECT * FROM "Orders"."byDate""#).as_deref(),
            Some("Orders")
        );
    }
}

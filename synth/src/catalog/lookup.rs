//! Finding a client and an operation by any SDK's spelling.
//!
//! | SDK     | client                         | operation                          |
//! |---------|--------------------------------|------------------------------------|
//! | boto3   | `s3`, `stepfunctions`          | `list_objects_v2`                  |
//! | JS v2   | `S3`, `StepFunctions`          | `listObjectsV2`                    |
//! | JS v3   | `client-s3`, `@aws-sdk/client-sfn` | `ListObjectsV2Command`, `listObjectsV2` |
//! | Rust    | `aws-sdk-s3`, `aws_sdk_sfn`    | `list_objects_v2`                  |
//!
//! Operations compare by a folded key (lower case, no `_`, `-` or `Command` suffix), which
//! is unambiguous within a client.

use std::collections::HashMap;

use analyzer::{Operation, Sdk};
use thiserror::Error;

use super::{Catalog, ClientId, ClientNames, OpRef};

#[derive(Debug, Error, PartialEq, Eq)]
pub enum LookupError {
    #[error("unknown {sdk} client `{name}`{}", did_you_mean(.suggestions))]
    UnknownClient {
        sdk: &'static str,
        name: String,
        suggestions: Vec<String>,
    },
    #[error("`{client}` has no operation `{method}`{}", did_you_mean(.suggestions))]
    UnknownOperation {
        client: String,
        method: String,
        suggestions: Vec<String>,
    },
    #[error("`{client}` has no waiter `{waiter}`{}", did_you_mean(.suggestions))]
    UnknownWaiter {
        client: String,
        waiter: String,
        suggestions: Vec<String>,
    },
}

fn did_you_mean(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean `{one}`?"),
        many => format!(
            "; did you mean one of: {}?",
            many.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub(super) fn sdk_label(sdk: Sdk) -> &'static str {
    match sdk {
        Sdk::Boto3 => "boto3",
        Sdk::JsV2 => "JavaScript v2",
        Sdk::JsV3 => "JavaScript v3",
        Sdk::Rust => "Rust",
    }
}

/// Folds a client or operation spelling for comparison.
pub(crate) fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '_' | '-' | ' ' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Folds an operation spelling: JS v3 commands lose their `Command` suffix, waiters their
/// `waitUntil`/`wait_until_` prefix.
fn fold_operation(name: &str) -> String {
    let name = name.strip_suffix("Command").unwrap_or(name);
    fold(name)
}

fn fold_waiter(name: &str) -> String {
    let folded = fold(name);
    folded
        .strip_prefix("waituntil")
        .or_else(|| folded.strip_prefix("waitfor"))
        .map(str::to_string)
        .unwrap_or(folded)
}

pub(super) struct Tables {
    boto3: HashMap<String, usize>,
    js_v2: HashMap<String, usize>,
    js_v3: HashMap<String, usize>,
    rust: HashMap<String, usize>,
}

impl Tables {
    pub(super) fn new(clients: &[ClientNames]) -> Self {
        let mut tables = Tables {
            boto3: HashMap::new(),
            js_v2: HashMap::new(),
            js_v3: HashMap::new(),
            rust: HashMap::new(),
        };
        for (i, c) in clients.iter().enumerate() {
            tables.boto3.insert(c.boto3.clone(), i);
            if let Some(js_v2) = &c.js_v2 {
                tables.js_v2.insert(fold(js_v2), i);
            }
            tables.js_v3.insert(fold(&c.js_v3), i);
            tables.rust.insert(fold(&c.rust), i);
        }
        // A JS v2 deep import names the client by its lower-case file (`aws-sdk/clients/s3`),
        // which is the folded class name; a Rust crate may also be written with underscores;
        // both fold to the same keys. Later names never shadow earlier exact ones.
        for (i, c) in clients.iter().enumerate() {
            tables
                .rust
                .entry(fold(&format!("aws-sdk-{}", c.service_id)))
                .or_insert(i);
        }
        tables
    }
}

impl Catalog {
    /// The client an SDK spelling names.
    pub fn find_client(&self, sdk: Sdk, name: &str) -> Result<ClientId, LookupError> {
        let name = name.trim();
        let found = match sdk {
            Sdk::Boto3 => self
                .lookup
                .boto3
                .get(name)
                .or_else(|| self.lookup.boto3.get(&name.to_ascii_lowercase())),
            Sdk::JsV2 => {
                let bare = name.strip_prefix("aws-sdk/clients/").unwrap_or(name);
                self.lookup.js_v2.get(&fold(bare))
            }
            Sdk::JsV3 => {
                let bare = name.strip_prefix("@aws-sdk/").unwrap_or(name);
                let bare = if bare.starts_with("client-") {
                    bare.to_string()
                } else {
                    format!("client-{bare}")
                };
                self.lookup.js_v3.get(&fold(&bare))
            }
            Sdk::Rust => {
                let bare = name.replace('_', "-");
                let bare = if bare.starts_with("aws-sdk-") {
                    bare
                } else {
                    format!("aws-sdk-{bare}")
                };
                self.lookup.rust.get(&fold(&bare))
            }
        };
        match found {
            Some(&i) => Ok(ClientId(i)),
            None => Err(LookupError::UnknownClient {
                sdk: sdk_label(sdk),
                name: name.to_string(),
                suggestions: nearest(
                    name,
                    self.clients.iter().filter_map(|c| self.client_name(c, sdk)),
                ),
            }),
        }
    }

    fn client_name<'a>(&self, names: &'a ClientNames, sdk: Sdk) -> Option<&'a str> {
        match sdk {
            Sdk::Boto3 => Some(&names.boto3),
            Sdk::JsV2 => names.js_v2.as_deref(),
            Sdk::JsV3 => Some(&names.js_v3),
            Sdk::Rust => Some(&names.rust),
        }
    }

    /// The operation an SDK method or command names on `client`.
    pub fn find_operation(
        &self,
        client: ClientId,
        sdk: Sdk,
        method: &str,
    ) -> Result<OpRef, LookupError> {
        let key = fold_operation(method);
        let data = self.client(client);
        if let Some(index) = data.ops.iter().position(|op| fold(&op.0) == key) {
            return Ok(OpRef { client, index });
        }
        let candidates = data.ops.iter().map(|op| spell_operation(sdk, &op.0));
        Err(LookupError::UnknownOperation {
            client: self
                .client_name(self.names(client), sdk)
                .unwrap_or(&self.names(client).boto3)
                .to_string(),
            method: method.to_string(),
            suggestions: nearest(method, candidates),
        })
    }

    /// The operation a waiter polls (`table_exists`, `waitUntilTableExists`, `TableExists`).
    pub fn find_waiter(&self, client: ClientId, waiter: &str) -> Result<OpRef, LookupError> {
        let key = fold_waiter(waiter);
        let data = self.client(client);
        let operation = data
            .waiters
            .iter()
            .find(|(name, _)| fold(name) == key)
            .map(|(_, op)| op);
        if let Some(index) = operation.and_then(|op| data.ops.iter().position(|o| &o.0 == op)) {
            return Ok(OpRef { client, index });
        }
        Err(LookupError::UnknownWaiter {
            client: self.names(client).boto3.clone(),
            waiter: waiter.to_string(),
            suggestions: nearest(waiter, data.waiters.keys().cloned()),
        })
    }

    /// Resolves an analyzer fact's client and operation.
    pub fn resolve(
        &self,
        client: &analyzer::Client,
        operation: &Operation,
    ) -> Result<OpRef, LookupError> {
        let id = self.find_client(client.sdk, &client.service)?;
        match operation {
            Operation::Method(method) => self.find_operation(id, client.sdk, method),
            Operation::Waiter(waiter) => self.find_waiter(id, waiter),
        }
    }
}

/// An operation name in an SDK's spelling, for messages.
pub fn spell_operation(sdk: Sdk, operation: &str) -> String {
    match sdk {
        Sdk::Boto3 | Sdk::Rust => snake_case(operation),
        Sdk::JsV2 => lower_first(operation),
        Sdk::JsV3 => format!("{operation}Command"),
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// botocore's `xform_name`: `ListObjectsV2` -> `list_objects_v2`, `GetAPIKey` -> `get_api_key`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_is_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Up to three candidates closest to `wanted` (edit distance on folded names).
fn nearest(wanted: &str, candidates: impl Iterator<Item = impl AsRef<str>>) -> Vec<String> {
    let key = fold_operation(wanted);
    let mut scored: Vec<(usize, String)> = candidates
        .map(|c| {
            let c = c.as_ref();
            let folded = fold_operation(c);
            let distance = strsim::levenshtein(&key, &folded);
            let bonus = if folded.contains(&key) || key.contains(&folded) {
                0
            } else {
                1
            };
            (distance * 2 + bonus, c.to_string())
        })
        .collect();
    scored.sort();
    let limit = (key.len() / 2).max(3) * 2 + 1;
    scored
        .into_iter()
        .filter(|(d, _)| *d <= limit)
        .take(3)
        .map(|(_, c)| c)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_matches_botocore() {
        assert_eq!(snake_case("ListObjectsV2"), "list_objects_v2");
        assert_eq!(snake_case("GetAPIKey"), "get_api_key");
        assert_eq!(snake_case("PutItem"), "put_item");
        assert_eq!(snake_case("ReEncrypt"), "re_encrypt");
    }
}

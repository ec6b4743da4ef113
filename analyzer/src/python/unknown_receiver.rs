//! Calls on receivers the analyzer cannot identify that look like AWS SDK operations:
//! they are reported as unresolved, never dropped (`grammars/python/unknown_receivers.toml`
//! says which; `grammars/python/boto3_operations.txt` lists boto3's operation names).

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::Deserialize;
use tree_sitter::Node;

use super::models;
use super::syntax::node_text;
use crate::fields::Fields;

/// Why such a call is unresolved.
pub const WHY: &str = "receiver is not a known AWS client";

#[derive(Deserialize, Default)]
struct Rules {
    min_words: usize,
    receiver_hints: Vec<String>,
    specific_verbs: Vec<String>,
}

struct Tables {
    rules: Rules,
    services: HashSet<&'static str>,
    operations: HashSet<&'static str>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let rules = toml::from_str(include_str!(
            "../../../grammars/python/unknown_receivers.toml"
        ))
        .unwrap_or_default();
        let mut services = HashSet::new();
        let mut operations = HashSet::new();
        let mut section = "";
        for line in include_str!("../../../grammars/python/boto3_operations.txt").lines() {
            match line {
                "" => {}
                _ if line.starts_with('#') => {}
                "[services]" | "[operations]" => section = line,
                _ if section == "[services]" => {
                    services.insert(line);
                }
                _ => {
                    operations.insert(line);
                }
            }
        }
        Tables {
            rules,
            services,
            operations,
        }
    })
}

/// True when `method` is a boto3 client method that calls AWS: an operation, or an S3
/// transfer helper.
fn is_sdk_method(method: &str) -> bool {
    tables().operations.contains(method) || models::transfer_helper(method, "client").is_some()
}

/// True when calling `method` on a receiver named `receiver` (its last name, if any) is
/// specific enough to be an AWS call worth reporting.
pub fn looks_like_sdk_call(method: &str, receiver: Option<&str>) -> bool {
    if !is_sdk_method(method) {
        return false;
    }
    let t = tables();
    let hinted = receiver.is_some_and(|r| is_hint(&r.to_ascii_lowercase()));
    let words = method.split('_').count();
    let verb = method.split('_').next().unwrap_or(method);
    hinted
        || words >= t.rules.min_words.max(2)
        || (words >= 2 && t.rules.specific_verbs.iter().any(|v| v == verb))
}

/// A receiver name hints at a client when one of its `_`-separated words is a hint or a
/// boto3 service name (`s3_client`, `ddb`, `sqs`), or it contains a hint of five letters
/// or more (`ordersTable`, `dynamoClient`); `session` does not hint `ses`.
fn is_hint(receiver: &str) -> bool {
    let t = tables();
    let hints = &t.rules.receiver_hints;
    receiver
        .split('_')
        .any(|w| t.services.contains(w) || hints.iter().any(|h| h == w))
        || hints
            .iter()
            .any(|h| h.len() >= 5 && receiver.contains(h.as_str()))
}

/// The last name in a receiver expression: `table` in `self.table`, `get_table` in
/// `get_table()`, `clients` in `clients["s3"]`.
pub fn receiver_name<'s>(receiver: Node, src: &'s str) -> Option<&'s str> {
    match receiver.kind() {
        "identifier" => Some(node_text(receiver, src)),
        "attribute" => receiver.field("attribute").map(|a| node_text(a, src)),
        "call" => receiver_name(receiver.field("function")?, src),
        "subscript" => receiver_name(receiver.field("value")?, src),
        "parenthesized_expression" => receiver_name(receiver.named_child(0)?, src),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load() {
        let t = tables();
        assert!(t.services.contains("dynamodb"));
        assert!(t.services.contains("s3"));
        assert!(t.operations.contains("put_item"));
        assert!(t.operations.contains("get_secret_value"));
        assert!(!t.operations.contains("dynamodb"));
        assert!(!t.services.contains("put_item"));
    }

    #[test]
    fn specific_names_or_hinted_receivers() {
        // Hinted receivers: any operation, even one word.
        assert!(looks_like_sdk_call("query", Some("table")));
        assert!(looks_like_sdk_call("put_object", Some("s3")));
        assert!(looks_like_sdk_call("get_object", Some("s3_client")));
        assert!(looks_like_sdk_call("upload_file", Some("bucket")));
        // Specific names on any receiver.
        assert!(looks_like_sdk_call("get_secret_value", Some("sm")));
        assert!(looks_like_sdk_call("put_item", Some("t")));
        assert!(looks_like_sdk_call("start_execution", None));
        // Ambiguous names on unhinted receivers, and names that are not operations.
        assert!(!looks_like_sdk_call("get_template", Some("env")));
        assert!(!looks_like_sdk_call("create_user", Some("objects")));
        assert!(!looks_like_sdk_call("query", Some("session")));
        assert!(looks_like_sdk_call("query", Some("ordersTable")));
        assert!(looks_like_sdk_call("send_message", Some("sqs")));
        assert!(!looks_like_sdk_call("append", Some("table")));
        assert!(!looks_like_sdk_call("get", Some("client")));
    }
}

//! Call facts: what the analyzer hands to synth. One fact is one AWS SDK call that the
//! function's handler can reach, spelled the way the SDK spells it. No IAM knowledge here:
//! synth's catalog turns `(sdk, service, operation)` into IAM actions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::value::Value;

/// Which SDK's spelling a client and its operations use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sdk {
    /// boto3 / botocore: service `s3`, method `put_object`.
    Boto3,
    /// AWS SDK for JavaScript v2 (`aws-sdk`): class `S3`, method `putObject`.
    JsV2,
    /// AWS SDK for JavaScript v3: package `client-s3`, command `PutObjectCommand` or method `putObject`.
    JsV3,
    /// aws-sdk-rust: crate `aws-sdk-s3`, fluent method `put_object`.
    Rust,
}

/// An SDK client: the SDK and the service as that SDK names it
/// (`s3`, `S3`, `client-s3`, `aws-sdk-s3`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Client {
    pub sdk: Sdk,
    pub service: String,
}

/// What the call does on the client.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "kebab-case")]
pub enum Operation {
    /// A client method or command in the SDK's spelling: `put_object`, `putObject`,
    /// `PutObjectCommand`. Paginators and presigners resolve to the method they wrap.
    Method(String),
    /// A waiter in the SDK's spelling (`table_exists`, `waitUntilTableExists`,
    /// `TableExists`); synth's catalog knows which operation it polls.
    Waiter(String),
}

/// How the call reaches AWS, when it is not a plain call. Kept for reasons and `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    #[default]
    Call,
    Paginator,
    Waiter,
    /// A presigned URL or POST: the holder of the URL makes the call with our credentials.
    Presign,
    /// A high-level helper (s3transfer, lib-storage `Upload`, resource API) that issues it.
    Helper,
    /// A modelled third-party library (see `grammars/libraries.toml`).
    Library,
}

/// A place in the analysed project. `file` is relative to the project root, with `/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
}

/// One step of the chain from the handler to a call: the function we were in, and where
/// the call to the next step (or the SDK call itself) stands.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Step {
    pub function: String,
    pub at: Location,
}

/// One SDK call reachable from the handler.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CallFact {
    pub client: Client,
    pub operation: Operation,
    /// Input members as written in the source: Python keywords (`Bucket`), JS object keys
    /// (`TableName`), Rust setter names (`table_name`). Only members the analyzer saw; a
    /// member present with an unknown value is `Value::Unknown`. Synth normalises names.
    pub args: BTreeMap<String, Value>,
    pub via: Via,
    pub location: Location,
    /// The call's source text, whitespace folded, shortened to at most 80 characters.
    pub call: String,
    /// Handler first, this call's enclosing function last.
    pub chain: Vec<Step>,
    /// The region the code fixed for the client (`region_name="us-east-1"`), when it is not
    /// the function's own: ARNs of this call name it instead of the function's region.
    /// `Value::Unknown` (or any value not a string) is a region the code does not make
    /// knowable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Value>,
}

/// An AWS call that could not be pinned to one service and operation. Never guessed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Unresolved {
    pub location: Location,
    pub call: String,
    pub why: String,
}

/// Everything the analyzer learnt about one function.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FunctionFacts {
    pub calls: Vec<CallFact>,
    pub unresolved: Vec<Unresolved>,
    pub diagnostics: Vec<crate::diagnostics::Diagnostic>,
}

impl FunctionFacts {
    /// Sorts and deduplicates, so that output built from facts is deterministic.
    pub fn canonicalize(&mut self) {
        self.calls.sort();
        self.calls.dedup();
        self.unresolved.sort();
        self.unresolved.dedup();
        self.diagnostics.sort();
        self.diagnostics.dedup();
    }
}

/// Environment variables the Lambda runtime sets to the function's own region.
const OWN_REGION_VARIABLES: &[&str] = &["AWS_REGION", "AWS_DEFAULT_REGION"];

/// A region argument as a [`CallFact::region`]: `None` when it is the function's own (the
/// runtime's `AWS_REGION`, `${AWS::Region}`) or no AWS region at all (`'localhost'`, which
/// serverless-offline and DynamoDB Local setups pass beside a local endpoint), else the value,
/// known or not.
pub fn fixed_region(value: Value) -> Option<Value> {
    match &value {
        Value::Env { name, .. } if OWN_REGION_VARIABLES.contains(&name.as_str()) => None,
        Value::Str { value } if !is_region_name(value) => None,
        _ => Some(value),
    }
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`: a geography code, words, and a
/// number, joined by `-` (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html).
fn is_region_name(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let lower = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1].iter().all(lower)
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// Folds whitespace and shortens source text for `CallFact::call` and `Unresolved::call`.
/// One pass that stops after `MAX` characters: a call's source can be a long builder chain,
/// and this runs for every reported call.
pub fn call_text(source: &str) -> String {
    const MAX: usize = 80;
    let mut out = String::with_capacity(MAX + 3);
    let mut count = 0;
    for (i, word) in source.split_whitespace().enumerate() {
        let space = (i > 0).then_some(' ');
        for c in space.into_iter().chain(word.chars()) {
            if count == MAX {
                out.pop();
                out.push('…');
                return out;
            }
            out.push(c);
            count += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_regions_are_aws_regions_other_than_the_functions() {
        let env = |name: &str| Value::Env {
            name: name.into(),
            default: None,
        };
        for own in [
            env("AWS_REGION"),
            env("AWS_DEFAULT_REGION"),
            Value::str("localhost"),
        ] {
            assert_eq!(fixed_region(own.clone()), None, "{own:?}");
        }
        for region in ["us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1"] {
            assert_eq!(
                fixed_region(Value::str(region)),
                Some(Value::str(region)),
                "{region}"
            );
        }
        assert_eq!(fixed_region(env("SES_REGION")), Some(env("SES_REGION")));
        assert_eq!(fixed_region(Value::Unknown), Some(Value::Unknown));
    }

    #[test]
    fn call_text_folds_and_shortens() {
        assert_eq!(
            call_text("s3.put_object(\n    Bucket=b,\n    Key=k)"),
            "s3.put_object( Bucket=b, Key=k)"
        );
        let long = format!("x.y({})", "a".repeat(200));
        let short = call_text(&long);
        assert_eq!(short.chars().count(), 80);
        assert!(short.ends_with('…'));
        // Exactly the limit stays whole; one more is cut to 79 and the ellipsis.
        let eighty = format!("  f({})  ", "é".repeat(77));
        assert_eq!(call_text(&eighty), format!("f({})", "é".repeat(77)));
        let over = format!("f({}) ", "é".repeat(78));
        assert_eq!(call_text(&over), format!("f({}…", "é".repeat(77)));
    }
}

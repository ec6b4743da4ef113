//! What a function's triggers put in its event. A handler that reads the bucket from an S3
//! notification (`event["Records"][0]["s3"]["bucket"]["name"]`) reads the name of one of the
//! buckets that invoke it; the infrastructure names them, so the analyzers can bind the read
//! to those buckets instead of leaving it unknown (any bucket).
//!
//! Source: the event shapes in the Lambda developer guide ("Using AWS Lambda with Amazon S3",
//! example Amazon S3 notification event: `Records[].s3.bucket.name`).

use std::collections::BTreeMap;

use super::{EventKind, FunctionSpec};
use crate::value::{InfraRef, Value};

/// Event kind (and, for a framework's own event objects, the registering decorator) -> the
/// path in the event that holds the resource the event source names. Chalice hands
/// `@app.on_s3_event` handlers an `S3Event` whose `bucket` is the bucket name
/// (https://aws.github.io/chalice/api.html#S3Event).
const EVENT_PATHS: &[(EventKind, Option<&str>, &str)] = &[
    (EventKind::S3, None, "Records[].s3.bucket.name"),
    (EventKind::S3, Some("on_s3_event"), "bucket"),
];

/// The event paths whose values the function's triggers determine: one trigger gives its
/// resource, several a list of them. A path is left out when any trigger of its kind names
/// no resource, since its value could then be anything.
pub fn event_values(spec: &FunctionSpec) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (kind, decorator, path) in EVENT_PATHS {
        let sources: Vec<Option<&Value>> = spec
            .events
            .iter()
            .filter(|e| e.kind == *kind && decorator.is_none_or(|d| e.name == d))
            .map(|e| e.resource.as_ref())
            .collect();
        if sources.is_empty() || sources.iter().any(Option::is_none) {
            continue;
        }
        let mut values: Vec<Value> = sources.into_iter().flatten().map(bucket_name).collect();
        values.sort();
        values.dedup();
        let value = match values.len() {
            1 => values.remove(0),
            _ => Value::List { items: values },
        };
        out.insert((*path).to_string(), value);
    }
    out
}

/// A bucket as the event names it: by name, where the infrastructure may give its ARN
/// (`arn:aws:s3:::photos`, `!GetAtt Bucket.Arn`).
fn bucket_name(value: &Value) -> Value {
    match value {
        Value::Str { value } => match value.split_once(":::") {
            Some((_, name)) if value.starts_with("arn:") => Value::str(name),
            _ => Value::str(value),
        },
        Value::Infra(reference) if reference.attribute.as_deref() == Some("Arn") => {
            Value::Infra(InfraRef {
                attribute: None,
                ..reference.clone()
            })
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::EventSource;
    use crate::project::{Entry, Language};

    fn spec(events: Vec<(EventKind, Option<Value>)>) -> FunctionSpec {
        FunctionSpec {
            name: "f".into(),
            runtime: None,
            language: Language::Python,
            entry: Entry {
                file: "app.py".into(),
                function: None,
            },
            also_runs: Vec::new(),
            env: BTreeMap::new(),
            search_paths: Vec::new(),
            declared_in: "template.yaml".into(),
            line: 1,
            function_name: Value::Unknown,
            log_group: Value::Unknown,
            events: events
                .into_iter()
                .enumerate()
                .map(|(i, (kind, resource))| EventSource {
                    kind,
                    name: format!("e{i}"),
                    resource,
                })
                .collect(),
            tracing: false,
            vpc: false,
            destinations: Vec::new(),
            kms_keys: Vec::new(),
            role: None,
            policies: Vec::new(),
            layers: Vec::new(),
        }
    }

    const PATH: &str = "Records[].s3.bucket.name";

    #[test]
    fn trigger_buckets_by_name() {
        let arn = Value::str("arn:aws:s3:::photos");
        let values = event_values(&spec(vec![(EventKind::S3, Some(arn))]));
        assert_eq!(values.get(PATH), Some(&Value::str("photos")));

        let two = spec(vec![
            (EventKind::S3, Some(Value::str("b"))),
            (EventKind::Sqs, None),
            (EventKind::S3, Some(Value::str("a"))),
        ]);
        assert_eq!(
            event_values(&two).get(PATH),
            Some(&Value::List {
                items: vec![Value::str("a"), Value::str("b")]
            })
        );
    }

    #[test]
    fn an_unnamed_trigger_or_none_binds_nothing() {
        let unnamed = spec(vec![
            (EventKind::S3, Some(Value::str("a"))),
            (EventKind::S3, None),
        ]);
        assert!(event_values(&unnamed).is_empty());
        assert!(event_values(&spec(vec![(EventKind::Sqs, None)])).is_empty());
    }
}

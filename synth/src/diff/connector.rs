//! SAM connectors (`AWS::Serverless::Connector`, embedded `Connectors`): the statements SAM
//! gives the source function's role, read from the translator's connector profiles
//! ([`data::connector_profiles`]) with the profile's `%{Destination.X}` variables replaced
//! as SAM replaces them (samtranslator/model/connector_profiles/profile.py
//! `profile_replace`: a whole-string variable becomes the value, a variable inside a
//! string a `Fn::Sub` with a variable map).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::data;

/// Profile variables and where a destination's value comes from: the profile output of its
/// type when it is given by `Id`, else the property written on the destination
/// (samtranslator/model/connector/connector.py `get_resource_reference`).
const VARIABLES: &[(&str, &str, &str)] = &[
    // (variable, output of the type, property written without `Id`)
    ("Destination.Arn", "Arn", "Arn"),
    ("Destination.Name", "Name", "Name"),
    ("Destination.QueueUrl", "Url", "QueueUrl"),
    ("Destination.ResourceId", "Id", "ResourceId"),
    ("Destination.Qualifier", "Qualifier", "Qualifier"),
];

/// The statements a connector to `destination_type` grants for `permissions`, or why it
/// grants nothing here. `destination_id` is the destination's logical id when given by
/// `Id`; `destination` the destination as written otherwise.
pub fn statements(
    destination_type: &str,
    destination_id: Option<&str>,
    destination: &Value,
    permissions: &[String],
) -> Result<Value, String> {
    let profiles = data::connector_profiles().ok_or("the connector profiles data is unreadable")?;
    let categories = profiles.destinations.get(destination_type).ok_or_else(|| {
        format!("SAM has no connector profile from a function to {destination_type}")
    })?;
    if permissions.is_empty() {
        return Err("no Permissions given; SAM rejects the connector".to_string());
    }
    let values = variable_values(
        destination_type,
        destination_id,
        destination,
        &profiles.outputs,
    );
    let mut out = Vec::new();
    for permission in permissions {
        let statements = categories.get(permission).ok_or_else(|| {
            format!(
                "SAM has no {permission} permission from a function to {destination_type}; it rejects the connector"
            )
        })?;
        out.push(replace(statements, &values)?);
    }
    Ok(Value::Array(
        out.into_iter()
            .flat_map(|s| match s {
                Value::Array(items) => items,
                single => vec![single],
            })
            .collect(),
    ))
}

/// Each variable's value for this destination; absent when the destination does not give
/// it.
fn variable_values(
    destination_type: &str,
    destination_id: Option<&str>,
    destination: &Value,
    outputs: &BTreeMap<String, BTreeMap<String, Value>>,
) -> BTreeMap<&'static str, Value> {
    let mut values = BTreeMap::new();
    for (variable, output, property) in VARIABLES {
        let value = match destination_id {
            Some(id) => match (*output, super::arns::arn_of(destination_type, id)) {
                ("Arn", Some(arn)) => Some(Value::String(arn)),
                _ => outputs
                    .get(destination_type)
                    .and_then(|o| o.get(*output))
                    .map(|v| replace_logical_id(v, id)),
            },
            None => destination.get(*property).cloned(),
        };
        if let Some(value) = value {
            values.insert(*variable, value);
        }
    }
    values
}

/// `%{logicalId}` in a profile output replaced by `id`.
fn replace_logical_id(value: &Value, id: &str) -> Value {
    match value {
        Value::String(s) => Value::String(s.replace("%{logicalId}", id)),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| replace_logical_id(v, id)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), replace_logical_id(v, id)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The profile's variables replaced in every string of `value`, as SAM's `profile_replace`.
fn replace(value: &Value, values: &BTreeMap<&'static str, Value>) -> Result<Value, String> {
    match value {
        Value::String(text) => replace_text(text, values),
        Value::Array(items) => items
            .iter()
            .map(|v| replace(v, values))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| replace(v, values).map(|v| (k.clone(), v)))
            .collect::<Result<serde_json::Map<_, _>, _>>()
            .map(Value::Object),
        other => Ok(other.clone()),
    }
}

fn replace_text(text: &str, values: &BTreeMap<&'static str, Value>) -> Result<Value, String> {
    let mut sub = text.to_string();
    let mut variables = serde_json::Map::new();
    for (variable, _, _) in VARIABLES {
        let pattern = format!("%{{{variable}}}");
        if !text.contains(&pattern) {
            continue;
        }
        let value = values
            .get(variable)
            .ok_or_else(|| format!("the destination gives no {variable}, which SAM needs"))?;
        if text == pattern {
            return Ok(value.clone());
        }
        // `!Sub` variable names are alphanumeric: `Destination.Arn` -> `DestinationArn`.
        let name: String = variable.chars().filter(|c| c.is_alphanumeric()).collect();
        sub = sub.replace(&pattern, &format!("${{{name}}}"));
        variables.insert(name, value.clone());
    }
    if variables.is_empty() {
        return Ok(Value::String(text.to_string()));
    }
    Ok(json!({"Fn::Sub": [sub, variables]}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_by_id_gets_its_arn_and_indexes() {
        let statements = statements(
            "AWS::DynamoDB::Table",
            Some("Orders"),
            &Value::Null,
            &["Read".to_string()],
        )
        .expect("statements");
        let resources = &statements[0]["Resource"];
        assert_eq!(
            resources[0],
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Orders}"
        );
        assert_eq!(
            resources[1],
            json!({"Fn::Sub": ["${DestinationArn}/index/*", {"DestinationArn": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Orders}"}]})
        );
        assert!(
            statements[0]["Action"]
                .to_string()
                .contains("dynamodb:GetItem")
        );
    }

    #[test]
    fn a_state_machine_by_id_names_its_executions() {
        let statements = statements(
            "AWS::StepFunctions::StateMachine",
            Some("Flow"),
            &Value::Null,
            &["Write".to_string()],
        )
        .expect("statements");
        let text = statements.to_string();
        // The Name output of a state machine is `!GetAtt Flow.Name`.
        assert!(text.contains(r#"{"Fn::GetAtt":["Flow","Name"]}"#), "{text}");
    }

    #[test]
    fn a_destination_by_arn_uses_the_written_arn() {
        let destination =
            json!({"Type": "AWS::SQS::Queue", "Arn": "arn:aws:sqs:eu-west-1:123456789012:jobs"});
        let statements = statements(
            "AWS::SQS::Queue",
            None,
            &destination,
            &["Write".to_string()],
        )
        .expect("statements");
        assert_eq!(
            statements[0]["Resource"][0],
            "arn:aws:sqs:eu-west-1:123456789012:jobs"
        );
        assert!(
            statements[0]["Action"]
                .to_string()
                .contains("sqs:SendMessage")
        );
    }

    #[test]
    fn what_sam_rejects_grants_nothing() {
        assert!(
            statements("AWS::SNS::Topic", Some("T"), &Value::Null, &["Read".into()])
                .unwrap_err()
                .contains("no Read permission")
        );
        assert!(
            statements(
                "AWS::Kinesis::Stream",
                Some("S"),
                &Value::Null,
                &["Read".into()]
            )
            .unwrap_err()
            .contains("no connector profile")
        );
        // A state machine given by ARN alone has no Name for its execution ARNs.
        let destination = json!({"Type": "AWS::StepFunctions::StateMachine", "Arn": "arn:aws:states:us-east-1:1:stateMachine:f"});
        assert!(
            statements(
                "AWS::StepFunctions::StateMachine",
                None,
                &destination,
                &["Read".into()]
            )
            .unwrap_err()
            .contains("Destination.Name")
        );
    }
}

//! CloudFormation intrinsic functions inside policy documents, read into the model's
//! `!Sub` placeholder syntax, so that policies declared in templates can be compared with
//! generated ones: `{"Fn::GetAtt": ["Orders", "Arn"]}` becomes `${Orders.Arn}`.
//!
//! Supported (CloudFormation User Guide, "Intrinsic function reference"): `Ref`,
//! `Fn::GetAtt`, `Fn::Sub` (string, or string with a variable map), `Fn::Join`. Others
//! (`Fn::If`, `Fn::ImportValue`, `Fn::Select`…) depend on deploy-time state and are errors.

use serde_json::Value;

/// The text of a policy value: a string as it is, an intrinsic function as placeholder text.
pub(super) fn text_of(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Object(map) if map.len() == 1 => {
            let Some((name, argument)) = map.iter().next() else {
                return Err("empty object".into());
            };
            match name.as_str() {
                "Ref" => reference(argument),
                "Fn::GetAtt" => get_att(argument),
                "Fn::Sub" => sub(argument),
                "Fn::Join" => join(argument),
                other => Err(format!("unsupported CloudFormation function {other}")),
            }
        }
        other => Err(format!("found {other}")),
    }
}

/// `{"Ref": "Orders"}` -> `${Orders}`, `{"Ref": "AWS::Region"}` -> `${AWS::Region}`.
fn reference(argument: &Value) -> Result<String, String> {
    let name = argument.as_str().ok_or("Ref takes a logical id")?;
    Ok(format!("${{{name}}}"))
}

/// `{"Fn::GetAtt": ["Orders", "Arn"]}` or `{"Fn::GetAtt": "Orders.Arn"}` -> `${Orders.Arn}`.
fn get_att(argument: &Value) -> Result<String, String> {
    match argument {
        Value::String(dotted) => Ok(format!("${{{dotted}}}")),
        Value::Array(parts) => match parts.as_slice() {
            [Value::String(id), attribute] => Ok(format!("${{{id}.{}}}", text_of(attribute)?)),
            _ => Err("Fn::GetAtt takes [LogicalId, Attribute]".into()),
        },
        _ => Err("Fn::GetAtt takes [LogicalId, Attribute] or \"LogicalId.Attribute\"".into()),
    }
}

/// `{"Fn::Sub": "arn:${AWS::Partition}:…"}` is already placeholder text; with a variable
/// map, each `${Var}` is replaced by the variable's text. `${!Literal}` is `Sub`'s escape
/// for a literal `${Literal}` (such as an IAM policy variable) and is unescaped.
fn sub(argument: &Value) -> Result<String, String> {
    let (template, variables) = match argument {
        Value::String(template) => (template.as_str(), None),
        Value::Array(parts) => match parts.as_slice() {
            [Value::String(template), Value::Object(variables)] => {
                (template.as_str(), Some(variables))
            }
            _ => return Err("Fn::Sub takes a string or [string, {variables}]".into()),
        },
        _ => return Err("Fn::Sub takes a string or [string, {variables}]".into()),
    };
    let mut text = template.to_string();
    if let Some(variables) = variables {
        for (name, value) in variables {
            text = text.replace(&format!("${{{name}}}"), &text_of(value)?);
        }
    }
    Ok(text.replace("${!", "${"))
}

/// `{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::b"]]}` -> the parts joined.
fn join(argument: &Value) -> Result<String, String> {
    let [Value::String(delimiter), Value::Array(parts)] = argument
        .as_array()
        .map(Vec::as_slice)
        .ok_or("Fn::Join takes [delimiter, [parts]]")?
    else {
        return Err("Fn::Join takes [delimiter, [parts]]".into());
    };
    let parts = parts.iter().map(text_of).collect::<Result<Vec<_>, _>>()?;
    Ok(parts.join(delimiter))
}

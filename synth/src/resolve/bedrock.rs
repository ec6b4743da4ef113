//! Amazon Bedrock model identifiers to the resources `bedrock:InvokeModel` is checked on.
//!
//! A runtime call's `modelId` names one of three things, and IAM checks different ARNs for
//! each (Amazon Bedrock User Guide, "Identity-based policy examples" and "Prerequisites for
//! inference profiles"):
//! - a foundation model (`anthropic.claude-3-haiku-20240307-v1:0`):
//!   `arn:${Partition}:bedrock:${Region}::foundation-model/<id>`;
//! - a system-defined cross-Region inference profile, the model id behind a geography prefix
//!   (`us.anthropic.claude-3-5-sonnet-20240620-v1:0`): the profile,
//!   `arn:${Partition}:bedrock:${Region}:${Account}:inference-profile/<id>`, and the foundation
//!   model in every Region the profile routes to, so that Region is `*`;
//! - an ARN (provisioned, custom, imported model, application inference profile): itself.

use analyzer::Value;

/// Geography prefixes of system-defined inference profiles.
const PROFILE_GEOGRAPHIES: &[&str] = &["us", "eu", "apac", "us-gov", "jp", "au", "ca", "global"];

/// The resources a call with `modelId = model` is authorised on; `None` when the id is not
/// a known string (the ARN formats then leave it `*`).
pub fn model_resources(model: &Value) -> Option<Vec<String>> {
    let Value::Str { value: id } = model else {
        return None;
    };
    if id.starts_with("arn:") {
        return Some(vec![id.clone()]);
    }
    let foundation = |region: &str, id: &str| {
        format!("arn:${{AWS::Partition}}:bedrock:{region}::foundation-model/{id}")
    };
    match id.split_once('.') {
        Some((geography, model))
            if PROFILE_GEOGRAPHIES.contains(&geography) && model.contains('.') =>
        {
            Some(vec![
                format!(
                    "arn:${{AWS::Partition}}:bedrock:${{AWS::Region}}:${{AWS::AccountId}}:inference-profile/{id}"
                ),
                foundation("*", model),
            ])
        }
        _ => Some(vec![foundation("${AWS::Region}", id)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foundation_models_profiles_and_arns() {
        assert_eq!(
            model_resources(&Value::str("anthropic.claude-3-haiku-20240307-v1:0")),
            Some(vec![
                "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0".to_string()
            ])
        );
        assert_eq!(
            model_resources(&Value::str("us.anthropic.claude-3-5-sonnet-20240620-v1:0")),
            Some(vec![
                "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0".to_string(),
                "arn:${AWS::Partition}:bedrock:*::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0".to_string(),
            ]),
            "a cross-Region profile needs the model in every Region it routes to"
        );
        let arn = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123";
        assert_eq!(
            model_resources(&Value::str(arn)),
            Some(vec![arn.to_string()])
        );
        assert_eq!(model_resources(&Value::Unknown), None);
    }
}

//! Conditions a need can carry. Passing a role is only needed towards the service the call
//! hands it to, so `iam:PassRole` from a call in this table is granted with
//! `iam:PassedToService` set to that service's principal: the role cannot be passed to any
//! other service with this grant.
//!
//! Sources: IAM User Guide, "Grant a user permissions to pass a role to an AWS service" and
//! the `iam:PassedToService` condition key ("the service principal of the service to which a
//! role can be passed"); each row's principal is the one that service's documentation names
//! for the role the operation passes (ECS task roles: ecs-tasks.amazonaws.com, "Amazon ECS
//! task IAM role"; Step Functions, Lambda, EventBridge Scheduler and EventBridge execution
//! roles; Glue, SageMaker, CodeBuild, CloudFormation service roles; Firehose delivery roles).

use std::collections::BTreeMap;

use analyzer::Value;

use crate::policy::Conditions;

/// The action a call is for (its first action) -> the service principal it passes roles to.
const PASSED_TO_SERVICE: &[(&str, &str)] = &[
    (
        "bedrock:CreateModelCustomizationJob",
        "bedrock.amazonaws.com",
    ),
    ("cloudformation:CreateStack", "cloudformation.amazonaws.com"),
    ("cloudformation:UpdateStack", "cloudformation.amazonaws.com"),
    ("codebuild:CreateProject", "codebuild.amazonaws.com"),
    ("codebuild:UpdateProject", "codebuild.amazonaws.com"),
    ("ecs:RegisterTaskDefinition", "ecs-tasks.amazonaws.com"),
    ("ecs:RunTask", "ecs-tasks.amazonaws.com"),
    ("ecs:StartTask", "ecs-tasks.amazonaws.com"),
    ("events:PutTargets", "events.amazonaws.com"),
    ("firehose:CreateDeliveryStream", "firehose.amazonaws.com"),
    ("glue:CreateJob", "glue.amazonaws.com"),
    ("glue:UpdateJob", "glue.amazonaws.com"),
    ("lambda:CreateFunction", "lambda.amazonaws.com"),
    ("lambda:UpdateFunctionConfiguration", "lambda.amazonaws.com"),
    ("sagemaker:CreateProcessingJob", "sagemaker.amazonaws.com"),
    ("sagemaker:CreateTrainingJob", "sagemaker.amazonaws.com"),
    ("scheduler:CreateSchedule", "scheduler.amazonaws.com"),
    ("scheduler:UpdateSchedule", "scheduler.amazonaws.com"),
    ("states:CreateStateMachine", "states.amazonaws.com"),
    ("states:UpdateStateMachine", "states.amazonaws.com"),
];

/// Actions allowed only for the value a request member carries, where the Service Reference
/// lists the condition key for it: (action, member, condition key). A need gets the
/// condition when the call's member is a known string.
/// Source: CloudWatch user guide, "Using condition keys to limit access to CloudWatch
/// namespaces" (`cloudwatch:namespace` on PutMetricData).
const REQUEST_CONDITIONS: &[(&str, &str, &str)] = &[(
    "cloudwatch:PutMetricData",
    "Namespace",
    "cloudwatch:namespace",
)];

const PASS_ROLE: &str = "iam:PassRole";
const STRING_EQUALS: &str = "StringEquals";
const PASSED_TO: &str = "iam:PassedToService";

/// The conditions `action` can be granted with when a call needing `call_actions`, with
/// the arguments `scope`, needs it; `None` when it must be granted unconditionally.
pub fn for_need(
    action: &str,
    call_actions: &[&str],
    scope: &BTreeMap<String, Value>,
) -> Option<Conditions> {
    if let Some((_, member, key)) = REQUEST_CONDITIONS.iter().find(|(a, ..)| *a == action) {
        let value = scope.get(*member)?.as_str()?;
        return Some(BTreeMap::from([(
            STRING_EQUALS.to_string(),
            BTreeMap::from([(key.to_string(), vec![value.to_string()])]),
        )]));
    }
    if action != PASS_ROLE {
        return None;
    }
    let (_, principal) = PASSED_TO_SERVICE
        .iter()
        .find(|(a, _)| call_actions.contains(a))?;
    Some(BTreeMap::from([(
        STRING_EQUALS.to_string(),
        BTreeMap::from([(PASSED_TO.to_string(), vec![(*principal).to_string()])]),
    )]))
}

/// Conditions of two needs of one grant: the same keys with their values as alternatives;
/// anything else is unconditional (`None`), since one condition cannot allow both.
pub fn join(a: Option<Conditions>, b: Option<Conditions>) -> Option<Conditions> {
    let (mut a, b) = (a?, b?);
    let same_keys = a.len() == b.len()
        && a.iter()
            .all(|(op, keys)| b.get(op).is_some_and(|other| other.keys().eq(keys.keys())));
    if !same_keys {
        return None;
    }
    for (op, keys) in b {
        for (key, values) in keys {
            let slot = a.entry(op.clone()).or_default().entry(key).or_default();
            slot.extend(values);
            slot.sort();
            slot.dedup();
        }
    }
    Some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passed(services: &[&str]) -> Option<Conditions> {
        Some(BTreeMap::from([(
            STRING_EQUALS.to_string(),
            BTreeMap::from([(
                PASSED_TO.to_string(),
                services.iter().map(|s| s.to_string()).collect(),
            )]),
        )]))
    }

    #[test]
    fn pass_role_for_a_listed_call_is_conditioned() {
        assert_eq!(
            for_need("iam:PassRole", &["ecs:RunTask", "iam:PassRole"], &none()),
            passed(&["ecs-tasks.amazonaws.com"])
        );
        assert_eq!(
            for_need(
                "iam:PassRole",
                &["iam:PassRole", "scheduler:CreateSchedule"],
                &none()
            ),
            passed(&["scheduler.amazonaws.com"])
        );
        assert_eq!(
            for_need("iam:PassRole", &["iot:CreateTopicRule"], &none()),
            None
        );
        assert_eq!(for_need("ecs:RunTask", &["ecs:RunTask"], &none()), None);
    }

    fn none() -> BTreeMap<String, Value> {
        BTreeMap::new()
    }

    #[test]
    fn metric_data_is_limited_to_a_known_namespace() {
        let put = "cloudwatch:PutMetricData";
        let scope = BTreeMap::from([("Namespace".to_string(), Value::str("Orders"))]);
        assert_eq!(
            for_need(put, &[put], &scope),
            Some(BTreeMap::from([(
                STRING_EQUALS.to_string(),
                BTreeMap::from([(
                    "cloudwatch:namespace".to_string(),
                    vec!["Orders".to_string()]
                )])
            )]))
        );
        let unknown = BTreeMap::from([("Namespace".to_string(), Value::Unknown)]);
        assert_eq!(for_need(put, &[put], &unknown), None);
    }

    #[test]
    fn joined_needs_allow_either_service_or_become_unconditional() {
        assert_eq!(
            join(
                passed(&["states.amazonaws.com"]),
                passed(&["ecs-tasks.amazonaws.com"])
            ),
            passed(&["ecs-tasks.amazonaws.com", "states.amazonaws.com"])
        );
        assert_eq!(join(passed(&["states.amazonaws.com"]), None), None);
    }
}

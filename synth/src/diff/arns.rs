//! A template resource's ARN in terms of its name placeholder: `!GetAtt Orders.Arn` of a
//! table is `arn:…:table/${Orders}`, so a declared grant on `${Orders.Arn}` (or a connector
//! to `Orders`) compares with the ARNs the code needs, whether the name is known or not.
//! From each type's "Return values" (CloudFormation resource reference: `Ref` returns the
//! name of a table, bucket, function, event bus and place index; a queue's name is
//! `QueueName`, a topic's `TopicName`, a state machine's `Name`) and the ARN formats of the
//! Service Authorization Reference.

/// Resource type -> its ARN, `<id>` standing for the logical id.
const ARNS: &[(&str, &str)] = &[
    (
        "AWS::DynamoDB::Table",
        "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${<id>}",
    ),
    ("AWS::S3::Bucket", "arn:${AWS::Partition}:s3:::${<id>}"),
    (
        "AWS::SQS::Queue",
        "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${<id>.QueueName}",
    ),
    (
        "AWS::SNS::Topic",
        "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${<id>.TopicName}",
    ),
    (
        "AWS::Lambda::Function",
        "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${<id>}",
    ),
    (
        "AWS::StepFunctions::StateMachine",
        "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${<id>.Name}",
    ),
    (
        "AWS::Events::EventBus",
        "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${<id>}",
    ),
    (
        "AWS::Location::PlaceIndex",
        "arn:${AWS::Partition}:geo:${AWS::Region}:${AWS::AccountId}:place-index/${<id>}",
    ),
    (
        "AWS::Kinesis::Stream",
        "arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/${<id>}",
    ),
];

/// The ARN of the resource `id` of `resource_type`, when the table knows the type.
pub fn arn_of(resource_type: &str, id: &str) -> Option<String> {
    ARNS.iter()
        .find(|(t, _)| *t == resource_type)
        .map(|(_, arn)| arn.replace("<id>", id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_name_the_resource_by_its_placeholder() {
        assert_eq!(
            arn_of("AWS::DynamoDB::Table", "Orders").as_deref(),
            Some("arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Orders}")
        );
        assert_eq!(
            arn_of("AWS::SQS::Queue", "Jobs").as_deref(),
            Some("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Jobs.QueueName}")
        );
        assert_eq!(arn_of("AWS::IAM::Role", "R"), None);
    }
}

//! Where a resource type states its physical name, and where it names a KMS key.
//!
//! Source: the CloudFormation resource type reference
//! (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html),
//! one page per type; the "name" property is the one documented as "A name for the ...".

/// Resource type -> the property holding the physical name.
pub const NAME_PROPERTY: &[(&str, &str)] = &[
    ("AWS::DynamoDB::Table", "TableName"),
    ("AWS::DynamoDB::GlobalTable", "TableName"),
    ("AWS::Serverless::SimpleTable", "TableName"),
    ("AWS::S3::Bucket", "BucketName"),
    ("AWS::SQS::Queue", "QueueName"),
    ("AWS::SNS::Topic", "TopicName"),
    ("AWS::Lambda::Function", "FunctionName"),
    ("AWS::Serverless::Function", "FunctionName"),
    ("AWS::Kinesis::Stream", "Name"),
    ("AWS::KinesisFirehose::DeliveryStream", "DeliveryStreamName"),
    ("AWS::SSM::Parameter", "Name"),
    ("AWS::SecretsManager::Secret", "Name"),
    ("AWS::StepFunctions::StateMachine", "StateMachineName"),
    ("AWS::Serverless::StateMachine", "Name"),
    ("AWS::Events::EventBus", "Name"),
    ("AWS::Events::Rule", "Name"),
    ("AWS::Logs::LogGroup", "LogGroupName"),
    ("AWS::Cognito::UserPool", "UserPoolName"),
    ("AWS::ECR::Repository", "RepositoryName"),
    ("AWS::IAM::Role", "RoleName"),
    ("AWS::KMS::Alias", "AliasName"),
    ("AWS::Glue::Database", "DatabaseInput.Name"),
    ("AWS::Timestream::Database", "DatabaseName"),
    ("AWS::Timestream::Table", "TableName"),
    ("AWS::AppSync::GraphQLApi", "Name"),
    ("AWS::ApiGateway::RestApi", "Name"),
    ("AWS::ApiGatewayV2::Api", "Name"),
    ("AWS::Serverless::Api", "Name"),
    ("AWS::Serverless::HttpApi", "Name"),
    ("AWS::SES::ConfigurationSet", "Name"),
    ("AWS::ElastiCache::CacheCluster", "ClusterName"),
    ("AWS::RDS::DBCluster", "DBClusterIdentifier"),
    ("AWS::RDS::DBInstance", "DBInstanceIdentifier"),
    ("AWS::Scheduler::ScheduleGroup", "Name"),
];

/// Resource type -> the property path (dot-separated, `[]` for "each item of the list")
/// naming the KMS key that encrypts the resource's data.
pub const KMS_KEY_PROPERTY: &[(&str, &str)] = &[
    (
        "AWS::S3::Bucket",
        "BucketEncryption.ServerSideEncryptionConfiguration[].ServerSideEncryptionByDefault.KMSMasterKeyID",
    ),
    ("AWS::DynamoDB::Table", "SSESpecification.KMSMasterKeyId"),
    ("AWS::SQS::Queue", "KmsMasterKeyId"),
    ("AWS::SNS::Topic", "KmsMasterKeyId"),
    ("AWS::Kinesis::Stream", "StreamEncryption.KeyId"),
    ("AWS::SecretsManager::Secret", "KmsKeyId"),
    ("AWS::Logs::LogGroup", "KmsKeyId"),
];

/// Resource types whose `Ref` returns the resource's name, and the punctuation that name may
/// hold besides ASCII letters and digits. Knowing a name holds no `/` lets
/// `"${Bucket}/prefix".split("/")` be split statically. Sources: the `Ref` return value on each
/// type's CloudFormation reference page, and the naming rules: S3 bucket naming rules
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), DynamoDB
/// naming rules (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html),
/// Kinesis `StreamName` and Firehose `DeliveryStreamName` patterns `[a-zA-Z0-9_.-]+`, Lambda
/// `FunctionName` on `CreateFunction` (`[a-zA-Z0-9-_]+`).
pub const REF_NAME_PUNCTUATION: &[(&str, &str)] = &[
    ("AWS::S3::Bucket", ".-"),
    ("AWS::DynamoDB::Table", "._-"),
    ("AWS::DynamoDB::GlobalTable", "._-"),
    ("AWS::Kinesis::Stream", "._-"),
    ("AWS::KinesisFirehose::DeliveryStream", "._-"),
    ("AWS::Lambda::Function", "-_"),
];

/// Pseudo parameters and the punctuation their values may hold (account ids are digits,
/// regions and partitions `a-z0-9-`, stack names `[a-zA-Z][-a-zA-Z0-9]*`).
pub const PSEUDO_PUNCTUATION: &[(&str, &str)] = &[
    ("AWS::AccountId", ""),
    ("AWS::Region", "-"),
    ("AWS::Partition", "-"),
    ("AWS::StackName", "-"),
    ("AWS::URLSuffix", "."),
];

/// The punctuation a reference's value may hold, when the type bounds it.
pub fn ref_punctuation(reference: &crate::value::InfraRef) -> Option<&'static str> {
    if reference.attribute.is_some() {
        return None;
    }
    let table = if reference.resource_type == super::intrinsics::PSEUDO {
        PSEUDO_PUNCTUATION
    } else {
        REF_NAME_PUNCTUATION
    };
    let key = if reference.resource_type == super::intrinsics::PSEUDO {
        reference.logical_id.as_str()
    } else {
        reference.resource_type.as_str()
    };
    table.iter().find(|(t, _)| *t == key).map(|(_, p)| *p)
}

/// The physical name property of `resource_type`, if it has one.
pub fn name_property(resource_type: &str) -> Option<&'static str> {
    NAME_PROPERTY
        .iter()
        .find(|(t, _)| *t == resource_type)
        .map(|(_, p)| *p)
}

/// The KMS key property path of `resource_type`, if it has one.
pub fn kms_key_property(resource_type: &str) -> Option<&'static str> {
    KMS_KEY_PROPERTY
        .iter()
        .find(|(t, _)| *t == resource_type)
        .map(|(_, p)| *p)
}

/// SAM resource types and the CloudFormation types the SAM transform turns them into
/// (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-generated-resources.html).
/// References keep the CloudFormation type, which is what is deployed.
pub const SAM_TYPES: &[(&str, &str)] = &[
    ("AWS::Serverless::Function", "AWS::Lambda::Function"),
    ("AWS::Serverless::SimpleTable", "AWS::DynamoDB::Table"),
    ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi"),
    ("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api"),
    (
        "AWS::Serverless::StateMachine",
        "AWS::StepFunctions::StateMachine",
    ),
    ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"),
    ("AWS::Serverless::Application", "AWS::CloudFormation::Stack"),
];

/// The deployed CloudFormation type of `resource_type` (SAM types translated).
pub fn deployed_type(resource_type: &str) -> &str {
    SAM_TYPES
        .iter()
        .find(|(sam, _)| *sam == resource_type)
        .map(|(_, cfn)| *cfn)
        .unwrap_or(resource_type)
}

#!/usr/bin/env python3
"""Writes the CloudTrail logs of fixtures/trail/orders (committed; rerun to regenerate).

Each record is shaped like the examples of the CloudTrail User Guide ("CloudTrail record
contents", "Example log file entries"). What the logs hold, so the golden files can be
written by hand (role orders-dev-us-east-1-lambdaRole, sessions named after the functions):

  2026/11/01 ..T1005Z  createOrder: PutItem x3 (last 10:02:30), SendMessage x2 (last 10:04:00),
                       CreateLogStream x1 (10:00:00), kms Decrypt AccessDeniedException x1
                       (10:04:30); processOrder: GetItem x2 (last 10:02:10); an IAM user's
                       ListRoles x1
  2026/11/02 ..T0805Z  processOrder: UpdateFunctionConfiguration20150331v2 x1 (08:01:00),
                       GetCallerIdentity x1, s3 GetObject AccessDenied "Access Denied" x1
                       (08:02:00), GetBucketObjectLockConfiguration x1 (08:04:00);
                       createOrder: PutItem x1 (08:03:00), TransactWriteItems x1 (08:03:30),
                       a record without eventName; role analytics-etl: athena
                       StartQueryExecution x1
  2026/11/02 ..T0810Z  corrupt gzip
  2026/11/02 ..T0815Z  .json truncated after one record: createOrder PutItem (08:10:00)
  export/..T2355Z      flat, outside the layout: processOrder GetItem x1 (2026-11-01T23:50:00Z)
  CloudTrail-Digest/   a digest file (never read)
"""

import gzip
import json
import os
import shutil

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "trail", "orders", "logs")
ACCOUNT = "123456789012"
ORG = "o-a1b2c3d4e5"
REGION = "us-east-1"
ROLE = "orders-dev-us-east-1-lambdaRole"
DAY_DIR = os.path.join(ROOT, "AWSLogs", ORG, ACCOUNT, "CloudTrail", REGION, "2026", "11")


def record(time, session, source, name, role=ROLE, error=None, params=None, n=[0]):
    n[0] += 1
    rec = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROAEXAMPLEROLEID:{session}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}",
            "accountId": ACCOUNT,
            "accessKeyId": "ASIAEXAMPLEKEY",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROAEXAMPLEROLEID",
                    "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}",
                    "accountId": ACCOUNT,
                    "userName": role,
                },
                "attributes": {"creationDate": "2026-11-01T09:58:00Z", "mfaAuthenticated": "false"},
            },
        },
        "eventTime": time,
        "eventSource": source,
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": "3.80.1.2",
        "userAgent": "Boto3/1.35.0 md/Botocore#1.35.0 exec-env/AWS_Lambda_python3.12",
        "requestParameters": params,
        "responseElements": None,
        "requestID": f"req-{n[0]:04d}",
        "eventID": f"00000000-0000-0000-0000-{n[0]:012d}",
        "readOnly": name.startswith(("Get", "List", "Describe")),
        "eventType": "AwsApiCall",
        "managementEvent": source not in ("dynamodb.amazonaws.com", "sqs.amazonaws.com"),
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    return rec


def denial(role, session, action):
    return (
        "AccessDeniedException",
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session} is not authorized to perform: "
        f"{action} on resource: arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd because no identity-based "
        f"policy allows the {action} action",
    )


def name(stamp, unique):
    return f"{ACCOUNT}_CloudTrail_{REGION}_{stamp}_{unique}"


def write_gz(path, records):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = json.dumps({"Records": records}, separators=(",", ":")).encode()
    with open(path, "wb") as f:
        f.write(gzip.compress(data, mtime=0))


def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    create, process = "orders-dev-createOrder", "orders-dev-processOrder"
    table = {"tableName": "orders-dev"}
    day1 = [
        record("2026-11-01T10:00:00Z", create, "logs.amazonaws.com", "CreateLogStream",
               params={"logGroupName": "/aws/lambda/orders-dev-createOrder", "logStreamName": "2026/11/01/[$LATEST]abc"}),
        record("2026-11-01T10:00:01Z", create, "dynamodb.amazonaws.com", "PutItem", params=table),
        record("2026-11-01T10:01:00Z", create, "dynamodb.amazonaws.com", "PutItem", params=table),
        record("2026-11-01T10:01:10Z", process, "dynamodb.amazonaws.com", "GetItem", params=table),
        record("2026-11-01T10:02:10Z", process, "dynamodb.amazonaws.com", "GetItem", params=table),
        record("2026-11-01T10:02:30Z", create, "dynamodb.amazonaws.com", "PutItem", params=table),
        record("2026-11-01T10:03:00Z", create, "sqs.amazonaws.com", "SendMessage",
               params={"queueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/orders-events"}),
        record("2026-11-01T10:04:00Z", create, "sqs.amazonaws.com", "SendMessage",
               params={"queueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/orders-events"}),
        record("2026-11-01T10:04:30Z", create, "kms.amazonaws.com", "Decrypt",
               error=denial(ROLE, create, "kms:Decrypt")),
        {
            "eventVersion": "1.09",
            "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
                             "accountId": ACCOUNT, "userName": "alice"},
            "eventTime": "2026-11-01T10:04:40Z", "eventSource": "iam.amazonaws.com", "eventName": "ListRoles",
            "awsRegion": REGION, "sourceIPAddress": "203.0.113.7", "userAgent": "console.amazonaws.com",
            "requestParameters": None, "responseElements": None, "eventType": "AwsApiCall",
            "managementEvent": True, "recipientAccountId": ACCOUNT, "eventCategory": "Management",
        },
    ]
    write_gz(os.path.join(DAY_DIR, "01", name("20261101T1005Z", "a1b2c3d4e5f6a7b8") + ".json.gz"), day1)

    missing = record("2026-11-02T08:03:40Z", create, "dynamodb.amazonaws.com", "PutItem", params=table)
    del missing["eventName"]
    day2 = [
        record("2026-11-02T08:01:00Z", process, "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2",
               params={"functionName": "orders-dev-createOrder", "timeout": 30}),
        record("2026-11-02T08:01:30Z", process, "sts.amazonaws.com", "GetCallerIdentity"),
        record("2026-11-02T08:02:00Z", process, "s3.amazonaws.com", "GetObject",
               error=("AccessDenied", "Access Denied"),
               params={"bucketName": "orders-archive", "key": "o-1.json"}),
        record("2026-11-02T08:03:00Z", create, "dynamodb.amazonaws.com", "PutItem", params=table),
        record("2026-11-02T08:03:30Z", create, "dynamodb.amazonaws.com", "TransactWriteItems",
               params={"transactItems": [{"put": {"tableName": "orders-dev"}}]}),
        missing,
        record("2026-11-02T08:04:00Z", process, "s3.amazonaws.com", "GetBucketObjectLockConfiguration",
               params={"bucketName": "orders-archive", "object-lock": ""}),
        record("2026-11-02T08:04:10Z", "etl-job", "athena.amazonaws.com", "StartQueryExecution",
               role="analytics-etl"),
    ]
    write_gz(os.path.join(DAY_DIR, "02", name("20261102T0805Z", "b1b2c3d4e5f6a7b8") + ".json.gz"), day2)

    corrupt = os.path.join(DAY_DIR, "02", name("20261102T0810Z", "c1b2c3d4e5f6a7b8") + ".json.gz")
    whole = gzip.compress(json.dumps({"Records": day2}).encode(), mtime=0)
    with open(corrupt, "wb") as f:
        # A gzip header, then the deflate stream with its middle overwritten.
        f.write(whole[:10] + bytes(range(256)) * 2 + whole[-8:])

    truncated = os.path.join(DAY_DIR, "02", name("20261102T0815Z", "d1b2c3d4e5f6a7b8") + ".json")
    one = json.dumps(record("2026-11-02T08:10:00Z", create, "dynamodb.amazonaws.com", "PutItem", params=table),
                     separators=(",", ":"))
    with open(truncated, "w") as f:
        f.write('{"Records":[' + one + ',{"eventVersion":"1.09","userIdentity":{"type":"Assu')

    export = os.path.join(ROOT, "export", name("20261101T2355Z", "e1b2c3d4e5f6a7b8") + ".json.gz")
    write_gz(export, [record("2026-11-01T23:50:00Z", process, "dynamodb.amazonaws.com", "GetItem", params=table)])

    digest = os.path.join(ROOT, "AWSLogs", ORG, ACCOUNT, "CloudTrail-Digest", REGION, "2026", "11", "02",
                          f"{ACCOUNT}_CloudTrail-Digest_{REGION}_orders_{REGION}_20261102T090000Z.json.gz")
    write_gz(digest, [record("2026-11-02T09:00:00Z", create, "iam.amazonaws.com", "DeleteRole")])


if __name__ == "__main__":
    main()

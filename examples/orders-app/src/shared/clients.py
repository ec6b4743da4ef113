"""AWS clients shared by the handlers, created once per container."""
import os

import boto3

dynamodb = boto3.resource("dynamodb")
orders_table = dynamodb.Table(os.environ["ORDERS_TABLE"])
s3 = boto3.client("s3")
sqs = boto3.client("sqs")

"""HTTP handlers of the orders service."""
import json
import os
import uuid

from shared.clients import s3, sqs
from orders.repo import load_order, save_order


def create_order(event, context):
    order = json.loads(event["body"])
    order["pk"] = str(uuid.uuid4())
    save_order(order)
    sqs.send_message(QueueUrl=os.environ["NOTIFY_QUEUE_URL"], MessageBody=json.dumps({"order": order["pk"]}))
    return {"statusCode": 201, "body": json.dumps(order)}


def get_receipt(event, context):
    order_id = event["pathParameters"]["id"]
    order = load_order(order_id)
    if order is None:
        return {"statusCode": 404}
    url = s3.generate_presigned_url(
        "get_object",
        Params={"Bucket": os.environ["RECEIPTS_BUCKET"], "Key": f"receipts/{order_id}.pdf"},
        ExpiresIn=300,
    )
    return {"statusCode": 200, "body": json.dumps({"receipt": url})}

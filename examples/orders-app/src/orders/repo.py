"""Order persistence."""
from shared.clients import orders_table


def save_order(order):
    orders_table.put_item(Item=order, ConditionExpression="attribute_not_exists(pk)")


def load_order(order_id):
    return orders_table.get_item(Key={"pk": order_id}).get("Item")

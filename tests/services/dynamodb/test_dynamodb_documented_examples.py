"""The developer guide's own examples, run against the local DynamoDB.

Update expressions: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
(the ProductCatalog item 789, each example in the order the page gives them; "DynamoDB evaluates
every action against the item's attribute values as they were before the update").
Condition expressions: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
"""
from __future__ import annotations

import pytest

from stepflow.services.dynamodb import DynamoDB, DynamoDBError


@pytest.fixture
def db(tmp_path):
    db = DynamoDB(tmp_path)
    db.call("CreateTable", {
        "TableName": "ProductCatalog",
        "KeySchema": [{"AttributeName": "Id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "Id", "AttributeType": "N"}],
        "BillingMode": "PAY_PER_REQUEST",
    })
    db.call("PutItem", {"TableName": "ProductCatalog", "Item": {
        "Id": {"N": "789"}, "ProductCategory": {"S": "Home Improvement"}, "Price": {"N": "52"},
        "InStock": {"BOOL": True}, "Brand": {"S": "Acme"},
    }})
    return db


def update(db, expression, values=None, names=None, **extra):
    request = {"TableName": "ProductCatalog", "Key": {"Id": {"N": "789"}},
               "UpdateExpression": expression, "ReturnValues": "ALL_NEW", **extra}
    if values:
        request["ExpressionAttributeValues"] = values
    if names:
        request["ExpressionAttributeNames"] = names
    return db.call("UpdateItem", request)["Attributes"]


def test_the_update_expression_page_examples_in_order(db):
    item = update(db, "SET ProductCategory = :c, Price = :p",
                  {":c": {"S": "Hardware"}, ":p": {"N": "60"}})
    assert item["ProductCategory"] == {"S": "Hardware"} and item["Price"] == {"N": "60"}

    item = update(db, "SET RelatedItems = :ri, ProductReviews = :pr", {
        ":ri": {"L": [{"S": "Hammer"}]},
        ":pr": {"M": {"FiveStar": {"L": [{"S": "Best product ever!"}]}}},
    })
    assert item["RelatedItems"] == {"L": [{"S": "Hammer"}]}

    # "If the element doesn't already exist, SET appends the new element to the end of the list."
    item = update(db, "SET RelatedItems[1] = :ri", {":ri": {"S": "Nails"}})
    assert item["RelatedItems"] == {"L": [{"S": "Hammer"}, {"S": "Nails"}]}

    item = update(db, "SET #pr.#5star[1] = :r5, #pr.#3star = :r3",
                  {":r5": {"S": "Very happy with my purchase"},
                   ":r3": {"L": [{"S": "Just OK - not that great"}]}},
                  {"#pr": "ProductReviews", "#5star": "FiveStar", "#3star": "ThreeStar"})
    assert item["ProductReviews"] == {"M": {
        "FiveStar": {"L": [{"S": "Best product ever!"}, {"S": "Very happy with my purchase"}]},
        "ThreeStar": {"L": [{"S": "Just OK - not that great"}]},
    }}

    item = update(db, "SET Price = Price - :p", {":p": {"N": "15"}})
    assert item["Price"] == {"N": "45"}

    item = update(db, "SET #ri = list_append(#ri, :vals)",
                  {":vals": {"L": [{"S": "Screwdriver"}, {"S": "Hacksaw"}]}}, {"#ri": "RelatedItems"})
    item = update(db, "SET #ri = list_append(:vals, #ri)",
                  {":vals": {"L": [{"S": "Chisel"}]}}, {"#ri": "RelatedItems"})
    assert [v["S"] for v in item["RelatedItems"]["L"]] == [
        "Chisel", "Hammer", "Nails", "Screwdriver", "Hacksaw"]

    item = update(db, "SET Price = if_not_exists(Price, :p)", {":p": {"N": "100"}})
    assert item["Price"] == {"N": "45"}

    item = update(db, "REMOVE Brand, InStock, QuantityOnHand")
    assert not {"Brand", "InStock", "QuantityOnHand"} & set(item)

    item = update(db, "REMOVE RelatedItems[1], RelatedItems[2]")
    assert [v["S"] for v in item["RelatedItems"]["L"]] == ["Chisel", "Screwdriver", "Hacksaw"]

    item = update(db, "ADD QuantityOnHand :q", {":q": {"N": "5"}})
    assert item["QuantityOnHand"] == {"N": "5"}

    item = update(db, "ADD Color :c", {":c": {"SS": ["Orange", "Purple"]}})
    assert sorted(item["Color"]["SS"]) == ["Orange", "Purple"]

    item = update(db, "DELETE Color :p", {":p": {"SS": ["Yellow", "Purple"]}})
    assert item["Color"] == {"SS": ["Orange"]}


def test_actions_see_the_item_as_it_was_before_the_update(db):
    update(db, "SET A = :one, B = :two", {":one": {"N": "1"}, ":two": {"N": "2"}})
    item = update(db, "SET A = B, B = A")
    assert (item["A"], item["B"]) == ({"N": "2"}, {"N": "1"})


def test_conditional_update_stops_at_the_limit(db):
    """The condition expressions page: SET Price = Price - :discount if Price > :limit."""
    db.call("PutItem", {"TableName": "ProductCatalog",
                        "Item": {"Id": {"N": "456"}, "Price": {"N": "650"}}})
    request = {"TableName": "ProductCatalog", "Key": {"Id": {"N": "456"}},
               "UpdateExpression": "SET Price = Price - :discount",
               "ConditionExpression": "Price > :limit",
               "ExpressionAttributeValues": {":discount": {"N": "75"}, ":limit": {"N": "500"}},
               "ReturnValues": "UPDATED_NEW"}
    assert db.call("UpdateItem", request) == {"Attributes": {"Price": {"N": "575"}}}
    assert db.call("UpdateItem", request) == {"Attributes": {"Price": {"N": "500"}}}
    with pytest.raises(DynamoDBError) as failed:
        db.call("UpdateItem", request)
    assert (failed.value.code, failed.value.message) == (
        "ConditionalCheckFailedException", "The conditional request failed")


def test_conditional_delete_with_in_and_between(db):
    """The condition expressions page: delete only a sporting or gardening item priced 500-600."""
    db.call("PutItem", {"TableName": "ProductCatalog", "Item": {
        "Id": {"N": "456"}, "Price": {"N": "550"}, "ProductCategory": {"S": "Sporting Goods"}}})
    request = {"TableName": "ProductCatalog", "Key": {"Id": {"N": "456"}},
               "ConditionExpression": "(ProductCategory IN (:cat1, :cat2)) and (Price between :lo and :hi)",
               "ExpressionAttributeValues": {
                   ":cat1": {"S": "Sporting Goods"}, ":cat2": {"S": "Gardening Supplies"},
                   ":lo": {"N": "500"}, ":hi": {"N": "600"}},
               "ReturnValues": "ALL_OLD"}
    with pytest.raises(DynamoDBError, match="ConditionalCheckFailed"):
        db.call("DeleteItem", {**request, "Key": {"Id": {"N": "789"}}})
    deleted = db.call("DeleteItem", request)
    assert deleted["Attributes"]["Price"] == {"N": "550"}


def test_put_if_absent_with_attribute_not_exists(db):
    request = {"TableName": "ProductCatalog", "Item": {"Id": {"N": "789"}},
               "ConditionExpression": "attribute_not_exists(Id)",
               "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    with pytest.raises(DynamoDBError) as failed:
        db.call("PutItem", request)
    assert failed.value.details["Item"]["Brand"] == {"S": "Acme"}
    db.call("PutItem", {**request, "Item": {"Id": {"N": "790"}}})
    assert db.call("GetItem", {"TableName": "ProductCatalog", "Key": {"Id": {"N": "790"}}}) == {
        "Item": {"Id": {"N": "790"}}}


@pytest.mark.parametrize("condition, values, holds", [
    ("begins_with(ProductCategory, :p)", {":p": {"S": "Home"}}, True),
    ("contains(ProductCategory, :p)", {":p": {"S": "Improve"}}, True),
    ("attribute_type(Price, :t)", {":t": {"S": "N"}}, True),
    ("attribute_type(Price, :t)", {":t": {"S": "S"}}, False),
    ("size(Brand) = :n", {":n": {"N": "4"}}, True),
    ("NOT Price < :n OR Brand = :n", {":n": {"N": "10"}}, True),
    ("Price <> :n AND attribute_exists(InStock)", {":n": {"N": "52"}}, False),
    ("Price = :s", {":s": {"S": "52"}}, False),  # different types are never equal
    ("Nothing <> :s", {":s": {"S": "x"}}, True),
])
def test_condition_functions_and_operators(db, condition, values, holds):
    request = {"TableName": "ProductCatalog", "Item": {"Id": {"N": "789"}, "Brand": {"S": "Acme"}},
               "ConditionExpression": condition, "ExpressionAttributeValues": values}
    if holds:
        db.call("PutItem", request)
    else:
        with pytest.raises(DynamoDBError, match="ConditionalCheckFailedException"):
            db.call("PutItem", request)

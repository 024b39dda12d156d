"""A definition the stepping tests share: a Map whose iterations go through a Choice."""
from __future__ import annotations

SIZES = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Result": {"limit": 2}, "ResultPath": "$.config", "Next": "Sizes"},
        "Sizes": {
            "Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.sizes", "Next": "Rest",
            "ItemProcessor": {"StartAt": "IsBig", "States": {
                "IsBig": {"Type": "Choice", "Default": "Small",
                          "Choices": [{"Variable": "$.v", "NumericGreaterThan": 2, "Next": "Big"}]},
                "Big": {"Type": "Pass", "Result": "big", "End": True},
                "Small": {"Type": "Pass", "Result": "small", "End": True},
            }},
        },
        "Rest": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}

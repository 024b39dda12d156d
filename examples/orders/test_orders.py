"""The order workflow under pytest, with stepflow's plugin fixtures (virtual time: the hour's Wait is instant)."""
from pathlib import Path

from handlers import RESOURCES

from stepflow.testing import assert_states_visited

DEFINITION = Path(__file__).with_name("orders.asl.json")


def test_a_valid_order_is_charged_after_the_hold(make_state_machine):
    execution = make_state_machine(DEFINITION, resources=RESOURCES).run({"orderId": "o-1", "total": 42})
    assert execution.status == "SUCCEEDED"
    assert execution.output["charge"] == {"chargeId": "ch-o-1", "amount": 42}
    assert_states_visited(execution, ["ValidateOrder", "HoldForFraudCheck", "ChargeCard"])


def test_an_order_without_a_total_is_rejected(make_state_machine):
    execution = make_state_machine(DEFINITION, resources=RESOURCES).run({"orderId": "o-2", "total": 0})
    assert (execution.status, execution.error) == ("FAILED", "OrderRejected")
    assert_states_visited(execution, ["ValidateOrder", "Rejected"])

"""LocalStepFunctionsClient speaks boto3's Step Functions API: shapes, errors, pagination, the SDK."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from botocore.exceptions import ClientError
from stepfunctions.steps import Chain, Pass
from stepfunctions.workflow import Workflow

from pipeline.errors import WorkflowError
from pipeline.local.client import LocalStepFunctionsClient, wait_for_status

ROLE = "arn:aws:iam::000000000000:role/x"


def pass_machine(result_key: str = "seen") -> str:
    """A two-state machine whose output echoes the input's ``value`` under ``result_key``."""
    return json.dumps(
        {
            "StartAt": "Echo",
            "States": {
                "Echo": {"Type": "Pass", "Parameters": {f"{result_key}.$": "$.value"}, "Next": "Done"},
                "Done": {"Type": "Succeed"},
            },
        }
    )


WAIT_MACHINE = json.dumps(
    {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 60, "End": True}}}
)


@pytest.fixture
def client() -> LocalStepFunctionsClient:
    return LocalStepFunctionsClient(mode="thread")


@pytest.fixture
def machine_arn(client) -> str:
    return client.create_state_machine(name="echo", definition=pass_machine(), roleArn=ROLE)[
        "stateMachineArn"
    ]


def run(client, machine_arn, value, name=None) -> str:
    kwargs = {"name": name} if name else {}
    arn = client.start_execution(stateMachineArn=machine_arn, input=json.dumps({"value": value}), **kwargs)[
        "executionArn"
    ]
    wait_for_status(client, arn, timeout=30)
    return arn


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


# State machines -------------------------------------------------------------------------------


def test_create_state_machine_returns_a_local_arn_and_an_aware_creation_date(client):
    response = client.create_state_machine(name="echo", definition=pass_machine(), roleArn=ROLE)
    assert response["stateMachineArn"] == "arn:aws:states:local:000000000000:stateMachine:echo"
    assert response["creationDate"].tzinfo is not None


def test_invalid_definition_is_refused_with_every_problem(client):
    definition = json.dumps({"StartAt": "Missing", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}})
    with pytest.raises(client.exceptions.InvalidDefinition) as excinfo:
        client.create_state_machine(name="bad", definition=definition, roleArn=ROLE)
    message = excinfo.value.response["Error"]["Message"]
    assert "Missing" in message and "Nowhere" in message
    assert error_code(excinfo) == "InvalidDefinition"
    assert client.list_state_machines()["stateMachines"] == []


def test_definition_that_is_not_json_is_invalid(client):
    with pytest.raises(client.exceptions.InvalidDefinition):
        client.create_state_machine(name="bad", definition="{not json", roleArn=ROLE)


def test_creating_the_same_state_machine_again_returns_it(client, machine_arn):
    again = client.create_state_machine(name="echo", definition=pass_machine(), roleArn=ROLE)
    assert again["stateMachineArn"] == machine_arn


def test_reusing_a_name_with_another_definition_raises_already_exists_naming_the_arn(client, machine_arn):
    with pytest.raises(client.exceptions.StateMachineAlreadyExists) as excinfo:
        client.create_state_machine(name="echo", definition=pass_machine("other"), roleArn=ROLE)
    # The SDK's Workflow.create reads the ARN between quotes in the message.
    assert excinfo.value.response["Error"]["Message"].split("'")[1] == machine_arn


@pytest.mark.parametrize("name", ["", "has space", "a/b", "x" * 81, "semi;colon"])
def test_names_aws_refuses_raise_invalid_name(client, name):
    with pytest.raises(client.exceptions.InvalidName):
        client.create_state_machine(name=name, definition=pass_machine(), roleArn=ROLE)


def test_errors_are_botocore_client_errors(client):
    with pytest.raises(ClientError) as excinfo:
        client.describe_state_machine(stateMachineArn="arn:aws:states:local:000000000000:stateMachine:none")
    assert error_code(excinfo) == "StateMachineDoesNotExist"
    assert excinfo.value.operation_name == "DescribeStateMachine"


def test_a_malformed_arn_raises_invalid_arn(client):
    with pytest.raises(client.exceptions.InvalidArn):
        client.describe_execution(executionArn="not-an-arn")
    with pytest.raises(client.exceptions.InvalidArn):
        client.describe_state_machine(stateMachineArn="arn:aws:states:local:000000000000:execution:a:b")


def test_describe_state_machine_has_the_api_shape(client, machine_arn):
    described = client.describe_state_machine(stateMachineArn=machine_arn)
    assert described["name"] == "echo"
    assert json.loads(described["definition"]) == json.loads(pass_machine())
    assert described["roleArn"] == ROLE
    assert described["status"] == "ACTIVE" and described["type"] == "STANDARD"


def test_update_changes_the_definition_used_by_new_executions(client, machine_arn):
    client.update_state_machine(stateMachineArn=machine_arn, definition=pass_machine("renamed"))
    arn = run(client, machine_arn, 7)
    assert json.loads(client.describe_execution(executionArn=arn)["output"]) == {"renamed": 7}


def test_update_validates_the_new_definition(client, machine_arn):
    with pytest.raises(client.exceptions.InvalidDefinition):
        client.update_state_machine(stateMachineArn=machine_arn, definition=json.dumps({"States": {}}))
    assert json.loads(client.describe_state_machine(stateMachineArn=machine_arn)["definition"]) == json.loads(
        pass_machine()
    )


def test_deleted_state_machine_is_gone_but_its_executions_stay_readable(client, machine_arn):
    arn = run(client, machine_arn, 1)
    client.delete_state_machine(stateMachineArn=machine_arn)
    with pytest.raises(client.exceptions.StateMachineDoesNotExist):
        client.describe_state_machine(stateMachineArn=machine_arn)
    assert client.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"


def test_list_state_machines_paginates(client):
    for index in range(5):
        client.create_state_machine(name=f"m{index}", definition=pass_machine(), roleArn=ROLE)
    pages = list(client.get_paginator("list_state_machines").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(page["stateMachines"]) for page in pages] == [2, 2, 1]
    assert [m["name"] for page in pages for m in page["stateMachines"]] == [f"m{i}" for i in range(5)]


# Executions -----------------------------------------------------------------------------------


def test_execution_without_a_name_gets_a_uuid_name(client, machine_arn):
    arn = client.start_execution(stateMachineArn=machine_arn, input='{"value": 1}')["executionArn"]
    prefix = "arn:aws:states:local:000000000000:execution:echo:"
    assert arn.startswith(prefix)
    assert len(arn.removeprefix(prefix)) == 36
    wait_for_status(client, arn, timeout=30)


def test_describe_execution_of_a_success_has_the_api_shape(client, machine_arn):
    arn = run(client, machine_arn, {"a": [1, 2]}, name="first")
    described = client.describe_execution(executionArn=arn)
    assert described["name"] == "first"
    assert described["stateMachineArn"] == machine_arn
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["input"]) == {"value": {"a": [1, 2]}}
    assert json.loads(described["output"]) == {"seen": {"a": [1, 2]}}
    assert described["startDate"].tzinfo is not None
    assert described["stopDate"] >= described["startDate"]


def test_a_failing_execution_reports_its_error_and_cause(client):
    definition = json.dumps(
        {"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Custom.Bad", "Cause": "because"}}}
    )
    machine = client.create_state_machine(name="fails", definition=definition, roleArn=ROLE)
    arn = client.start_execution(stateMachineArn=machine["stateMachineArn"])["executionArn"]
    described = wait_for_status(client, arn, timeout=30)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Custom.Bad",
        "because",
    )
    assert "output" not in described


def test_reusing_an_execution_name_raises_execution_already_exists(client, machine_arn):
    run(client, machine_arn, 1, name="once")
    with pytest.raises(client.exceptions.ExecutionAlreadyExists):
        client.start_execution(stateMachineArn=machine_arn, name="once", input='{"value": 1}')


def test_starting_a_running_execution_again_with_the_same_input_returns_it(client):
    machine = client.create_state_machine(name="hold", definition=WAIT_MACHINE, roleArn=ROLE)
    first = client.start_execution(stateMachineArn=machine["stateMachineArn"], name="same", input="{}")
    again = client.start_execution(stateMachineArn=machine["stateMachineArn"], name="same", input="{}")
    assert again == first
    with pytest.raises(client.exceptions.ExecutionAlreadyExists):
        client.start_execution(stateMachineArn=machine["stateMachineArn"], name="same", input='{"x": 1}')
    client.stop_execution(executionArn=first["executionArn"])
    wait_for_status(client, first["executionArn"], timeout=30)


def test_input_that_is_not_json_is_refused(client, machine_arn):
    with pytest.raises(client.exceptions.InvalidExecutionInput):
        client.start_execution(stateMachineArn=machine_arn, input="{oops")


def test_input_over_256_kib_is_refused_as_aws_refuses_it(client, machine_arn):
    too_long = json.dumps({"value": "x" * 262_144})
    with pytest.raises(client.exceptions.ValidationException) as excinfo:
        client.start_execution(stateMachineArn=machine_arn, input=too_long)
    assert "less than or equal to 262144" in excinfo.value.response["Error"]["Message"]


@pytest.mark.parametrize("text", ['{"value": NaN}', "[" * 100_000 + "]" * 100_000], ids=["nan", "deep"])
def test_input_python_reads_but_json_does_not_allow_is_refused(client, machine_arn, text):
    with pytest.raises(client.exceptions.InvalidExecutionInput):
        client.start_execution(stateMachineArn=machine_arn, input=text)


def test_a_definition_nested_300_parallel_states_deep_is_invalid_not_a_crash(client):
    text = '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}'
    for level in range(300):
        state = f'{{"Type":"Parallel","Branches":[{text}],"End":true}}'
        text = f'{{"StartAt":"X{level}","States":{{"X{level}":{state}}}}}'
    with pytest.raises(client.exceptions.InvalidDefinition) as excinfo:
        client.create_state_machine(name="deep", definition=text, roleArn=ROLE)
    assert "nests more than 200 levels deep" in excinfo.value.response["Error"]["Message"]


def test_a_definition_with_a_misspelt_field_is_invalid_as_on_aws(client):
    definition = json.loads(pass_machine())
    definition["States"]["Echo"]["ResultsPath"] = "$.r"
    with pytest.raises(client.exceptions.InvalidDefinition) as excinfo:
        client.create_state_machine(name="typo", definition=json.dumps(definition), roleArn=ROLE)
    assert "did you mean 'ResultPath'?" in excinfo.value.response["Error"]["Message"]


def test_starting_an_unknown_state_machine_raises_does_not_exist(client):
    with pytest.raises(client.exceptions.StateMachineDoesNotExist):
        client.start_execution(stateMachineArn="arn:aws:states:local:000000000000:stateMachine:none")


def test_unknown_execution_raises_execution_does_not_exist(client, machine_arn):
    with pytest.raises(client.exceptions.ExecutionDoesNotExist):
        client.describe_execution(executionArn="arn:aws:states:local:000000000000:execution:echo:none")


def test_list_executions_is_newest_first_and_filters_by_status(client, machine_arn):
    arns = [run(client, machine_arn, index, name=f"run-{index}") for index in range(3)]
    listed = client.list_executions(stateMachineArn=machine_arn)["executions"]
    assert [item["executionArn"] for item in listed] == arns[::-1]
    assert all(item["status"] == "SUCCEEDED" and item["stopDate"].tzinfo for item in listed)
    assert client.list_executions(stateMachineArn=machine_arn, statusFilter="FAILED")["executions"] == []


def test_list_executions_paginator_honours_page_size_and_max_items(client, machine_arn):
    arns = [run(client, machine_arn, index, name=f"run-{index}") for index in range(5)]
    paginator = client.get_paginator("list_executions")
    pages = list(paginator.paginate(stateMachineArn=machine_arn, PaginationConfig={"PageSize": 2}))
    assert [len(page["executions"]) for page in pages] == [2, 2, 1]
    assert [e["executionArn"] for page in pages for e in page["executions"]] == arns[::-1]
    limited = list(paginator.paginate(stateMachineArn=machine_arn, PaginationConfig={"MaxItems": 3}))
    assert sum(len(page["executions"]) for page in limited) == 3


def test_a_bad_pagination_token_raises_invalid_token(client, machine_arn):
    with pytest.raises(client.exceptions.InvalidToken):
        client.list_executions(stateMachineArn=machine_arn, nextToken="@@@")


# History --------------------------------------------------------------------------------------


def test_history_starts_with_execution_started_and_ends_with_execution_succeeded(client, machine_arn):
    arn = run(client, machine_arn, 3)
    events = client.get_execution_history(executionArn=arn)["events"]
    assert events[0]["type"] == "ExecutionStarted"
    assert json.loads(events[0]["executionStartedEventDetails"]["input"]) == {"value": 3}
    assert events[-1]["type"] == "ExecutionSucceeded"
    assert json.loads(events[-1]["executionSucceededEventDetails"]["output"]) == {"seen": 3}
    assert [event["id"] for event in events] == list(range(1, len(events) + 1))
    assert all(event["timestamp"].tzinfo is not None for event in events)
    assert {"PassStateEntered", "PassStateExited", "SucceedStateEntered"} <= {e["type"] for e in events}


def test_execution_started_is_recorded_once_when_the_execution_starts(client, machine_arn):
    arn = run(client, machine_arn, 3)
    events = client.get_execution_history(executionArn=arn)["events"]
    started = [event for event in events if event["type"] == "ExecutionStarted"]
    assert len(started) == 1 and started[0]["id"] == 1
    # the event the client wrote at StartExecution, not one the engine wrote later over it
    assert started[0]["timestamp"] == client.describe_execution(executionArn=arn)["startDate"]
    assert started[0]["executionStartedEventDetails"]["roleArn"] == ROLE
    assert (events[1]["id"], events[1]["previousEventId"]) == (2, 1)


def test_history_pages_follow_each_other_without_gaps(client, machine_arn):
    arn = run(client, machine_arn, 3)
    everything = client.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    first = client.get_execution_history(executionArn=arn, maxResults=2)
    second = client.get_execution_history(executionArn=arn, maxResults=2, nextToken=first["nextToken"])
    assert [e["id"] for e in first["events"] + second["events"]] == [e["id"] for e in everything[:4]]
    pages = list(
        client.get_paginator("get_execution_history").paginate(
            executionArn=arn, PaginationConfig={"PageSize": 3}
        )
    )
    assert [e["id"] for page in pages for e in page["events"]] == [e["id"] for e in everything]
    assert "nextToken" not in pages[-1]


def test_history_in_reverse_order_is_newest_first(client, machine_arn):
    arn = run(client, machine_arn, 3)
    forward = client.get_execution_history(executionArn=arn)["events"]
    pages = list(
        client.get_paginator("get_execution_history").paginate(
            executionArn=arn, reverseOrder=True, PaginationConfig={"PageSize": 2}
        )
    )
    backward = [e for page in pages for e in page["events"]]
    assert [e["id"] for e in backward] == [e["id"] for e in reversed(forward)]
    assert backward[0]["type"] == "ExecutionSucceeded"


def test_a_token_from_forward_order_is_refused_in_reverse_order(client, machine_arn):
    arn = run(client, machine_arn, 3)
    token = client.get_execution_history(executionArn=arn, maxResults=1)["nextToken"]
    with pytest.raises(client.exceptions.InvalidToken):
        client.get_execution_history(executionArn=arn, reverseOrder=True, nextToken=token)


def test_history_without_execution_data_omits_inputs_and_outputs(client, machine_arn):
    arn = run(client, machine_arn, "secret")
    events = client.get_execution_history(executionArn=arn, includeExecutionData=False)["events"]
    for event in events:
        for key, details in event.items():
            if key.endswith("EventDetails"):
                assert "input" not in details and "output" not in details


def test_wait_for_status_gives_up_with_a_workflow_error(client):
    machine = client.create_state_machine(name="hold", definition=WAIT_MACHINE, roleArn=ROLE)
    arn = client.start_execution(stateMachineArn=machine["stateMachineArn"])["executionArn"]
    with pytest.raises(WorkflowError, match="still RUNNING"):
        wait_for_status(client, arn, timeout=0.2)
    client.stop_execution(executionArn=arn)
    assert wait_for_status(client, arn, timeout=30)["status"] == "ABORTED"


# The Step Functions Data Science SDK ----------------------------------------------------------


def test_the_sdk_workflow_runs_on_the_local_client():
    local = LocalStepFunctionsClient()  # the default: worker processes
    definition = Chain(
        [
            Pass("Shape", parameters={"greeting.$": "States.Format('hello {}', $.who)"}),
            Pass("Keep", result_path="$.kept", result={"done": True}),
        ]
    )
    workflow = Workflow("sdk-local", definition=definition, role=ROLE, client=local)
    arn = workflow.create()
    assert arn == "arn:aws:states:local:000000000000:stateMachine:sdk-local"
    execution = workflow.execute(inputs={"who": "analyst"})
    assert execution.get_output(wait=True) == {"greeting": "hello analyst", "kept": {"done": True}}
    assert [e.execution_arn for e in workflow.list_executions()] == [execution.execution_arn]
    events = execution.list_events()
    assert events[0]["type"] == "ExecutionStarted" and events[-1]["type"] == "ExecutionSucceeded"
    assert isinstance(events[-1]["timestamp"], dt.datetime)


def test_sdk_create_of_an_existing_name_attaches_to_it():
    local = LocalStepFunctionsClient(mode="thread")
    first = Workflow("twice", definition=Pass("A"), role=ROLE, client=local).create()
    second = Workflow("twice", definition=Pass("B"), role=ROLE, client=local).create()
    assert second == first


@pytest.mark.parametrize("value", ["123", "true", "null", '{"a": 1}', "plain text", 7, None])
def test_the_output_is_the_json_text_of_the_final_value_as_in_the_history(client, value):
    out = {"Type": "Pass", "InputPath": "$.value", "End": True}
    definition = json.dumps({"StartAt": "Out", "States": {"Out": out}})
    machine = client.create_state_machine(name="out", definition=definition, roleArn=ROLE)["stateMachineArn"]
    arn = run(client, machine, value)
    described = client.describe_execution(executionArn=arn)
    assert json.loads(described["output"]) == value
    succeeded = client.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=1)["events"][0]
    assert succeeded["executionSucceededEventDetails"]["output"] == described["output"]

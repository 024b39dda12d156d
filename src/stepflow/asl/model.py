"""Typed, immutable models of an Amazon States Language definition.

Attribute names are exactly the ASL field names (``StartAt``, ``ResultPath``...), so a reader
maps a model straight back to the JSON and to the AWS docs. One class per state type, joined in
a union discriminated on ``Type``. Expressions (paths, templates, intrinsics, JSONata) are kept as
raw values: compiling them is the engine's job, and checking them is ``validate.py``'s.

The models express the *shape* of the language (which field exists on which state, its JSON
type, numeric bounds); rules that span fields or states (End xor Next, reachable states, which
fields a query language allows) live in ``validate.py``. A field that may hold a JSONata
``{% ... %}`` expression instead of a number is typed ``int | str`` for that reason.

Where ``null`` means something different from an absent field (``Result``, ``Output``), the
attribute is ``None`` in both cases: ask ``"Output" in state.model_fields_set``.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

QueryLanguageName = Literal["JSONPath", "JSONata"]
DEFAULT_QUERY_LANGUAGE: QueryLanguageName = "JSONPath"

PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]
# Upper bounds: AWS's statelint says TimeoutSeconds, HeartbeatSeconds and MaxAttempts "MUST be
# less than 99999999"; the Wait state docs give Seconds "from 0 to 99999999".
Timeout = Annotated[int, Field(ge=1, lt=99999999)]
Attempts = Annotated[int, Field(ge=0, lt=99999999)]
WaitSeconds = Annotated[int, Field(ge=0, le=99999999)]
Percentage = Annotated[float, Field(ge=0, le=100)]
# Retry bounds as AWS's own ASL schema (the AWS Toolkit's language service) and LocalStack's
# AWS-validated parser give them: IntervalSeconds 1..99999999, MaxDelaySeconds below 31622401.
RetryInterval = Annotated[int, Field(ge=1, le=99999999)]
MaxDelay = Annotated[int, Field(ge=1, lt=31622401)]
# The 80-character limit on state names is checked in validate.py, so the diagnostic names the state.


class ASLModel(BaseModel):
    """Base of every model: unknown fields are errors (as AWS reports them), values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --- Retry and Catch ("Error handling in Step Functions") ----------------------------------------


class Retrier(ASLModel):
    """One ``Retry`` entry; the defaults are AWS's documented ones."""

    ErrorEquals: Annotated[list[str], Field(min_length=1)]
    IntervalSeconds: RetryInterval = 1
    MaxAttempts: Attempts = 3
    BackoffRate: Annotated[float, Field(ge=1.0)] = 2.0
    MaxDelaySeconds: MaxDelay | None = None
    JitterStrategy: Literal["FULL", "NONE"] = "NONE"
    Comment: str | None = None


class Catcher(ASLModel):
    """One ``Catch`` entry. ``ResultPath`` defaults to "$"; an explicit null keeps the state input."""

    ErrorEquals: Annotated[list[str], Field(min_length=1)]
    Next: str
    ResultPath: str | None = "$"
    Comment: str | None = None
    Assign: dict[str, Any] | None = None
    Output: Any = None


# --- Choice rules ----------------------------------------------------------------------------------


class ChoiceRule(ASLModel):
    """A Boolean expression: ``Variable`` with one comparison, ``And``/``Or``/``Not``, or JSONata ``Condition``.

    Nested rules (inside ``And``, ``Or``, ``Not``) have no ``Next``; see ``TopChoiceRule``.
    """

    Variable: str | None = None
    And: list[ChoiceRule] | None = None
    Or: list[ChoiceRule] | None = None
    Not: ChoiceRule | None = None
    Condition: str | bool | None = None
    Comment: str | None = None

    StringEquals: str | None = None
    StringEqualsPath: str | None = None
    StringLessThan: str | None = None
    StringLessThanPath: str | None = None
    StringGreaterThan: str | None = None
    StringGreaterThanPath: str | None = None
    StringLessThanEquals: str | None = None
    StringLessThanEqualsPath: str | None = None
    StringGreaterThanEquals: str | None = None
    StringGreaterThanEqualsPath: str | None = None
    StringMatches: str | None = None

    NumericEquals: int | float | None = None
    NumericEqualsPath: str | None = None
    NumericLessThan: int | float | None = None
    NumericLessThanPath: str | None = None
    NumericGreaterThan: int | float | None = None
    NumericGreaterThanPath: str | None = None
    NumericLessThanEquals: int | float | None = None
    NumericLessThanEqualsPath: str | None = None
    NumericGreaterThanEquals: int | float | None = None
    NumericGreaterThanEqualsPath: str | None = None

    BooleanEquals: bool | None = None
    BooleanEqualsPath: str | None = None

    TimestampEquals: str | None = None
    TimestampEqualsPath: str | None = None
    TimestampLessThan: str | None = None
    TimestampLessThanPath: str | None = None
    TimestampGreaterThan: str | None = None
    TimestampGreaterThanPath: str | None = None
    TimestampLessThanEquals: str | None = None
    TimestampLessThanEqualsPath: str | None = None
    TimestampGreaterThanEquals: str | None = None
    TimestampGreaterThanEqualsPath: str | None = None

    IsNull: bool | None = None
    IsPresent: bool | None = None
    IsNumeric: bool | None = None
    IsString: bool | None = None
    IsBoolean: bool | None = None
    IsTimestamp: bool | None = None


class TopChoiceRule(ChoiceRule):
    """A rule directly in ``Choices``: it names the state to go to when it matches."""

    Next: str
    Assign: dict[str, Any] | None = None
    Output: Any = None


_RULE_STRUCTURE = {"Variable", "And", "Or", "Not", "Condition", "Comment"}
COMPARISON_OPERATORS: tuple[str, ...] = tuple(
    name for name in ChoiceRule.model_fields if name not in _RULE_STRUCTURE
)


# --- Nested state machines ------------------------------------------------------------------------


class Machine(ASLModel):
    """``StartAt`` + ``States``: a Parallel branch, a Map ``Iterator``, and the base of the others."""

    StartAt: str
    States: dict[str, State]
    Comment: str | None = None


class ProcessorConfigModel(ASLModel):
    """How a Map runs its iterations; stepflow runs both modes in-process."""

    Mode: Literal["INLINE", "DISTRIBUTED"] = "INLINE"
    ExecutionType: Literal["STANDARD", "EXPRESS"] | None = None


class ItemProcessorMachine(Machine):
    """A Map state's iteration machine (``ItemProcessor``, which replaced ``Iterator``)."""

    ProcessorConfig: ProcessorConfigModel = ProcessorConfigModel()


class ItemReaderConfig(ASLModel):
    """Distributed Map input source (accepted and modelled; reading is the engine's concern)."""

    Resource: str
    ReaderConfig: dict[str, Any] | None = None
    Parameters: dict[str, Any] | None = None
    Arguments: dict[str, Any] | str | None = None


class ResultWriterConfig(ASLModel):
    """Distributed Map result destination."""

    Resource: str | None = None
    WriterConfig: dict[str, Any] | None = None
    Parameters: dict[str, Any] | None = None
    Arguments: dict[str, Any] | str | None = None


class ItemBatcherConfig(ASLModel):
    """Distributed Map batching of items."""

    MaxItemsPerBatch: PositiveInt | str | None = None
    MaxItemsPerBatchPath: str | None = None
    MaxInputBytesPerBatch: PositiveInt | str | None = None
    MaxInputBytesPerBatchPath: str | None = None
    BatchInput: dict[str, Any] | str | None = None


# --- States -----------------------------------------------------------------------------------------
# Field groups are mixins so each state class lists exactly the fields AWS allows on it.


class _StateBase(ASLModel):
    Comment: str | None = None
    QueryLanguage: QueryLanguageName | None = None


class _Transition(ASLModel):
    """``Next`` or ``End: true`` (exactly one; checked in validate.py)."""

    Next: str | None = None
    End: bool = False


class _InputOutputPaths(ASLModel):
    """JSONPath ``InputPath``/``OutputPath``: default "$"; an explicit null means ``{}``."""

    InputPath: str | None = "$"
    OutputPath: str | None = "$"


class _Output(ASLModel):
    """JSONata ``Output`` (any JSON value, with ``{% %}`` expressions inside strings)."""

    Output: Any = None


class _Assign(ASLModel):
    """Workflow variables (both query languages)."""

    Assign: dict[str, Any] | None = None


class _ResultPath(ASLModel):
    """JSONPath ``ResultPath``: default "$"; an explicit null discards the result."""

    ResultPath: str | None = "$"


class _ErrorHandling(ASLModel):
    Retry: list[Retrier] | None = None
    Catch: list[Catcher] | None = None


class PassState(_StateBase, _Transition, _InputOutputPaths, _ResultPath, _Output, _Assign):
    Type: Literal["Pass"]
    Parameters: Any = None  # any JSON value on a Pass state (AWS deploys samples with an array)
    Result: Any = None


class TaskState(
    _StateBase, _Transition, _InputOutputPaths, _ResultPath, _ErrorHandling, _Output, _Assign
):
    Type: Literal["Task"]
    Resource: str
    Parameters: dict[str, Any] | None = None
    Arguments: dict[str, Any] | str | None = None
    ResultSelector: dict[str, Any] | None = None
    TimeoutSeconds: Timeout | str | None = None
    TimeoutSecondsPath: str | None = None
    HeartbeatSeconds: Timeout | str | None = None
    HeartbeatSecondsPath: str | None = None
    Credentials: dict[str, Any] | None = None


class ChoiceState(_StateBase, _InputOutputPaths, _Output, _Assign):
    Type: Literal["Choice"]
    Choices: Annotated[list[TopChoiceRule], Field(min_length=1)]
    Default: str | None = None


class WaitState(_StateBase, _Transition, _InputOutputPaths, _Output, _Assign):
    Type: Literal["Wait"]
    Seconds: WaitSeconds | str | None = None
    Timestamp: str | None = None
    SecondsPath: str | None = None
    TimestampPath: str | None = None


class SucceedState(_StateBase, _InputOutputPaths, _Output):
    Type: Literal["Succeed"]


class FailState(_StateBase):
    Type: Literal["Fail"]
    Error: str | None = None
    Cause: str | None = None
    ErrorPath: str | None = None
    CausePath: str | None = None


class ParallelState(
    _StateBase, _Transition, _InputOutputPaths, _ResultPath, _ErrorHandling, _Output, _Assign
):
    Type: Literal["Parallel"]
    Branches: Annotated[list[Machine], Field(min_length=1)]
    Parameters: dict[str, Any] | None = None
    Arguments: dict[str, Any] | str | None = None
    ResultSelector: dict[str, Any] | None = None


class MapState(
    _StateBase, _Transition, _InputOutputPaths, _ResultPath, _ErrorHandling, _Output, _Assign
):
    Type: Literal["Map"]
    ItemProcessor: ItemProcessorMachine | None = None
    Iterator: ItemProcessorMachine | None = None  # legacy name of ItemProcessor (AWS takes ProcessorConfig in it too)
    ItemsPath: str = "$"  # unlike InputPath, null is refused (AWS statelint)
    Items: list[Any] | dict[str, Any] | str | None = None  # JSONata: array, object or expression
    ItemSelector: dict[str, Any] | str | None = None
    Parameters: dict[str, Any] | None = None  # legacy name of ItemSelector
    ResultSelector: dict[str, Any] | None = None
    MaxConcurrency: NonNegativeInt | str | None = None
    MaxConcurrencyPath: str | None = None
    ToleratedFailureCount: NonNegativeInt | str | None = None
    ToleratedFailureCountPath: str | None = None
    ToleratedFailurePercentage: Percentage | str | None = None
    ToleratedFailurePercentagePath: str | None = None
    ItemReader: ItemReaderConfig | None = None
    ResultWriter: ResultWriterConfig | None = None
    ItemBatcher: ItemBatcherConfig | None = None
    Label: str | None = None

    @property
    def processor(self) -> Machine:
        """The iteration machine, whichever of ``ItemProcessor`` / ``Iterator`` names it."""
        machine = self.ItemProcessor or self.Iterator
        if machine is None:  # validate.py refuses this; guard direct construction too
            raise ValueError("a Map state needs ItemProcessor (or the legacy Iterator)")
        return machine


State = Annotated[
    Union[
        PassState, TaskState, ChoiceState, WaitState, SucceedState, FailState, ParallelState, MapState
    ],
    Field(discriminator="Type"),
]


class StateMachineDefinition(Machine):
    """A whole definition: the top-level machine plus the fields only the top level has."""

    Version: str | None = None
    TimeoutSeconds: Timeout | None = None
    QueryLanguage: QueryLanguageName = DEFAULT_QUERY_LANGUAGE


for _model in (ChoiceRule, TopChoiceRule, Machine, ItemProcessorMachine, StateMachineDefinition):
    _model.model_rebuild()

"""The clustering workflow's entry in the registry (``pipeline.workflows.registry``)."""

from __future__ import annotations

from typing import Any

from pipeline.workflows.clustering import checks, parameters
from pipeline.workflows.clustering.parameters import ClusteringParameters
from pipeline.workflows.spec import BuildSettings, BuiltWorkflow, LambdaFunction, WorkflowSpec


def _build(settings: BuildSettings) -> BuiltWorkflow:
    from pipeline.workflows.clustering.build import build

    return build(settings)


def _read_results(run_prefix: str, storage: Any) -> Any:
    from pipeline.workflows.clustering.results import read_run_results

    return read_run_results(run_prefix, storage)


def _headline(results: Any) -> dict[str, Any]:
    from pipeline.workflows.clustering.results import headline

    return headline(results)


CLUSTERING = WorkflowSpec(
    name="clustering",
    title="Customer clustering",
    purpose="Group customers by recency, frequency and spend with SageMaker KMeans, and name the groups.",
    state_machine_name="rfm-studio-clustering",
    run_name_prefix="rfm",
    parameters_type=ClusteringParameters,
    lambda_functions=(
        LambdaFunction("rfm-studio-prepare-rfm", "lambdas.prepare_rfm.handler:lambda_handler"),
        LambdaFunction("rfm-studio-evaluate-clusters", "lambdas.evaluate_clusters.handler:lambda_handler"),
        LambdaFunction("rfm-studio-score-k", "lambdas.score_k.handler:lambda_handler"),
        LambdaFunction("rfm-studio-pick-k", "lambdas.pick_k.handler:lambda_handler"),
    ),
    input_schema=parameters.EXECUTION_INPUT_SCHEMA,
    build=_build,
    execution_input=parameters.execution_input_for,
    parameters_from_input=parameters.parameters_from_input,
    data_scope=checks.data_scope,
    data_facts=checks.clustering_data,
    problems=checks.run_problems,
    read_results=_read_results,
    add_arguments=parameters.add_arguments,
    parameters_from_arguments=parameters.parameters_from_arguments,
    headline=_headline,
    algorithms=(("kmeans", None),),
)

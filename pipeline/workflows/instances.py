"""SageMaker instances a workflow may run its jobs on: the one check every workflow's parameters use.

Light on purpose (botocore is imported only when the check runs): the workflows' checks import
it, and so do the Lambdas that apply those checks.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def sagemaker_instance_types() -> frozenset[str]:
    """Instance types SageMaker accepts for both training and batch transform (botocore's model)."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    training = model.shape_for("TrainingInstanceType").enum
    transform = model.shape_for("TransformInstanceType").enum
    return frozenset(training) & frozenset(transform)


def instance_problems(instance_type: Any, instance_count: Any) -> list[str]:
    """Why SageMaker would refuse these resources for training and batch transform (none: fine)."""
    problems = []
    if instance_type not in sagemaker_instance_types():
        problems.append(
            f"'{instance_type}' is not a SageMaker instance type for training and batch transform: "
            "choose one such as ml.m5.large."
        )
    if not isinstance(instance_count, int) or isinstance(instance_count, bool) or instance_count < 1:
        problems.append(f"The instance count must be a whole number of at least 1 (got {instance_count!r}).")
    return problems

"""The customer-clustering workflow: RFM features, SageMaker KMeans, evaluation, quality gate.

Modules: ``parameters`` (run parameters, execution input), ``checks`` (can a run succeed?),
``layout`` (the run's files), ``steps`` and ``build`` (the SDK build), ``results`` (reading a
run back), ``spec`` (its registry entry). Nothing is imported here: the Lambdas import
``layout`` and ``checks`` and must not load the SDK.
"""

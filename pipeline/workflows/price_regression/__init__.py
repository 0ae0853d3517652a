"""The price-regression workflow of the AWS sample: prepare data, SageMaker XGBoost, RMSE gate, batch
prediction, scoring.

Modules: ``parameters`` (run parameters, feature sets, execution input), ``checks`` (can a run
succeed?), ``layout`` (the run's files), ``steps`` and ``build`` (the SDK build), ``results``
(reading a run back), ``model_file`` (the trained booster and its feature importance), ``spec``
(its registry entry). Nothing is imported here: the Lambdas import ``layout``, ``checks`` and
``parameters`` and must not load the SDK.
"""

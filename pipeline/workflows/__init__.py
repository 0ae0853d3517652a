"""The SDK-built workflows: one package a workflow, a registry listing them, what they share.

Nothing is imported here: the Lambda handlers import a workflow's light modules (its run
layout, its checks) and their deployment zips must not pull in the SDK.
"""

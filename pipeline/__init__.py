"""RFM Workflow Studio's library: data loading, RFM, the Step Functions workflow and its backends.

Nothing in this package imports Streamlit: the pages in ``pages/`` call into it, and the
Lambda handlers in ``lambdas/`` ship it in their deployment zip.
"""

import os

# sagemaker v2 prints a deprecation banner and config-file notices on import; the SDK we build
# the workflow with needs v2, so the banner is noise for our users.
os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")

#!/usr/bin/env bash
# Install what the tests need (the locked Python packages; Debian's chromium for the browser test),
# run the checks (ruff, mypy) and the tests.
# Usage: ./scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  else
    echo "note: /usr/bin/chromium is missing; install Debian's chromium (sudo apt-get install chromium) for the browser test" >&2
  fi
fi

# The lock file pins the whole tree (scripts/lock.sh re-pins it after a change to requirements*.txt).
python3 -m pip install -q --disable-pip-version-check -r requirements-dev.lock

# Checks before the tests: lint, format and types (pyproject's [tool.mypy]: pipeline/ and lambdas/).
python3 -m ruff check --quiet .
python3 -m ruff format --check --quiet .
python3 -m mypy

python3 -m pytest -n 2 "$@"

#!/usr/bin/env bash
# Re-pin the whole dependency tree after a change to requirements.txt or requirements-dev.txt:
# writes requirements.lock (the app) and requirements-dev.lock (the app, tests and checks) with
# pip-tools, for Python 3.11 on Linux (what CI and the quick start run on).
# Usage: ./scripts/lock.sh   (pip-tools is installed into a throwaway venv if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${PIP_TOOLS_VENV:-.venv-lock}
if [ ! -x "$tools/bin/pip-compile" ]; then
  python3 -m venv "$tools"
  "$tools/bin/pip" install -q --disable-pip-version-check pip-tools==7.6.2
fi
compile() {
  "$tools/bin/pip-compile" -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
    --output-file "$2" "$1"
}
compile requirements.txt requirements.lock
compile requirements-dev.txt requirements-dev.lock
echo "wrote requirements.lock and requirements-dev.lock"

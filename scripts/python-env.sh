#!/usr/bin/env bash
# Create (or refresh) the Python virtual environment used by the entiflow
# Python package, its tests and the example apps.
#
#   scripts/python-env.sh          # creates .venv with pytest and entiflow (editable)
#   .venv/bin/pytest python/tests examples -q
#
# The script is idempotent: it only does work that is missing. The editable
# install is redone when python/pyproject.toml changes.
# Environment: PYTHON selects the interpreter used to create the venv
# (default: python3); VENV overrides the venv location (default: <repo>/.venv).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV:-$root/.venv}"
python="${PYTHON:-python3}"
stamp="$venv/.entiflow-install-stamp"

log() { printf 'python-env: %s\n' "$*" >&2; }

if [ -x "$venv/bin/python" ] && ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    log "existing venv at $venv is broken, recreating it"
    rm -rf "$venv"
fi

if [ ! -x "$venv/bin/python" ]; then
    log "creating venv at $venv"
    "$python" -m venv "$venv"
fi

if ! "$venv/bin/python" -c "import pytest" >/dev/null 2>&1; then
    log "installing pytest"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pytest>=7"
fi

want="$(cd "$root/python" && sha256sum pyproject.toml | cut -d' ' -f1) $root/python"
have="$(cat "$stamp" 2>/dev/null || true)"
if [ "$want" != "$have" ] || ! (cd / && "$venv/bin/python" -c "import entiflow.testing") >/dev/null 2>&1; then
    log "installing entiflow (editable) from $root/python"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$root/python"
    printf '%s\n' "$want" >"$stamp"
fi

log "ready: $venv"

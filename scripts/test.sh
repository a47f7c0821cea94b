#!/usr/bin/env bash
# The whole test suite on a fresh machine: set-up, the pipeline contract check, then pytest
# (unit, AppTest and real-browser tests; a missing browser fails the run instead of skipping).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
# tests/test_contract.py covers the command-line contract; the team's outside check runs too when it is beside us
if [ -x ../shared/checks/contract ]; then
  PYTHON=.venv/bin/python ../shared/checks/contract
else
  echo "../shared/checks/contract not beside the project: the contract is checked by tests/test_contract.py"
fi
REQUIRE_BROWSER_TESTS=1 .venv/bin/python -m pytest -q "$@"

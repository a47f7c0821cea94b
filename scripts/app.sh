#!/usr/bin/env bash
# Set up (first time only) and open the dashboard on the seed articles.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m streamlit run dashboard/app.py "$@"

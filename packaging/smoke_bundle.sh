#!/usr/bin/env bash
# Run the freshly built bundle with the build's virtual environment moved out of the way (and a bare
# environment: no PATH into it, no PYTHONPATH), so a bundle that secretly imports from .venv fails here.
# CI runs it once after `make dist`; tests/packaging/test_installed_deb.py then tests the installed .deb.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle="$PWD/dist/bundle/workbench/workbench"
[ -x "$bundle" ] || { echo "smoke: no bundle at $bundle (make dist)" >&2; exit 1; }
mv .venv .venv.away
work=$(mktemp -d)
trap 'mv .venv.away .venv; rm -rf "$work"' EXIT
cp -r resources/sample-project "$work/sample"
run() { (cd "$work" && env -i PATH=/usr/bin:/bin HOME="$work" LANG=C.UTF-8 "$bundle" "$@"); }
run --version
run invoke --project "$work/sample" HelloPython --event-json '{"name": "smoke"}' 2>"$work/log" \
  || { cat "$work/log" >&2; exit 1; }
grep -q "REPORT RequestId" "$work/log"
echo "smoke: the bundle runs with the build's venv out of the way"

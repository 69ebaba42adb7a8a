#!/usr/bin/env bash
# CTest notebooks/compare: makes a tiny experiment run on tests/data with the
# tint binary, then executes notebooks/compare.ipynb on it headless with
# Debian's jupyter-nbconvert. Skips (77) when Jupyter or its libraries are
# missing (scripts/test.sh installs them).
set -euo pipefail
src=$1
build=$2
if ! command -v jupyter >/dev/null || ! /usr/bin/python3 -c "import ipykernel, matplotlib, pandas" 2>/dev/null; then
  echo "SKIP: jupyter-nbconvert, python3-ipykernel, python3-matplotlib or python3-pandas is not installed"
  exit 77
fi
work="$build/test_scratch/notebooks"
rm -rf "$work"
mkdir -p "$work"
cat > "$work/tiny.toml" <<TOML
name = "tiny"
[[dataset]]
name = "project-photos"
kind = "folder"
path = "$src/tests/data"
[[method]]
name = "tint-hc"
mode = "cnn"
model = "$src/models/tint-hc/card.toml"
TOML
"$build/bin/tint" eval --config "$work/tiny.toml" --out "$work/run" > "$work/eval.log"
test -s "$work/run/summary.json"
PYTHONPATH="$build/python${PYTHONPATH:+:$PYTHONPATH}" TINT_RUN="$work/run" jupyter nbconvert --to notebook --execute \
  --ExecutePreprocessor.timeout=300 --output "$work/compare.out.ipynb" "$src/notebooks/compare.ipynb"
# The executed notebook must hold the curves figure and no error output.
/usr/bin/python3 - "$work/compare.out.ipynb" <<'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
errors = [o for o in outputs if o.get("output_type") == "error"]
images = [o for o in outputs if "image/png" in o.get("data", {})]
assert not errors, errors
assert len(images) >= 2, f"expected the curve and speed figures, found {len(images)} images"
print(f"notebook ok: {len(outputs)} outputs, {len(images)} figures")
PY

#!/usr/bin/env bash
# A copied build reads and writes only its own files, and an installed tint
# (cmake --install) colorizes from its prefix, with nothing of the source
# tree's path compiled into it (src/core/locate.h).
# usage: relocate_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset TINT_PATCHDB TINT_MODEL TINT_DATA_ROOT
fail() { echo "FAIL: $*" >&2; exit 1; }
field() { /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."): d=d[k]
print(d)' "$1"; }

echo "== nothing of $src/ is in the binary"
if grep -F -a -q "$src/" "$build/bin/tint"; then fail "bin/tint holds the path $src/"; fi

echo "== a copy of the checkout with its build uses its own database"
copy=$tmp/copy
mkdir -p "$copy/build/bin"
cp -r "$src/patchdb" "$src/models" "$src/samples" "$copy/"
cp "$build/bin/tint" "$copy/build/bin/"
cp "$build/tint-root" "$copy/build/"
info=$("$copy/build/bin/tint" info --json)
[ "$(field runs_from <<<"$info")" = "build tree" ] || fail "copy: $info"
[ "$(field patchdb.path <<<"$info")" = "$copy/patchdb" ] || fail "copy database: $info"
[ "$(field model.path <<<"$info")" = "$copy/models/tint-mnv2-ft/card.toml" ] || fail "copy model: $info"
"$copy/build/bin/tint" db --help | grep -q -- "--db TEXT=$copy/patchdb" || fail "copy's --help"
before=$(cd "$src/patchdb" && find . -type f ! -name index.cache ! -name .lock -print0 | sort -z | xargs -0 sha256sum)
copy_before=$(sha256sum "$copy/patchdb/manifest.json")
"$copy/build/bin/tint" db add --label sky --image "$copy/samples/bridge.jpg" --rect 0,0,32,32 >/dev/null
after=$(cd "$src/patchdb" && find . -type f ! -name index.cache ! -name .lock -print0 | sort -z | xargs -0 sha256sum)
[ "$before" = "$after" ] || fail "db add in the copy changed the original's database"
[ "$copy_before" != "$(sha256sum "$copy/patchdb/manifest.json")" ] || fail "db add in the copy wrote nothing there"

echo "== cmake --install to a prefix; colorize from there"
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
[ -x "$prefix/bin/tint" ] || fail "no bin/tint installed"
for f in patchdb/manifest.json models/tint-mnv2-ft/card.toml web/index.html commit; do
  [ -e "$prefix/share/tint/$f" ] || fail "share/tint/$f not installed"
done
[ ! -e "$prefix/share/tint/patchdb/index.cache" ] || fail "the index cache was installed"
info=$("$prefix/bin/tint" info --json)
[ "$(field runs_from <<<"$info")" = "install tree" ] || fail "install: $info"
[ "$(field patchdb.path <<<"$info")" = "$prefix/share/tint/patchdb" ] || fail "install: $info"
if git -C "$src" rev-parse HEAD >/dev/null 2>&1; then
  [ "$(field commit <<<"$info")" = "$(git -C "$src" rev-parse HEAD)" ] || fail "install commit: $info"
fi
(cd "$tmp" && "$prefix/bin/tint" colorize "$src/samples/bridge.jpg" -o out.png >/dev/null)
[ -s "$tmp/out.png" ] || fail "the installed tint wrote no out.png"
for method in classic cnn; do
  "$prefix/bin/tint" colorize "$src/samples/bridge.jpg" --method "$method" -o "$tmp/$method.png" >/dev/null
done
cmp -s "$tmp/out.png" "$tmp/classic.png" || fail "default and classic outputs differ"
# The same bytes as the build tree's tint (same database and model).
"$build/bin/tint" colorize "$src/samples/bridge.jpg" --method cnn -o "$tmp/cnn-build.png" >/dev/null
cmp -s "$tmp/cnn.png" "$tmp/cnn-build.png" || fail "installed and build-tree CNN outputs differ"

if [ -d "$prefix/lib/python3/dist-packages/tint" ]; then
  echo "== the installed Python package uses the prefix's files"
  PYTHONPATH=$prefix/lib/python3/dist-packages /usr/bin/python3 - "$prefix" <<'PY'
import sys, numpy as np, tint
prefix = sys.argv[1]
info = tint.info()
assert info["runs_from"] == "install tree", info
assert info["patchdb"] == prefix + "/share/tint/patchdb", info
grey = np.tile(np.linspace(0, 255, 64, dtype=np.uint8), (48, 1))
rgb = tint.colorize(grey, method="cnn")
assert rgb.shape == (48, 64, 3), rgb.shape
PY
fi
echo "relocate_test: passed"

#!/usr/bin/env bash
# Builds what a release ships, from this checkout, and installs each as a user would, offline:
# the Python wheel (maturin, `bindings = "bin"`) into a fresh virtual environment, the
# pre-commit mirror against that wheel, and the npm launcher with this platform's package. Each
# installed `archlint` must report this version and scan the sample service.
#
# The wheel is built with the dev profile, which reuses the debug build of `cargo test`: this
# checks the packaging, not the optimiser. The release workflow builds optimised binaries for
# every platform (.github/workflows/release.yml); that part cannot run here.
set -euo pipefail
cd "$(dirname "$0")/.."
work="target/package-check"
rm -rf "$work"
mkdir -p "$work"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"

check() {
  local what="$1" bin="$2"
  local reported
  reported="$("$bin" --version)"
  if [ "$reported" != "archlint $version" ]; then
    echo "$what: \`archlint --version\` says '$reported', not 'archlint $version'" >&2
    exit 1
  fi
  local status=0
  "$bin" examples/sample-service --quiet --no-cache --format json > "$work/scan.json" || status=$?
  if [ "$status" != 1 ] || ! grep -q '"rule": "tls-verification-disabled"' "$work/scan.json"; then
    echo "$what: the sample service scan exited $status without the expected findings" >&2
    exit 1
  fi
  echo "   $what: archlint $version runs and scans"
}

echo "== the Python wheel (maturin)"
python3 -m venv "$work/build-env"
"$work/build-env/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.7,<2"
"$work/build-env/bin/maturin" build --profile dev --out "$work/wheels" > "$work/maturin.log" 2>&1 || {
  cat "$work/maturin.log" >&2
  exit 1
}
wheel="$(ls "$work"/wheels/archlint-"$version"-*.whl)"
python3 -m venv "$work/user-env"
"$work/user-env/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
check "pip install archlint" "$work/user-env/bin/archlint"

echo "== the pre-commit mirror, on that wheel"
python3 -m venv "$work/hook-env"
# The mirror's build backend from the index; archlint only from the wheel just built.
"$work/hook-env/bin/pip" install --quiet --disable-pip-version-check "setuptools>=61" wheel
# A copy: building leaves metadata beside the sources.
cp -R pre-commit-mirror "$work/mirror"
"$work/hook-env/bin/pip" install --quiet --disable-pip-version-check --no-index --no-build-isolation \
  --find-links "$work/wheels" "$work/mirror"
check "the pre-commit mirror" "$work/hook-env/bin/archlint"

echo "== the npm packages"
if ! command -v npm > /dev/null; then
  echo "   skipped: npm is not installed here"
  exit 0
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64 ;;
  Linux-aarch64) platform=linux-arm64 ;;
  Darwin-x86_64) platform=darwin-x64 ;;
  Darwin-arm64) platform=darwin-arm64 ;;
  *) echo "   skipped: no npm platform package for $(uname -s)-$(uname -m)"; exit 0 ;;
esac
python3 npm/pack.py --out "$work/npm" --binary "$platform=target/debug/archlint" > /dev/null
(cd "$work/npm/archlint" && npm pack --silent --pack-destination ..) > /dev/null
(cd "$work/npm/cli-$platform" && npm pack --silent --pack-destination ..) > /dev/null
mkdir -p "$work/npm-project"
echo '{ "name": "service", "version": "1.0.0", "private": true }' > "$work/npm-project/package.json"
(cd "$work/npm-project" && npm install --offline --no-audit --no-fund --silent \
  "../npm/archlint-cli-$platform-$version.tgz" "../npm/archlint-$version.tgz")
check "npm install archlint" "$work/npm-project/node_modules/.bin/archlint"
echo "== packages check passed"

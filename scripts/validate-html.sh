#!/usr/bin/env bash
# Builds the demo site (production and --drafts) and runs the Nu HTML checker
# (vnu.jar from the npm package vnu-jar) over every page. Prints nothing and
# exits 0 when every page is valid.
#
# usage: scripts/validate-html.sh   (from anywhere; installs vnu-jar on first use)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${NUTGRAF_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nutgraf-ci}
VNU_VERSION=26.9.27
VNU_DIR=$CACHE/vnu-$VNU_VERSION
VNU_JAR=$VNU_DIR/node_modules/vnu-jar/build/dist/vnu.jar

if ! command -v java >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq default-jre-headless) >/dev/null
fi
if [ ! -f "$VNU_JAR" ]; then
  mkdir -p "$VNU_DIR"
  (cd "$VNU_DIR" && npm install --silent --no-audit --no-fund "vnu-jar@$VNU_VERSION" >/dev/null)
fi

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cargo build --quiet --locked --manifest-path "$ROOT/Cargo.toml"
BIN=$ROOT/target/debug/nutgraf
"$BIN" --root "$ROOT" build --output "$OUT/public" 2>"$OUT/build.log" || { cat "$OUT/build.log"; exit 1; }
"$BIN" --root "$ROOT" build --drafts --output "$OUT/drafts" 2>"$OUT/build.log" || { cat "$OUT/build.log"; exit 1; }
pages=$(find "$OUT/public" "$OUT/drafts" -name '*.html' | wc -l)
java -jar "$VNU_JAR" --errors-only --skip-non-html "$OUT/public" "$OUT/drafts"
echo "vnu: $pages pages of the demo site (production and --drafts) are valid HTML"

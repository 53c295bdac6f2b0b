#!/usr/bin/env bash
# Assembles the OpenAPI description of the API from its fragments (docs/openapi/*.json: base.json first,
# then one partial document per area, each {"paths": {...}, "components": {...}}) into one document,
# deep-merged with jq. Fails when two fragments describe the same path and method, or define the same
# component differently, so that one area cannot silently replace another's text.
#   scripts/openapi-build.sh OUT.json
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
DIR=${SC_OPENAPI_DIR:-$ROOT/docs/openapi}  # another folder: the tests of this script
out=${1:?usage: openapi-build.sh OUT.json}
command -v jq >/dev/null 2>&1 || { echo "openapi-build: jq is missing (scripts/install-deps.sh)" >&2; exit 1; }

[[ -f $DIR/base.json ]] || { echo "openapi-build: $DIR/base.json is missing" >&2; exit 1; }
fragments=("$DIR/base.json")
while IFS= read -r f; do
    fragments+=("$f")
done < <(find "$DIR" -maxdepth 1 -name '*.json' ! -name base.json | LC_ALL=C sort)

# Each fragment must be valid JSON and an object (jq names the file and the line otherwise).
for f in "${fragments[@]}"; do
    jq -e 'type == "object"' "$f" >/dev/null || { echo "openapi-build: ${f#"$ROOT"/} is not a JSON object" >&2; exit 1; }
done

# The same path + method in two fragments, or one component name defined twice with different
# contents: an error naming both files.
dupes=$(for f in "${fragments[@]}"; do
    jq -r --arg f "${f#"$ROOT"/}" '
        ((.paths // {}) | to_entries[] | .key as $p | .value | keys[]
            | select(IN("get","put","post","delete","options","head","patch","trace"))
            | "operation \(ascii_upcase) \($p)\t\($f)\t"),
        ((.components // {}) | to_entries[] | .key as $kind | .value | to_entries[]
            | "component \($kind).\(.key)\t\($f)\t\(.value | tojson)")' "$f"
done | LC_ALL=C sort | awk -F'\t' '
    { if ($1 in seen) { if ($3 != body[$1] || $1 ~ /^operation /) print $1 " is defined in " file[$1] " and in " $2 }
      else { seen[$1] = 1; file[$1] = $2; body[$1] = $3 } }')
if [[ -n $dupes ]]; then
    echo "openapi-build: conflicting fragments:" >&2
    echo "$dupes" | sed 's/^/  /' >&2
    exit 1
fi

mkdir -p "$(dirname "$out")"
tmp=$out.tmp.$$
jq -s -c 'reduce .[] as $x ({}; . * $x)' "${fragments[@]}" >"$tmp"
mv -f "$tmp" "$out"
echo "openapi-build: ${#fragments[@]} fragments → ${out#"$ROOT"/} ($(jq '[.paths[] | keys[] | select(IN("get","put","post","delete","patch"))] | length' "$out") operations)"

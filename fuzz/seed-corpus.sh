#!/usr/bin/env bash
# Seeds every fuzz target's corpus with the lakes the project already has:
# the examples, the stdlib and the UI cases (good and broken).
set -euo pipefail
cd "$(dirname "$0")"
for target in parse check compile fmt; do
    mkdir -p "corpus/$target"
    find ../lang-examples ../stdlib ../tests/ui ../tests/corpus -name '*.dl' 2>/dev/null |
        while read -r file; do
            cp "$file" "corpus/$target/$(echo "$file" | tr '/.' '__')"
        done
done

#!/usr/bin/env bash
# Lists the functions of the release binary that a seed `dlc check`, a seed
# `dlc compile` and `dlc --version` run, into link/hot-symbols.txt: build.rs
# has the linker place them first in .text, so a run touches fewer pages of
# code (each 64 KiB of code first touched is a page fault). Run it again when
# those paths change much: a function missing from the list still works, it
# only sits among the cold code. Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/dlc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for args in "check lang-examples/seed/lake.dl" "compile lang-examples/seed/lake.dl -o $tmp/out" "--version"; do
    # shellcheck disable=SC2086 # the arguments are split on purpose
    valgrind --tool=callgrind --demangle=no --compress-strings=no \
        --callgrind-out-file="$tmp/calls" "$bin" $args > /dev/null 2>&1
    grep -E '^c?fn=' "$tmp/calls" | sed -E "s/^c?fn=//; s/'[0-9]+\$//"
done | awk '!seen[$0]++' > "$tmp/run"
# Only the binary's own functions: the list also names libc's and valgrind's.
nm --defined-only "$bin" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort -u > "$tmp/defined"
awk 'NR == FNR { defined[$0] = 1; next } defined[$0]' "$tmp/defined" "$tmp/run" > link/hot-symbols.txt
wc -l link/hot-symbols.txt

#!/usr/bin/env bash
# The whole test suite, on a fresh machine: install what the tests drive
# (only what is missing), check formatting and lints, then run every test
# binary and say which failed. README.md gives this command; CI runs it
# through .ci/run.
#
# Needs root only for apt-get (Vim, Neovim, Node.js when missing): it uses
# sudo when not root. Python tools go into a virtual environment in .venv/
# (ignored by git), npm packages into editors/tests/node_modules,
# editors/vscode/node_modules and tests/sarif-validator/node_modules; a second
# run reinstalls neither unless its lock file changed.
set -euo pipefail
export CARGO_TERM_COLOR=never
cd "$(dirname "$0")/.."
started=$SECONDS

say() { printf '== %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        echo "installing system packages needs root: run as root or install sudo, or install them yourself: $*" >&2
        exit 2
    fi
}

apt_updated=0
apt_install() {
    if [ "$apt_updated" = 0 ]; then
        as_root apt-get update -qq
        apt_updated=1
    fi
    say "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# A lock file's digest, kept beside what it installed, so an unchanged lock
# file means nothing to install.
stamp_matches() { [ -f "$2" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$(cat "$2")" ]; }
write_stamp() { sha256sum "$1" | cut -d' ' -f1 >"$2"; }

# --- Tools the tests drive -------------------------------------------------

# The editor tests drive a real Vim (vim-tiny has no syntax support), Neovim
# and Node.
if ! command -v vim >/dev/null || ! vim --version | grep -q '+syntax'; then
    apt_install vim
fi
if ! command -v nvim >/dev/null; then
    apt_install neovim
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm
fi
if ! stamp_matches editors/tests/package-lock.json editors/tests/node_modules/.lock-digest; then
    say "npm ci (editors/tests)"
    npm ci --prefix editors/tests --no-audit --no-fund --silent
    write_stamp editors/tests/package-lock.json editors/tests/node_modules/.lock-digest
fi
# tests/vscode_extension.rs loads the VS Code extension with its pinned
# vscode-languageclient.
if ! stamp_matches editors/vscode/package-lock.json editors/vscode/node_modules/.lock-digest; then
    say "npm ci (editors/vscode)"
    npm ci --prefix editors/vscode --no-audit --no-fund --silent
    write_stamp editors/vscode/package-lock.json editors/vscode/node_modules/.lock-digest
fi
# tests/sarif.rs validates --format sarif with Microsoft's SARIF validator.
if ! stamp_matches tests/sarif-validator/package-lock.json tests/sarif-validator/node_modules/.lock-digest; then
    say "npm ci (tests/sarif-validator)"
    npm ci --prefix tests/sarif-validator --no-audit --no-fund --silent
    write_stamp tests/sarif-validator/package-lock.json tests/sarif-validator/node_modules/.lock-digest
fi

# tests/guard.rs runs cfn-guard with AWS Control Tower's Guard rules: both
# come in one npm package (a prebuilt cfn-guard; building it from crates.io
# takes minutes), pinned with its checksum in tests/guard/package-lock.json.
if ! stamp_matches tests/guard/package-lock.json tests/guard/node_modules/.lock-digest; then
    say "npm ci (tests/guard)"
    npm ci --prefix tests/guard --no-audit --no-fund --silent
    write_stamp tests/guard/package-lock.json tests/guard/node_modules/.lock-digest
fi

# cfn-lint lints every template, moto takes a deploy of the examples, botocore
# validates the pipeline declarations, pre-commit runs the README's hooks,
# the AWS CLI carries `dlc deploy`'s calls (tests/deploy_cli.rs).
venv=.venv
if [ ! -x "$venv/bin/python3" ]; then
    say "python3 -m venv $venv"
    python3 -m venv "$venv" 2>/dev/null || {
        apt_install python3-venv
        python3 -m venv "$venv"
    }
fi
if ! stamp_matches tests/requirements.txt "$venv/.requirements-digest"; then
    say "pip install -r tests/requirements.txt (into $venv)"
    "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
    write_stamp tests/requirements.txt "$venv/.requirements-digest"
fi
# checkov pins a boto3 of its own: it gets an environment of its own.
if [ ! -x .venv-checkov/bin/python3 ]; then
    say "python3 -m venv .venv-checkov"
    python3 -m venv .venv-checkov
fi
if ! stamp_matches tests/requirements-checkov.txt .venv-checkov/.requirements-digest; then
    say "pip install -r tests/requirements-checkov.txt (into .venv-checkov)"
    .venv-checkov/bin/python3 -m pip install --quiet --disable-pip-version-check -r tests/requirements-checkov.txt
    write_stamp tests/requirements-checkov.txt .venv-checkov/.requirements-digest
fi
# The tests find the tools in the two environments (tests/common); PATH gets
# the first, for the scripts they start.
PATH="$PWD/$venv/bin:$PATH"
export PATH
for tool in "$venv/bin/cfn-lint" "$venv/bin/moto_server" "$venv/bin/aws" "$venv/bin/pre-commit" .venv-checkov/bin/checkov; do
    [ -x "$tool" ] || { echo "$tool is missing after installing the test requirements" >&2; exit 1; }
done
tools_done=$SECONDS

# --- Formatting and lints ----------------------------------------------------

say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy --all-targets"
cargo clippy --all-targets --quiet -- -D warnings
lints_done=$SECONDS

# --- Every test binary -------------------------------------------------------

# --all-targets runs the benches too, once each on small inputs, in the test
# profile: they prove the benches still work and assert no timings.
# --no-fail-fast: one failing binary must not hide the others.
say "cargo test --all-targets --no-fail-fast"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --all-targets --no-fail-fast 2>&1 | tee "$log" || status=$?
tests_done=$SECONDS

# The closing lines: how many binaries ran, which failed (cargo names each
# as `--test NAME`, `--lib`, ...), then one total for the whole suite.
binaries=$(grep -c '^ *Running ' "$log" || true)
failed_binaries=$(grep -o 'to rerun pass `[^`]*`' "$log" | sed 's/.*`\(.*\)`/\1/' | sort -u | paste -sd',' - | sed 's/,/, /g' || true)
printf '\ntimes: tools %ds, fmt and clippy %ds, build and tests %ds\n' \
    "$((tools_done - started))" "$((lints_done - tools_done))" "$((tests_done - lints_done))"
printf 'test binaries run: %d\n' "$binaries"
if [ -n "$failed_binaries" ]; then
    printf 'test binaries that failed: %s\n' "$failed_binaries"
elif [ "$status" != 0 ]; then
    printf 'cargo test failed before or between test binaries (see above)\n'
fi
awk '/^test result:/ { passed += $4; failed += $6; ignored += $8 }
     END { printf "total: %d passed, %d failed, %d skipped\n", passed, failed, ignored }' "$log"
exit "$status"

#!/usr/bin/env bash
# The whole test suite, on a fresh machine: install what the tests drive
# (when missing), check formatting and lints, then run `cargo test`.
# README.md gives this command; CI runs it through .ci/run.
set -euo pipefail
export CARGO_TERM_COLOR=never
cd "$(dirname "$0")/.."

apt_updated=0
apt_install() {
    if [ "$apt_updated" = 0 ]; then
        apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The editor tests drive a real Vim (vim-tiny has no syntax support) and Node.
if ! command -v vim >/dev/null || ! vim --version | grep -q '+syntax'; then
    apt_install vim
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm
fi
npm ci --prefix editors/tests --no-audit --no-fund --silent

# The codegen tests lint every template with cfn-lint and deploy the examples
# into moto's CloudFormation emulation.
python3 -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
# A pyenv Python puts new console scripts (cfn-lint) on PATH only after a
# rehash; any other Python may install them where PATH does not look.
if command -v pyenv >/dev/null; then pyenv rehash; fi
PATH="$PATH:$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
export PATH
command -v cfn-lint >/dev/null || { echo "cfn-lint is not on PATH after installing it" >&2; exit 1; }

cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings

# The benchmarks run once on small inputs, to prove they still work; they
# assert no timings.
DLC_BENCH_QUICK=1 cargo bench --bench compiler -- --sample-count 1 --sample-size 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test 2>&1 | tee "$log" || status=$?
# One closing line for the whole suite, also when it fails; then its status.
awk '/^test result:/ { passed += $4; failed += $6; ignored += $8 }
     END { printf "total: %d passed, %d failed, %d skipped\n", passed, failed, ignored }' "$log"
exit "$status"

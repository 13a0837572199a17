#!/usr/bin/env bash
# Release builds of the three tenant Lambdas, each zipped as `bootstrap` for the provided.al2023
# runtime, into the folder Terraform reads:
#
#   scripts/package-lambdas.sh            # -> terraform/build/tenant-{registration,provisioning,status-checker}.zip
#
# Environment:
#   LAMBDA_PACKAGE_DIR  output folder (default terraform/build)
#   LAMBDA_TARGET       Rust target triple (default: the host's, x86_64-unknown-linux-gnu here)
#   CARGO_TARGET_DIR    cargo's build folder (default /var/tmp/flowc-target, as scripts/test.sh)
#   LAMBDA_MAX_GLIBC    newest glibc symbol version allowed (default 2.34, Amazon Linux 2023's)
#
# The situation offline, honestly: only the host target (x86_64-unknown-linux-gnu) is installed
# and rustup cannot download others here, so there is no musl or arm64 build. A glibc binary built
# on a newer distribution runs on al2023 (glibc 2.34) only if it references no newer glibc symbol
# versions, so every binary is checked with objdump and the script fails if one needs more than
# LAMBDA_MAX_GLIBC. Where the musl target can be installed (`rustup target add
# x86_64-unknown-linux-musl` or aarch64-unknown-linux-musl for arm64, with cargo-zigbuild or a
# musl/cross C compiler for ring), set LAMBDA_TARGET to it: static binaries have no glibc question.
set -euo pipefail
cd "$(dirname "$0")/.."

functions=(tenant-registration tenant-provisioning tenant-status-checker)
out=${LAMBDA_PACKAGE_DIR:-terraform/build}
target=${LAMBDA_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
max_glibc=${LAMBDA_MAX_GLIBC:-2.34}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/flowc-target}

# provided.al2023 runs Linux ELF executables only. On macOS or Windows the host target would
# build a binary Lambda cannot start (it fails at the first invocation with Runtime.InvalidEntrypoint
# or an exec format error), so refuse before building anything.
case "$target" in
    x86_64-*-linux-*|aarch64-*-linux-*) ;;
    *)
        echo "error: $target is not an x86_64 or aarch64 Linux target; Lambda's provided.al2023 runtime" \
             "runs Linux executables only. Set LAMBDA_TARGET=x86_64-unknown-linux-musl (or" \
             "aarch64-unknown-linux-musl with lambda_architecture = \"arm64\") and a linker for it" \
             "(cargo-zigbuild); see the header of this script." >&2
        exit 2
        ;;
esac

packages=()
for fn in "${functions[@]}"; do packages+=(-p "$fn"); done
echo "==> cargo build --release --target $target ${packages[*]}" >&2
cargo build --release --target "$target" "${packages[@]}"

mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# Is version $1 newer than version $2?
newer() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n1)" = "$1" ]; }

for fn in "${functions[@]}"; do
    binary="$CARGO_TARGET_DIR/$target/release/$fn"
    [ -x "$binary" ] || { echo "error: $binary was not built" >&2; exit 1; }
    if [[ "$target" == *-linux-gnu ]]; then
        needed=$(objdump -T "$binary" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)
        if [ -n "$needed" ] && newer "$needed" "$max_glibc"; then
            echo "error: $fn needs glibc $needed but provided.al2023 has $max_glibc;" \
                 "build on an older glibc or use a musl target (see the header of this script)" >&2
            exit 1
        fi
        echo "    $fn: newest glibc symbol $needed (limit $max_glibc)" >&2
    fi
    rm -f "$stage/bootstrap"
    cp "$binary" "$stage/bootstrap"
    strip "$stage/bootstrap" 2>/dev/null || true
    chmod 755 "$stage/bootstrap"
    # A fixed timestamp keeps the zip byte-identical for identical binaries, so Terraform's
    # source_code_hash only changes when the code does.
    touch -d '2000-01-01T00:00:00Z' "$stage/bootstrap"
    rm -f "$out/$fn.zip"
    (cd "$stage" && zip -q -X "$out/$fn.zip" bootstrap)
    echo "    $out/$fn.zip ($(du -k "$out/$fn.zip" | cut -f1) KiB)" >&2
done

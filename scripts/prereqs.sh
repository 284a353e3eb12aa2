#!/usr/bin/env bash
# Checks the build prerequisites of ringcast and installs what is missing on
# Debian/Ubuntu. HiGHS (the LP/MIP solver) is built from source by the `highs-sys`
# crate: it needs cmake and a C++ compiler, and its bindings need libclang.
set -euo pipefail

missing=()
command -v cargo >/dev/null 2>&1 || { echo "error: cargo not found; install Rust from https://rustup.rs first" >&2; exit 1; }
# `make test` checks formatting and lints: rustfmt and clippy come with rustup.
for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    if command -v rustup >/dev/null 2>&1; then
      echo "installing the Rust component $component" >&2
      rustup component add "$component" >&2
    else
      echo "error: cargo $component is missing and rustup is not found; install the $component component" >&2
      exit 1
    fi
  fi
done
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v c++ >/dev/null 2>&1 || missing+=(g++)
have_libclang() {
  local f
  # libclang.so or libclang-NN.so (not libclang-cpp.so, which bindgen cannot use
  # and which a plain LLVM install brings along).
  for f in "${LIBCLANG_PATH:-/nonexistent}"/libclang{.so,-[0-9]*.so}* /usr/lib/llvm-*/lib/libclang{.so,-[0-9]*.so}* \
    /usr/lib/*-linux-gnu/libclang{.so,-[0-9]*.so}*; do
    [ -e "$f" ] && return 0
  done
  return 1
}
have_libclang || missing+=(libclang-dev)
# The notebooks run under `make test` with Python 3 and pip.
command -v python3 >/dev/null 2>&1 || missing+=(python3)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)

# The HTML report's test opens report.html in headless Chromium. Installing it
# is best effort: without a browser that one test says so and skips.
install_browser() {
  for b in chromium chromium-headless-shell google-chrome; do
    command -v "$b" >/dev/null 2>&1 && return 0
  done
  [ -n "${RINGCAST_CHROMIUM:-}" ] && [ -x "$RINGCAST_CHROMIUM" ] && return 0
  command -v apt-get >/dev/null 2>&1 || { echo "note: no headless Chromium; the report's browser test will skip" >&2; return 0; }
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo="sudo" || { echo "note: not root; the report's browser test will skip (apt-get install chromium)" >&2; return 0; }
  fi
  echo "installing chromium (headless browser for the report's test) with apt-get" >&2
  if $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null; then
    echo "installed: chromium" >&2
  else
    echo "note: could not install chromium; the report's browser test will skip" >&2
  fi
}
if [ "${1:-}" = "--with-browser" ]; then
  install_browser
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "ringcast needs: ${missing[*]} (to build the HiGHS solver from source)" >&2
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "error: not root and no sudo; run as root: apt-get install -y ${missing[*]}" >&2; exit 1
    fi
  fi
  echo "installing with apt-get: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  echo "installed: ${missing[*]}" >&2
else
  cat >&2 <<MSG
error: cannot install automatically on this system (no apt-get). Please install:
  - cmake (>= 3.15) and a C++ compiler
  - libclang (LLVM's C library; set LIBCLANG_PATH to its folder if it is not found)
  Fedora: dnf install cmake gcc-c++ clang-devel     macOS: brew install cmake llvm
MSG
  exit 1
fi

#!/usr/bin/env bash
# The system packages the project needs beyond Node and npm, in ONE list used by
# `npm test` (tools/test.sh), `npm start` (tools/stack/start.ts) and CI (.ci/run).
#
#   bash tools/setup/systemPackages.sh <test|start|ci>
#
# Checks what the purpose needs. When something is missing it installs it with
# apt-get if it can (root and apt-get present), otherwise it stops at once and
# prints the exact command to run, so a suite never half-runs.
#
# Environment:
#   IOTLAB_SETUP_NO_INSTALL=1             never install; only report (exit 1 when something is missing)
#   IOTLAB_SETUP_SIMULATE_MISSING=a,b     treat these checks as failing (ids below; for testing this script)
#   JAVA, PYTHON                          the Java and Python the emulators will use (as tools/stack reads them)
set -uo pipefail

purpose="${1:-test}"
case "$purpose" in
  test | ci | start) ;;
  *)
    echo "systemPackages: unknown purpose \"$purpose\" (use test, start or ci)" >&2
    exit 2
    ;;
esac

JAVA_BIN="${JAVA:-java}"
PYTHON_BIN="${PYTHON:-python3}"
CHROMIUM_BIN=/usr/bin/chromium # tests/e2e launches Debian's Chromium from here, never a downloaded browser
MIN_JAVA=17
MIN_GO_FOR_TOOLCHAIN=21 # go >= 1.21 fetches the toolchain tests/conformance/go.mod asks for from the Go module proxy

simulated() { [[ ",${IOTLAB_SETUP_SIMULATE_MISSING:-}," == *",$1,"* ]]; }

java_major() {
  # `java -version` prints e.g. openjdk version "17.0.15" (or "1.8.0_402" for Java 8) on stderr.
  local line
  line="$("$JAVA_BIN" -version 2>&1 | head -n 1)" || return 1
  [[ "$line" =~ \"([0-9]+)(\.([0-9]+))? ]] || return 1
  if [[ "${BASH_REMATCH[1]}" == 1 ]]; then echo "${BASH_REMATCH[3]}"; else echo "${BASH_REMATCH[1]}"; fi
}

# Each check: succeeds when the requirement is met.
has_java() {
  local major
  major="$(java_major)" && ((major >= MIN_JAVA))
}
has_python_venv() { "$PYTHON_BIN" -c 'import ensurepip, venv' >/dev/null 2>&1; }
has_chromium() { [[ -x "$CHROMIUM_BIN" ]]; }
has_arm64_strip() { command -v aarch64-linux-gnu-strip >/dev/null 2>&1; }
go_minor() {
  local version
  version="$(go env GOVERSION 2>/dev/null)" || return 1 # e.g. go1.26.8
  [[ "$version" =~ ^go1\.([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}
has_go() {
  local minor
  minor="$(go_minor)" && ((minor >= MIN_GO_FOR_TOOLCHAIN))
}

# id | purposes (comma list) | Debian package ('-' = not from apt) | what needs it
REQUIREMENTS=(
  "java|test,ci,start|default-jre-headless|Java ${MIN_JAVA}+ for DynamoDB Local and the Kafka broker"
  "maven|test,ci,start|maven|Maven to fetch the Kafka broker's jars from Maven Central once (tools/stack/kafkaBroker.ts)"
  "python-venv|test,ci,start|python3-venv|Python's venv module for the S3 server (moto) venv under .data/"
  "arm64-strip|test,ci,start|binutils-aarch64-linux-gnu|strip for the arm64 backend executable (npm run build)"
  "chromium|test,ci|chromium|headless Chromium for the browser tests (${CHROMIUM_BIN})"
  "go|test,ci|-|Go 1.${MIN_GO_FOR_TOOLCHAIN}+ for the conformance suite (it fetches the exact toolchain of tests/conformance/go.mod)"
)

check() {
  local id="$1"
  simulated "$id" && return 1
  case "$id" in
    java) has_java ;;
    maven) command -v "${MVN:-mvn}" >/dev/null 2>&1 ;;
    python-venv) has_python_venv ;;
    arm64-strip) has_arm64_strip ;;
    chromium) has_chromium ;;
    go) has_go ;;
  esac
}

missing_ids=()
missing_packages=()
not_from_apt=()
find_missing() {
  missing_ids=()
  missing_packages=()
  not_from_apt=()
  local entry id purposes package why
  for entry in "${REQUIREMENTS[@]}"; do
    IFS='|' read -r id purposes package why <<<"$entry"
    [[ ",$purposes," == *",$purpose,"* ]] || continue
    check "$id" && continue
    missing_ids+=("$id")
    echo "systemPackages: missing $id: $why" >&2
    if [[ "$package" == - ]]; then
      not_from_apt+=("$id")
    else
      # python3 itself may be absent too; its venv package alone would not help then.
      [[ "$id" == python-venv ]] && ! command -v "$PYTHON_BIN" >/dev/null 2>&1 && missing_packages+=(python3)
      missing_packages+=("$package")
    fi
  done
}

explain_not_from_apt() {
  local id
  for id in "${not_from_apt[@]}"; do
    case "$id" in
      go) echo "  Go: install Go 1.${MIN_GO_FOR_TOOLCHAIN} or newer from https://go.dev/dl/ (Debian's golang-go may be older)." ;;
    esac
  done
}

find_missing
if ((${#missing_ids[@]} == 0)); then
  echo "systemPackages: everything $purpose needs is installed"
  exit 0
fi

apt_command="apt-get update && apt-get install -y ${missing_packages[*]}"
can_install=true
reason=""
if [[ "${IOTLAB_SETUP_NO_INSTALL:-}" == 1 ]]; then
  can_install=false
  reason="IOTLAB_SETUP_NO_INSTALL=1"
elif [[ "$(id -u)" != 0 ]]; then
  can_install=false
  reason="not root"
  apt_command="sudo apt-get update && sudo apt-get install -y ${missing_packages[*]}"
elif ! command -v apt-get >/dev/null 2>&1; then
  can_install=false
  reason="no apt-get on this machine"
fi

# Something apt cannot provide: say everything at once rather than install half of it first.
if ((${#not_from_apt[@]} > 0)) || [[ "$can_install" == false ]]; then
  echo "systemPackages: cannot continue${reason:+ ($reason)}. Install what is missing, then run this again:" >&2
  if ((${#missing_packages[@]} > 0)); then
    if command -v apt-get >/dev/null 2>&1; then
      echo "  $apt_command" >&2
    else
      echo "  Debian/Ubuntu packages: ${missing_packages[*]} (or the same tools from your system's package manager)" >&2
    fi
  fi
  explain_not_from_apt >&2
  exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "systemPackages: installing ${missing_packages[*]} (root, apt-get; output in case of failure only)..."
started=$SECONDS
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt run (unattended upgrades, a parallel job) instead of failing on its lock.
if ! { apt-get -o DPkg::Lock::Timeout=300 update -qq &&
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing_packages[@]}"; } >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "systemPackages: apt-get failed; the command was: $apt_command" >&2
  exit 1
fi
echo "systemPackages: installed in $((SECONDS - started)) s"

find_missing
if ((${#missing_ids[@]} > 0)); then
  echo "systemPackages: still missing after apt-get: ${missing_ids[*]}" >&2
  explain_not_from_apt >&2
  exit 1
fi
echo "systemPackages: everything $purpose needs is installed"

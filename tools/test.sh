#!/usr/bin/env bash
# The project's whole test suite, as README and CI run it (`npm test`):
# static checks (types, lint, formatting, dead code), unit tests (documentation examples
# compile and references resolve: tools/doc-checks), the build, integration tests against real
# emulators, the built UI in headless Chromium, and the Go conformance suite that drives the built executable
# through Grafana's own plugin client. Ends with one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."

# System packages first (Java, Chromium, python3-venv, …): installed when possible, else stop here with the command.
bash tools/setup/systemPackages.sh test || exit 1

reports="$(mktemp -d)"
failed_steps=()

# The shared test services (DynamoDB Local + moto, seeded with the simulator's labelled data):
# started once for e2e, integration and conformance, stopped on exit (tools/stack/testServices.ts).
services_pid=""
start_test_services() {
  local env_file="$reports/test-services.env"
  ./node_modules/.bin/tsx tools/stack/testServices.ts --kafka --write-env "$env_file" >/dev/null 2>"$reports/test-services.log" &
  services_pid=$!
  for _ in $(seq 1 240); do
    if grep -q '^# READY' "$env_file" 2>/dev/null; then
      set -a
      # shellcheck disable=SC1090
      . "$env_file"
      set +a
      export IOTLAB_REQUIRE_TEST_SERVICES=1
      tail -n 4 "$reports/test-services.log"
      return 0
    fi
    if ! kill -0 "$services_pid" 2>/dev/null; then
      cat "$reports/test-services.log"
      return 1
    fi
    sleep 1
  done
  cat "$reports/test-services.log"
  return 1
}
stop_test_services() {
  if [ -n "$services_pid" ] && kill -0 "$services_pid" 2>/dev/null; then
    kill "$services_pid" 2>/dev/null
    wait "$services_pid" 2>/dev/null
  fi
}
trap 'stop_test_services; rm -rf "$reports"' EXIT

step() {
  local name="$1"
  shift
  echo
  echo "=== ${name}: $*"
  local started=$SECONDS
  if "$@"; then
    echo "=== ${name}: ok ($((SECONDS - started)) s)"
  else
    echo "=== ${name}: FAILED ($((SECONDS - started)) s)"
    failed_steps+=("$name")
  fi
}

e2e() {
  npm run --silent e2e 2>&1 | tee "$reports/e2e.txt"
}

conformance() {
  (cd tests/conformance && go test -count=1 -v ./...) 2>&1 | tee "$reports/conformance.txt"
}

step typecheck npx tsc --noEmit -p .
step lint npx eslint --cache .
# Unformatted code (.prettierignore says what is not checked) and dead files, exports and dependencies (knip.jsonc).
step format npx prettier --check .
step dead-code npx knip --no-progress
step unit npx jest --ci --json --outputFile="$reports/unit.json"
step build npm run --silent build
step services start_test_services
step e2e e2e
step integration npx jest --ci -c tests/integration/jest.config.js --json --outputFile="$reports/integration.json"
# The Kafka worker under faults (its own broker and S3 server): broker restart, killed worker, two workers.
step faults npx jest --ci -c tests/faults/jest.config.js --json --outputFile="$reports/faults.json"
step conformance conformance

node tools/test-summary.mjs "$reports" "${failed_steps[@]+"${failed_steps[@]}"}"

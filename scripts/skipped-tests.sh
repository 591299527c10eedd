#!/usr/bin/env bash
# Lists every skipped gtest case in a ctest log, with the ctest entry (test binary) it ran in and
# the reason its GTEST_SKIP gave, then a count line. ctest runs one entry per binary and shows a
# binary whose cases skipped as "Passed"; this makes the skips visible in CI's log.
# Usage: bash scripts/skipped-tests.sh [build/Testing/Temporary/LastTest.log]
set -euo pipefail
log="${1:-build/Testing/Temporary/LastTest.log}"
if [ ! -r "$log" ]; then
  echo "skipped-tests: no ctest log at $log" >&2
  exit 1
fi
# LastTest.log holds each entry's full output as one block headed "<i>/<n> Testing: <entry>".
# gtest prints a skip as "<file>:<line>: Skipped", the message lines, then
# "[  SKIPPED ] Suite.Case (<n> ms)"; the closing list repeats names without "(<n> ms)".
# A skip in SetUpTestSuite prints its message once before the suite's cases, so a reason read
# outside any case stays pending for the cases that follow.
awk '
  function flush_reason(r) { gsub(/\n+$/, "", r); gsub(/\n/, " / ", r); return r }
  /^[0-9]+\/[0-9]+ Testing: / { entry = $3; reason = ""; in_skip = 0; in_case = 0; next }
  /^\[ RUN      \] / { if (!suite_skip) reason = ""; in_skip = 0; in_case = 1; next }
  /: Skipped$/ { in_skip = 1; reason = ""; suite_skip = !in_case; next }
  /^\[  SKIPPED \] [^ ]+ \([0-9]+ ms\)$/ {
    r = flush_reason(reason); if (r == "") r = "(no reason given)"
    printf "  SKIPPED %-28s %s: %s\n", entry, $4, r
    count++; in_skip = 0; in_case = 0; if (!suite_skip) reason = ""; next
  }
  /^\[(       OK |  FAILED  )\] / { in_skip = 0; in_case = 0; suite_skip = 0; reason = ""; next }
  /^\[----------\] .* \(.*total\)$/ { suite_skip = 0; reason = ""; in_skip = 0; next }
  /^\[/ { in_skip = 0; next }
  in_skip { reason = reason $0 "\n" }
  END { printf "%d gtest case(s) skipped\n", count }
' "$log"

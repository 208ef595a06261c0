#!/bin/bash
# Prints the offline plan's summary of one stack and appends it to the job summary as a code block;
# exits with the plan's own status (0 pass, 1 a check fails, 2 no plan). Needs build/bin/plan (make build/bin/plan).
set -u
stack=${1:?usage: plan-summary.sh STACK}
build/bin/plan -stack "$stack" > "plan-$stack.txt"
rc=$?
cat "plan-$stack.txt"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  { echo "### Offline plan, $stack (exit $rc)"; echo '```text'; cat "plan-$stack.txt"; echo '```'; } >> "$GITHUB_STEP_SUMMARY"
fi
exit "$rc"

#!/bin/bash
# Posts (or updates) one pull request comment per stack with the checks' summary of a real preview:
#   preview-comment.sh STACK EXIT SUMMARY_FILE FULL_FILE
# The summary is always included; the full listing fills what is left of GitHub's comment limit of
# 65,536 characters (the API answers "Body is too long (maximum is 65536 characters)",
# https://github.com/telia-oss/github-pr-resource/issues/259), kept under 60,000 bytes so multi-byte
# characters cannot push it over. Needs GH_TOKEN, GITHUB_REPOSITORY and PR (the pull request number).
set -euo pipefail
stack=$1 rc=$2 summary=$3 full=$4
limit=60000
marker="<!-- private-api preview: $stack -->"
case $rc in
  0) verdict="checks pass" ;;
  1) verdict="a check FAILS" ;;
  *) verdict="no plan (exit $rc): see the job log" ;;
esac

body=$(mktemp)
trap 'rm -f "$body"' EXIT
{
  echo "$marker"
  echo "### pulumi preview of \`$stack\`: $verdict"
  echo '```text'
  head -c "$limit" "$summary"
  echo '```'
} > "$body"
left=$(( limit - $(wc -c < "$body") - 200 ))
if [ "$left" -gt 0 ] && [ -s "$full" ]; then
  {
    echo "<details><summary>Every resource, the cost tables and every check</summary>"
    echo
    echo '```text'
    head -c "$left" "$full" | sed '$d'
    echo '```'
    if [ "$(wc -c < "$full")" -gt "$left" ]; then
      echo "(cut to fit GitHub's comment limit: the job log has all of it)"
    fi
    echo "</details>"
  } >> "$body"
fi

existing=$(gh api "repos/$GITHUB_REPOSITORY/issues/$PR/comments" --paginate \
  --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)
if [ -n "$existing" ]; then
  gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$existing" -F "body=@$body" > /dev/null
else
  gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$PR/comments" -F "body=@$body" > /dev/null
fi

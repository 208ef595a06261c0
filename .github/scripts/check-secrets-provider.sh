#!/bin/bash
# Stops a CI job before Pulumi runs when STACK has no secrets provider of its own:
#   check-secrets-provider.sh STACK
# Reads SECRETS_PROVIDER (the stack's repository variable PULUMI_SECRETS_PROVIDER_<STACK>) and
# PULUMI_BACKEND_URL. Pulumi Cloud (no backend URL, or https://) keeps a key per stack itself, so the
# variable is optional there. A self-managed backend would otherwise fall back to the passphrase
# provider, which CI no longer holds: one shared passphrase would decrypt every stack's secrets.
set -euo pipefail
stack=${1:?usage: check-secrets-provider.sh STACK}
provider=${SECRETS_PROVIDER:-}
var="PULUMI_SECRETS_PROVIDER_$(echo "$stack" | tr '[:lower:]-' '[:upper:]_')"

case $provider in
  passphrase*)
    echo "::error::$var is '$provider': CI holds no passphrase; set it to the stack's own key, for example awskms://alias/private-api-$stack?region=eu-west-1 (README, CI)"
    exit 1 ;;
esac
case ${PULUMI_BACKEND_URL:-} in
  "" | https://*) exit 0 ;;
esac
if [ -z "$provider" ]; then
  echo "::error::repository variable $var is not set: a self-managed backend ($PULUMI_BACKEND_URL) needs a secrets provider per stack, for example awskms://alias/private-api-$stack?region=eu-west-1 (README, CI)"
  exit 1
fi

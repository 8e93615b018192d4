#!/bin/sh
# Creates the namespace and the product's search attributes once the server is healthy; safe to re-run.
set -eu
temporal operator namespace describe -n default >/dev/null 2>&1 || temporal operator namespace create -n default --retention 30d
for attribute in PnoRoutine PnoTargetNamespace PnoApproval; do
  temporal operator search-attribute create -n default --name "$attribute" --type Keyword || true
done

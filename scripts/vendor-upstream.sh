#!/usr/bin/env bash
# Copies the upstream reference data the tests validate against into vendor/upstream/, unmodified.
# A clean refresh: vendor/upstream/ is emptied first (but for the kubernetes-* folders of
# scripts/vendor-kubernetes.sh), so a file dropped from the list below goes too.
#
#   npm run vendor                          # from ../shared/upstream (relative to the repo root)
#   UPSTREAM=/path/to/upstream npm run vendor
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

UPSTREAM="${UPSTREAM:-../shared/upstream}"
DEST="vendor/upstream"

FILES=(
  README.md
  external-secrets-2.9.0/crds/external-secrets.io_secretstores.yaml
  external-secrets-2.9.0/crds/external-secrets.io_externalsecrets.yaml
  external-secrets-2.9.0/values.schema.json
  external-secrets-2.9.0/values.yaml
  external-secrets-2.9.0/metrics.md
  secrets-store-csi-driver-1.6.0/crds/secrets-store.csi.x-k8s.io_secretproviderclasses.yaml
  secrets-store-csi-driver-1.6.0/values.yaml
  csi-secrets-store-provider-azure-1.8.2/values.yaml
  prometheus-operator-0.93.0/crds/monitoring.coreos.com_servicemonitors.yaml
  prometheus-operator-0.93.0/crds/monitoring.coreos.com_podmonitors.yaml
  prometheus-operator-0.93.0/crds/monitoring.coreos.com_prometheusrules.yaml
)

if [[ ! -d "$UPSTREAM" ]]; then
  echo "vendor-upstream: no upstream folder at $UPSTREAM (set UPSTREAM)" >&2
  exit 1
fi
missing=0
for f in "${FILES[@]}"; do
  if [[ ! -f "$UPSTREAM/$f" ]]; then
    echo "vendor-upstream: missing $UPSTREAM/$f" >&2
    missing=1
  fi
done
# Check everything before removing anything, so a bad UPSTREAM leaves the old copy in place.
if [[ "$missing" -ne 0 ]]; then exit 1; fi

# Kubernetes' OpenAPI documents come from elsewhere (scripts/vendor-kubernetes.sh): they stay.
mkdir -p "$DEST"
find "$DEST" -mindepth 1 -maxdepth 1 ! -name 'kubernetes-*' ! -name 'gmp-*' ! -name 'azmonitoring-*' -exec rm -rf {} +
for f in "${FILES[@]}"; do
  mkdir -p "$DEST/$(dirname "$f")"
  cp "$UPSTREAM/$f" "$DEST/$f"
  echo "copied $UPSTREAM/$f -> $DEST/$f"
done

#!/usr/bin/env bash
# Copies Kubernetes' published OpenAPI v3 documents (api/openapi-spec/v3/ of kubernetes/kubernetes)
# into vendor/upstream/kubernetes-<label>/, unmodified. The tests validate the admission guard's
# objects against them (__tests__/admission-guard.test.ts).
#
#   KUBERNETES_SRC=/path/to/kubernetes KUBERNETES_REF=v1.33.0 bash scripts/vendor-kubernetes.sh
#   KUBERNETES_SRC=<base URL of raw files> KUBERNETES_REF=v1.33.0 bash scripts/vendor-kubernetes.sh
#
# KUBERNETES_SRC    a clone of kubernetes/kubernetes (read with `git show <ref>:<path>`, so its work
#                   tree may be at any commit), or a base URL under which <ref>/<path> is the raw
#                   file (GitHub's raw-file host serves that layout for kubernetes/kubernetes).
# KUBERNETES_REF    the tag or commit to copy from (required).
# KUBERNETES_LABEL  folder suffix. Default: the tag without its "v" (1.33.0), or the first 8
#                   characters of a commit.
# KUBERNETES_FILES  file names under api/openapi-spec/v3/, separated by spaces. Default: the
#                   admissionregistration.k8s.io/v1 document. Add api__v1_openapi.json for core/v1
#                   (about 1.8 MB).
#
# Writes SOURCE.md in the folder: the upstream path, the commit or tag, and each file's git blob
# id, which equals `git rev-parse <ref>:api/openapi-spec/v3/<file>` in any clone.
# scripts/vendor-upstream.sh (npm run vendor) leaves kubernetes-* folders in place.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

SRC="${KUBERNETES_SRC:?set KUBERNETES_SRC to a kubernetes/kubernetes clone or a base URL of raw files}"
REF="${KUBERNETES_REF:?set KUBERNETES_REF to a tag (v1.33.0) or a commit}"
SPEC_DIR="api/openapi-spec/v3"
read -r -a FILES <<<"${KUBERNETES_FILES:-apis__admissionregistration.k8s.io__v1_openapi.json}"

if [[ -n "${KUBERNETES_LABEL:-}" ]]; then
  LABEL="$KUBERNETES_LABEL"
elif [[ "$REF" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then
  LABEL="${REF#v}"
else
  LABEL="${REF:0:8}"
fi
DEST="vendor/upstream/kubernetes-${LABEL}"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

if [[ -d "$SRC" ]]; then
  COMMIT="$(git -C "$SRC" rev-parse --verify "${REF}^{commit}")"
  echo "vendor-kubernetes: $SRC at $REF ($COMMIT)"
else
  COMMIT="$REF"
  echo "vendor-kubernetes: ${SRC%/}/$REF"
fi

# Fetch and check everything before replacing anything, so a bad source leaves the old copy.
for f in "${FILES[@]}"; do
  if [[ -d "$SRC" ]]; then
    git -C "$SRC" show "$COMMIT:$SPEC_DIR/$f" >"$TMP/$f"
  else
    curl --fail --silent --show-error --location "${SRC%/}/$REF/$SPEC_DIR/$f" --output "$TMP/$f"
  fi
  node -e '
    const doc = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    if (!/^3\./.test(doc.openapi) || !doc.components || !doc.components.schemas) throw new Error(process.argv[1] + ": not an OpenAPI 3 document with components.schemas");
  ' "$TMP/$f"
done

rm -rf "$DEST"
mkdir -p "$DEST"
{
  echo "# kubernetes-${LABEL}"
  echo
  echo "Unmodified upstream data, written by \`scripts/vendor-kubernetes.sh\` (not by \`npm run vendor\`, which"
  echo "keeps this folder)."
  echo
  echo "- Upstream: kubernetes/kubernetes, $SPEC_DIR/ at $REF"
  echo "- Commit: $COMMIT"
} >"$TMP/SOURCE.md"
for f in "${FILES[@]}"; do
  cp "$TMP/$f" "$DEST/$f"
  echo "- $f: git blob $(git hash-object "$DEST/$f")" >>"$TMP/SOURCE.md"
  echo "copied $SPEC_DIR/$f -> $DEST/$f (blob $(git hash-object "$DEST/$f"), commit or tag $COMMIT)"
done
cp "$TMP/SOURCE.md" "$DEST/SOURCE.md"

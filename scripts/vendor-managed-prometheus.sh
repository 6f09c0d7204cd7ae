#!/usr/bin/env bash
# Copies the CustomResourceDefinitions of the two managed-Prometheus flavours into vendor/upstream/,
# unmodified, one CRD per file, for the tests to validate generated objects against:
#   - Google Cloud Managed Service for Prometheus (GKE), monitoring.googleapis.com:
#     GoogleCloudPlatform/prometheus-engine, charts/operator/crds/
#     -> vendor/upstream/gmp-<label>/crds/
#   - Azure Monitor managed service for Prometheus (AKS), azmonitoring.coreos.com:
#     Azure/prometheus-collector, otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/templates/
#     -> vendor/upstream/azmonitoring-<label>/crds/
#
#   bash scripts/vendor-managed-prometheus.sh <prometheus-engine> <prometheus-collector>
#   GMP_REF=v0.17.2 AZMON_REF=39583fd5 bash scripts/vendor-managed-prometheus.sh /src/pe /src/pc
#   bash scripts/vendor-managed-prometheus.sh /src/pe -        # GMP only ("-" or "" skips one)
#
# Needs no network: each argument is a local copy of the repository, either
#   - a git clone, or a bare git directory: files are read with `git show <commit>:<path>`, so the
#     work tree (if any) may be at any commit; or
#   - a plain snapshot (an extracted archive, no .git): files are read from the directory, and the
#     *_REF variable must say which tag or commit it is (it is recorded, not checked).
#
# GMP_REF       tag or commit of prometheus-engine. Default: its newest release tag vX.Y.Z (release
#               candidates -rc.N are not releases), or HEAD if it has none.
# AZMON_REF     tag or commit of prometheus-collector. Default: HEAD (the repository tags builds of
#               main, vX.Y.Z-main-<date>-<commit>, not releases).
# GMP_LABEL, AZMON_LABEL
#               folder suffix. Default: a release tag without its "v" (0.17.2), else the first 8
#               characters of the commit.
# GMP_FILES     file names under charts/operator/crds/, separated by spaces. Default: the
#               PodMonitoring, ClusterPodMonitoring, Rules, ClusterRules and GlobalRules CRDs (upstream
#               also has monitoring.googleapis.com_clusternodemonitorings.yaml and _operatorconfigs.yaml).
# AZMON_FILES   file names under the add-on chart's templates/, separated by spaces. Default: the
#               ServiceMonitor and PodMonitor CRDs (plain YAML despite the folder: no Helm directives,
#               which the check below enforces).
# VENDOR_DATE   date written in SOURCE.md. Default: today (UTC).
#
# Writes SOURCE.md in each folder: repository, tag, commit, the original paths, each file's git blob
# id (equal to `git rev-parse <commit>:<path>` in any clone) and the date.
# Replaces only the folders it writes; a folder of another label (an older version) is left in place.
# NOTE: scripts/vendor-upstream.sh (npm run vendor) empties vendor/upstream/ but for kubernetes-*, so
# it deletes these folders too unless it is told to keep gmp-* and azmonitoring-* as well.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ $# -ne 2 ]]; then
  echo "usage: bash scripts/vendor-managed-prometheus.sh <prometheus-engine copy|-> <prometheus-collector copy|->" >&2
  exit 2
fi

GMP_REPO="GoogleCloudPlatform/prometheus-engine"
GMP_DIR="charts/operator/crds"
GMP_GROUP="monitoring.googleapis.com"
read -r -a GMP_FILE_LIST <<<"${GMP_FILES:-monitoring.googleapis.com_podmonitorings.yaml monitoring.googleapis.com_clusterpodmonitorings.yaml monitoring.googleapis.com_rules.yaml monitoring.googleapis.com_clusterrules.yaml monitoring.googleapis.com_globalrules.yaml}"

AZMON_REPO="Azure/prometheus-collector"
AZMON_DIR="otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/templates"
AZMON_GROUP="azmonitoring.coreos.com"
read -r -a AZMON_FILE_LIST <<<"${AZMON_FILES:-ama-metrics-servicemonitor-crd.yaml ama-metrics-podmonitor-crd.yaml}"

DATE="${VENDOR_DATE:-$(date -u +%F)}"
VERSION="v1"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# Whether $1 itself is a clone's work tree or a git directory (bare, or a clone's .git), not merely a
# folder inside some other repository (a snapshot extracted into a checkout must not read that one).
is_git() {
  local d
  d="$(cd "$1" && pwd -P)" || return 1
  if [[ "$(git -C "$d" rev-parse --is-inside-git-dir 2>/dev/null)" == true ]]; then
    [[ "$(git -C "$d" rev-parse --absolute-git-dir 2>/dev/null)" == "$d" ]]
  else
    [[ "$(git -C "$d" rev-parse --show-toplevel 2>/dev/null)" == "$d" ]]
  fi
}

# stage <name> <src> <ref> <label> <repo> <dir> <group> <files...>
# Copies and checks the files into $TMP/<name>/ and writes $TMP/<name>/SOURCE.md and $TMP/<name>.dest.
stage() {
  local name="$1" src="$2" ref="$3" label="$4" repo="$5" dir="$6" group="$7"
  shift 7
  local files=("$@") commit tags="" f out

  if [[ ! -d "$src" ]]; then
    echo "vendor-managed-prometheus: $src is not a directory (a copy of $repo)" >&2
    exit 1
  fi
  if is_git "$src"; then
    commit="$(git -C "$src" rev-parse --verify "${ref}^{commit}")"
    tags="$(git -C "$src" tag --points-at "$commit" | sort -V | paste -sd ' ' -)"
    echo "vendor-managed-prometheus: $repo from $src at $ref ($commit)"
  else
    if [[ -z "$ref" || "$ref" == HEAD ]]; then
      echo "vendor-managed-prometheus: $src is not a git repository; say which tag or commit it is (GMP_REF or AZMON_REF)" >&2
      exit 1
    fi
    commit=""
    echo "vendor-managed-prometheus: $repo from the snapshot $src (stated to be $ref)"
  fi

  if [[ -z "$label" ]]; then
    if [[ "$ref" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
      label="${ref#v}"
    elif [[ -n "$commit" ]]; then
      label="${commit:0:8}"
    else
      label="${ref:0:8}"
    fi
  fi
  echo "vendor/upstream/${name}-${label}" >"$TMP/$name.dest"

  mkdir -p "$TMP/$name/crds"
  for f in "${files[@]}"; do
    out="$TMP/$name/crds/$f"
    if [[ -n "$commit" ]]; then
      git -C "$src" show "$commit:$dir/$f" >"$out"
    else
      cp "$src/$dir/$f" "$out"
    fi
    # One CustomResourceDefinition per file, of the expected group, serving v1 with a schema.
    node -e '
      const [file, group, version] = process.argv.slice(1);
      const text = require("fs").readFileSync(file, "utf8");
      if (text.includes("{{")) throw new Error(file + ": contains Helm template directives");
      const docs = require("yaml").parseAllDocuments(text).filter((d) => d.contents !== null);
      for (const d of docs) if (d.errors.length) throw new Error(file + ": " + d.errors[0].message);
      if (docs.length !== 1) throw new Error(file + ": expected one YAML document, found " + docs.length);
      const crd = docs[0].toJS();
      if (crd.kind !== "CustomResourceDefinition") throw new Error(file + ": not a CustomResourceDefinition");
      if (crd.spec?.group !== group) throw new Error(file + ": group " + crd.spec?.group + ", expected " + group);
      const v = (crd.spec.versions ?? []).find((x) => x.name === version);
      if (!v || v.served !== true || !v.schema?.openAPIV3Schema) throw new Error(file + ": no served " + version + " with schema.openAPIV3Schema");
      const served = crd.spec.versions.filter((x) => x.served).map((x) => x.name + (x.storage ? " (storage)" : ""));
      console.log(crd.spec.names.kind + ", " + crd.spec.scope + ", served: " + served.join(", "));
    ' "$out" "$group" "$VERSION" >"$out.summary"
  done

  {
    echo "# ${name}-${label}"
    echo
    echo "Unmodified upstream CustomResourceDefinitions ($group), written by"
    echo "\`scripts/vendor-managed-prometheus.sh\` (not by \`npm run vendor\`)."
    echo
    echo "- Upstream: $repo, $dir/"
    if [[ -n "$commit" ]]; then
      if [[ " $tags " == *" $ref "* ]]; then
        echo "- Tag: $ref"
      else
        echo "- Tag: ${tags:-none} (copied from: $ref)"
      fi
      echo "- Commit: $commit"
    else
      echo "- Tag or commit: $ref (stated for a snapshot without git metadata; not verified)"
    fi
    echo "- Date: $DATE"
    echo "- Files (crds/<name> is $dir/<name>):"
  } >"$TMP/$name/SOURCE.md"
  for f in "${files[@]}"; do
    echo "  - $dir/$f: $(cat "$TMP/$name/crds/$f.summary"); git blob $(git hash-object "$TMP/$name/crds/$f")" >>"$TMP/$name/SOURCE.md"
    rm "$TMP/$name/crds/$f.summary"
  done
  local refresh pin="$ref"
  if [[ -n "$commit" && " $tags " != *" $ref "* ]]; then pin="$commit"; fi
  if [[ "$name" == azmonitoring ]]; then
    echo "- $repo has no release tags: its tags (vX.Y.Z-main-<date>-<commit>) mark builds of main." >>"$TMP/$name/SOURCE.md"
  fi
  if [[ "$name" == gmp ]]; then
    refresh="GMP_REF=$pin bash scripts/vendor-managed-prometheus.sh <copy of $repo> -"
  else
    refresh="AZMON_REF=$pin bash scripts/vendor-managed-prometheus.sh - <copy of $repo>"
  fi
  printf '\nRefresh: `%s`\n' "$refresh" >>"$TMP/$name/SOURCE.md"
}

GMP_SRC="$1"
AZMON_SRC="$2"
done_any=0

# Fetch and check everything before replacing anything, so a bad source leaves the old copies.
if [[ -n "$GMP_SRC" && "$GMP_SRC" != "-" ]]; then
  ref="${GMP_REF:-}"
  if [[ -z "$ref" ]] && is_git "$GMP_SRC"; then
    ref="$(git -C "$GMP_SRC" tag --list 'v*' | grep -E '^v[0-9]+\.[0-9]+\.[0-9]+$' | sort -V | tail -n 1 || true)"
    ref="${ref:-HEAD}"
  fi
  stage gmp "$GMP_SRC" "$ref" "${GMP_LABEL:-}" "$GMP_REPO" "$GMP_DIR" "$GMP_GROUP" "${GMP_FILE_LIST[@]}"
  done_any=1
fi
if [[ -n "$AZMON_SRC" && "$AZMON_SRC" != "-" ]]; then
  ref="${AZMON_REF:-}"
  if [[ -z "$ref" ]] && is_git "$AZMON_SRC"; then ref="HEAD"; fi
  stage azmonitoring "$AZMON_SRC" "$ref" "${AZMON_LABEL:-}" "$AZMON_REPO" "$AZMON_DIR" "$AZMON_GROUP" "${AZMON_FILE_LIST[@]}"
  done_any=1
fi
if [[ "$done_any" -eq 0 ]]; then
  echo "vendor-managed-prometheus: nothing to do (both arguments are \"-\")" >&2
  exit 2
fi

for name in gmp azmonitoring; do
  [[ -f "$TMP/$name.dest" ]] || continue
  dest="$(cat "$TMP/$name.dest")"
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  cp -R "$TMP/$name" "$dest"
  for f in "$dest"/crds/*; do
    echo "copied $(basename "$f") -> $f (blob $(git hash-object "$f"))"
  done
done

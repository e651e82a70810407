#!/usr/bin/env bash
# Builds the Go programs kfed's tests and `kfed sandbox --real-apiserver` run, from the Go module
# proxy, into a cache directory outside the repository (never committed):
#   kubectl                      scripts/tools/kubectl    (k8s.io/kubectl)
#   apiserver                    scripts/tools/apiserver  (k8s.io/kubernetes: kube-apiserver,
#                                                          kube-controller-manager; its etcd)
#   external-dns                 scripts/tools/external-dns (sigs.k8s.io/external-dns v0.20.0, its
#                                                          RFC2136 provider; see its main.go)
#   kwok                         scripts/tools/kwok       (sigs.k8s.io/kwok v0.8.0: its cmd/kwok controller)
#                                and kube-scheduler       (scripts/tools/apiserver, k8s.io/kubernetes)
#                                for `kfed sandbox --real-apiserver --kwok`
# Usage: scripts/build-go-tools.sh [kubectl] [apiserver] [external-dns] [kwok]   (default: kubectl, apiserver)
# Prints the directory holding the binaries on the last line of stdout. A binary is rebuilt only
# when its module (go.mod, go.sum, main.go) changed since it was built.
# Env: KFED_TOOLS_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/kfed/bin), KFED_GO_BUILD_P (go build -p,
# default: the number of cores), KFED_GO_NICE (niceness, default 10).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${KFED_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kfed/bin}"
mkdir -p "$out"
command -v go >/dev/null 2>&1 || { echo "build-go-tools: go is not installed" >&2; exit 1; }

# The one Kubernetes release every k8s.io module is pinned at (scripts/tools/*/go.mod agree).
k8s_version="v1.37.2"
k8s_minor="${k8s_version#v1.}"; k8s_minor="${k8s_minor%%.*}"
version_ldflags="-X k8s.io/component-base/version.gitVersion=${k8s_version} \
-X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${k8s_minor} \
-X k8s.io/component-base/version.gitTreeState=clean \
-X k8s.io/client-go/pkg/version.gitVersion=${k8s_version} \
-X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=${k8s_minor}"

p="${KFED_GO_BUILD_P:-$(nproc 2>/dev/null || echo 2)}"
nice_level="${KFED_GO_NICE:-10}"

# build MODULE_DIR PACKAGE BINARY [LDFLAGS [VERSION]]   (default: the Kubernetes version flags and version)
# PACKAGE is a folder of the module holding our main.go, or an import path of a tool the module's
# go.mod names (`tool` line), built as its authors wrote it.
build() {
  local mod="$root/scripts/tools/$1" pkg="$2" bin="$3" ldflags="${4:-$version_ldflags}" version="${5:-$k8s_version}"
  local stamp target="./$2" files=("$root/scripts/tools/$1/go.mod" "$root/scripts/tools/$1/go.sum")
  case "$pkg" in *.*/*) target="$pkg" ;; *) files+=("$mod/$pkg/main.go") ;; esac
  stamp="$(cat "${files[@]}" | sha256sum | cut -c1-16)-${k8s_version}"
  if [ -x "$out/$bin" ] && [ "$(cat "$out/.$bin.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "build-go-tools: $bin is up to date in $out" >&2
    return 0
  fi
  local start=$SECONDS
  echo "build-go-tools: building $bin (${version}) into $out ..." >&2
  (cd "$mod" && CGO_ENABLED=0 nice -n "$nice_level" go build -p "$p" -trimpath \
      -ldflags "-s -w ${ldflags}" -o "$out/.$bin.tmp" "$target")
  mv -f "$out/.$bin.tmp" "$out/$bin"
  echo "$stamp" > "$out/.$bin.stamp"
  echo "build-go-tools: built $bin in $((SECONDS - start))s" >&2
}

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(kubectl apiserver)
total_start=$SECONDS
for t in "${targets[@]}"; do
  case "$t" in
    kubectl) build kubectl . kubectl ;;
    apiserver)
      build apiserver kube-apiserver kube-apiserver
      build apiserver etcd etcd
      build apiserver kube-controller-manager kube-controller-manager
      ;;
    external-dns)
      # The version external-dns reports (its Banner), pinned in scripts/tools/external-dns/go.mod.
      edns_version="$(awk '$1 == "sigs.k8s.io/external-dns" { print $2 }' "$root/scripts/tools/external-dns/go.mod")"
      build external-dns . external-dns "-X sigs.k8s.io/external-dns/pkg/apis/externaldns.Version=${edns_version:-unknown}" "${edns_version:-unknown}"
      ;;
    kwok)
      # kube-scheduler places the pods kube-controller-manager's ReplicaSets create; kwok (which does
      # not schedule) runs them on its fake Nodes. kwok pins its own k8s.io modules (its go.mod).
      build apiserver kube-scheduler kube-scheduler
      kwok_version="$(awk '$1 == "sigs.k8s.io/kwok" { print $2 }' "$root/scripts/tools/kwok/go.mod")"
      build kwok sigs.k8s.io/kwok/cmd/kwok kwok "-X sigs.k8s.io/kwok/pkg/consts.Version=${kwok_version:-unknown}" "${kwok_version:-unknown}"
      ;;
    *) echo "build-go-tools: unknown target $t (kubectl, apiserver, external-dns, kwok)" >&2; exit 2 ;;
  esac
done
echo "build-go-tools: done in $((SECONDS - total_start))s" >&2
echo "$out"

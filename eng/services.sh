#!/usr/bin/env bash
# Starts and stops the real components the integration tests talk to:
#   - a private dockerd (vfs storage, no iptables, no bridge, its own data root, exec root, pid file and socket);
#   - a distribution registry 2.8 with htpasswd basic auth over a self-signed TLS certificate on a free loopback port;
#   - the same registry served from a network namespace (10.213.N.2:5000), which dockerd treats as a secure
#     registry (Docker always treats 127.0.0.0/8 as insecure), so certificate trust can be tested for real;
#   - a registry with token authentication whose token realm the tests serve themselves;
#   - a test image made with `docker import` of a small tarball and pushed with the docker CLI;
#   - a PostgreSQL 15 cluster (Debian's postgresql) initialized in STATE_DIR/postgres, run as the postgres user (the
#     server refuses root) on a free loopback port, with a test role (scram password, CREATEDB) and its database.
#
#   eng/services.sh start STATE_DIR   installs what is missing, starts everything, writes STATE_DIR/env.sh
#   eng/services.sh stop STATE_DIR    stops everything that start started (safe to call twice)
#   eng/services.sh install [PKG...]  installs what is missing (and the given Debian packages) and nothing else
#
# The tests find the services through the REGISTRIES_TEST_* variables in STATE_DIR/env.sh. When start fails, the
# reason is the last line of STATE_DIR/failure (eng/test.sh reports it once per test project).
set -euo pipefail

usage="usage: services.sh start|stop STATE_DIR, or services.sh install [PACKAGE...]"
cmd="${1:-}"
state=""
case "$cmd" in
  install) ;;
  start|stop) state="${2:-}"; [ -n "$state" ] || { echo "$usage" >&2; exit 2; } ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
netns="regtest$$"
# A /30 of our own for the namespace; the third octet differs per running instance.
net=0
while ip -o addr show 2>/dev/null | grep -q " 10\.213\.$net\."; do net=$((net + 1)); done
ns_ip="10.213.$net.2"
host_ip="10.213.$net.1"

log() { echo "[services] $*" >&2; }

# What failed, for eng/test.sh: the last "failed:" line is the reason a test project's integration tests did not run.
fail() { log "failed: $*"; [ -d "$state" ] && echo "$*" >> "$state/failure"; return 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2; shift 2
  for _ in $(seq 1 $((seconds * 5))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  fail "timed out after ${seconds}s waiting for $what"
}

install_missing() { # [PACKAGE...]: installed too, even when present (apt-get then does nothing)
  local missing=("$@")
  command -v dockerd >/dev/null || missing+=(docker.io)
  [ -x /usr/bin/docker ] || missing+=(docker.io)
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  command -v htpasswd >/dev/null || missing+=(apache2-utils)
  command -v skopeo >/dev/null || missing+=(skopeo)
  command -v containerd >/dev/null || missing+=(containerd)  # ctr pulls through the exported containerd-hosts tree
  command -v nsenter >/dev/null || missing+=(util-linux)     # the containerd tests enter their own network namespace
  command -v openssl >/dev/null || missing+=(openssl)
  command -v ip >/dev/null || missing+=(iproute2)
  command -v curl >/dev/null || missing+=(curl)
  command -v python3 >/dev/null || missing+=(python3)   # free ports here, test totals in eng/test.sh
  python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)   # an independent YAML parser for the k3s export's tests
  command -v script >/dev/null || missing+=(bsdutils)   # the CLI's terminal (progress bar) tests
  compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || missing+=(postgresql)
  command -v runuser >/dev/null || missing+=(util-linux)
  [ -x /usr/bin/chromium ] || missing+=(chromium)            # the web sample's browser tests
  [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  command -v pass >/dev/null || missing+=(pass)              # docker-credential-pass's store, in the credential source tests
  command -v gpg >/dev/null || missing+=(gnupg)
  command -v dpkg-deb >/dev/null || missing+=(dpkg)          # unpacks the credential helpers' packages below
  command -v docker-credential-pass >/dev/null || missing+=(golang-docker-credential-helpers)  # benchmarks/processes.sh's peer (its --check runs in the smoke run)
  [ -x /usr/bin/time ] || missing+=(time)                    # peak RSS in benchmarks/processes.sh
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # The lists are refreshed only when a package is not installed at all.
    if ! dpkg-query -W -f='${Status}\n' "${missing[@]}" 2>/dev/null | grep -qv 'install ok installed' \
      && [ "$(dpkg-query -W -f='${Status}\n' "${missing[@]}" 2>/dev/null | wc -l)" -ge "${#missing[@]}" ]; then
      :
    else
      apt_get update -qq || return 1
    fi
    apt_get install -y -qq "${missing[@]}" || return 1
  fi
}

# apt-get, waiting while another package manager holds its lock (another apt-get, unattended-upgrades): a developer's
# machine often has one running. Bounded by REGISTRIES_APT_LOCK_WAIT seconds (600 by default); then it says who held it.
apt_get() {
  local limit=${REGISTRIES_APT_LOCK_WAIT:-600} start=$SECONDS out holder="" status announced=""
  out=$(mktemp)
  while :; do
    apt-get "$@" >"$out" 2>&1 && { rm -f "$out"; return 0; }
    status=$?
    if ! grep -qE 'Could not get lock|Unable to acquire|Unable to lock' "$out"; then
      cat "$out" >&2
      fail "apt-get $1 failed: $(grep -E '^E:' "$out" | tail -n 1)"
      rm -f "$out"
      return "$status"
    fi
    holder=$(grep -oE 'held by process [0-9]+( \([^)]*\))?' "$out" | head -n 1)
    if [ $((SECONDS - start)) -ge "$limit" ]; then
      rm -f "$out"
      fail "the package lock was still ${holder:-held by another process} after ${limit}s; wait for it to finish and run again"
      return 1
    fi
    # Said once, on the first refusal: on a loaded machine that refusal may come seconds after the start.
    if [ -z "$announced" ]; then
      log "waiting (at most ${limit}s) for the package lock, ${holder:-held by another process}"
      announced=1
    fi
    sleep 2
  done
}

# The docker CLI the tests and this script run. A docker CLI whose configuration holds no credential picks the
# machine's credential store when `pass` (or docker-credential-secretservice) is on PATH, and then `docker login`
# fails on a machine where pass is not initialized. The wrapper leaves the folders that hold those programs out of
# PATH (the CLI runs no other program for login, push or pull; a test's own helper folder stays), so the tests never
# depend on what the machine has. REGISTRIES_TEST_DOCKER_KEEP_PATH=1 turns this off for a test that wants a store.
write_docker_wrapper() {
  mkdir -p "$state/bin"
  cat > "$state/bin/docker" <<'WRAPPER'
#!/bin/sh
if [ -z "${REGISTRIES_TEST_DOCKER_KEEP_PATH:-}" ]; then
  keep=""
  old_ifs=$IFS
  IFS=:
  for dir in $PATH; do
    [ -n "$dir" ] || continue
    if [ -e "$dir/pass" ] || [ -e "$dir/docker-credential-pass" ] || [ -e "$dir/docker-credential-secretservice" ]; then
      continue
    fi
    keep="${keep:+$keep:}$dir"
  done
  IFS=$old_ifs
  PATH=$keep
  export PATH
fi
exec /usr/bin/docker "$@"
WRAPPER
  chmod 755 "$state/bin/docker"
}

make_certificates() {
  local dir="$state/tls"
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Registries.Core test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=registries-test-registry" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,IP:%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$ns_ip" > "$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 2 -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
  cat "$dir/server.crt" "$dir/ca.crt" > "$dir/server-chain.crt"
  # Token signing key for the token-auth registry.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=registries-test-token-issuer" \
    -keyout "$dir/token.key" -out "$dir/token.crt" 2>/dev/null
}

write_registry_config() { # name addr auth-block
  local name=$1 addr=$2 auth=$3
  mkdir -p "$state/registry/$name"
  cat > "$state/registry/$name/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $state/registry/data
  delete:
    enabled: true
http:
  addr: $addr
  secret: registries-core-test-secret
  tls:
    certificate: $state/tls/server-chain.crt
    key: $state/tls/server.key
$auth
YAML
}

start_registry() { # name addr [netns]
  local name=$1 addr=$2 ns=${3:-}
  if [ -n "$ns" ]; then
    ip netns exec "$ns" setsid docker-registry serve "$state/registry/$name/config.yml" >"$state/registry/$name/log" 2>&1 &
  else
    setsid docker-registry serve "$state/registry/$name/config.yml" >"$state/registry/$name/log" 2>&1 &
  fi
  echo $! > "$state/registry/$name/pid"
  wait_for 30 "registry $name on $addr" curl -s --cacert "$state/tls/ca.crt" -o /dev/null "https://$addr/v2/"
}

start_netns() {
  ip netns add "$netns" || return 1
  echo "$netns" > "$state/netns"
  ip link add "rth$$" type veth peer name "rtn$$" || return 1
  echo "rth$$" > "$state/veth"
  ip link set "rtn$$" netns "$netns" &&
    ip addr add "$host_ip/30" dev "rth$$" &&
    ip link set "rth$$" up &&
    ip netns exec "$netns" ip addr add "$ns_ip/30" dev "rtn$$" &&
    ip netns exec "$netns" ip link set "rtn$$" up &&
    ip netns exec "$netns" ip link set lo up
}

postgres_bin() {
  # Debian installs the server beside its major version; take the newest one installed.
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$bin/pg_ctl" ] || return 1
  echo "$bin"
}

start_postgres() {
  local bin dir port password
  bin=$(postgres_bin) || { fail "no PostgreSQL server found under /usr/lib/postgresql"; return 1; }
  dir="$state/postgres"
  port=$(free_port)
  # Hex only: it needs no quoting in a connection string, in SQL or in env.sh.
  password=$(openssl rand -hex 24)
  mkdir -p "$dir/run"
  chown -R postgres:postgres "$dir"
  chmod 700 "$dir"
  # The postgres user must be able to reach the folder: the state folder itself may be private to root.
  chmod o+x "$state"
  local as_pg=(runuser -u postgres --)
  # Local socket: peer (the postgres OS user is the superuser); TCP: scram passwords only.
  "${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 --no-sync \
    --auth-local=peer --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 || { fail "PostgreSQL's initdb failed: $(tail -n 3 "$dir/initdb.log" | tr '\n' ' ')"; return 1; }
  # fsync off: a test cluster needs no durability across an OS crash, and writes get much faster; a fast shutdown
  # (what the fault tests do) still writes everything.
  local options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/run -c fsync=off -c max_connections=300"
  printf '%s\n' "$options" > "$dir/options"
  "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -o "$options" -w -t 60 start >/dev/null 2>&1 \
    || { fail "PostgreSQL did not start: $(tail -n 3 "$dir/log" 2>/dev/null | tr '\n' ' ')"; return 1; }
  echo "$port" > "$dir/port"
  local psql=("${as_pg[@]}" "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/run" -p "$port" -U postgres -d postgres)
  "${psql[@]}" -c "CREATE ROLE registries_test LOGIN CREATEDB PASSWORD '$password'" >/dev/null &&
    "${psql[@]}" -c "CREATE DATABASE registries_test OWNER registries_test" >/dev/null || { fail "could not create the PostgreSQL test role"; return 1; }
  pg_port=$port
  pg_password=$password
  pg_bin=$bin
}

stop_postgres() {
  local bin dir="$state/postgres"
  [ -f "$dir/data/postmaster.pid" ] || return 0
  bin=$(postgres_bin) || return 0
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
    || runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
}

# The real docker-credential-* helpers the credential source tests run (Debian's golang-docker-credential-helpers and
# amazon-ecr-credential-helper), unpacked into STATE_DIR/helpers rather than installed, so that the tests depend on no
# machine-wide helper (and a docker CLI never finds them on PATH).
extract_credential_helpers() {
  local dir="$state/helpers"
  mkdir -p "$dir/debs" "$dir/root"
  if ! (cd "$dir/debs" && apt_get download golang-docker-credential-helpers amazon-ecr-credential-helper); then
    apt_get update -qq || return 1
    (cd "$dir/debs" && apt_get download golang-docker-credential-helpers amazon-ecr-credential-helper) || return 1
  fi
  local deb
  for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root" || { fail "could not unpack $deb"; return 1; }; done
  chmod 755 "$dir" "$dir/root" "$dir/root/usr" "$dir/root/usr/bin"
  [ -x "$dir/root/usr/bin/docker-credential-pass" ] && [ -x "$dir/root/usr/bin/docker-credential-ecr-login" ] \
    || { fail "the credential helper packages hold no docker-credential-pass or docker-credential-ecr-login"; return 1; }
}

start() {
  rm -rf "$state"
  mkdir -p "$state"/{docker,registry,cli,image}
  install_missing || return 1
  make_certificates
  write_docker_wrapper

  log "users"
  local user=testuser password="Test-Password-1"
  # Symbols and non-ASCII letters: each must reach the registry intact.
  local symuser=symboluser sympassword='p@ss:w"or\d+/=ÄÖü€ é'
  htpasswd -Bbc "$state/registry/htpasswd" "$user" "$password" 2>/dev/null
  htpasswd -Bb "$state/registry/htpasswd" "$symuser" "$sympassword" 2>/dev/null

  log "dockerd"
  echo '{}' > "$state/docker/daemon.json"
  setsid dockerd --config-file "$state/docker/daemon.json" --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none \
    --data-root "$state/docker/data" --exec-root "$state/docker/exec" --pidfile "$state/docker/dockerd.pid" \
    --host "unix://$state/docker/docker.sock" >"$state/docker/log" 2>&1 &
  echo $! > "$state/docker/pid"
  local docker=("$state/bin/docker" --host "unix://$state/docker/docker.sock" --config "$state/cli")
  wait_for 60 dockerd "${docker[@]}" version || { fail "dockerd did not answer: $(tail -n 2 "$state/docker/log" | tr '\n' ' ')"; return 1; }

  log "registries"
  local port token_port realm_port
  port=$(free_port); token_port=$(free_port); realm_port=$(free_port)
  local basic_auth="auth:
  htpasswd:
    realm: registries-core-test
    path: $state/registry/htpasswd"
  write_registry_config basic "127.0.0.1:$port" "$basic_auth"
  start_registry basic "127.0.0.1:$port" || return 1
  local token_auth="auth:
  token:
    realm: https://127.0.0.1:$realm_port/token
    service: registries-core-test
    issuer: registries-core-test-issuer
    rootcertbundle: $state/tls/token.crt"
  write_registry_config token "127.0.0.1:$token_port" "$token_auth"
  start_registry token "127.0.0.1:$token_port" || return 1

  local secure=""
  if start_netns; then
    write_registry_config secure "$ns_ip:5000" "$basic_auth"
    if start_registry secure "$ns_ip:5000" "$netns"; then secure="$ns_ip:5000"; fi
  else
    fail "could not create a network namespace: the secure-registry tests will fail"
  fi

  log "postgresql"
  local pg_port="" pg_password="" pg_bin="" postgres=""
  if start_postgres; then
    postgres="Host=127.0.0.1;Port=$pg_port;Username=registries_test;Password=$pg_password;Database=registries_test"
  else
    log "PostgreSQL did not start: the PostgreSQL store tests will fail"
  fi

  log "credential helpers"
  local helpers=""
  if extract_credential_helpers; then helpers="$state/helpers/root/usr/bin"; fi

  log "test image"
  mkdir -p "$state/image/root/etc"
  echo "Registries.Core test image" > "$state/image/root/hello.txt"
  echo "registries-test" > "$state/image/root/etc/hostname"
  tar -C "$state/image/root" -cf "$state/image/rootfs.tar" .
  local image="test/hello:1.0"
  "${docker[@]}" import "$state/image/rootfs.tar" "127.0.0.1:$port/$image" >/dev/null
  local login_error
  login_error=$(printf '%s' "$password" | "${docker[@]}" login --username "$user" --password-stdin "127.0.0.1:$port" 2>&1 >/dev/null) \
    || { fail "docker login to the test registry failed: $(printf '%s' "$login_error" | tail -n 1)"; return 1; }
  "${docker[@]}" push "127.0.0.1:$port/$image" >/dev/null || { fail "docker push of the test image failed"; return 1; }
  # A second image for tests that pull, delete and pull again.
  "${docker[@]}" tag "127.0.0.1:$port/$image" "127.0.0.1:$port/test/other:2.0"
  "${docker[@]}" push "127.0.0.1:$port/test/other:2.0" >/dev/null
  "${docker[@]}" logout "127.0.0.1:$port" >/dev/null 2>&1
  # Leave the engine without the images: tests decide what is present.
  "${docker[@]}" rmi -f "127.0.0.1:$port/$image" "127.0.0.1:$port/test/other:2.0" >/dev/null

  cat > "$state/env.sh" <<ENV
export REGISTRIES_TEST_STATE='$state'
export REGISTRIES_TEST_DOCKER_HOST='unix://$state/docker/docker.sock'
export REGISTRIES_TEST_DOCKER_CLI='$state/bin/docker'
export REGISTRIES_TEST_DOCKERD='$(command -v dockerd)'
export REGISTRIES_TEST_SKOPEO='$(command -v skopeo)'
export REGISTRIES_TEST_REGISTRY='127.0.0.1:$port'
export REGISTRIES_TEST_SECURE_REGISTRY='$secure'
export REGISTRIES_TEST_REGISTRY_CA='$state/tls/ca.crt'
export REGISTRIES_TEST_REGISTRY_CERT='$state/tls/server.crt'
export REGISTRIES_TEST_REGISTRY_KEY='$state/tls/server.key'
export REGISTRIES_TEST_USER='$user'
export REGISTRIES_TEST_PASSWORD='$password'
export REGISTRIES_TEST_SYMBOL_USER='$symuser'
export REGISTRIES_TEST_SYMBOL_PASSWORD='$(printf '%s' "$sympassword" | sed "s/'/'\\\\''/g")'
export REGISTRIES_TEST_IMAGE='$image'
export REGISTRIES_TEST_OTHER_IMAGE='test/other:2.0'
export REGISTRIES_TEST_CREDENTIAL_HELPERS='$helpers'
export REGISTRIES_TEST_TOKEN_REGISTRY='127.0.0.1:$token_port'
export REGISTRIES_TEST_TOKEN_REALM='https://127.0.0.1:$realm_port/token'
export REGISTRIES_TEST_TOKEN_REALM_PORT='$realm_port'
export REGISTRIES_TEST_TOKEN_SERVICE='registries-core-test'
export REGISTRIES_TEST_TOKEN_ISSUER='registries-core-test-issuer'
export REGISTRIES_TEST_TOKEN_KEY='$state/tls/token.key'
export REGISTRIES_TEST_TOKEN_CERT='$state/tls/token.crt'
export REGISTRIES_TEST_POSTGRES='$postgres'
export REGISTRIES_TEST_PG_BIN='$pg_bin'
export REGISTRIES_TEST_PG_USER='postgres'
export REGISTRIES_TEST_PG_DATA='$state/postgres/data'
export REGISTRIES_TEST_UNAVAILABLE='$( { cat "$state/failure" 2>/dev/null || true; } | tr '\n' ';' | sed "s/'//g")'
export REGISTRIES_TEST_PG_CTL='runuser -u postgres -- $pg_bin/pg_ctl -D $state/postgres/data -l $state/postgres/log -o "$(cat "$state/postgres/options" 2>/dev/null)" -w -t 60'
ENV
  log "ready: dockerd unix://$state/docker/docker.sock, registry 127.0.0.1:$port, token registry 127.0.0.1:$token_port${secure:+, secure registry $secure}${pg_port:+, postgresql 127.0.0.1:$pg_port}"
}

stop() {
  [ -d "$state" ] || return 0
  stop_postgres
  for pidfile in "$state"/registry/*/pid "$state/docker/pid"; do
    [ -f "$pidfile" ] || continue
    local pid; pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  if [ -f "$state/netns" ]; then ip netns del "$(cat "$state/netns")" 2>/dev/null || true; rm -f "$state/netns"; fi
  if [ -f "$state/veth" ]; then ip link del "$(cat "$state/veth")" 2>/dev/null || true; rm -f "$state/veth"; fi
  # dockerd leaves mounts under its roots when killed; unmount before removing.
  # (grep finds nothing when dockerd left no mount: under pipefail that must not end the script before the rm.)
  { grep -o " $state/[^ ]*" /proc/mounts 2>/dev/null || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$state" 2>/dev/null || true
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  install) shift; install_missing "$@" ;;
  *) echo "$usage" >&2; exit 2 ;;
esac

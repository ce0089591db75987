#!/usr/bin/env bash
# Runs the foreign-language DOKU integrations (PHP, Node.js, Python, Java) against doku-sim.
#
# Builds doku-sim once, then for each language starts a fresh simulator (its own merchant
# credential, its Notification URL on a free port the integration listens on), runs the
# integration and counts its checks. Each integration prints "PASS <check>" / "FAIL <check>: why".
# The last line is "N passed, N failed"; the exit status is 1 when anything failed.
#
# A language whose runtime is missing is skipped locally, and counted as failed when CI=true.
# Usage: integrations/run.sh [php] [node] [python] [java]     (default: all four)
# Env:   DOKU_SIM=path/to/doku-sim to use a built binary instead of building one.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
HERE=$ROOT/integrations
LANGS=("$@")
[ ${#LANGS[@]} -eq 0 ] && LANGS=(php node python java)
JACKSON=/usr/share/java/jackson-databind.jar:/usr/share/java/jackson-core.jar:/usr/share/java/jackson-annotations.jar
NOTIFY_PATH=/payments/notifications

WORK=$(mktemp -d "${TMPDIR:-/tmp}/doku-integrations.XXXXXX")
SIM_PID=
RUN_PID=
cleanup() {
    [ -n "$RUN_PID" ] && kill -- "-$RUN_PID" 2>/dev/null
    [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
fail() { # language, check, why
    printf '%-7s FAIL %s: %s\n' "$1" "$2" "$3"
    failed=$((failed + 1))
}

# A free loopback port: a random one nobody answers on, below the kernel's ephemeral range (the
# simulator's own port 0 and every outgoing connection take theirs from that range, so a port
# there can be taken between this probe and the integration's bind).
free_port() {
    local port low=32768
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null
    [ "$low" -gt 11000 ] || low=32768
    for _ in $(seq 1 50); do
        port=$((10000 + RANDOM % (low - 10000)))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# --- the simulator, built once and copied so that other builds cannot swap it mid-run
if [ -n "${DOKU_SIM:-}" ]; then
    cp "$DOKU_SIM" "$WORK/doku-sim"
else
    echo "building doku-sim"
    if ! timeout 1200 cargo build -q -p doku-sim --features cli --bin doku-sim; then
        echo "doku-sim did not build"
        echo "0 passed, 1 failed"
        exit 1
    fi
    cp target/debug/doku-sim "$WORK/doku-sim"
fi

# Starts a fresh simulator for one merchant; sets SIM_URL. Arguments: client id, key, notify port.
start_sim() {
    local out=$WORK/sim-$1.out
    env -u DOKU_CLIENT_ID -u DOKU_SECRET_KEY -u DOKU_SIM_LISTEN -u DOKU_SIM_NOTIFICATION_URL \
        "$WORK/doku-sim" --listen 127.0.0.1:0 --credential "$1=$2" \
        --notification-url "http://127.0.0.1:$3$NOTIFY_PATH" >"$out" 2>"$WORK/sim-$1.log" &
    SIM_PID=$!
    SIM_URL=
    for _ in $(seq 1 100); do
        SIM_URL=$(sed -n 's/^listening on //p' "$out")
        [ -n "$SIM_URL" ] && return 0
        kill -0 "$SIM_PID" 2>/dev/null || break
        sleep 0.1
    done
    return 1
}

stop_sim() {
    [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
    SIM_PID=
}

# Prints why a language cannot run here, or nothing.
missing_runtime() {
    case $1 in
        php) command -v php >/dev/null || { echo "php is not installed (Debian: php-cli)"; return; }
             php -r 'exit(function_exists("curl_init") ? 0 : 1);' || echo "PHP has no curl (Debian: php-curl)" ;;
        node) command -v node >/dev/null || { echo "node is not installed"; return; }
              [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 18 ] || echo "node is older than 18 (no global fetch)" ;;
        python) command -v python3 >/dev/null || echo "python3 is not installed" ;;
        java) command -v javac >/dev/null && command -v java >/dev/null ||
                  { echo "java/javac are not installed (Debian: default-jdk-headless)"; return; }
              [ -f /usr/share/java/jackson-databind.jar ] ||
                  echo "Jackson is not installed (Debian: libjackson2-databind-java)" ;;
    esac
}

# The command that runs one language's integration (Java is compiled first).
command_for() {
    case $1 in
        php) echo "php $HERE/php/flow.php" ;;
        node) echo "node $HERE/node/doku-flow.mjs" ;;
        python) echo "python3 $HERE/python/doku_flow.py" ;;
        java) mkdir -p "$WORK/java" &&
                  timeout 120 javac -cp "$JACKSON" -d "$WORK/java" "$HERE/java/DokuFlow.java" >&2 &&
                  echo "java -cp $WORK/java:$JACKSON DokuFlow" ;;
    esac
}

for lang in "${LANGS[@]}"; do
    echo "== $lang"
    why=$(missing_runtime "$lang")
    if [ -n "$why" ]; then
        if [ "${CI:-}" = true ]; then
            fail "$lang" runtime "$why"
        else
            printf '%-7s skipped: %s\n' "$lang" "$why"
        fi
        continue
    fi
    client_id="BRN-$(printf '%s' "$lang" | tr a-z A-Z)-$RANDOM$RANDOM"
    key="SK-$lang-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
    if ! port=$(free_port) || ! start_sim "$client_id" "$key" "$port"; then
        fail "$lang" simulator "doku-sim did not start: $(tail -n 3 "$WORK/sim-$client_id.log" 2>/dev/null)"
        stop_sim
        continue
    fi
    if ! cmd=$(command_for "$lang"); then
        fail "$lang" build "the integration did not compile"
        stop_sim
        continue
    fi
    out=$WORK/$lang.out
    # timeout leads its own process group: whatever the integration started (php -S) goes with it.
    DOKU_BASE_URL=$SIM_URL DOKU_MERCHANT_ID=$client_id DOKU_MERCHANT_KEY=$key NOTIFY_PORT=$port \
        NOTIFY_PATH=$NOTIFY_PATH timeout -k 5 120 $cmd >"$out" 2>"$WORK/$lang.err" &
    RUN_PID=$!
    wait "$RUN_PID"
    status=$?
    kill -- "-$RUN_PID" 2>/dev/null
    RUN_PID=
    stop_sim
    while IFS= read -r line; do
        case $line in
            "PASS "*) passed=$((passed + 1)); printf '%-7s %s\n' "$lang" "$line" ;;
            "FAIL "*) failed=$((failed + 1)); printf '%-7s %s\n' "$lang" "$line" ;;
            *) printf '%-7s | %s\n' "$lang" "$line" ;;
        esac
    done <"$out"
    if [ "$status" -ne 0 ] && [ -s "$WORK/$lang.err" ]; then
        tail -n 5 "$WORK/$lang.err" | sed "s/^/$(printf '%-7s' "$lang") stderr| /"
    fi
    if [ "$status" -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
        fail "$lang" exit "exited with status $status ($([ "$status" = 124 ] && echo 'timed out after 120 s' ||
            tail -n 3 "$WORK/$lang.err" | tr '\n' ' '))"
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Memory- and thread-safety check of the DNS server's native addon (native/udp-batch).
#
# Builds two copies of the addon outside the repo, one with AddressSanitizer and
# UndefinedBehaviorSanitizer, one with ThreadSanitizer, and runs the tests that drive it
# (batched sockets, the answer cache, rate limiting in C, the serving threads) on each:
# node is started with the sanitizer runtime preloaded and KFED_NATIVE_ADDON pointing at
# the sanitized build. Fails on a failed test or on any sanitizer report.
#
#   scripts/check-native.sh            # both (asan, then tsan)
#   scripts/check-native.sh asan       # or: tsan
#
# Build and logs go to $KFED_NATIVE_CHECK_DIR (default /tmp/kfed-check-native). Needs gcc
# with libasan, libubsan and libtsan, and Node's headers (node_api.h).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC=$ROOT/native/udp-batch
CACHE=${KFED_NATIVE_CHECK_DIR:-/tmp/kfed-check-native}
MODES=("$@")
[ ${#MODES[@]} -eq 0 ] && MODES=(asan tsan)

# The tests that load the addon. zone-check (BIND, zonemaster, dnsviz) is left out: it
# drives the same server as dig.test.ts and takes minutes on its own.
ASAN_TESTS=(
  test/e2e/dnsserver/udp-batch.test.ts test/e2e/dnsserver/native-cache.test.ts test/e2e/dnsserver/native-edges.test.ts
  test/e2e/dnsserver/dig.test.ts
  test/e2e/dnsserver/options.test.ts test/e2e/dnsserver/cluster.test.ts test/e2e/dnsserver/fuzz.test.ts
  test/e2e/app/dns-workers.test.ts test/unit/dnsserver
)
# The threaded paths: serving threads, rate limiting across them, the queue to JavaScript.
# Only tests that run no tools: under the ThreadSanitizer runtime sh, bash and ps crash or
# hang (the controller with --dns-udp-threads runs under AddressSanitizer only).
TSAN_TESTS=(test/e2e/dnsserver/udp-batch.test.ts test/e2e/dnsserver/native-cache.test.ts test/e2e/dnsserver/native-edges.test.ts)

fail() { echo "check-native: FAIL: $*" >&2; exit 1; }

node_include() {
  local prefix
  prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  for d in "${npm_config_nodedir:-}/include/node" "$prefix/include/node" /usr/include/node; do
    [ -f "$d/node_api.h" ] && { echo "$d"; return; }
  done
  fail "node_api.h not found (set npm_config_nodedir to a Node prefix with include/node)"
}

build() {  # build <mode> <sanitizer flags...>
  local mode=$1; shift
  mkdir -p "$CACHE/$mode"
  gcc -shared -fPIC -O1 -g -fno-omit-frame-pointer "$@" -pthread -Wall -Wextra -Wno-unused-parameter \
    -DNODE_GYP_MODULE_NAME=udp_batch -I"$(node_include)" \
    "$SRC/udp_batch.c" "$SRC/answer_cache.c" "$SRC/serve_threads.c" "$SRC/rrl.c" \
    -o "$CACHE/$mode/udp_batch.node" || fail "$mode build"
}

# Tools the tests run get the sanitizer runtime through LD_PRELOAD too, and some break
# under it (kdig hangs, ip leaks): these shims, first on PATH, run them without it.
shims() {
  mkdir -p "$CACHE/shims"
  for t in dig kdig ps ip; do
    local real
    real=$(PATH=${PATH#"$CACHE/shims:"} command -v "$t") || continue
    printf '#!/bin/sh\nunset LD_PRELOAD\nexec %s "$@"\n' "$real" > "$CACHE/shims/$t"
    chmod +x "$CACHE/shims/$t"
  done
}

# LeakSanitizer: Node exits without tearing V8's heap down, frees the wrapper it makes for
# each napi external only when V8 collects the external, and vitest's bundler (rolldown)
# keeps napi references; nothing else is suppressed. Only the allocating frame and its
# caller are kept (malloc_context_size=3), so a template can only match where the memory
# was allocated, never an addon frame further down; the canary below proves it.
write_lsan_supp() {
  cat > "$CACHE/lsan.supp" <<'EOF'
leak:v8::internal::
leak:napi_create_external
leak:rolldown-binding
EOF
}

# Sanitizer reports in the logs (each process writes <log>.<pid> only when it reports).
reports() { ls "$CACHE/logs/$1".* 2>/dev/null; }

run_mode() {
  local mode=$1 runtime tests
  rm -rf "$CACHE/logs" && mkdir -p "$CACHE/logs"
  case $mode in
    asan)
      build asan -fsanitize=address,undefined -fno-sanitize-recover=undefined
      runtime=$(gcc -print-file-name=libasan.so)
      tests=("${ASAN_TESTS[@]}")
      export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$CACHE/logs/asan"
      export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$CACHE/logs/asan"
      export LSAN_OPTIONS="suppressions=$CACHE/lsan.supp:malloc_context_size=3:print_suppressions=0"
      ;;
    tsan)
      build tsan -fsanitize=thread
      runtime=$(gcc -print-file-name=libtsan.so)
      tests=("${TSAN_TESTS[@]}")
      export TSAN_OPTIONS="ignore_noninstrumented_modules=1:halt_on_error=1:log_path=$CACHE/logs/tsan"
      ;;
    *) fail "unknown mode $mode (asan or tsan)" ;;
  esac
  [ -f "$runtime" ] || fail "$mode runtime $runtime not found (install gcc's sanitizer libraries)"
  local addon=$CACHE/$mode/udp_batch.node
  export KFED_NATIVE_ADDON=$addon KFED_NATIVE_REQUIRED=1 KFED_E2E_REQUIRED=1

  # The tests must load this build: a process that loaded it has it in its memory map.
  LD_PRELOAD=$runtime node --import tsx -e "
    const m = await import('./src/dnsserver/udp-batch.ts');
    if (!m.udpBatchBinding()) { console.error(m.udpBatchUnavailable()); process.exit(1); }
    const maps = (await import('node:fs')).readFileSync('/proc/self/maps', 'utf8');
    process.exit(maps.includes(process.env.KFED_NATIVE_ADDON) ? 0 : 2);" || fail "$mode: the tests would not load $addon"

  if [ "$mode" = asan ]; then
    # Canary: a build whose close forgets the answer cache (udp_batch.c's ac_free calls a
    # no-op) must have that leak reported, through the suppressions above.
    canary=$CACHE/canary
    mkdir -p "$canary"
    printf 'struct ac_cache;\nvoid kfed_canary_keep(struct ac_cache* c) { (void)c; }\n' > "$canary/keep.c"
    gcc -c -fPIC -O1 -g -fno-omit-frame-pointer -fsanitize=address -DNODE_GYP_MODULE_NAME=udp_batch -Dac_free=kfed_canary_keep \
      -I"$(node_include)" "$SRC/udp_batch.c" -o "$canary/udp_batch.o" &&
      gcc -shared -fPIC -O1 -g -fno-omit-frame-pointer -fsanitize=address -pthread "$canary/udp_batch.o" "$canary/keep.c" \
        "$SRC/answer_cache.c" "$SRC/serve_threads.c" "$SRC/rrl.c" -o "$canary/udp_batch.node" || fail "canary build"
    LD_PRELOAD=$runtime ASAN_OPTIONS="detect_leaks=1:log_path=$CACHE/logs/canary" node -e "
      const b = require('$canary/udp_batch.node');
      const h = b.open('127.0.0.1', 0, false, false, 512, 0);
      b.cacheInit(h, 16, 1, []);
      b.close(h);" 2>/dev/null
    grep -qs 'in cache_init' "$CACHE"/logs/canary.* || fail "asan: the canary's leak (the answer cache never freed) was not reported; suppressions hide the addon's leaks"
    rm -f "$CACHE"/logs/canary.*
  fi

  # vitest directly: npm (npx) itself crashes under the ThreadSanitizer runtime. Sanitized
  # processes run 2-3 times slower, so a test that fails on a time limit alone (a controller
  # starting within 30 s on a loaded machine) gets one retry; a sanitizer report fails the
  # check whatever the tests say.
  local start=$SECONDS status=0
  PATH=$CACHE/shims:$PATH LD_PRELOAD=$runtime node node_modules/vitest/vitest.mjs run --retry=1 "${tests[@]}" || status=$?
  local found
  found=$(reports "$mode")
  if [ -n "$found" ]; then
    for f in $found; do echo "==== $f"; head -80 "$f"; done
    echo "check-native: $mode: FAIL: sanitizer reports in $(echo "$found" | wc -l) process(es) ($((SECONDS - start)) s)"
    return 1
  fi
  if [ $status -ne 0 ]; then
    echo "check-native: $mode: FAIL: tests failed (vitest exit $status, $((SECONDS - start)) s)"
    return 1
  fi
  echo "check-native: $mode: PASS (${#tests[@]} test paths, no sanitizer reports, $((SECONDS - start)) s)"
}

cd "$ROOT" || exit 1
mkdir -p "$CACHE"
shims
write_lsan_supp
result=0
for m in "${MODES[@]}"; do
  ( run_mode "$m" ) || result=1
done
if [ $result -eq 0 ]; then echo "check-native: PASS (${MODES[*]})"; else echo "check-native: FAIL"; fi
exit $result

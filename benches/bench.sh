#!/usr/bin/env bash
# benches/bench.sh — measure accord against git on a synthetic repository (SPEC §8).
#
# Usage: benches/bench.sh [--fresh]        (BENCH_HUGE=1 benches/bench.sh: 1,000,000 commits)
#
# 1. Builds `cargo build --release --example genrepo` and `--bin accord` (if accord does not
#    build, its rows are reported FAILED and the git baselines still run).
# 2. Generates the repository once into $BENCH_DIR with examples/genrepo.rs, and reuses it on
#    later runs while the sizes are unchanged. `--fresh` regenerates it. The sizes are recorded
#    in $BENCH_DIR/.git/accord-bench-params together with the generated tip; a tip moved by an
#    interrupted run is put back.
# 3. Measures under both conditions SPEC §8 names: the commit-graph rewritten WITH changed-path
#    Bloom filters (`git commit-graph write --reachable --changed-paths`), then WITHOUT them
#    (`--no-changed-paths`, what a plain `git gc` leaves). Under each, every command runs $RUNS
#    times (after one untimed warm-up run); the table gives the MEDIAN wall time, the peak RSS
#    (the largest of the runs, from wait4, as `/usr/bin/time -v` reports it) and the ratio to the
#    git baseline on the same repository. For the rows with a ratio bar (cold status, first
#    history and log), git's baseline runs just before each timed run, and the ratio is taken
#    against the median of those interleaved runs, so that both sides meet the shared machine in
#    the same state; git's own rows are measured on their own, as before:
#      A  git log --format=%H%n%B HEAD accord/positions   (HEAD alone without that branch)
#         accord status --format json   cold: the cache ($GIT_DIR/accord) deleted before each run
#         accord status --format json   warm
#      B  git log --format=%H -- agreements/$AGREEMENT.toml
#         accord history $AGREEMENT     first run in a fresh clone: no accord cache at all
#         accord log $AGREEMENT         first run in a fresh clone
#         accord history $AGREEMENT     warm
#         accord log $AGREEMENT         warm
#         accord diff $AGREEMENT HEAD~100 HEAD   first run in a fresh clone, and warm
#         accord history/log $AGREEMENT after a cold status: each timed run follows an
#                                       untimed `accord status` on a deleted cache (the
#                                       cache is there, no timeline of $AGREEMENT yet)
#         accord sign $AGREEMENT        warm; each timed sign follows an untimed
#                                       `accord object $AGREEMENT -m ...` by the same party
#                                       (Party 2), so every run records a position; the branch
#                                       is reset to the generated tip afterwards.
#         accord review HEAD~100..HEAD  first run in a fresh clone, and warm (no bar in SPEC
#                                       §8's table; issue 13 asks < 50 ms warm); warm is the
#                                       same question again, answered from reviews-v2.bin;
#                                       "answer not kept" deletes that file first, so the
#                                       range is judged on warm caches (a new pull request)
#         accord status                 after one new commit: each timed run follows an
#                                       untimed empty commit on top (the tip is put back
#                                       afterwards)
#    A command that fails (exit code other than 0, or 0/1 for `status`, where 1 means "not
#    ratified") is reported FAILED with its first line of stderr, and the script goes on.
#    "cold" and "fresh clone" mean accord's own cache is gone (a clone copies no accord cache);
#    the OS page cache stays warm for every row. The cache's size is printed under each table.
#
# Environment (defaults in brackets):
#   BENCH_DIR   [target/bench-repo]  where the repository lives (relative to the project root)
#   COMMITS [100000]  AGREEMENTS [200]  POSITIONS [20000]  EDITS [2000]  SEED [1]
#   RUNS        [5]                  timed runs per command
#   BENCH_HUGE  [unset]              1: COMMITS=1000000 POSITIONS=100000 EDITS=10000 RUNS=3 in
#                                    target/bench-repo-1m (generating it takes ~15 min on 2 cores)
#   CONDITIONS  [bloom no-bloom]     the commit-graph conditions to measure
#   AGREEMENT   [team-0007]          the agreement used by history, log and sign
#
# Needs: cargo, git, python3 (timing and peak RSS come from os.wait4 in an inline helper).
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

FRESH=0
for arg in "$@"; do
    case $arg in
        --fresh) FRESH=1 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "bench.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
if [[ -n ${BENCH_HUGE:-} ]]; then
    : "${BENCH_DIR:=target/bench-repo-1m}" "${COMMITS:=1000000}" "${POSITIONS:=100000}"
    : "${EDITS:=10000}" "${RUNS:=3}"
fi
CONDITIONS=${CONDITIONS:-bloom no-bloom}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BENCH_DIR=$(realpath -m "${BENCH_DIR:-target/bench-repo}")
COMMITS=${COMMITS:-100000}
AGREEMENTS=${AGREEMENTS:-200}
POSITIONS=${POSITIONS:-20000}
EDITS=${EDITS:-2000}
SEED=${SEED:-1}
RUNS=${RUNS:-5}
AGREEMENT=${AGREEMENT:-team-0007}
ACCORD=$TARGET_DIR/release/accord
GENREPO=$TARGET_DIR/release/examples/genrepo

for tool in cargo git python3; do
    command -v "$tool" >/dev/null || { echo "bench.sh: '$tool' is not on PATH" >&2; exit 2; }
done

# ---------------------------------------------------------------------------------------------
echo "== build"
cargo build --release --example genrepo
if ! cargo build --release --bin accord; then
    echo "bench.sh: warning: accord did not build; its rows will be FAILED" >&2
fi

# ---------------------------------------------------------------------------------------------
echo "== repository"
PARAMS="commits=$COMMITS agreements=$AGREEMENTS positions=$POSITIONS edits=$EDITS seed=$SEED"
STAMP=$BENCH_DIR/.git/accord-bench-params
if [[ -e $BENCH_DIR ]]; then
    if [[ -f $STAMP && $FRESH == 0 && "$(head -n1 "$STAMP")" == "$PARAMS" ]]; then
        echo "reusing $BENCH_DIR ($PARAMS); --fresh regenerates it"
    elif [[ -f $STAMP || -d $BENCH_DIR/.git && $FRESH == 1 ]] || [[ -z "$(ls -A "$BENCH_DIR")" ]]; then
        echo "removing $BENCH_DIR"
        rm -rf "$BENCH_DIR"
    else
        echo "bench.sh: $BENCH_DIR exists but was not finished by bench.sh (interrupted?);" \
            "run with --fresh, or set BENCH_DIR" >&2
        exit 2
    fi
fi
if [[ ! -e $BENCH_DIR ]]; then
    mkdir -p "$(dirname "$BENCH_DIR")"
    "$GENREPO" --out "$BENCH_DIR" --commits "$COMMITS" --agreements "$AGREEMENTS" \
        --positions "$POSITIONS" --edits "$EDITS" --seed "$SEED"
    {
        echo "$PARAMS"
        git -C "$BENCH_DIR" rev-parse refs/heads/main
        git -C "$BENCH_DIR" rev-parse -q --verify refs/heads/accord/positions || true
    } >"$STAMP"
fi
REPO=$BENCH_DIR
TIP=$(sed -n 2p "$STAMP")
GIT_DIR_ABS=$(git -C "$REPO" rev-parse --absolute-git-dir)
POS_TIP=$(sed -n 3p "$STAMP")
restore_tip() {
    git -C "$REPO" update-ref refs/heads/main "$TIP"
    if [[ -n $POS_TIP ]]; then git -C "$REPO" update-ref refs/heads/accord/positions "$POS_TIP"; fi
}
if [[ $(git -C "$REPO" rev-parse refs/heads/main) != "$TIP" ]] ||
    [[ -n $POS_TIP && $(git -C "$REPO" rev-parse refs/heads/accord/positions) != "$POS_TIP" ]]; then
    echo "putting the branches back to the generated tips"
    restore_tip
fi
if [[ -n $(git -C "$REPO" status --porcelain) ]]; then
    echo "bench.sh: $REPO has local changes; run with --fresh" >&2
    exit 2
fi
[[ -e $REPO/agreements/$AGREEMENT.toml ]] ||
    { echo "bench.sh: $REPO has no agreements/$AGREEMENT.toml; set AGREEMENT" >&2; exit 2; }

# ---------------------------------------------------------------------------------------------
echo "== machine"
echo "cpus:   $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'))"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg)"
echo "git:    $(git --version)"
echo "rustc:  $(rustc --version 2>/dev/null || echo '?')"
echo "accord: $("$ACCORD" --version 2>/dev/null || echo 'not built')"
echo "repo:   $REPO: $(git -C "$REPO" rev-list --count HEAD) commits," \
    "pack $(du -sh "$GIT_DIR_ABS/objects/pack" | cut -f1)," \
    "commit-graph $([[ -e $GIT_DIR_ABS/objects/info/commit-graph || -d $GIT_DIR_ABS/objects/info/commit-graphs ]] && echo yes || echo no)"

# ---------------------------------------------------------------------------------------------
WORK=$(mktemp -d)
trap 'restore_tip; rm -rf "$WORK"' EXIT
HELPER=$WORK/measure.py
cat >"$HELPER" <<'PY'
"""measure.py run NAME RUNS OK_CODES PRE VS TARGET -- CMD... [++ BASE...]  |  measure.py report RESULTS

run: one untimed warm-up, then RUNS timed runs of CMD (stdout discarded); before each run,
PRE (a shell command, may be empty) runs untimed. Appends one JSON line to $RESULTS.
VS names an earlier row to compare with; TARGET is 'ratio<=X' or 'ms<X' or ''. With
`++ BASE...`, the baseline command runs before each run of CMD (warm-up included), and the
ratio is taken against the median of those runs: both sides then meet the machine in the same
state, which matters on a shared machine whose speed drifts from minute to minute."""
import json, os, statistics, subprocess, sys, tempfile, time

def timed(cmd):
    """Wall time of one run of cmd, its peak RSS (KiB) and its exit code."""
    t0 = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    return time.perf_counter() - t0, usage.ru_maxrss, os.waitstatus_to_exitcode(status)

def run(name, runs, ok, pre, vs, target, cmd, base):
    ok = {int(c) for c in ok.split(",")}
    row = {"name": name, "vs": vs, "target": target, "status": "ok"}
    times, peak, base_times = [], 0, []
    for i in range(runs + 1):
        if base:
            elapsed, _, code = timed(base)
            if code != 0:
                row.update(status="FAILED", error=f"baseline: exit {code}")
                break
            if i > 0:
                base_times.append(elapsed)
        if pre:
            p = subprocess.run(pre, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if p.returncode != 0:
                err = p.stderr.decode(errors="replace").strip().splitlines()
                row.update(status="FAILED", error="setup: " + (err[0] if err else f"exit {p.returncode}"))
                break
        with tempfile.TemporaryFile() as errf:
            t0 = time.perf_counter()
            try:
                child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errf)
            except OSError as e:
                row.update(status="FAILED", error=f"{cmd[0]}: {e.strerror}")
                break
            _, status, usage = os.wait4(child.pid, 0)
            elapsed = time.perf_counter() - t0
            child.returncode = code = os.waitstatus_to_exitcode(status)
            if code not in ok:
                errf.seek(0)
                err = errf.read().decode(errors="replace").strip().splitlines()
                row.update(status="FAILED", error=f"exit {code}: " + (err[0] if err else ""))
                break
        if i > 0:  # run 0 is the warm-up
            times.append(elapsed)
            peak = max(peak, usage.ru_maxrss)  # KiB on Linux
    if row["status"] == "ok":
        row.update(median=statistics.median(times), runs=times, peak_mb=peak / 1024)
        if base_times:
            row.update(base_median=statistics.median(base_times), base_runs=base_times)
    with open(os.environ["RESULTS"], "a") as f:
        f.write(json.dumps(row) + "\n")
    shown = f"{row['median']:.3f} s" if row["status"] == "ok" else "FAILED " + row["error"]
    print(f"  {name}: {shown}", flush=True)

def report(path):
    rows = [json.loads(l) for l in open(path)]
    by = {r["name"]: r for r in rows}
    out = [("command", "median s", "peak MB", "vs git", "target", "")]
    for r in rows:
        t = r["target"]
        target = t.replace("ratio<=", "<= ") + "x" if t.startswith("ratio<=") else t.replace("ms<", "< ") + " ms" if t else ""
        if r["status"] != "ok":
            out.append((r["name"], "FAILED", "", "", target, r["error"][:70]))
            continue
        ratio, verdict = "", ""
        base = by.get(r["vs"]) if r["vs"] else None
        # Against the baseline run alongside when there is one, else against its own row.
        against = r.get("base_median") or (base["median"] if base and base["status"] == "ok" else None)
        if against:
            ratio = f"{r['median'] / against:.2f}x"
        if t.startswith("ratio<=") and ratio:
            verdict = "meets" if r["median"] / against <= float(t[7:]) else "MISSES"
        elif t.startswith("ms<"):
            verdict = "meets" if r["median"] * 1000 < float(t[3:]) else "MISSES"
        out.append((r["name"], f"{r['median']:.3f}", f"{r['peak_mb']:.0f}", ratio, target, verdict))
    widths = [max(len(row[i]) for row in out) for i in range(len(out[0]))]
    for n, row in enumerate(out):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) if i < 5 else c for i, (c, w) in enumerate(zip(row, widths))).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))

if sys.argv[1] == "run":
    name, runs, ok, pre, vs, target = sys.argv[2:8]
    assert sys.argv[8] == "--"
    rest = sys.argv[9:]
    cmd, base = (rest[:rest.index("++")], rest[rest.index("++") + 1:]) if "++" in rest else (rest, [])
    run(name, int(runs), ok, pre, vs, target, cmd, base)
else:
    report(sys.argv[2])
PY
# measure NAME OK_CODES PRE VS TARGET -- CMD...
measure() { python3 "$HELPER" run "$1" "$RUNS" "$2" "$3" "$4" "$5" "${@:6}"; }

REFS=(HEAD)
if git -C "$REPO" rev-parse -q --verify refs/heads/accord/positions >/dev/null; then
    REFS=(HEAD accord/positions)
fi
FILE=agreements/$AGREEMENT.toml
COLD="rm -rf '$GIT_DIR_ABS/accord'"
for COND in $CONDITIONS; do
    case $COND in
        bloom) CG_FLAG=--changed-paths ;;
        no-bloom) CG_FLAG=--no-changed-paths ;;
        *) echo "bench.sh: unknown condition '$COND' (bloom, no-bloom)" >&2; exit 2 ;;
    esac
    echo "== $COND: git commit-graph write --reachable $CG_FLAG"
    rm -rf "$GIT_DIR_ABS/objects/info/commit-graphs"
    git -C "$REPO" commit-graph write --reachable "$CG_FLAG" --no-progress
    RESULTS=$WORK/results-$COND.jsonl
    export RESULTS
    A="git log --format=%H%n%B ${REFS[*]}"
    B="git log --format=%H -- $FILE"
    echo "== measuring ($RUNS runs each, after one warm-up)"
    measure "$A" 0 "" "" "" -- git -C "$REPO" log --format=%H%n%B "${REFS[@]}"
    measure "accord status --format json (cold)" 0,1 "$COLD" "$A" "ratio<=0.3" \
        -- "$ACCORD" -C "$REPO" status --format json ++ git -C "$REPO" log --format=%H%n%B "${REFS[@]}"
    measure "accord status --format json (warm)" 0,1 "" "" "ms<50" \
        -- "$ACCORD" -C "$REPO" status --format json
    measure "$B" 0 "" "" "" -- git -C "$REPO" log --format=%H -- "$FILE"
    measure "accord history $AGREEMENT (fresh clone)" 0 "$COLD" "$B" "ratio<=1" \
        -- "$ACCORD" -C "$REPO" history "$AGREEMENT" ++ git -C "$REPO" log --format=%H -- "$FILE"
    measure "accord log $AGREEMENT (fresh clone)" 0 "$COLD" "$B" "ratio<=1" \
        -- "$ACCORD" -C "$REPO" log "$AGREEMENT" ++ git -C "$REPO" log --format=%H -- "$FILE"
    measure "accord history $AGREEMENT (warm)" 0 "" "$B" "ms<50" \
        -- "$ACCORD" -C "$REPO" history "$AGREEMENT"
    measure "accord log $AGREEMENT (warm)" 0 "" "$B" "ms<50" \
        -- "$ACCORD" -C "$REPO" log "$AGREEMENT"
    measure "accord diff $AGREEMENT HEAD~100 HEAD (fresh clone)" 0 "$COLD" "$B" "ratio<=1" \
        -- "$ACCORD" -C "$REPO" diff "$AGREEMENT" HEAD~100 HEAD \
        ++ git -C "$REPO" log --format=%H -- "$FILE"
    measure "accord diff $AGREEMENT HEAD~100 HEAD (warm)" 0 "" "$B" "ms<50" \
        -- "$ACCORD" -C "$REPO" diff "$AGREEMENT" HEAD~100 HEAD
    # The first question about an agreement after a cold `status` (the cache present, but no
    # timeline of this agreement in it yet): the history's skeleton answers.
    AFTER_STATUS="$COLD; '$ACCORD' -C '$REPO' status >/dev/null 2>&1 || true"
    measure "accord history $AGREEMENT after a cold status" 0 "$AFTER_STATUS" "" "ms<50" \
        -- "$ACCORD" -C "$REPO" history "$AGREEMENT"
    measure "accord log $AGREEMENT after a cold status" 0 "$AFTER_STATUS" "" "ms<50" \
        -- "$ACCORD" -C "$REPO" log "$AGREEMENT"
    (
        export GIT_AUTHOR_NAME="Party 2" GIT_AUTHOR_EMAIL=party2@example.com
        export GIT_COMMITTER_NAME="Party 2" GIT_COMMITTER_EMAIL=party2@example.com
        measure "accord sign $AGREEMENT (warm)" 0 \
            "'$ACCORD' -C '$REPO' object '$AGREEMENT' -m 'bench: objection to be lifted'" "" \
            "ms<50" -- "$ACCORD" -C "$REPO" sign "$AGREEMENT"
    )
    measure "accord review HEAD~100..HEAD (fresh clone)" 0 "$COLD" "" "" \
        -- "$ACCORD" -C "$REPO" review HEAD~100..HEAD
    measure "accord review HEAD~100..HEAD (warm)" 0 "" "" "ms<50" \
        -- "$ACCORD" -C "$REPO" review HEAD~100..HEAD
    measure "accord review HEAD~100..HEAD (warm, answer not kept)" 0 \
        "rm -f '$GIT_DIR_ABS/accord/'reviews-v*.bin" "" "" \
        -- "$ACCORD" -C "$REPO" review HEAD~100..HEAD
    # No bar in SPEC §8; listed so that a run that reads every text once per commit (as
    # `verify` did until it took 7 minutes here) shows.
    measure "accord verify" 0,1 "" "$A" "" \
        -- "$ACCORD" -C "$REPO" verify ++ git -C "$REPO" log --format=%H%n%B "${REFS[@]}"
    measure "accord status after a new commit" 0,1 \
        "git -C '$REPO' -c user.name=bench -c user.email=bench@example.com commit -q --allow-empty -m 'bench: one more commit'" \
        "" "ms<50" -- "$ACCORD" -C "$REPO" status --format json
    # `history` after code landed on top of the tip it last answered at (a `git pull`).
    measure "accord history $AGREEMENT after a new commit" 0 \
        "git -C '$REPO' -c user.name=bench -c user.email=bench@example.com commit -q --allow-empty -m 'bench: one more commit'" \
        "" "ms<50" -- "$ACCORD" -C "$REPO" history "$AGREEMENT"
    restore_tip
    "$ACCORD" -C "$REPO" history "$AGREEMENT" >/dev/null 2>&1 || true
    echo "accord cache: $(du -sh "$GIT_DIR_ABS/accord" 2>/dev/null | cut -f1):" \
        "$(cd "$GIT_DIR_ABS/accord" 2>/dev/null && du -h -- * | tr '\t\n' '  ')" >"$WORK/cache-$COND.txt"
done

for COND in $CONDITIONS; do
    echo
    echo "== results, $COND: $PARAMS, $RUNS runs, median wall time, peak RSS over the runs"
    python3 "$HELPER" report "$WORK/results-$COND.jsonl"
    cat "$WORK/cache-$COND.txt"
done

#!/usr/bin/env python3
"""The children's own share of issue #13's rows: how much CPU one session's processes cost by
themselves, with and without the cgroup join a contained launch goes through on a glibc without
posix_spawnattr_setcgroup_np: sr-cgroup-exec (target/sr-cgroup-exec, process/CgroupJoin.java)
and the /bin/sh one-liner a runner falls back to without it. Spawned one at a time from this
script, so the rate is an upper bound for any supervisor on this machine.

Usage: bench/child_floor.py STAMP [N]   (STAMP: the harness's stamp binary, built by bench/peers.sh)
"""
import os
import sys
import tempfile
import time

JOIN_THEN_EXEC = '{ echo $$ >"$0"; } 2>/dev/null; unset PWD; exec "$@"'
CGROUP_EXEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "sr-cgroup-exec")


def cgroup_dir():
    """A scratch cgroup v2 directory, or None without a writable cgroup v2 hierarchy."""
    for root in ("/sys/fs/cgroup/unified", "/sys/fs/cgroup"):
        if os.path.exists(f"{root}/cgroup.procs") and os.path.exists(f"{root}/cgroup.controllers"):
            try:
                return tempfile.mkdtemp(prefix="child-floor-", dir=root)
            except OSError:
                pass
    return None


def measure(argv, n, devnull):
    """CPU of each session's processes (wait4's rusage: the child and what it execs) and the serial rate."""
    cpu = 0.0
    t0 = time.monotonic()
    for _ in range(n):
        pid = os.posix_spawn(argv[0], argv, os.environ,
                             file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status, usage = os.wait4(pid, 0)
        cpu += usage.ru_utime + usage.ru_stime
    return cpu / n * 1e3, n / (time.monotonic() - t0)


def main():
    if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
        sys.exit("usage: bench/child_floor.py STAMP [N]  (STAMP: an executable stamp binary)")
    stamp, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    fd, log = tempfile.mkstemp(prefix="child-floor-", suffix=".log")
    os.close(fd)
    devnull = os.open("/dev/null", os.O_WRONLY)
    cg = cgroup_dir()
    crash = [stamp, log, "1"]
    fleet = [stamp, log, "--exec", "/bin/sleep", "0"]
    cases = [("crash child (stamp ... 1)", crash), ("fleet session (stamp ... --exec sleep 0)", fleet)]
    if cg:
        join = ["/bin/sh", "-c", JOIN_THEN_EXEC, f"{cg}/cgroup.procs"]
        cases = [cases[0], ("crash child through the /bin/sh join", join + crash),
                 cases[1], ("fleet session through the /bin/sh join", join + fleet)]
        if os.access(CGROUP_EXEC, os.X_OK):
            program = [os.path.realpath(CGROUP_EXEC), f"{cg}/cgroup.procs", stamp]
            cases.insert(2, ("crash child through sr-cgroup-exec", program + crash))
            cases.append(("fleet session through sr-cgroup-exec", program + fleet))
    print(f"children's own CPU, {n} sessions each, one at a time")
    print("| session | CPU per session (ms) | sessions/s, one at a time |")
    print("|---|---|---|")
    try:
        for name, argv in cases:
            ms, rate = measure(argv, n, devnull)
            print(f"| {name} | {ms:.2f} | {rate:.0f} |")
    finally:
        if cg:
            os.rmdir(cg)
        os.remove(log)
    if not cg:
        print("(no writable cgroup v2 hierarchy: the cgroup join rows are left out)")


if __name__ == "__main__":
    main()

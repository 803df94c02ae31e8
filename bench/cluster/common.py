"""Shared by the cluster benches (bench/cluster-chaos.sh, bench/cluster-scale.sh): a throwaway
PostgreSQL server, runner processes on it, /proc and /metrics readers.

Everything is started with an argv (never a shell) and stopped by its own pid. All traffic goes to
127.0.0.1.
"""
import http.client
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TOKEN = "cluster-bench-token"
PG_USER = "postgres"
PG_PASSWORD = "sr-bench-pw-5c1e"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def say(tag, msg):
    print(f"{tag}: {msg}", file=sys.stderr, flush=True)


def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        raise SystemExit(f"{name}={os.environ[name]!r} is not an integer")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- PostgreSQL ---------------------------------------------------------------------------------
def pg_binaries():
    """The newest /usr/lib/postgresql/N/bin with initdb, postgres and pg_ctl (Debian's layout)."""
    base = "/usr/lib/postgresql"
    best = None
    if os.path.isdir(base):
        for v in os.listdir(base):
            b = os.path.join(base, v, "bin")
            if all(os.access(os.path.join(b, x), os.X_OK) for x in ("initdb", "postgres", "pg_ctl")) \
                    and v.isdigit() and (best is None or int(v) > best[0]):
                best = (int(v), b)
    return best[1] if best else None


class PgServer:
    """initdb into a temp dir, postgres on 127.0.0.1 at a free port; as root it runs as the
    postgres user through runuser (initdb and postgres refuse root)."""

    def __init__(self, tag, fast=False, settings=()):
        self.tag = tag
        self.bin = pg_binaries()
        if not self.bin:
            raise SystemExit(f"{tag}: PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin: "
                             "install them with bin/setup --for-tests (Debian package postgresql)")
        self.root = os.geteuid() == 0
        self.base = tempfile.mkdtemp(prefix="sr-bench-pg-")
        os.chmod(self.base, 0o700)
        pw = os.path.join(self.base, "pw")
        with open(pw, "w") as f:
            f.write(PG_PASSWORD + "\n")
        if self.root:
            u = pwd.getpwnam(PG_USER)
            os.chown(self.base, u.pw_uid, u.pw_gid)
            os.chown(pw, u.pw_uid, u.pw_gid)
        self.data = os.path.join(self.base, "data")
        self._run([os.path.join(self.bin, "initdb"), "-D", self.data, "-U", PG_USER, f"--pwfile={pw}",
                   "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"])
        self.port = free_port()
        argv = [os.path.join(self.bin, "postgres"), "-D", self.data, "-p", str(self.port), "-k", self.base,
                "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"]
        if fast:
            argv += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        for kv in settings:
            argv += ["-c", kv]
        self.log = os.path.join(self.base, "postgres.log")
        self.proc = subprocess.Popen(self._as_pg(argv), cwd=self.base, stdin=subprocess.DEVNULL,
                                     stdout=open(self.log, "w"), stderr=subprocess.STDOUT,
                                     env={**os.environ, "LC_ALL": "C"})
        deadline = time.time() + 90
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{tag}: PostgreSQL exited at start: {self.tail()}")
            if self.query("SELECT 1", db="postgres", check=False) == [["1"]]:
                break
            time.sleep(0.2)
        else:
            raise SystemExit(f"{tag}: PostgreSQL did not accept connections within 90 s: {self.tail()}")
        self.query("CREATE DATABASE smartrunner", db="postgres")
        self.url = f"jdbc:postgresql://127.0.0.1:{self.port}/smartrunner"
        self.postmaster = self._postmaster_pid()

    def _as_pg(self, argv):
        return (["runuser", "-u", PG_USER, "--"] if self.root else []) + argv

    def _run(self, argv):
        r = subprocess.run(self._as_pg(argv), cwd=self.base, capture_output=True, text=True,
                           env={**os.environ, "LC_ALL": "C"})
        if r.returncode != 0:
            raise SystemExit(f"{self.tag}: {os.path.basename(argv[0])} failed: {(r.stdout + r.stderr)[-500:]}")

    def _postmaster_pid(self):
        # runuser forks: the postmaster is the process named postgres whose parent is runuser (or us)
        try:
            first = open(os.path.join(self.data, "postmaster.pid")).readline().strip()
            return int(first)
        except (OSError, ValueError):
            return self.proc.pid

    def tail(self):
        try:
            return " | ".join(open(self.log, errors="replace").read().splitlines()[-5:])
        except OSError:
            return "(no log)"

    def query(self, sql, db="smartrunner", check=True):
        """Rows of one statement as lists of strings (psql -At, fields split on \\x1f)."""
        out = self.raw(sql, db, check)
        return None if out is None else [line.split("\x1f") for line in out.splitlines()]

    def raw(self, sql, db="smartrunner", check=True):
        """psql's whole output of one statement (-At: unaligned, tuples only); None on error unless check."""
        r = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\x1f", "-h", "127.0.0.1", "-p", str(self.port),
                            "-U", PG_USER, "-d", db, "-v", "ON_ERROR_STOP=1", "-c", sql],
                           capture_output=True, text=True, env={**os.environ, "PGPASSWORD": PG_PASSWORD,
                                                                "PGCONNECT_TIMEOUT": "5"})
        if r.returncode != 0:
            if check:
                raise RuntimeError(f"psql: {sql[:80]}: {r.stderr.strip()}")
            return None
        return r.stdout

    def cpu_ticks(self):
        """utime+stime of the postmaster, its live children, and (cutime+cstime) the children it
        already reaped: every tick this server used since it started."""
        total = proc_ticks(self.postmaster, children_too=True) or 0
        for pid in children_of(self.postmaster):
            total += proc_ticks(pid) or 0
        return total

    def stop(self, keep_log_in=None):
        if self.proc.poll() is None:
            subprocess.run(self._as_pg([os.path.join(self.bin, "pg_ctl"), "stop", "-D", self.data, "-m", "fast",
                                        "-w", "-t", "30"]), cwd=self.base, capture_output=True)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if keep_log_in:
            try:
                shutil.copy(self.log, os.path.join(keep_log_in, "postgres.log"))
            except OSError:
                pass
        shutil.rmtree(self.base, ignore_errors=True)


# --- /proc ----------------------------------------------------------------------------------------
def stat_fields(pid):
    """Fields of /proc/PID/stat after the command name (index 0 = state)."""
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def proc_ticks(pid, children_too=False):
    f = stat_fields(pid)
    if not f:
        return None
    t = int(f[11]) + int(f[12])
    if children_too:
        t += int(f[13]) + int(f[14])
    return t


def children_of(ppid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            f = stat_fields(d)
            if f and int(f[1]) == ppid:
                out.append(int(d))
    return out


def ancestors():
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        f = stat_fields(pid)
        if not f:
            break
        pid = int(f[1])
    return pids


def processes_tagged(runner_ids, pids=(), under_dir=None):
    """Live processes whose environment carries one of runner_ids as SR_RUNNER_ID, or whose pid is
    in pids (session children seen by the bench, runner JVMs), or whose cwd is under under_dir;
    never this process or its ancestors. [(pid, cmdline)]"""
    mine, pids = ancestors(), set(pids)
    root = os.path.realpath(under_dir) if under_dir else None
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) in mine:
            continue
        pid = int(d)
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace").strip()
            f = stat_fields(pid)
            if not cmd or not f or f[0] == "Z":
                continue
            # a pid seen once may have been reused by anything since (18 000 sessions a run): only
            # what a session child or a runner JVM runs counts by pid alone
            hit = pid in pids and any(k in cmd for k in ("stamp_child", "java", "smart-runner"))
            if not hit:
                env = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
                ids = {e[13:].decode(errors="replace") for e in env if e.startswith(b"SR_RUNNER_ID=")}
                hit = bool(ids & runner_ids)
            if not hit and root:
                cwd = os.readlink(f"/proc/{pid}/cwd")
                hit = cwd == root or cwd.startswith(root + "/")
        except OSError:
            continue
        if hit:
            found.append((pid, cmd))
    return found


# --- HTTP -----------------------------------------------------------------------------------------
def get(port, path, timeout=2.0):
    """(status, text); (None, error) when nothing answered."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("GET", path, headers={"Authorization": "Bearer " + TOKEN})
        r = c.getresponse()
        text = r.read().decode(errors="replace")
        c.close()
        return r.status, text
    except (OSError, http.client.HTTPException) as e:
        return None, str(e)


def metric_sum(text, name):
    """Sum of a metric's samples over all label sets; None when the metric is not there."""
    total, seen = 0.0, False
    for line in text.splitlines():
        if line.startswith(name) and (len(line) == len(name) or line[len(name)] in " {"):
            try:
                total += float(line.rsplit(" ", 1)[1])
                seen = True
            except (IndexError, ValueError):
                pass
    return total if seen else None


# --- runners --------------------------------------------------------------------------------------
class Runner:
    """One runner process on its own data dir; restarted on the same dir (same runner id)."""

    def __init__(self, tag, root, name, workdir):
        self.tag, self.root, self.name = tag, root, name
        self.dir = os.path.join(workdir, name)
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "logs", "events.jsonl")
        self.config = os.path.join(self.dir, "config.json")
        os.makedirs(os.path.join(self.dir, "logs"), exist_ok=True)
        self.proc = None
        self.runs = 0
        self.pids = []          # every JVM pid this runner had
        self.stopped = False    # SIGSTOPped now

    def write_config(self, cfg):
        with open(self.config, "w") as f:
            json.dump(cfg, f, indent=1)

    def start(self, pg_password):
        self.runs += 1
        self.err = os.path.join(self.dir, f"runner.{self.runs}.err")
        try:
            os.remove(os.path.join(self.data, "http.port"))
        except OSError:
            pass
        env = {**os.environ, "SR_PG_PASSWORD": pg_password}
        self.proc = subprocess.Popen([os.path.join(self.root, "bin", "smart-runner"), "run", "-c", self.config],
                                     stdin=subprocess.DEVNULL, stdout=open(self.err, "a"), stderr=subprocess.STDOUT,
                                     cwd=self.dir, env=env, start_new_session=True)
        self.pids.append(self.proc.pid)
        self.stopped = False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def port(self):
        try:
            return int(open(os.path.join(self.data, "http.port")).read().strip())
        except (OSError, ValueError):
            return None

    def wait_ready(self, timeout=120):
        """True once /healthz answers; False if the process exited first or the time is up."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self.alive():
                return False
            p = self.port()
            if p and get(p, "/healthz", timeout=1)[0] is not None:
                return True
            time.sleep(0.2)
        return False

    def stderr_tail(self, n=3):
        try:
            return " | ".join(open(self.err, errors="replace").read().splitlines()[-n:])
        except OSError:
            return ""

    def signal(self, sig):
        if self.alive():
            os.kill(self.proc.pid, sig)
            if sig == signal.SIGSTOP:
                self.stopped = True
            elif sig == signal.SIGCONT:
                self.stopped = False

    def terminate(self, timeout=90, send=True):
        """SIGTERM (unless already sent) and wait; True if it exited 0 in time (else it is killed)."""
        if self.proc is None:
            return False
        if self.stopped:
            self.signal(signal.SIGCONT)
        if send and self.alive():
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return False
        return self.proc.returncode == 0

    def kill9(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait()
        self.stopped = False

    def metrics(self, timeout=1.0):
        p = self.port()
        if not p or not self.alive() or self.stopped:
            return None
        status, text = get(p, "/metrics", timeout)
        return text if status == 200 else None


def detect_cluster_keys(tag, root, runner, base_cfg, cluster_block, pg_password):
    """Whether this build accepts the cluster block: `status -c` on a copy of a runner's config
    with the block (reads the store, starts nothing). (accepted, note)."""
    probe = os.path.join(runner.dir, "probe-config.json")
    with open(probe, "w") as f:
        json.dump({**base_cfg, "cluster": cluster_block}, f)
    r = subprocess.run([os.path.join(root, "bin", "smart-runner"), "status", "-c", probe], cwd=runner.dir,
                       capture_output=True, text=True, env={**os.environ, "SR_PG_PASSWORD": pg_password})
    os.remove(probe)
    if r.returncode == 0:
        return True, "cluster." + ", cluster.".join(f"{k}={v}" for k, v in cluster_block.items())
    if "$.cluster" in r.stderr:
        said = r.stderr.strip().splitlines()[-1]
        return False, "cluster.* not accepted by this build (" + said[said.index("$.cluster"):].split(",")[0] + ")"
    raise SystemExit(f"{tag}: status -c with a cluster block failed: {r.stderr.strip()[:300]}")


def event_files(log):
    """Rotated files first (highest number = oldest), then the live log."""
    d, b = os.path.dirname(log), os.path.basename(log)
    rotated = []
    if os.path.isdir(d):
        for n in os.listdir(d):
            m = re.fullmatch(re.escape(b) + r"\.(\d+)", n)
            if m:
                rotated.append((int(m.group(1)), os.path.join(d, n)))
    rotated.sort(reverse=True)
    return [p for _, p in rotated] + ([log] if os.path.exists(log) else [])


def read_events(log):
    out, malformed = [], 0
    for path in event_files(log):
        with open(path, "rb") as f:
            for raw in f:
                try:
                    out.append(json.loads(raw))
                except ValueError:
                    malformed += 1
    return out, malformed

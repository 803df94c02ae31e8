#!/usr/bin/env python3
"""Fault-suite checker: one scenario's row, computed from what the runner left behind.

  check.py row DIR     -> reads DIR/meta.json (written by scenarios.py), the event log(s), state.db,
                          the children's stamps and /proc; writes DIR/row.json and prints it
  check.py table ROW.json...  -> prints the table (exit 1 unless every row meets the target)

Rules (approximate where said):
- events lost: a session the stamps saw with no `start` event, plus a `start` with no terminal
  event (`finish`/`error`) after the final clean stop.
- duplicated terminal events: session ids with more than one terminal event.
- overlapping sessions: per profile, sessions whose interval intersects an earlier one's; from the
  stamps (CLOCK_MONOTONIC; a child killed by SIGKILL writes no end stamp, so its end is bounded by
  its terminal event's wall time; with neither it is left out) and from the events ([start ts,
  terminal ts]; a session with no terminal event is left out: it is counted as lost).
- orphans left: processes after the final stop whose environment carries an SR_RUNNER_ID of this
  data dir, or whose cwd is inside the scenario dir (session workingDir), e.g. `sleep 777` daemons
  (`env -i` leaves them no environment); plus any the scenario counted and removed itself.
- integrity: SQLite `PRAGMA integrity_check`, and a replay of the log: per profile errorStreak =
  the `errorStreak` the last event that records one wrote (error, reset, pause: the runner's own
  decision, failure classes and the breaker's take-backs included), 0 after a finish or unpause;
  an error without one (older logs) counts 1 unless its reason is shutdown or its class
  infrastructure / shared; paused = the last of pause / unpause is a pause; no profile left
  running after a clean stop.
"""
import datetime
import glob
import json
import os
import re
import sqlite3
import sys

TERMINAL = ("finish", "error")


def event_files(log):
    """Rotated files first (highest number = oldest), then the live log."""
    rotated = [p for p in glob.glob(log + ".*") if re.fullmatch(r"\d+", p[len(log) + 1:])]
    rotated.sort(key=lambda p: -int(p[len(log) + 1:]))
    return rotated + ([log] if os.path.exists(log) else [])


def read_events(log):
    events, malformed = [], 0
    for path in event_files(log):
        with open(path, "rb") as f:
            for raw in f:
                try:
                    events.append(json.loads(raw))
                except ValueError:
                    malformed += 1
    return events, malformed


def wall_ms(ts):
    return datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000


def read_stamps(path):
    starts, ends = {}, {}
    if not os.path.exists(path):
        return starts, ends
    for line in open(path, errors="replace"):
        f = line.split()
        if len(f) < 9 or f[0] not in "SE":
            continue
        rec = {"profile": f[1], "session": f[2], "pid": int(f[3]), "mono": int(f[4]), "wall": int(f[5]),
               "runner": f[6], "how": f[7], "code": int(f[8])}
        (starts if f[0] == "S" else ends)[f[2]] = rec
    return starts, ends


def count_overlaps(intervals):
    """intervals: profile -> [(start, end)]; counts intervals that begin before an earlier one ended."""
    n = 0
    for spans in intervals.values():
        spans.sort()
        reach = float("-inf")
        for s, e in spans:
            if s < reach:
                n += 1
            reach = max(reach, e)
    return n


def ancestors():
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        try:
            pid = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            break
    return pids


def scan_orphans(scenario_dir, runner_ids):
    mine = ancestors()   # never this process nor the shell that runs it (its cwd may be in there)
    found = []
    root = os.path.realpath(scenario_dir)
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) in mine:
            continue
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace").strip()
            env = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
            try:
                cwd = os.readlink(f"/proc/{pid}/cwd")
            except OSError:
                cwd = ""
        except OSError:
            continue
        if not cmd:
            continue   # a zombie: reaped by whoever adopted it, not a live orphan
        ids = {e[len(b"SR_RUNNER_ID="):].decode(errors="replace") for e in env if e.startswith(b"SR_RUNNER_ID=")}
        if (ids & runner_ids) or cwd == root or cwd.startswith(root + "/"):
            found.append(f"{pid}:{cmd[:60]}")
    return found


def state_db(path):
    if not os.path.exists(path):
        return None, "missing"
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        verdict = db.execute("PRAGMA integrity_check").fetchall()
        ok = verdict == [("ok",)]
        rows = {r[0]: {"streak": r[1], "paused": r[2], "running": r[3]} for r in
                db.execute("SELECT profile_id, error_streak, paused, running FROM profiles")}
        ids = [r[0] for r in db.execute("SELECT value FROM meta WHERE key = 'runner_id'")]
        db.close()
        return {"rows": rows, "runner_ids": ids}, "ok" if ok else "integrity_check: " + str(verdict[0][0])[:60]
    except sqlite3.Error as e:
        return None, "unreadable: " + str(e)[:60]


def row(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    events, malformed = read_events(meta["eventLog"])
    stamps_s, stamps_e = read_stamps(os.path.join(d, "stamps.txt"))
    db, db_verdict = state_db(meta["stateDb"])

    starts, terminals = {}, {}
    for ev in events:
        sid = ev.get("sessionId")
        if ev.get("type", "session") != "session" or not sid:
            continue
        if ev.get("event") == "start":
            starts[sid] = ev
        elif ev.get("event") in TERMINAL:
            terminals.setdefault(sid, []).append(ev)

    no_start = [s for s in stamps_s if s not in starts]
    no_terminal = [s for s in starts if s not in terminals] if meta.get("cleanStop") else []
    duplicated = [s for s, t in terminals.items() if len(t) > 1]

    # an interval with no known end is left out (that session is already counted as lost, and a
    # process still alive is an orphan); an open end would count the same defect again as overlaps
    by_stamps, open_ended = {}, 0
    for sid, s in stamps_s.items():
        if sid in stamps_e:
            end = stamps_e[sid]["mono"]
        elif sid in terminals:
            end = s["mono"] + (wall_ms(terminals[sid][0]["ts"]) * 1e6 - s["wall"])
        else:
            open_ended += 1
            continue
        by_stamps.setdefault(s["profile"], []).append((s["mono"], end))
    by_events = {}
    for sid, ev in starts.items():
        if sid in terminals:
            by_events.setdefault(ev.get("profileId"), []).append((wall_ms(ev["ts"]), wall_ms(terminals[sid][0]["ts"])))
    ov_stamps, ov_events = count_overlaps(by_stamps), count_overlaps(by_events)

    runner_ids = set(meta.get("runnerIds", [])) | {s["runner"] for s in stamps_s.values() if s["runner"] != "-"}
    if db:
        runner_ids |= set(db["runner_ids"])
    orphans = scan_orphans(d, runner_ids) if meta.get("scanOrphans", True) else []
    orphan_count = len(orphans) + meta.get("orphansSeen", 0)

    # replay (approximate rules, see the module doc)
    streak, paused = {}, {}
    for ev in events:
        p, kind = ev.get("profileId"), ev.get("event")
        if not p:
            continue
        params = ev.get("params") or {}
        if isinstance(params.get("errorStreak"), int) and kind in ("error", "reset", "pause"):
            streak[p] = params["errorStreak"]
        elif kind == "finish" or kind in ("reset", "unpause"):
            streak[p] = 0
        elif kind == "error" and params.get("reason") != "shutdown" \
                and params.get("class") not in ("infrastructure", "shared"):
            streak[p] = streak.get(p, 0) + 1
        if kind in ("pause", "unpause"):
            paused[p] = kind == "pause"
    problems = []
    if meta.get("integrity"):
        integrity = meta["integrity"]          # e.g. the runner refused the damaged store
    elif db is None:
        integrity = "failed: state.db " + db_verdict
    else:
        if db_verdict != "ok":
            problems.append(db_verdict)
        bad_streak = [p for p, r in db["rows"].items() if r["streak"] != streak.get(p, 0)]
        bad_paused = [p for p, r in db["rows"].items() if bool(r["paused"]) != paused.get(p, False)]
        running = [p for p, r in db["rows"].items() if r["running"]] if meta.get("cleanStop") else []
        if bad_streak:
            problems.append(f"{len(bad_streak)} streak(s) differ from the replay (e.g. {bad_streak[0]}: db "
                            f"{db['rows'][bad_streak[0]]['streak']}, log {streak.get(bad_streak[0], 0)})")
        if bad_paused:
            problems.append(f"{len(bad_paused)} paused flag(s) differ from the log")
        if running:
            problems.append(f"{len(running)} profile(s) left running")
        integrity = "ok" if not problems else "failed: " + "; ".join(problems)
    if malformed:
        integrity += f" ({malformed} malformed line(s))"

    notes = list(meta.get("notes", []))
    if not meta.get("cleanStop"):
        notes.append("final stop was not clean: start-without-terminal not counted")
    if no_start:
        notes.append(f"{len(no_start)} stamped session(s) without a start event")
    if no_terminal:
        notes.append(f"{len(no_terminal)} start(s) without a terminal event")
    if open_ended:
        notes.append(f"{open_ended} stamped session(s) with neither an end stamp nor a terminal event (no overlap check)")
    if ov_stamps or ov_events:
        notes.append(f"overlaps: {ov_stamps} from the stamps, {ov_events} from the events")
    if orphans:
        notes.append("orphans: " + ", ".join(orphans[:5]) + (" ..." if len(orphans) > 5 else ""))
    r = {"scenario": meta["scenario"], "attempts": meta["attempts"], "survived": meta["survived"],
         "lost": len(no_start) + len(no_terminal), "duplicated": len(duplicated),
         "overlapping": max(ov_stamps, ov_events), "orphans": orphan_count, "integrity": integrity,
         "sessions": len(starts), "notes": notes}
    json.dump(r, open(os.path.join(d, "row.json"), "w"), indent=1)
    print(json.dumps(r))
    return r


def meets_target(r):
    return (r["attempts"] > 0 and r["survived"] == r["attempts"] and r["lost"] == 0 and r["duplicated"] == 0
            and r["overlapping"] == 0 and r["orphans"] == 0 and r["integrity"].startswith("ok"))


def table(paths):
    rows = [json.load(open(p)) for p in paths]
    head = ["scenario", "attempts", "survived", "events lost", "duplicated terminal events",
            "overlapping sessions", "orphans left", "integrity"]
    cells = [[r["scenario"] + ("" if meets_target(r) else " FAIL"), str(r["attempts"]), str(r["survived"]),
              str(r["lost"]), str(r["duplicated"]), str(r["overlapping"]), str(r["orphans"]), r["integrity"]]
             for r in rows]
    width = [max(len(c[i]) for c in [head] + cells) for i in range(len(head))]
    line = lambda c: "| " + " | ".join(x.ljust(w) for x, w in zip(c, width)) + " |"
    print(line(head))
    print("|" + "|".join("-" * (w + 2) for w in width) + "|")
    for c in cells:
        print(line(c))
    for r in rows:
        for n in [f"{r['sessions']} session(s) in the log"] + r["notes"]:
            print(f"  {r['scenario']}: {n}")
    good = sum(meets_target(r) for r in rows)
    print(f"{good} of {len(rows)} scenario(s) meet the target (all survived; 0 lost, duplicated, overlapping, orphans; integrity ok)")
    return 0 if good == len(rows) else 1


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "row":
        row(sys.argv[2])
    elif len(sys.argv) >= 2 and sys.argv[1] == "table":
        sys.exit(table(sys.argv[2:]))
    else:
        sys.exit(__doc__)

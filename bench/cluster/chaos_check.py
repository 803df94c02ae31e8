#!/usr/bin/env python3
"""Cluster chaos checker: the table of bench/cluster-chaos.sh, computed only from what the run saved.

  chaos_check.py [DIR]     DIR defaults to bench/out/cluster-chaos; exit 1 unless every target is met

Inputs (all in DIR): meta.json, actions.jsonl, stamps.txt, deaths.txt, metrics.jsonl, leftovers.json,
db/*.json, and every runner's event log (r*/logs/events.jsonl and its rotated files).

How each figure is computed:
- overlapping sessions: two sessions of one profile whose lives intersect, counted three ways:
  * kernel lock: children that found the profile's lock (a POSIX record lock the child holds
    while it lives, freed by the kernel at its death, SIGKILL included) held by another live child;
  * children's stamps: intervals [start stamp, death]; the death is the observer's pidfd record
    (exact for SIGKILL too), else the child's end stamp, else its terminal event; pairs that intersect;
  * events: intervals [start event, terminal event] of every runner's log, the end no later than the start
    plus the terminal event's durMs (a start closed later by the runner's next run never ran); pairs that intersect.
- takeover time: for each kill -9 / SIGSTOP / SIGTERM of runner R at T, the profiles R had a live
  child of at T (from the stamps); for each, the first child start of that profile after T on
  another runner (R's own next run counts too: after kill -9 or restart, and after SIGSTOP when R's
  process watchdog killed it and the bench started it again); worst over all. When R's next run
  was itself killed, frozen or stopped before that start (it took the lease back, then died), the
  takeover counts from that later disruption, under its kind.
- stale writes rejected: the runners' smartrunner_stale_writes_total, last scrape of each run
  (scraped every second; a kill -9 loses at most the last second), summed; n/a when no runner
  exposes the metric.
- terminal events: every session `start` (all runners' logs) must have exactly one terminal
  event (type session, event not `start`: finish, error, lost, ...) in any runner's log, after the
  final graceful stop; the database's events table the same way when it has rows; the sessions
  table must have no RUNNING row.
- processes left: after the final graceful stop, processes whose environment carries one of the
  runners' SR_RUNNER_IDs, session children the observer saw, runner JVMs, or anything whose cwd is
  the sessions' working dir (found in /proc by the driver, listed in leftovers.json).
"""
import bisect
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import read_events  # noqa: E402


def wall_ns(ts):
    return int(datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1e9)


def ev_wall(rec):
    return rec["ts"]


def load_jsonl(path):
    out = []
    if os.path.exists(path):
        for line in open(path, errors="replace"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def overlap_pairs(spans):
    """spans: profile -> [(start, end, runner)]; (pairs, cross-runner pairs, profiles, worst ns)."""
    pairs = cross = worst = 0
    profiles = set()
    for p, ss in spans.items():
        ss.sort()
        for i, (s, e, r) in enumerate(ss):
            for s2, e2, r2 in ss[i + 1:]:
                if s2 >= e:
                    break
                pairs += 1
                cross += r2 != r
                profiles.add(p)
                worst = max(worst, min(e, e2) - s2)
    return pairs, cross, len(profiles), worst


def check(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    offset = meta["monoMinusWallNs"]
    ttl = meta["leaseTtlMs"]
    actions = load_jsonl(os.path.join(d, "actions.jsonl"))

    # --- the children's own record -------------------------------------------------------------
    starts, ends, locks = {}, {}, {}
    for line in open(os.path.join(d, "stamps.txt"), errors="replace"):
        f = line.split()
        if len(f) < 8:
            continue
        kind, profile, session, pid, mono, runner = f[0], f[1], f[2], int(f[3]), int(f[4]), f[6]
        if kind == "S":
            starts[session] = {"profile": profile, "runner": runner, "pid": pid, "mono": mono}
        elif kind == "E":
            ends[session] = mono
        elif kind == "L":
            locks.setdefault(session, set()).add(int(f[7]))
    deaths = {}
    if os.path.exists(os.path.join(d, "deaths.txt")):
        for line in open(os.path.join(d, "deaths.txt")):
            f = line.split()
            if len(f) == 4 and f[0] == "D":
                deaths[f[1]] = int(f[3])
            elif len(f) == 4 and f[0] == "G":
                # gone before the observer could watch it: dead by then at the latest (a child killed
                # with its runner right after its start); without it the child counted as alive forever
                deaths.setdefault(f[1], int(f[3]))

    # --- events ----------------------------------------------------------------------------------
    ev_start, ev_terminal, malformed = {}, {}, 0
    for r in meta["runners"]:
        events, bad = read_events(os.path.join(d, r["dir"], "logs", "events.jsonl"))
        malformed += bad
        for e in events:
            sid = e.get("sessionId")
            if not sid or e.get("type") != "session" and e.get("event") != "lost":
                continue
            rec = {"runner": r["name"], "profile": e.get("profileId"), "mono": wall_ns(e["ts"]) + offset, "ts": e["ts"],
                   "event": e.get("event"), "reason": (e.get("params") or {}).get("reason"), "durMs": e.get("durMs")}
            if e.get("event") == "start":
                ev_start.setdefault(sid, []).append(rec)
            else:
                ev_terminal.setdefault(sid, []).append(rec)

    # --- overlaps ----------------------------------------------------------------------------------
    spans, unknown_end = {}, 0
    for sid, s in starts.items():
        end = deaths.get(sid) or ends.get(sid) or (ev_terminal[sid][0]["mono"] if sid in ev_terminal else None)
        if end is None:
            unknown_end += 1
            continue
        spans.setdefault(s["profile"], []).append((s["mono"], end, s["runner"]))
    stamp_pairs, stamp_cross, stamp_profiles, stamp_worst = overlap_pairs(spans)
    ev_spans = {}
    for sid, st in ev_start.items():
        if sid in ev_terminal:
            # the end is when the terminal event says the session ran until (durMs), if that is earlier
            # than when it was written: a start closed by the runner's next run never ran (durMs 0)
            end, dur = ev_terminal[sid][0]["mono"], ev_terminal[sid][0]["durMs"]
            if dur is not None:
                end = min(end, st[0]["mono"] + int(dur) * 1_000_000)
            ev_spans.setdefault(st[0]["profile"], []).append((st[0]["mono"], end, st[0]["runner"]))
    ev_pairs, ev_cross, ev_profiles, _ = overlap_pairs(ev_spans)
    lock_sessions = len(locks)

    # --- takeover ----------------------------------------------------------------------------------
    by_profile = {}
    for sid, s in starts.items():
        by_profile.setdefault(s["profile"], []).append((s["mono"], s["runner"], sid))
    for v in by_profile.values():
        v.sort()
    ups = {}
    # the victim is back from its launch (it may take its own leases back before /healthz answers);
    # runs saved before the bench recorded launches count from "up"
    back_action = "launch" if any(a["action"] == "launch" for a in actions) else "up"
    for a in actions:
        if a["action"] == back_action:
            ups.setdefault(a["runner"], []).append(a["mono"])
    takeovers, never, undecided, per_kind = [], 0, 0, {}
    final = min([a["mono"] for a in actions if a["action"] == "final-stop"] or [float("inf")])
    limit_ns = (ttl + 2000) * 1_000_000
    for a in actions:
        kind = {"kill9": "kill -9", "sigstop": "SIGSTOP", "sigterm": "restart"}.get(a["action"])
        if not kind:
            continue
        t, victim = a["mono"], a["runner"]
        # the victim's own next run counts too: after kill -9 and restart always, after SIGSTOP when its
        # process watchdog killed it and it was started again (the bench does what systemd would)
        back = next((u for u in ups.get(victim, []) if u > t), None)
        held = set()
        for sid, s in starts.items():
            if s["runner"] == victim and s["mono"] < t:
                end = deaths.get(sid) or ends.get(sid)
                if end is None or end > t:
                    held.add(s["profile"])
        for p in held:
            seq = by_profile[p]
            i = bisect.bisect_right(seq, (t, "\uffff", ""))
            took = next((m for m, r, _ in seq[i:] if r != victim or (back is not None and m >= back)), None)
            if took is None or took > final:
                if final - t < limit_ns:
                    undecided += 1   # the final stop came before TTL + 2 s had passed: cannot judge
                else:
                    never += 1
                continue
            # the victim's next run may have taken the lease back and been disrupted itself before it
            # started the profile (restarted, then killed 5 s later): the profile then waits for that
            # run's lease to expire, a takeover counted from that later disruption
            later = [x for x in actions if x["runner"] == victim and x["action"] in ("kill9", "sigstop", "sigterm")
                     and t < x["mono"] < took]
            if later:
                t = later[-1]["mono"]
                kind = {"kill9": "kill -9", "sigstop": "SIGSTOP", "sigterm": "restart"}[later[-1]["action"]]
            takeovers.append((took - t, kind, victim, p))
            per_kind[kind] = max(per_kind.get(kind, 0), took - t)

    # --- stale writes ----------------------------------------------------------------------------
    last = {}
    for m in load_jsonl(os.path.join(d, "metrics.jsonl")):
        last[(m["runner"], m["run"])] = m.get("staleWrites")
    values = [v for v in last.values() if v is not None]
    stale = f"{int(sum(values))}" if values else "n/a (not built)"

    # --- terminal events -------------------------------------------------------------------------
    missing = [sid for sid in ev_start if len(ev_terminal.get(sid, [])) == 0]
    duplicated = [sid for sid in ev_start if len(ev_terminal.get(sid, [])) > 1]
    orphan_terminal = [sid for sid in ev_terminal if sid not in ev_start]
    not_in_events = [sid for sid in starts if sid not in ev_start]
    dbdir = os.path.join(d, "db")

    def db(table):
        try:
            return json.load(open(os.path.join(dbdir, table + ".json")))
        except (OSError, ValueError):
            return None
    db_events, db_sessions, db_leases = db("events"), db("sessions"), db("leases")
    if db_events:
        db_s, db_t = {}, {}
        for e in db_events:
            if e.get("session_id") and (e.get("type") == "session" or e.get("event") == "lost"):
                (db_s if e["event"] == "start" else db_t).setdefault(e["session_id"], 0)
                if e["event"] == "start":
                    db_s[e["session_id"]] += 1
                else:
                    db_t[e["session_id"]] += 1
        db_term = (f"{sum(1 for s in db_s if db_t.get(s, 0) == 0)} / {sum(1 for s in db_s if db_t.get(s, 0) > 1)}"
                   f" (of {len(db_s)})")
    else:
        db_term = "n/a (events table empty: not built)"
    open_rows = sum(1 for s in (db_sessions or []) if s.get("status") == "RUNNING")
    # the fleet view names a profile's runner from its row's last_runner (schema 8): it must be the
    # runner that wrote the profile's latest session, whatever takeovers wrote the row since
    db_profiles = db("profiles")
    wrong_runner = None
    if db_profiles is not None and db_sessions is not None and all("last_runner" in p for p in db_profiles):
        wrote = {s["session_id"]: s["runner_name"] for s in db_sessions}
        wrong_runner = [p["profile_id"] for p in db_profiles
                        if p.get("last_session_id") and p["last_runner"] != wrote.get(p["last_session_id"])]
    left = json.load(open(os.path.join(d, "leftovers.json")))["left"]

    # --- table -----------------------------------------------------------------------------------
    kinds = {}
    for a in actions:
        if a["action"] in ("kill9", "sigstop", "sigterm"):
            kinds[a["action"]] = kinds.get(a["action"], 0) + 1
    worst = max((x[0] for x in takeovers), default=None)
    overlap_total = max(stamp_pairs, ev_pairs, lock_sessions)
    rows = []

    def row(name, value, target, ok):
        rows.append((name, value, target, "" if ok is None else ("ok" if ok else "FAIL")))
        return ok is not False

    fine = True
    fine &= row("overlapping sessions of one profile (children)", f"{stamp_pairs} pairs ({stamp_cross} across runners,"
                f" {stamp_profiles} profiles, worst {stamp_worst / 1e9:.1f} s)", "0", stamp_pairs == 0)
    fine &= row("  children that found the profile's lock held", str(lock_sessions), "0", lock_sessions == 0)
    fine &= row("  overlapping sessions from the events", f"{ev_pairs} pairs ({ev_cross} across runners,"
                f" {ev_profiles} profiles)", "0", ev_pairs == 0)
    tk = "n/a (no runner held a session when disturbed)" if worst is None else (
        f"{worst / 1e9:.1f} s over {len(takeovers)} takeovers ("
        + ", ".join(f"{k} {v / 1e9:.1f} s" for k, v in sorted(per_kind.items())) + ")")
    if never:
        tk += f"; {never} never taken over"
    if undecided:
        tk += f"; {undecided} not judged (final stop < TTL + 2 s later)"
    fine &= row("worst takeover time", tk, f"<= {(ttl + 2000) / 1000:.0f} s (TTL + 2 s)",
                None if worst is None else (worst <= limit_ns and never == 0))
    row("stale writes rejected", stale, "counted", None)
    fine &= row("terminal events missing / duplicated", f"{len(missing)} / {len(duplicated)} (of {len(ev_start)}"
                f" sessions)", "0 / 0", not missing and not duplicated)
    fine &= row("  same, in the database's events table", db_term, "0 / 0",
                None if not db_events else db_term.startswith("0 / 0"))
    fine &= row("  session rows left RUNNING in the database", str(open_rows) if db_sessions is not None else "n/a",
                "0", open_rows == 0)
    fine &= row("  profiles whose row names another runner than its latest session's",
                "n/a (before schema 8)" if wrong_runner is None else f"{len(wrong_runner)} of {len(db_profiles)}"
                + (f" ({', '.join(wrong_runner[:5])})" if wrong_runner else ""), "0",
                None if wrong_runner is None else not wrong_runner)
    fine &= row("  children with no start event in any log", str(len(not_in_events)), "0", not not_in_events)
    fine &= row("processes left after the final stop", str(len(left)), "0", not left)

    print(f"cluster-chaos: {len(meta['runners'])} runners, {meta['profiles']} profiles, {len(actions) and sum(kinds.values())}"
          f" rounds (kill -9 {kinds.get('kill9', 0)}, SIGSTOP {meta['stopSeconds']} s {kinds.get('sigstop', 0)},"
          f" restart {kinds.get('sigterm', 0)}); sessions {meta['sessionMs'][0]}-{meta['sessionMs'][1]} ms,"
          f" {meta['longPercent']} % of {meta['longMs']} ms; seed {meta['seed']}")
    print(f"lease settings: {meta['clusterKeys']}")
    w = max(len(r[0]) for r in rows)
    v = max(len(r[1]) for r in rows)
    print(f"{'figure'.ljust(w)}  {'value'.ljust(v)}  {'target':<22} ")
    for name, value, target, verdict in rows:
        print(f"{name.ljust(w)}  {value.ljust(v)}  {target:<22} {verdict}")
    print(f"children started: {len(starts)}; deaths observed by pidfd: {len(deaths)}; ends unknown: {unknown_end};"
          f" session starts in events: {len(ev_start)}; terminal events without a start: {len(orphan_terminal)};"
          f" malformed log lines: {malformed}")
    if db_leases is not None:
        held = sum(1 for x in db_leases if x.get("holder"))
        print(f"database: leases rows {len(db_leases)} (held now {held}, epochs summed"
              f" {sum(int(x.get('epoch') or 0) for x in db_leases)}); events rows {len(db_events or [])};"
              f" sessions rows {len(db_sessions or [])}")
    for sid in missing[:5]:
        st = ev_start[sid][0]
        print(f"no terminal event: session {sid} of {st['profile']} started on {st['runner']} at"
              f" {ev_wall(st)}; child {'stamped' if sid in starts else 'never stamped (not launched)'}")
    for sid in duplicated[:5]:
        print(f"{len(ev_terminal[sid])} terminal events: session {sid} ("
              + ", ".join(f"{t['event']}/{t['reason']} on {t['runner']}" for t in ev_terminal[sid]) + ")")
    over = sorted((x for x in takeovers if x[0] > limit_ns), reverse=True)
    for took, kind, victim, p in over[:5]:
        print(f"slow takeover: {p} after {kind} of {victim}: {took / 1e9:.1f} s")
    for x in left[:5]:
        print(f"left: pid {x['pid']}: {x['cmd'][:120]}")
    return fine


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "out", "cluster-chaos")
    sys.exit(0 if check(target) else 1)

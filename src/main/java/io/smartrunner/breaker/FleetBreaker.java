package io.smartrunner.breaker;

import io.smartrunner.config.BreakerSettings;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One pod's fleet breaker (DESIGN §2b), a pure state machine on the monotonic clock the caller
 * passes in. Closed, it counts the sessions that ended in the last {@code windowMs}: a success or
 * a {@code profile}-class failure is a vote, other failures do not vote. It opens when at least
 * {@code failureRatio} of the votes are failures of at least {@code minProfiles} distinct profiles,
 * or when the pod's votes since its last success are all failures, {@link #IN_A_ROW} or more of
 * them, across at least {@code minProfiles} profiles (a whole pod's outage after a healthy spell).
 * A vote stays {@code windowMs} after its session's end plus as long as the session ran: a pod
 * whose sessions time out after longer than the window (a hung site, {@code timeoutMs} 600 s
 * against a 60 s window) ends fewer sessions in any one window than {@code minProfiles} when its
 * concurrency is lower, and its breaker could never open; a long session is compared with the
 * sessions that ran beside it. (Eviction looks at the oldest vote only, so a shorter one behind a
 * long one stays as long: the window stretches to the longest session in it.)
 * Open (half-open), the pod starts at most one probe session per {@code probeIntervalMs}; the first
 * probe that succeeds closes it. Not thread-safe (the engine's loop owns it).
 */
public final class FleetBreaker {
    /**
     * The breaker opened: the window's figures, and the failures before the one that opened it from
     * the outage's estimated onset on ({@code onsetNanos}, monotonic): the run's first failure when
     * a run of failures alone opened it and the failures before the run came from fewer than
     * {@code minProfiles} profiles (a broken one's, not the outage's), else the window's start.
     */
    public record Opened(int ended, int failed, int profiles, double ratio, long windowMs, int inARow,
                         Map<String, Integer> earlierFailures, long onsetNanos) {
    }

    /** The other profiles' ends in the window: {@code failed} of {@code ended}, across {@code profiles}. */
    public record PeerFailures(int failed, int ended, int profiles, long overMs) {
        public double rate() {
            return (double) failed / ended;
        }

        public long percent() {
            return Math.round(100 * rate());
        }

        /** To one decimal where it matters: 19.7 is not the 20 % of an outage. */
        public String percentText() {
            return percentText(rate());
        }

        static String percentText(double rate) {
            double tenths = Math.round(1000 * rate) / 10.0;
            return tenths == Math.rint(tenths) ? String.valueOf((long) tenths) : String.valueOf(tenths);
        }
    }

    /**
     * What the engine knows of a profile's pod now, apart from the window: its other profiles as
     * configured, those of them not paused, and how many of those failed their last counted
     * session (error streak above 0).
     */
    public record Others(int configured, int unpaused, int failingNow) {
    }

    /** Why the peers' evidence withholds a pause; see {@link #peersExplain}. */
    public enum Why {
        /** The peers fail at least {@link #PEER_SHARE} of {@code failureRatio} of their sessions. */
        OUTAGE,
        /** As many of the peers are failing now (a streak above 0): a path some profiles use. */
        FAILING_NOW,
        /** Below those, a streak this long is not rare at the peers' rate. */
        CHANCE,
        /** Too few peers ended a session in the window to tell yet (a start, a breaker's close). */
        TOO_FEW
    }

    /**
     * Why the peers' evidence withholds a profile's pause at a streak of {@code streak}.
     *
     * @param peers  the peers' votes the rate was taken over; null for {@link Why#FAILING_NOW}, and
     *               for {@link Why#TOO_FEW} when none voted
     * @param others the pod's other profiles as the engine has them
     * @param needed how many peers must vote before the window can tell
     */
    public record Withheld(Why why, PeerFailures peers, double rate, int streak, Others others, int needed) {
        public boolean outage() {
            return why == Why.OUTAGE || why == Why.FAILING_NOW;
        }

        /** On average, how many sessions a profile failing at {@code rate} runs per streak this long by chance. */
        public long onceIn() {
            return Math.round(1 / Math.pow(rate, streak));
        }

        /** The streak at which the profile is paused while the rate stays ({@link Why#CHANCE}, {@link Why#TOO_FEW}). */
        public int pausedAt() {
            int k = streak + 1;
            while (byChance(rate, k)) {
                k++;
            }
            return k;
        }

        /** The rate, to one decimal where it matters. */
        public String rateText() {
            return PeerFailures.percentText(rate);
        }
    }

    /** A probe succeeded: the breaker closed after {@code openForMs} and {@code probes} probe sessions. */
    public record Closed(long openForMs, int probes) {
    }

    private record Vote(long nanos, String profileId, boolean failed, long ranNanos) {
    }

    /** The share of {@code failureRatio} at which the peers' failures withhold a pause ({@link #peersExplain}). */
    static final double PEER_SHARE = 0.4;

    /**
     * A streak is the profile's own when a profile failing only as often as its peers would show it
     * less often than once in 1 / CHANCE sessions: a pod that runs 10 sessions a second at its
     * peers' rate pauses a healthy profile by chance at most about once in 3 h, whatever that rate
     * below {@link #PEER_SHARE} (at 18 % a profile is paused at 7 in a row: 0.18^7 = 6e-6). Below
     * 5.6 % it asks for no longer a streak than {@code maxErrorStreak} + 1 does by default (4:
     * 0.056^4 = 1e-5), so a pod with the noise of a real site pauses as the spec says.
     */
    static final double CHANCE = 1e-5;

    /**
     * The peers' rate a streak is judged at ({@link Why#CHANCE}, {@link Why#TOO_FEW}) is at least
     * what it is weighed with a real site's noise, 1 failure in 20 sessions, as if 20 such sessions
     * had been seen (only ever raised: pulled down towards 5 %, an 18 % rate paused healthy profiles
     * three times as often in {@code bench/blame-sim.java}):
     * with no votes at all a streak is judged as at 5 %, so the spec's 4 in a row pauses as before,
     * and a few dozen clean sessions are no proof of 0 %. With {@code maxErrorStreak} 0 a healthy
     * profile's first failure, 2 s after a start or with its peers' first sessions clean, paused it
     * in each of 3 pods (reviewer P, twice).
     */
    static final double ASSUMED_FAILED = 1;
    static final double ASSUMED_ENDED = 20;

    /**
     * The breaker also opens when the pod's last sessions failed in a row, at least this many (or
     * twice {@code minProfiles}) across at least {@code minProfiles} profiles, whatever the window
     * still holds: after a healthy spell the window's ratio reaches {@code failureRatio} only about
     * half a window into a whole pod's outage (reviewer R15: a 40 s outage failing every session of
     * a pod of 6 reached 0.495 and never opened it; 48 failures were counted as the profiles' own
     * and each climbed its ladder). By chance, at the demo's 10 % a run of 10 comes once in 10^10
     * session ends, at a partial outage's 30 % once in 170 000 ({@code bench/blame-sim.java}).
     */
    static final int IN_A_ROW = 10;

    /** The fewest profiles a run may span when hand pauses left fewer than {@code minProfiles} unpaused. */
    static final int RUN_PROFILES_AT_LEAST = 3;

    private final BreakerSettings settings;
    private final long windowNanos;
    private final long probeNanos;
    private final Deque<Vote> window = new ArrayDeque<>();
    private final int inARowNeeded;
    /** The pod's failure votes since its last success vote, and their profiles (up to {@code minProfiles}). */
    private int inARow;
    /** When the run of {@link #inARow} failures began (the first one's vote), meaningful while it is above 0. */
    private long runStartNanos;
    private final Set<String> inARowProfiles = new HashSet<>();
    /** When the window began counting (its first vote after the start or a close); valid once a vote is in. */
    private long countingSince;
    private boolean counting;
    private boolean open;
    private long openedNanos;
    private long lastProbeNanos;
    private int probes;

    public FleetBreaker(BreakerSettings settings) {
        this.settings = settings;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(settings.windowMs());
        this.probeNanos = TimeUnit.MILLISECONDS.toNanos(settings.probeIntervalMs());
        this.inARowNeeded = Math.max(IN_A_ROW, 2 * settings.minProfiles());
    }

    public boolean isOpen() {
        return open;
    }

    /** When it opened (monotonic), meaningful while open. */
    public long openedNanos() {
        return openedNanos;
    }

    /** Probe sessions started since it opened. */
    public int probes() {
        return probes;
    }

    /**
     * A session of the pod failed by its own fault ({@code profile} class). While closed it votes
     * and may open the breaker; while open it changes nothing (it is shared, and not a probe's success).
     *
     * @param ranMs how long the session ran (its {@code durMs}), null when unknown
     */
    public Optional<Opened> failed(long nanos, String profileId, Long ranMs) {
        return failed(nanos, profileId, ranMs, () -> Integer.MAX_VALUE);
    }

    /**
     * As {@link #failed(long, String, Long)}, where the pod has {@code unpaused} profiles not paused:
     * a run of failures in a row needs only that many of them (at least {@link #RUN_PROFILES_AT_LEAST})
     * when fewer than {@code minProfiles} are left to fail. A pod of 6 with 2 paused by hand never
     * opened at a whole-pod outage (reviewer R20); the window's ratio keeps {@code minProfiles}.
     * Asked only when a run is long enough and has too few profiles.
     */
    public Optional<Opened> failed(long nanos, String profileId, Long ranMs, java.util.function.IntSupplier unpaused) {
        if (open || !settings.enabled()) {
            return Optional.empty();
        }
        vote(new Vote(nanos, profileId, true, ran(ranMs)));
        evict(nanos);
        countInARow(nanos, profileId);
        int failed = 0;
        Set<String> failing = new HashSet<>();
        for (Vote v : window) {
            if (v.failed()) {
                failed++;
                failing.add(v.profileId());
            }
        }
        double ratio = (double) failed / window.size();
        // a young window's handful of votes is no rate: 5 of 7 just after a start or a close opened it
        // at a 35 % site and took back a broken profile's pause (reviewer R20); a real outage opens by
        // the run as soon. A full window keeps its few votes: a pod of long sessions has no more
        boolean young = nanos - countingSince < windowNanos;
        boolean byRatio = ratio >= settings.failureRatio() && failing.size() >= settings.minProfiles()
                && (!young || window.size() >= inARowNeeded);
        boolean byRun = inARow >= inARowNeeded && (inARowProfiles.size() >= settings.minProfiles()
                || inARowProfiles.size() >= RUN_PROFILES_AT_LEAST && inARowProfiles.size() >= unpaused.getAsInt());
        if (!byRatio && !byRun) {
            return Optional.empty();
        }
        // the window's start: windowMs ago, or the oldest vote's end when a long session stretched it
        long oldest = window.peekFirst().nanos();
        long start = oldest - (nanos - windowNanos) < 0 ? oldest : nanos - windowNanos; // monotonic: compare by difference
        // opened by a run alone, with the failures before it from fewer than minProfiles profiles (a
        // broken one or two among successes), the outage began with the run: those failures are the
        // profiles' own (reviewer R24: one paused 6 s before a site went down was unpaused and its
        // streak taken back, and paused again 75 s later). Failures of minProfiles profiles or more
        // before the run are the outage's too, a long session's success having cut the run short
        // (the code review's case), as are a ratio's: the window's start then
        long onset = byRun && !byRatio && runStartNanos - start > 0
                && failingBefore(runStartNanos) < settings.minProfiles() ? runStartNanos : start;
        Map<String, Integer> earlier = new LinkedHashMap<>();
        window.stream().limit(window.size() - 1L).filter(v -> v.failed() && v.nanos() - onset >= 0)
                .forEach(v -> earlier.merge(v.profileId(), 1, Integer::sum));
        Opened opened = new Opened(window.size(), failed, failing.size(), ratio, settings.windowMs(), inARow,
                earlier, onset);
        open = true;
        openedNanos = nanos;
        lastProbeNanos = nanos;
        probes = 0;
        window.clear(); // what opened it is forgiven; after the close, counting starts afresh
        endRun();
        return Optional.of(opened);
    }

    /**
     * Whether the pod's <em>other</em> profiles' evidence explains a streak of {@code streak} of
     * this profile's, so that its pause is withheld (it retries with a back-off) until its peers
     * fail less, its streak grows past what chance gives, or enough peers have voted. In order:
     * <ul>
     * <li>{@link Why#OUTAGE}: a partial outage the breaker does not open for (a third of the site's
     * requests failing): the peers failed at least {@link #PEER_SHARE} of {@code failureRatio} of
     * their sessions (20 % by default). Withheld whatever the streak.</li>
     * <li>{@link Why#FAILING_NOW}: at least two, and that share, of the pod's other unpaused
     * profiles failed their last counted session. A path only some profiles use: its users back
     * off, so their votes thin out of the window and the rate over it fell under 20 % within 30 s
     * (reviewer P: one healthy path user paused in each of 4 pods).</li>
     * <li>{@link Why#CHANCE}: below those, a streak that a profile failing only as often as its
     * peers (their rate weighed with 1 in 20, {@link #ASSUMED_FAILED}) would show more often than
     * once in {@link #CHANCE}<sup>-1</sup> sessions: at 15 % a
     * healthy profile fails 4 times in a row once in 1 975 sessions, and a fleet at 15 % for an
     * hour paused about a dozen healthy profiles of 60 for 24 h. Such a profile is paused once its
     * streak is that rare (7 at 15 %).</li>
     * <li>{@link Why#TOO_FEW}: fewer peers voted in the window than are needed to judge their rate
     * (at a start, after a breaker's close): the rule of {@link Why#CHANCE} at what they show
     * weighed with 1 failure in 20 ({@link #ASSUMED_FAILED}): with {@code maxErrorStreak} 0 a
     * healthy profile was paused 2 s after a start in each of 3 pods (reviewer P).</li>
     * </ul>
     * The rate is taken over the votes of at least {@code minProfiles} peers (fewer when fewer are
     * unpaused: a pod of 6 with one paused by hand had 4 to vote, and lost every withhold), over the
     * window or over the span of this profile's streak, whichever is higher: at an outage's start
     * the window still holds the successes from before it (a re-check saw 14 % over the window while
     * the site failed 40 %). A pod with fewer other profiles than {@code minProfiles} cannot tell:
     * empty, the pause comes as configured. Walks the window: asked only when a failure would pause.
     */
    public Optional<Withheld> peersExplain(String profileId, int streak, Others others) {
        if (open || !settings.enabled() || others.configured() < settings.minProfiles() || others.unpaused() == 0) {
            return Optional.empty();
        }
        int needed = Math.min(settings.minProfiles(), others.unpaused());
        double outageRate = settings.failureRatio() * PEER_SHARE;
        Long streakFrom = null; // the first of this profile's failures since its last success in the window
        for (Vote v : window) {
            if (v.profileId().equals(profileId)) {
                streakFrom = v.failed() ? (streakFrom == null ? v.nanos() : streakFrom) : null;
            }
        }
        long now = window.peekLast() == null ? 0 : window.peekLast().nanos();
        PeerFailures overWindow = peers(profileId, null, needed, now);
        PeerFailures overStreak = streakFrom == null ? null : peers(profileId, streakFrom, needed, now);
        PeerFailures worse = overStreak != null && (overWindow == null || overStreak.rate() > overWindow.rate())
                ? overStreak : overWindow;
        if (worse != null && worse.rate() >= outageRate) {
            return Optional.of(new Withheld(Why.OUTAGE, worse, worse.rate(), streak, others, needed));
        }
        if (failingTogether(others, settings)) {
            return Optional.of(new Withheld(Why.FAILING_NOW, null, 0, streak, others, needed));
        }
        if (worse == null) { // too few voted to judge their rate: what they show, weighed with a real site's noise
            PeerFailures some = peersAnyhow(profileId, null, now);
            double assumed = weighed(some);
            return byChance(assumed, streak) ? Optional.of(new Withheld(Why.TOO_FEW, some, assumed, streak, others,
                    needed)) : Optional.empty();
        }
        // a few dozen sessions without a failure are no proof of 0 %: with maxErrorStreak 0 a
        // profile's first failure at a 5 % site, its peers' first 30 sessions clean, paused it
        // weighing only ever raises it: pulled towards 5 %, an 18 % rate paused healthy profiles 3 times as often
        double rate = Math.max(worse.rate(), overStreak == null ? weighed(overWindow)
                : Math.max(weighed(overWindow), weighed(overStreak)));
        return byChance(rate, streak) ? Optional.of(new Withheld(Why.CHANCE, worse, rate, streak, others, needed))
                : Optional.empty();
    }

    /**
     * At least two, and {@link #PEER_SHARE} of {@code failureRatio}, of the pod's other unpaused
     * profiles failed their last counted session: they are failing together now.
     */
    public static boolean failingTogether(Others others, BreakerSettings settings) {
        return others.failingNow() >= 2
                && others.failingNow() >= settings.failureRatio() * PEER_SHARE * others.unpaused();
    }

    /** The peers' rate weighed with a real site's noise ({@link #ASSUMED_FAILED}); 5 % with no vote. */
    static double weighed(PeerFailures p) {
        return ((p == null ? 0 : p.failed()) + ASSUMED_FAILED) / ((p == null ? 0 : p.ended()) + ASSUMED_ENDED);
    }

    /** Whether a profile failing at {@code rate} shows {@code streak} failures in a row more often than {@link #CHANCE}. */
    static boolean byChance(double rate, int streak) {
        return Math.pow(rate, streak) > CHANCE * (1 + 1e-9); // 0.1^5 is 1.0000000000000003E-5
    }

    /**
     * The others' votes since {@code fromNanos} (null: the whole window), or null when fewer than
     * {@code needed} profiles voted. {@code overMs}: back to the oldest of those votes (the window
     * is not yet its full length after a start).
     */
    private PeerFailures peers(String profileId, Long fromNanos, int needed, long now) {
        PeerFailures all = peersAnyhow(profileId, fromNanos, now);
        return all == null || all.profiles() < needed ? null : all;
    }

    private PeerFailures peersAnyhow(String profileId, Long fromNanos, long now) {
        int ended = 0;
        int failed = 0;
        Long oldest = null;
        Set<String> others = new HashSet<>();
        for (Vote v : window) {
            if (!v.profileId().equals(profileId) && (fromNanos == null || v.nanos() - fromNanos >= 0)) {
                ended++;
                failed += v.failed() ? 1 : 0;
                others.add(v.profileId());
                oldest = oldest == null ? v.nanos() : oldest;
            }
        }
        if (ended == 0) {
            return null;
        }
        long from = fromNanos != null ? fromNanos : oldest;
        return new PeerFailures(failed, ended, others.size(), TimeUnit.NANOSECONDS.toMillis(now - from));
    }

    /**
     * At start-up, from the event log: a session's end before the restart, as a vote ({@code
     * failed}: a {@code profile}-class failure). Nothing opens here: the next live end decides,
     * with these in the window, and forgives them with the others if it opens.
     */
    public void remember(long nanos, String profileId, boolean failed, Long ranMs) {
        if (!open && settings.enabled()) {
            vote(new Vote(nanos, profileId, failed, ran(ranMs)));
            if (failed) {
                countInARow(nanos, profileId);
            } else {
                endRun();
            }
        }
    }

    /**
     * At start-up, from the event log: the breaker was open at the stop (its last {@code
     * breaker-open} has no close after it). It stays open, its probes as before; what it forgave
     * is forgiven.
     */
    public void rememberOpen(long openedNanos) {
        if (settings.enabled()) {
            open = true;
            this.openedNanos = openedNanos;
            lastProbeNanos = openedNanos;
            probes = 0;
            window.clear();
            endRun();
        }
    }

    /** At start-up, from the event log: a probe closed it. */
    public void rememberClosed() {
        open = false;
        counting = false;
    }

    /**
     * A session of the pod succeeded. While closed it votes; while open only a probe's success
     * counts, and closes the breaker (a session started before the opening proves less).
     *
     * @param ranMs how long the session ran (its {@code durMs}), null when unknown
     */
    public Optional<Closed> succeeded(long nanos, String profileId, boolean probe, Long ranMs) {
        if (!open) {
            if (settings.enabled()) {
                vote(new Vote(nanos, profileId, false, ran(ranMs)));
                evict(nanos);
                endRun();
            }
            return Optional.empty();
        }
        if (!probe) {
            return Optional.empty();
        }
        open = false;
        counting = false; // the window counts afresh from the next vote
        return Optional.of(new Closed(TimeUnit.NANOSECONDS.toMillis(nanos - openedNanos), probes));
    }

    /** Whether a session of the pod may start now: always while closed, a probe per interval while open. */
    public boolean mayStart(long nanos) {
        return !open || nanos - nextProbeNanos() >= 0;
    }

    /** A session started while open: it is the probe of this interval. */
    public void probeStarted(long nanos) {
        if (open) {
            lastProbeNanos = nanos;
            probes++;
        }
    }

    /** When the next probe may start (monotonic), meaningful while open. */
    public long nextProbeNanos() {
        return lastProbeNanos + probeNanos;
    }

    private void vote(Vote v) {
        if (!counting) {
            counting = true;
            countingSince = v.nanos();
        }
        window.addLast(v);
    }

    /** How many profiles failed in the window before {@code nanos}. */
    private int failingBefore(long nanos) {
        Set<String> profiles = new HashSet<>();
        for (Vote v : window) {
            if (v.failed() && v.nanos() - nanos < 0) {
                profiles.add(v.profileId());
            }
        }
        return profiles.size();
    }

    private void countInARow(long nanos, String profileId) {
        if (inARow == 0) {
            runStartNanos = nanos;
        }
        inARow++;
        if (inARowProfiles.size() < settings.minProfiles()) {
            inARowProfiles.add(profileId);
        }
    }

    private void endRun() {
        inARow = 0;
        inARowProfiles.clear();
    }

    private void evict(long nanos) {
        while (!window.isEmpty() && nanos - window.peekFirst().nanos() > windowNanos + window.peekFirst().ranNanos()) {
            window.removeFirst();
        }
    }

    /** How long a session ran, in nanos; 0 when unknown (a spawn that failed). */
    private static long ran(Long ranMs) {
        return ranMs == null || ranMs < 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(ranMs);
    }
}

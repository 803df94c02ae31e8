package io.smartrunner.engine;

import io.smartrunner.breaker.FleetBreaker;
import io.smartrunner.breaker.PauseCap;
import io.smartrunner.breaker.PodStatus;
import io.smartrunner.config.BreakerSettings;
import io.smartrunner.event.EventParams;
import io.smartrunner.event.EventRecord;
import io.smartrunner.event.EventRecord.BreakerClosed;
import io.smartrunner.event.EventRecord.BreakerOpened;
import io.smartrunner.event.EventRecord.SessionFailed;
import io.smartrunner.event.EventRecord.SessionFinished;
import io.smartrunner.event.Events;
import io.smartrunner.profile.Blame;
import io.smartrunner.profile.ExitCodeBlame;
import io.smartrunner.profile.FailureClass;
import io.smartrunner.profile.ProfileRules;
import io.smartrunner.profile.ProfileState;
import io.smartrunner.profile.SessionResult;
import io.smartrunner.profile.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Whom a pod's failed sessions are blamed on (DESIGN §2b): classifies each end (reason,
 * session.exitCodes), feeds the pod's {@link FleetBreaker}, turns profile failures into shared
 * ones while it is open, gates starts to one probe per interval, forgives what opened it, and caps
 * the automatic pauses per pod ({@link PauseCap}). Loop thread only.
 */
final class PodBreakers {
    /** A pod's breaker settings (its own override, else the runner's). */
    private final Function<String, BreakerSettings> settings;
    private final Map<String, ProfileSlot> slots;
    private final ProfileRules rules;
    private final TransitionApplier applier;
    private final PendingWrites pending;
    private final Map<String, FleetBreaker> breakers = new HashMap<>();
    private final Map<String, Instant> openedAt = new HashMap<>();
    /** The pods whose breaker is open, for other threads ({@code /readyz}'s notes): a copy made at each change. */
    private volatile List<String> openPods = List.of();
    /** Sessions started as a probe of an open breaker. */
    private final Set<String> probeSessions = new HashSet<>();
    /** Profiles this runner paused automatically, and when (monotonic): the cap and the forgiveness use it. */
    private final Map<String, Long> autoPausedAt = new HashMap<>();
    /**
     * Profiles of a pod too small for a breaker paused automatically while every other profile of
     * the pod was failing too (each at least twice in a row), and their pause's {@code pausedAt}: a
     * shared outage the pod cannot tell from its own failures is likely, so the pause is lifted as
     * soon as one of those others succeeds (reviewer R10: a 40 s outage paused a healthy profile of
     * a pod of 3 for 24 h). Found again at a restart from the stored streaks, for a pause made
     * within the breaker's window.
     */
    private final Map<String, Instant> pausedWithThePodFailing = new HashMap<>();
    /**
     * Per pod, its profiles backing off after a pause withheld for the pod's failures (an outage's),
     * until one of the pod succeeds. Not those withheld by the cap or by chance: a broken profile the
     * cap holds back was let out at every healthy peer's success, failing every 1-2 s (reviewer R20).
     */
    private final Map<String, Set<ProfileSlot>> heldBack = new HashMap<>();
    /** The profiles whose last failure's pause was withheld for the pod's failures (set by {@link #failed}). */
    private final Set<ProfileSlot> withheldForThePod = new HashSet<>();
    private final ProfileBoard board;
    /** Told each profile whose failures an opening breaker forgives (the recovery ladder's learning). */
    private final Forgiven forgiven;
    private Map<String, List<ProfileSlot>> podMembers;
    private int membersAt;

    /** Whom an opening breaker forgives: the profile, and the outage's onset (monotonic). */
    @FunctionalInterface
    interface Forgiven {
        void since(String profileId, long onsetNanos);
    }

    /** @param board published to whenever {@code slots} gains, loses or moves a profile */
    PodBreakers(Function<String, BreakerSettings> settings, Map<String, ProfileSlot> slots, ProfileBoard board,
                ProfileRules rules, TransitionApplier applier, PendingWrites pending, Forgiven forgiven) {
        this.forgiven = forgiven;
        this.settings = settings;
        this.slots = slots;
        this.board = board;
        this.rules = rules;
        this.applier = applier;
        this.pending = pending;
    }

    private FleetBreaker breaker(String pod) {
        return breakers.computeIfAbsent(pod, p -> new FleetBreaker(settings.apply(p)));
    }

    /**
     * A session of the slot failed: its blame (class, meaning, whether a pause is withheld). A
     * profile failure votes; if it opens the breaker, the failures that did are forgiven first and
     * this one is shared too.
     */
    Blame failed(ProfileSlot slot, String sessionId, SessionResult result, long nowNanos, Instant now) {
        probeSessions.remove(sessionId);
        Blame blame = ExitCodeBlame.of(result, slot.config.session().exitCodes());
        if (blame.failureClass() != FailureClass.PROFILE) {
            return blame;
        }
        FleetBreaker b = breaker(slot.pod());
        if (b.isOpen()) {
            return blame.as(FailureClass.SHARED);
        }
        var opened = b.failed(nowNanos, slot.id(), result.durMs(), () -> unpausedIn(slot.pod()));
        if (opened.isPresent()) {
            open(slot.pod(), opened.get(), nowNanos, now);
            return blame.as(FailureClass.SHARED);
        }
        // the peers first: when they explain the streak that is the reason, whether or not the cap is full
        // (with the cap's words first, 38 withholds of healthy first failures read as "would be paused")
        withheldForThePod.remove(slot);
        FleetBreaker.Others others = rules.nextFailurePauses(slot.state) ? othersOf(slot) : null;
        String withheld = others == null ? null : b.peersExplain(slot.id(), slot.state.errorStreak() + 1, others)
                .map(w -> {
                    if (w.outage()) {
                        withheldForThePod.add(slot);
                    }
                    return peersWithhold(slot.pod(), w);
                }).orElse(null);
        if (withheld == null) {
            BreakerSettings podSettings = settings.apply(slot.pod());
            withheld = PauseCap.withheld(podSettings, slot.pod(), autoPaused(slot.pod()), podSize(slot.pod()));
            // the cap's withhold in a pod failing together (a small pod at an outage, reviewer R15) ends
            // at the pod's next success; one beside healthy peers backs off (reviewer R20)
            if (withheld != null && others != null && FleetBreaker.failingTogether(others, podSettings)) {
                withheldForThePod.add(slot);
            }
        }
        return blame.withPauseWithheld(withheld);
    }

    private static String peersWithhold(String pod, FleetBreaker.Withheld w) {
        FleetBreaker.PeerFailures p = w.peers();
        FleetBreaker.Others o = w.others();
        return switch (w.why()) {
            case OUTAGE -> peers(pod, p) + ", at least 40 % of breaker.failureRatio): a partial outage is suspected,"
                    + " not this profile's failure alone";
            case FAILING_NOW -> o.failingNow() + " of pod " + pod + "'s " + o.unpaused() + " other unpaused profiles"
                    + " failed their last session too (at least 40 % of breaker.failureRatio): a shared cause some"
                    + " of them meet is suspected (a path they use), not this profile's failure alone";
            case CHANCE -> peers(pod, p) + (w.rate() > p.rate() ? "; taken as " + w.rateText() + " % with 1 in 20"
                    + " assumed" : "") + "): " + byChance(w) + " while they fail at this rate (sooner if less, later if"
                    + " more)";
            case TOO_FEW -> "only " + (p == null ? 0 : p.profiles()) + " of pod " + pod + "'s other profiles ended a"
                    + " session in the window, " + w.needed() + " are needed to judge their rate; until then it is"
                    + " taken as " + w.rateText() + " % (" + (p == null ? 0 : p.failed()) + " failed of their "
                    + (p == null ? 0 : p.ended()) + " sessions, with 1 in 20 assumed): " + byChance(w)
                    + " unless they show otherwise";
        };
    }

    private static String byChance(FleetBreaker.Withheld w) {
        return "at that rate " + w.streak() + (w.streak() == 1 ? " failure" : " failures in a row") + " come"
                + (w.streak() == 1 ? "s" : "") + " by chance once in " + w.onceIn() + " sessions; it is paused at "
                + w.pausedAt() + " in a row";
    }

    private static String peers(String pod, FleetBreaker.PeerFailures p) {
        return "pod " + pod + "'s other profiles failed " + p.failed() + " of their " + p.ended() + " sessions in the"
                + " last " + Math.max(1, p.overMs() / 1000) + " s (" + p.percentText() + " %, " + p.profiles()
                + " profiles";
    }

    /** A session of the slot succeeded; a probe's success closes its pod's breaker. */
    void succeeded(ProfileSlot slot, String sessionId, Long ranMs, long nowNanos, Instant now) {
        boolean probe = probeSessions.remove(sessionId);
        breaker(slot.pod()).succeeded(nowNanos, slot.id(), probe, ranMs).ifPresent(closed -> {
            openedAt.remove(slot.pod());
            publishOpen();
            pending.add(List.of(Events.breakerClosed(now, slot.pod(), closed.openForMs(), closed.probes())), null, null);
        });
    }

    /**
     * The session's end was applied: an automatic pause it caused is remembered for the cap; a
     * success lifts the pauses its small pod made while it failed (after the end's own event, which
     * is their cause: reviewer R11 read the unpause before the success), and ends the back-off of
     * the pod's profiles whose pauses were withheld.
     *
     * @param withheld a failure whose pause was withheld (the profile backs off)
     */
    void applied(ProfileSlot slot, ProfileState before, boolean succeeded, boolean withheld, Instant now,
                 long nowNanos) {
        if (succeeded && !pausedWithThePodFailing.isEmpty()) {
            liftPausesOfAFailingPod(slot, now, nowNanos);
        }
        Set<ProfileSlot> podHeldBack = heldBack.get(slot.pod());
        if (withheld && withheldForThePod.remove(slot)) {
            heldBack.computeIfAbsent(slot.pod(), p -> new HashSet<>()).add(slot);
        } else if (podHeldBack != null) {
            podHeldBack.remove(slot);
            if (succeeded) {
                endBackOffs(podHeldBack, nowNanos);
            }
        }
        if (slot.state.paused() && !before.paused()) {
            autoPausedAt.put(slot.id(), nowNanos);
            if (everyOtherFailing(slot)) {
                pausedWithThePodFailing.put(slot.id(), slot.state.pausedAt());
            }
        }
    }

    /**
     * Whether the slot's pod cannot open its breaker (fewer profiles than minProfiles: it cannot
     * tell an outage from its profiles' own failures), and every other unpaused profile of it (one
     * at least) failed its last two sessions or more (its last one where the pause came at two in
     * a row or sooner): the odds that the pause is an outage's.
     */
    private boolean everyOtherFailing(ProfileSlot slot) {
        BreakerSettings b = settings.apply(slot.pod());
        List<ProfileSlot> pod = members(slot.pod());
        if (!b.enabled() || pod.size() >= b.minProfiles()) {
            return false;
        }
        // two in a row; one where the pause itself comes at 2 or sooner (the others' ends may lag its own by one)
        int atLeast = Math.max(1, Math.min(2, slot.state.errorStreak() - 1));
        int failing = 0;
        for (ProfileSlot s : pod) {
            if (s != slot && !s.state.paused()) {
                if (s.state.errorStreak() < atLeast) {
                    return false;
                }
                failing++;
            }
        }
        return failing > 0;
    }

    /**
     * One of the pod's profiles succeeded: those whose pauses were withheld (their streaks looked
     * like the pod's) and that back off meanwhile (up to 5 min) try again at their cooldown's pace:
     * after an outage a small pod ran nothing for 52 s once its site was back (reviewer R15). One
     * still failing on its own fails again and is judged as any failure (withheld again while the
     * pod's figures still explain it, backing off afresh). Only the pod's held-back profiles are
     * looked at, never the whole pod.
     */
    private void endBackOffs(Set<ProfileSlot> podHeldBack, long nowNanos) {
        for (ProfileSlot s : podHeldBack) {
            long cooldownEnds = nowNanos + TimeUnit.MILLISECONDS.toNanos(s.config.session().cooldownMs());
            if (!s.removed && s.notBeforeNanos - cooldownEnds > 0) {
                s.notBeforeNanos = cooldownEnds;
                applier.refile(s);
            }
        }
        podHeldBack.clear();
    }

    /** One of the pod's other profiles succeeded: the pauses made while all of them failed are lifted. */
    private void liftPausesOfAFailingPod(ProfileSlot succeeded, Instant now, long nowNanos) {
        for (ProfileSlot s : members(succeeded.pod())) {
            Instant pausedAt = s == succeeded ? null : pausedWithThePodFailing.get(s.id());
            if (pausedAt == null) {
                continue;
            }
            pausedWithThePodFailing.remove(s.id());
            // the same pause still (not one by hand since, nor a later automatic one)
            if (s.state.paused() && pausedAt.equals(s.state.pausedAt()) && autoPausedAt.remove(s.id()) != null) {
                applier.apply(s, rules.unpause(s.state, now, Events.BY_POD_RECOVERED), null, now, nowNanos);
            }
        }
        pausedWithThePodFailing.keySet().removeIf(id -> slots.get(id) == null || !slots.get(id).state.paused());
    }

    /**
     * At start-up: the pauses a previous runner made automatically still count against their pod's
     * cap (breaker.maxPausedShare), or a restart would let as many more be paused again. The store
     * keeps no "by", but an automatic pause is made at a counted failure's end, in one step: its
     * {@code pausedAt} is that end's {@code lastFinishedAt} and its streak is above 0. A pause by
     * hand is its own request (a session it stops ends later, and does not count). Each is timed as
     * long ago as its wall-clock age.
     */
    void rememberAutomaticPauses(Instant now, long nowNanos) {
        for (ProfileSlot s : slots.values()) {
            ProfileState st = s.state;
            if (st.paused() && st.errorStreak() > 0 && st.pausedAt() != null
                    && st.pausedAt().equals(st.lastFinishedAt())) {
                Duration age = Duration.between(st.pausedAt(), now);
                autoPausedAt.put(s.id(), nowNanos - Math.max(0, age.toNanos()));
                // a restart during a small pod's outage: the others' stored streaks say so as they did before
                // it, for a pause made within the breaker's window; of an older one they say nothing (a broken
                // profile paused hours ago, its flaky peer's streak 2 at the stop, was let out at the demo's restart)
                if (age.toMillis() <= settings.apply(s.pod()).windowMs() && everyOtherFailing(s)) {
                    pausedWithThePodFailing.put(s.id(), st.pausedAt());
                }
            }
        }
    }

    private void publishOpen() {
        openPods = openedAt.keySet().stream().sorted().toList();
    }

    /**
     * One line while a pod's breaker is open, else null: the runner is ready, but the pod runs
     * probe sessions only. Any thread.
     */
    String note() {
        List<String> open = openPods;
        return open.isEmpty() ? null : "breaker open in pod(s) " + String.join(", ", open)
                + ": a shared outage is suspected, their failures pause nobody and they run probe sessions only";
    }

    /** How far back the event log can hold votes still in a window: the longest window and session timeout, at most 15 min. */
    Duration lookback() {
        long longest = 0;
        for (ProfileSlot s : slots.values()) {
            longest = Math.max(longest, settings.apply(s.pod()).windowMs() + s.config.session().timeoutMs());
        }
        return Duration.ofMillis(Math.min(longest, Duration.ofMinutes(15).toMillis()));
    }

    /** The events of pods this runner has (a pod removed since they were written is nobody's now). */
    List<EventRecord> ofPodsHere(List<EventRecord> events) {
        Set<String> pods = new HashSet<>();
        slots.values().forEach(s -> pods.add(s.pod()));
        return events.stream().filter(e -> e.pod() != null && pods.contains(e.pod())).toList();
    }

    /**
     * At start-up: the pods' breakers as the event log left them (docs/failure-classes.md). The
     * ends of the last {@link #lookback} vote again, so an outage that straddles a restart opens
     * the breaker with, and forgives, the failures from before it (they stayed on the streaks and
     * paused healthy profiles at the first failure after the close); a breaker whose last event
     * is {@code breaker-open} is open again. Each is dated as long ago as its wall-clock age.
     *
     * @param oldestFirst the log's recent events, oldest first
     */
    void rememberRecentEnds(List<EventRecord> oldestFirst, Instant now, long nowNanos) {
        Set<String> pods = new HashSet<>();
        slots.values().forEach(s -> pods.add(s.pod()));
        for (EventRecord e : oldestFirst) {
            if (e.pod() == null || !pods.contains(e.pod())) {
                continue;
            }
            long at = nowNanos - Math.max(0, Duration.between(e.ts(), now).toNanos());
            FleetBreaker b = breaker(e.pod());
            if (e instanceof BreakerOpened) {
                b.rememberOpen(at);
                openedAt.put(e.pod(), e.ts());
                publishOpen();
            } else if (e instanceof BreakerClosed) {
                b.rememberClosed();
                openedAt.remove(e.pod());
                publishOpen();
            } else if (e instanceof SessionFinished f) {
                b.remember(at, e.profileId(), false, f.durMs());
            } else if (e instanceof SessionFailed f
                    && FailureClass.PROFILE.wireName().equals(f.param(EventParams.FAILURE_CLASS))) {
                b.remember(at, e.profileId(), true, f.durMs());
            }
        }
    }

    /** Whether the slot's pod lets a session start now (a probe per interval while its breaker is open). */
    boolean mayStart(ProfileSlot slot, long nowNanos) {
        return mayStartIn(slot.pod(), nowNanos);
    }

    /** Whether the pod's breaker lets a session of it start now. */
    boolean mayStartIn(String pod, long nowNanos) {
        FleetBreaker b = breakers.get(pod);
        return b == null || b.mayStart(nowNanos);
    }

    /** A session of the slot is starting: while its pod's breaker is open, it is the probe. */
    void starting(ProfileSlot slot, String sessionId, long nowNanos) {
        FleetBreaker b = breakers.get(slot.pod());
        if (b != null && b.isOpen()) {
            b.probeStarted(nowNanos);
            probeSessions.add(sessionId);
        }
    }

    /** The earlier of {@code next} and the next probe time of an open breaker (not before {@code now}). */
    long nextProbe(long now, long next) {
        for (FleetBreaker b : breakers.values()) {
            long at = b.nextProbeNanos() - now < 0 ? now : b.nextProbeNanos();
            if (b.isOpen() && at - next < 0) {
                next = at;
            }
        }
        return next;
    }

    /** The pods' breakers and pauses now; {@code holds} says which are held, {@code starts} their sessions and slots. */
    List<PodStatus> view(List<String> pods, PodHolds holds, StartPass starts) {
        return pods.stream().map(pod -> {
            FleetBreaker b = breakers.get(pod);
            boolean open = b != null && b.isOpen();
            return new PodStatus(pod, open ? "open" : "closed", open ? openedAt.get(pod) : null,
                    open ? b.probes() : 0, autoPaused(pod), settings.apply(pod).maxPaused(podSize(pod)), holds.held(pod),
                    holds.since(pod), starts.sessions(pod), starts.slots(pod));
        }).toList();
    }

    /**
     * The breaker opened: its event; the streak increments the failures since the outage's onset
     * caused (its window, or the run of failures that opened it) are taken back and the profiles the
     * runner paused automatically since then unpaused (with a high success rate before an outage
     * the ratio crosses the threshold only after about half a window, by when profiles with short
     * sessions may already be paused).
     */
    private void open(String pod, FleetBreaker.Opened o, long nowNanos, Instant now) {
        openedAt.put(pod, now);
        publishOpen();
        pending.add(List.of(Events.breakerOpened(now, pod, o.ended(), o.failed(), o.profiles(), o.ratio(),
                o.windowMs(), o.inARow())), null, null);
        for (ProfileSlot s : slots.values()) {
            if (!s.pod().equals(pod)) {
                continue;
            }
            Long pausedAt = autoPausedAt.get(s.id());
            if (s.state.paused() && pausedAt != null && pausedAt - o.onsetNanos() >= 0) {
                autoPausedAt.remove(s.id());
                applier.apply(s, rules.unpause(s.state, now, Events.BY_BREAKER), null, now, nowNanos);
            }
            Integer failures = o.earlierFailures().get(s.id());
            if (failures != null) {
                forgiven.since(s.id(), o.onsetNanos());
                Transition t = rules.forgive(s.state, failures, now, Events.BY_BREAKER);
                if (t.changed(s.state)) {
                    applier.apply(s, t, null, now, nowNanos);
                }
            }
        }
    }

    /**
     * The pod's profiles not paused, asked by its breaker only for a long run of few profiles (a walk
     * of the pod); a pod configured smaller than minProfiles has no breaker, whatever is paused.
     */
    private int unpausedIn(String pod) {
        if (podSize(pod) < settings.apply(pod).minProfiles()) {
            return Integer.MAX_VALUE;
        }
        int n = 0;
        for (ProfileSlot s : members(pod)) {
            n += s.state.paused() ? 0 : 1;
        }
        return n;
    }

    private int autoPaused(String pod) {
        autoPausedAt.keySet().removeIf(id -> slots.get(id) == null || !slots.get(id).state.paused());
        return (int) autoPausedAt.keySet().stream().filter(id -> slots.get(id).pod().equals(pod)).count();
    }

    /**
     * Counted once per publication of the slots, not at each failure: a walk over every profile per
     * failed session was the one scan of the whole fleet left on a session's end (10 000 profiles,
     * an outage failing 500 sessions a second).
     */
    private int podSize(String pod) {
        return members(pod).size();
    }

    /** The pod's profiles (not removed), listed once per publication of the slots. */
    private List<ProfileSlot> members(String pod) {
        if (podMembers == null || membersAt != board.publications()) {
            podMembers = new HashMap<>();
            for (ProfileSlot s : slots.values()) {
                if (!s.removed) {
                    podMembers.computeIfAbsent(s.pod(), k -> new java.util.ArrayList<>()).add(s);
                }
            }
            membersAt = board.publications();
        }
        return podMembers.getOrDefault(pod, List.of());
    }

    /** The slot's pod's other profiles now: how many, how many unpaused, how many of those failing (streak above 0). */
    private FleetBreaker.Others othersOf(ProfileSlot slot) {
        int configured = 0;
        int unpaused = 0;
        int failing = 0;
        for (ProfileSlot s : members(slot.pod())) {
            if (s != slot) {
                configured++;
                if (!s.state.paused()) {
                    unpaused++;
                    failing += s.state.errorStreak() > 0 ? 1 : 0;
                }
            }
        }
        return new FleetBreaker.Others(configured, unpaused, failing);
    }
}

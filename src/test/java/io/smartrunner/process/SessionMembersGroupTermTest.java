package io.smartrunner.process;

import static io.smartrunner.process.Children.group;
import static io.smartrunner.process.Children.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-call SIGTERM a stop sends to its own session's process group before any /proc scan. */
class SessionMembersGroupTermTest {
    private final ProcessLauncher launcher = PosixSpawnLauncher.best();
    private final Children children = new Children();
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        children.killAll();
    }

    @Test
    void oneCallReachesTheWholeGroupAndTheMembersItHadStayMembersAfterTheLeaderIsGone() throws Exception {
        String session = children.newSession();
        // the second sleep ignores SIGTERM (inherited across exec) and drops the session's tags
        RunningProcess child = launcher.launch(spec(session, dir, "/bin/sh", "-c",
                "sleep 1000 & sh -c 'trap \"\" TERM; exec env -i sleep 1000' & wait"));
        // three members is not enough: under load the inner sh may not have run its trap yet, and the
        // group's SIGTERM then ends it too (seen once in four loaded runs)
        Children.await("the group's three members, one ignoring SIGTERM", () -> group(child.pid()).size() == 3
                && group(child.pid()).stream().anyMatch(m -> Children.ignoresSigterm(m.pid())));
        SessionMembers members = new SessionMembers(child.pid(), child.startTicks(), session);

        assertTrue(members.termLeadersGroup());

        assertEquals("SIGTERM", child.onExit().get(10, TimeUnit.SECONDS).signal(), "no scan sent it");
        Children.await("the plain sleep died of the same call", () -> group(child.pid()).size() == 1);
        ProcStat stubborn = group(child.pid()).get(0);
        children.track(stubborn.pid());
        assertTrue(members.inTermedGroup(stubborn), "it had the group's SIGTERM: no second one");
        // the leader is gone, yet the member the group had at the kill is still found (and pinned)
        assertEquals(List.of(stubborn.pid()),
                members.in(ProcSnapshot.after(ProcSnapshot.latest())).stream().map(ProcStat::pid).toList());
    }

    /** Outside the group: a SIGTERM of its own. Forked inside it after the kill: by a member told to stop, so none. */
    @Test
    void aProcessOutsideTheGroupNeedsItsOwnSigtermOneForkedInsideItSinceTheKillDoesNot() throws Exception {
        String session = children.newSession();
        RunningProcess child = launcher.launch(spec(session, dir, "/bin/sh", "-c", "exec sleep 1000"));
        SessionMembers members = new SessionMembers(child.pid(), child.startTicks(), session);
        ProcStat self = ProcFs.stat(ProcessHandle.current().pid()).orElseThrow();
        ProcStat late = new ProcStat(child.pid() + 1, child.pid(), child.pid(), child.pid(), BootTicks.now() + 10, 'S');

        assertTrue(members.termLeadersGroup());

        assertFalse(members.inTermedGroup(self));
        assertTrue(members.inTermedGroup(late));
        child.onExit().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aLeaderWhosePidNowNamesAnotherProcessIsNotSignalled() throws Exception {
        String session = children.newSession();
        RunningProcess child = launcher.launch(spec(session, dir, "/bin/sh", "-c", "exec sleep 1000"));
        // as if the recorded leader had ended and its pid now named this process
        SessionMembers members = new SessionMembers(child.pid(), child.startTicks() - 1, session);

        assertFalse(members.termLeadersGroup());

        assertTrue(Children.alive(child.pid()));
    }

    @Test
    void noSuchGroupIsNoSignalAndNoMembers() {
        SessionMembers members = new SessionMembers(Integer.MAX_VALUE - 7, 1, null);

        assertFalse(members.termLeadersGroup());
        assertFalse(members.inTermedGroup(new ProcStat(Integer.MAX_VALUE - 6, 1, Integer.MAX_VALUE - 7, 1, 0, 'S')));
    }
}

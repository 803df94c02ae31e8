package io.smartrunner.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sr-cgroup-exec itself, as the build made it (target/sr-cgroup-exec), run as a real process: it
 * execs what it is given with the arguments and environment unchanged, whether or not its cgroup
 * write succeeds, runs a script without #! through /bin/sh, and fails as a shell's exec would.
 * Whether it really joins the cgroup: CgroupContainmentTest.
 */
class CgroupJoinTest {
    @TempDir
    Path dir;

    private static Path program() {
        CgroupJoin join = CgroupJoin.find();
        assertEquals(CgroupJoin.PROGRAM, join.describe(),
                "the build puts sr-cgroup-exec next to the classes (gcc missing? bin/setup --for-tests installs it)");
        Path built = Path.of("target", CgroupJoin.PROGRAM).toAbsolutePath();
        assertTrue(CgroupJoin.runsHere(built), built.toString());
        return built;
    }

    private record Run(int code, String out, String err) {
    }

    private Run run(Map<String, String> env, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(program().toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        int code = pb.start().waitFor();
        return new Run(code, Files.readString(dir.resolve("out")), Files.readString(dir.resolve("err")));
    }

    @Test
    void theCommandRunsWithItsArgumentsAndEnvironmentUnchangedEvenWhenTheCgroupCannotBeJoined() throws Exception {
        Run r = run(Map.of("ONE", "1", "TWO", "a b"), "/nonexistent/cgroup.procs", "/usr/bin/env", "env");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("ONE=1", "TWO=a b"), r.out().lines().sorted().toList(), "exactly the given environment");
        assertEquals("", r.err(), "a failed join is not an error of the command");

        Run args = run(Map.of(), "/nonexistent/cgroup.procs", "/bin/sh", "named", "-c",
                "printf '[%s]\\n' \"$0\" \"$@\"; head -c 5 /proc/$$/cmdline; exit 7", "zero", "a b", "$1", "");
        assertEquals(7, args.code(), "the command's own exit code");
        assertEquals(List.of("[zero]", "[a b]", "[$1]", "[]", "named"), args.out().lines().toList(),
                "argv[0] as given, the arguments untouched");
    }

    @Test
    void aScriptWithoutAnInterpreterLineRunsThroughTheShellAsExecvpRunsIt() throws Exception {
        Path script = dir.resolve("plain");
        Files.writeString(script, "echo \"script $0 $*\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Run r = run(Map.of(), "/nonexistent/cgroup.procs", script.toString(), "plain", "x", "y");
        assertEquals(0, r.code(), r.err());
        assertEquals("script " + script + " x y\n", r.out());
    }

    @Test
    void aCommandThatCannotBeExecutedExitsAsAShellsExecWould() throws Exception {
        Run missing = run(Map.of(), "/nonexistent/cgroup.procs", dir.resolve("gone").toString(), "gone");
        assertEquals(127, missing.code());
        assertEquals("sr-cgroup-exec: cannot execute " + dir.resolve("gone") + ": not found\n", missing.err());

        Path notExecutable = Files.writeString(dir.resolve("data"), "x");
        Run denied = run(Map.of(), "/nonexistent/cgroup.procs", notExecutable.toString(), "data");
        assertEquals(126, denied.code());
        assertEquals("sr-cgroup-exec: cannot execute " + notExecutable + ": permission denied\n", denied.err());

        Run usage = run(Map.of(), "/nonexistent/cgroup.procs", "/bin/true");
        assertEquals(2, usage.code());
        assertTrue(usage.err().startsWith("usage: sr-cgroup-exec "), usage.err());
    }

    @Test
    void onlyAnExecutableX8664ElfFileIsTakenForTheProgram() throws IOException {
        program();
        Path script = Files.writeString(dir.resolve(CgroupJoin.PROGRAM), "#!/bin/sh\nexec \"$@\"\n",
                StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        assertFalse(CgroupJoin.runsHere(script), "a script");
        Path copy = Files.copy(program(), dir.resolve("copy"));
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-------"));
        assertFalse(CgroupJoin.runsHere(copy), "not executable");
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxrwxr-x"));
        assertFalse(CgroupJoin.runsHere(copy), "others may rewrite it");
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertTrue(CgroupJoin.runsHere(copy), "a copy only its owner can change");
        // the tests run as root (.ci/run): the copy handed to another user, who could chmod it at will
        Files.setOwner(copy, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertFalse(CgroupJoin.runsHere(copy), "another user's (reviewer R6)");
        Files.setOwner(copy, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("root"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), copy);
        assertFalse(CgroupJoin.runsHere(link), "a symbolic link (it could be pointed elsewhere)");
        assertFalse(CgroupJoin.runsHere(dir.resolve("missing")), "missing");
        assertFalse(CgroupJoin.runsHere(dir), "a directory");
        byte[] elf = Files.readAllBytes(program());
        elf[18] = (byte) 183; // EM_AARCH64
        Path other = Files.write(dir.resolve("aarch64"), elf);
        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rwx------"));
        assertFalse(CgroupJoin.runsHere(other), "built for another machine");
    }

    @Test
    void aHelperRefusedForWhoMayChangeItIsNamedWithItsOwnerAndMode() throws IOException {
        Path copy = Files.copy(program(), dir.resolve("helper"));
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertNull(CgroupJoin.notTakenBecause(copy), "taken: nothing to say");
        assertNull(CgroupJoin.notTakenBecause(dir.resolve("missing")), "not there: nothing to say");
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxrwxr-x"));
        assertEquals(copy + " not taken: owner root, mode rwxrwxr-x (root or this runner's user must own it, and no"
                + " group or others may write it)", CgroupJoin.notTakenBecause(copy));
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setOwner(copy, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertTrue(CgroupJoin.notTakenBecause(copy).startsWith(copy + " not taken: owner nobody, mode rwxr-xr-x"),
                CgroupJoin.notTakenBecause(copy));
        Path link = Files.createSymbolicLink(dir.resolve("link"), copy);
        assertEquals(link + " not taken: a symbolic link (it could be pointed elsewhere)", CgroupJoin.notTakenBecause(link));
    }
}

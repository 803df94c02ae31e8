package io.smartrunner.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

/**
 * Where sqlite-jdbc copies its native library when the launcher did not hand it one
 * ({@code org.sqlite.lib.path}, bin/startup-cache): a directory of the runner's data dir instead of
 * {@code /tmp}. sqlite-jdbc deletes its copy at a clean exit, but a runner killed with SIGKILL left
 * the copy and its lock file in {@code /tmp} for good (1 MiB each; sqlite-jdbc's own clean-up keeps
 * a copy whose lock file exists), and it lists all of {@code /tmp} at every start. Here the copies
 * of earlier runs are deleted before SQLite loads: the caller holds the data dir's lock, so no
 * other runner uses them. Nothing changes when the operator set either property, or when the
 * data dir is on a {@code noexec} mount (the copy could not be loaded from there).
 */
public final class SqliteNativeCopies {
    static final String LIB_PATH = "org.sqlite.lib.path";
    static final String TMP_DIR = "org.sqlite.tmpdir";
    static final String DIR = "sqlite-native";

    private SqliteNativeCopies() {
    }

    /**
     * Points sqlite-jdbc's copies at {@code dataDir/sqlite-native}, emptied first; call before the
     * first SQLite connection, holding the data dir's lock.
     *
     * @return the directory, or null when none is used: the operator set {@code org.sqlite.tmpdir},
     *         or the launcher handed sqlite-jdbc its library ({@code org.sqlite.lib.path}, whose
     *         directory its clean-up then lists instead of {@code /tmp}), or the data dir is noexec
     */
    public static Path useDataDir(Path dataDir) {
        if (System.getProperty(TMP_DIR) != null) {
            return null;
        }
        String libPath = System.getProperty(LIB_PATH);
        if (libPath != null) {
            // nothing is copied, but sqlite-jdbc's clean-up still lists its copy directory at the
            // first load: the library's own directory is small, /tmp may hold thousands of files
            System.setProperty(TMP_DIR, libPath);
            return null;
        }
        if (onNoexecMount(dataDir, Path.of("/proc/self/mounts"))) {
            return null;
        }
        Path dir = dataDir.resolve(DIR);
        try {
            if (Files.isDirectory(dir)) {
                try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir)) {
                    for (Path p : stale) {
                        Files.deleteIfExists(p);
                    }
                }
            } else {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            return null; // sqlite-jdbc then copies to /tmp, as it always did
        }
        requireRoom(dataDir, dir, nativeLibraryBytes());
        System.setProperty(TMP_DIR, dir.toString());
        return dir;
    }

    /**
     * A copy that does not fit failed inside sqlite-jdbc, which said only "Error opening connection"
     * (or threw an UnsatisfiedLinkError on a half-written copy): the full disk is said here instead.
     *
     * @param libraryBytes the library's size, 0 when not known (nothing is checked then)
     */
    static void requireRoom(Path dataDir, Path dir, long libraryBytes) {
        if (libraryBytes <= 0) {
            return;
        }
        long free;
        try {
            free = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return; // not known: the copy says what it finds
        }
        if (free < libraryBytes + COPY_SLACK_BYTES) {
            throw new StoreException(dataDir + ": No space left on device: SQLite's native library ("
                    + libraryBytes / 1024 + " KiB) is unpacked into " + dir + " at start, and its disk has "
                    + free / 1024 + " KiB free; free some space there", null);
        }
    }

    /** The copy's lock file and the directory's own blocks, with room to spare. */
    private static final long COPY_SLACK_BYTES = 64 * 1024;

    /** The size of the library sqlite-jdbc would copy for this platform, 0 when it cannot be told. */
    private static long nativeLibraryBytes() {
        try {
            String resource = "/org/sqlite/native/" + org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS()
                    + "/" + System.mapLibraryName("sqlitejdbc");
            java.net.URL url = org.sqlite.SQLiteJDBCLoader.class.getResource(resource);
            if (url == null) {
                return 0;
            }
            java.net.URLConnection c = url.openConnection();
            c.setUseCaches(false);
            long size = c.getContentLengthLong();
            c.getInputStream().close();
            return Math.max(size, 0);
        } catch (IOException | RuntimeException | LinkageError e) {
            return 0;
        }
    }

    /** Whether the mount {@code dir} is on (the longest mount point above its real path) has {@code noexec}. */
    static boolean onNoexecMount(Path dir, Path mounts) {
        try {
            Path real = dir.toRealPath();
            String best = null;
            boolean noexec = false;
            for (String line : Files.readAllLines(mounts)) {
                String[] f = line.split(" ");
                if (f.length < 4) {
                    continue;
                }
                String point = f[1].replace("\\040", " ");
                if (real.startsWith(point) && (best == null || point.length() > best.length())) {
                    best = point;
                    noexec = Arrays.asList(f[3].split(",")).contains("noexec");
                }
            }
            return noexec;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}

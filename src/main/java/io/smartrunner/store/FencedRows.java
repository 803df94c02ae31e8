package io.smartrunner.store;

import io.smartrunner.profile.ProfileState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The epoch check of a fenced write (cluster mode): in the write's own transaction, the lease rows
 * of the profiles it touches are read {@code FOR SHARE} (an acquisition, which takes them
 * {@code FOR UPDATE}, skips them or is waited for), and only the rows of profiles whose lease this
 * incarnation holds at the epoch it believes are kept.
 */
final class FencedRows {
    private FencedRows() {
    }

    static StateWrite admitted(Connection c, StateWrite write, WriteFence fence) throws SQLException {
        Set<String> ids = new LinkedHashSet<>();
        write.profiles().forEach(p -> ids.add(p.profileId()));
        write.sessions().forEach(s -> ids.add(s.profileId()));
        if (ids.isEmpty()) {
            return write;
        }
        Map<String, Long> held = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT profile_id, epoch FROM leases"
                + " WHERE profile_id = ANY(?) AND holder_incarnation = ? FOR SHARE")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            ps.setLong(2, fence.incarnation());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    held.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        Set<String> refused = new LinkedHashSet<>();
        for (String id : ids) {
            Long mine = fence.epoch(id);
            Long db = held.get(id);
            if (mine == null) {
                refused.add(id);
                fence.notHeld(id);
            } else if (!mine.equals(db)) {
                refused.add(id);
                fence.stale(id, mine, db);
            }
        }
        if (refused.isEmpty()) {
            return write;
        }
        List<ProfileState> profiles = write.profiles().stream().filter(p -> !refused.contains(p.profileId())).toList();
        List<SessionRecord> sessions = write.sessions().stream().filter(s -> !refused.contains(s.profileId())).toList();
        return new StateWrite(profiles, sessions);
    }
}

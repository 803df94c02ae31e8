package io.smartrunner.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.smartrunner.profile.ProfileState;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code GET /api/profiles}. Without a query it answers what it always did, the array of every
 * profile (scripts that read the whole fleet keep getting all of it, never a silent first page).
 * With any parameter it answers one page: {@code {"total", "offset", "limit", "next", "profiles"}},
 * the profiles in configuration order that match the filter ({@link ProfileFilter}), at most
 * {@code limit} (100; 1 to 1000) of them, from {@code offset} (matching profiles to skip) or
 * after the profile {@code after}; {@code next} is the {@code after} of the following page, null
 * on the last. A cursor is a profile id, so profiles added or removed elsewhere by a reload
 * shift no page; a removed cursor profile is a 400 (start again). Stateless, thread-safe.
 */
final class ProfilesRoute {
    static final Set<String> PARAMS = Set.of("limit", "offset", "after", "pod", "state", "q");
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private ProfilesRoute() {
    }

    /** One profile of the whole listing, written as one JSON object. */
    @FunctionalInterface
    interface ProfileWriter {
        void write(JsonGenerator g, ProfileState p) throws IOException;
    }

    /**
     * The answer without a query, the array of every profile, written as it is made: 10 000
     * profiles are ~3 MiB of JSON, which is never held whole (nor a map per profile), so a script
     * reading the fleet does not make the runner's heap swell and collect at every read.
     */
    static void writeAll(OutputStream out, List<ProfileState> all, ProfileWriter each) throws IOException {
        try (JsonGenerator g = ApiHandler.JSON.getFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET); // the caller closes the exchange
            g.writeStartArray();
            for (ProfileState p : all) {
                each.write(g, p);
            }
            g.writeEndArray();
        }
    }

    /** A page: the body for a non-empty {@code rawQuery} over {@code all} (in configuration order); 400 on a bad parameter. */
    static Map<String, Object> page(String rawQuery, List<ProfileState> all, Function<ProfileState, Map<String, Object>> json) {
        Query query = new Query(rawQuery, PARAMS);
        ProfileFilter filter = ProfileFilter.of(query);
        int limit = (int) query.longIn("limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
        long offset = query.longIn("offset", 0, Integer.MAX_VALUE, 0);
        String after = query.name("after");
        if (after != null && offset > 0) {
            throw new ApiError(400, "after: give either after (a cursor) or offset, not both");
        }
        int start = after == null ? 0 : positionAfter(all, after);
        Page page = page(all, filter, start, offset, limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total", page.total);
        body.put("offset", page.firstIndex);
        body.put("limit", limit);
        body.put("next", page.more ? page.items.get(page.items.size() - 1).profileId() : null);
        List<Map<String, Object>> items = new ArrayList<>(page.items.size());
        page.items.forEach(p -> items.add(json.apply(p)));
        body.put("profiles", items);
        return body;
    }

    private static final class Page {
        final List<ProfileState> items = new ArrayList<>();
        int total;
        int firstIndex;
        boolean more;
    }

    /** One pass: counts every match (total), skips those before {@code start} and {@code offset} more, keeps {@code limit}. */
    private static Page page(List<ProfileState> all, ProfileFilter filter, int start, long offset, int limit) {
        Page page = new Page();
        long skipped = 0;
        for (int i = 0; i < all.size(); i++) {
            ProfileState p = all.get(i);
            if (!filter.matches(p)) {
                continue;
            }
            page.total++;
            if (i < start || skipped < offset) {
                page.firstIndex++;
                skipped += i < start ? 0 : 1;
            } else if (page.items.size() < limit) {
                page.items.add(p);
            } else {
                page.more = true;
            }
        }
        return page;
    }

    private static int positionAfter(List<ProfileState> all, String after) {
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).profileId().equals(after)) {
                return i + 1;
            }
        }
        throw new ApiError(400, "after: no profile " + after + " (removed by a reload?); start again without after");
    }
}

package io.smartrunner.session;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-session values of DESIGN §2, substituted into argv templates and exported to the
 * child's environment. Substitution is plain text replacement in each argument on its own: a
 * value containing spaces, quotes, {@code $(...)} or {@code ;} stays inside its one argument,
 * and no shell ever sees it.
 */
public record SessionContext(String profileId, String pod, String sessionId, String homepage, String cdpUrl) {

    public List<String> expand(List<String> template) {
        return template.stream().map(this::expand).toList();
    }

    /** Replaces {@code {profileId} {pod} {sessionId} {homepage} {cdpUrl}} in one string. */
    public String expand(String template) {
        if (template.indexOf('{') < 0) {
            return template;
        }
        return template.replace("{profileId}", profileId)
                .replace("{pod}", pod)
                .replace("{sessionId}", sessionId)
                .replace("{homepage}", nullToEmpty(homepage))
                .replace("{cdpUrl}", nullToEmpty(cdpUrl));
    }

    /** SR_PROFILE_ID, SR_POD, SR_SESSION_ID, SR_HOMEPAGE, SR_CDP_URL, then the expanded user env. */
    public Map<String, String> environment(Map<String, String> userEnv) {
        Map<String, String> env = new LinkedHashMap<>();
        userEnv.forEach((k, v) -> env.put(k, expand(v)));
        env.put("SR_PROFILE_ID", profileId);
        env.put("SR_POD", pod);
        env.put("SR_SESSION_ID", sessionId);
        env.put("SR_HOMEPAGE", nullToEmpty(homepage));
        env.put("SR_CDP_URL", nullToEmpty(cdpUrl));
        return env;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}

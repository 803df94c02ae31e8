package io.smartrunner.config;

/**
 * One worker identity.
 *
 * @param id               unique across all pods, {@code [A-Za-z0-9._-]{1,64}}
 * @param pod              the pod's name
 * @param homepage         http(s) URL or null [null]
 * @param session          effective session settings (top level, then pod, then profile overrides)
 * @param verifyExpression JavaScript that must evaluate truthy in the profile's page for browser
 *                         verification to pass; null = the page's readyState alone [null]
 * @param adspowerUserId   AdsPower's {@code user_id} of this profile's browser,
 *                         {@code [A-Za-z0-9_-]{1,64}}, unique across profiles. When
 *                         {@code browser.provider} is {@code adspower} never null: the one given,
 *                         else {@link #id}; otherwise the one given, else null
 * @param runOn            runner labels this profile is pinned to: it runs only on a runner having one
 *                         of them (docs/cluster-placement.md); empty = any runner [the pod's, else empty]
 */
public record ProfileConfig(
        String id,
        String pod,
        String homepage,
        SessionSettings session,
        String verifyExpression,
        String adspowerUserId,
        java.util.List<String> runOn) {
    public ProfileConfig {
        runOn = runOn == null ? java.util.List.of() : java.util.List.copyOf(runOn);
    }

    /** A profile any runner may run. */
    public ProfileConfig(String id, String pod, String homepage, SessionSettings session, String verifyExpression,
                         String adspowerUserId) {
        this(id, pod, homepage, session, verifyExpression, adspowerUserId, java.util.List.of());
    }

    /** Whether a runner with these labels may run this profile. */
    public boolean runsOn(java.util.Collection<String> runnerLabels) {
        if (runOn.isEmpty()) {
            return true;
        }
        for (String label : runOn) {
            if (runnerLabels.contains(label)) {
                return true;
            }
        }
        return false;
    }
}

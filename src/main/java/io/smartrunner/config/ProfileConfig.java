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
 */
public record ProfileConfig(
        String id,
        String pod,
        String homepage,
        SessionSettings session,
        String verifyExpression,
        String adspowerUserId) {
}

package io.smartrunner.config;

/**
 * One worker identity.
 *
 * @param id       unique across all pods, {@code [A-Za-z0-9._-]{1,64}}
 * @param pod      the pod's name
 * @param homepage http(s) URL or null
 * @param session  effective session settings (top level, then pod, then profile overrides)
 */
public record ProfileConfig(String id, String pod, String homepage, SessionSettings session) {
}

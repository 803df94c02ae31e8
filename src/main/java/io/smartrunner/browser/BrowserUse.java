package io.smartrunner.browser;

/**
 * How much a profile's open browser has been used, for the recycle decision.
 *
 * @param pid      the local browser's main process, or null (a remote provider)
 * @param ageMs    since it was started (or adopted from a previous runner)
 * @param sessions sessions it has served
 * @param rssBytes resident memory of its processes, summed; -1 when not measured or not measurable
 */
public record BrowserUse(Long pid, long ageMs, int sessions, long rssBytes) {
}

package io.smartrunner.config;

import java.util.Map;
import java.util.Set;

/**
 * What every {@link JsonCursor} of one load shares.
 *
 * @param label   how the file is named in messages
 * @param env     the environment for {@code ${env:NAME}}
 * @param secrets collects every substituted value (mutable, one load only)
 */
record BindContext(String label, Map<String, String> env, Set<String> secrets) {
}

package io.smartrunner.config;

import java.util.List;

/** Binds the {@code store} block; absent = SQLite in the data dir, as before cluster mode. */
final class StoreBinder {
    static final List<String> KEYS = List.of("kind", "url", "user", "password", "poolSize");
    private static final List<String> POSTGRES_ONLY = List.of("url", "user", "password", "poolSize");
    /*
     * A command that keeps the runner's other secrets as written (status, events, report) still
     * reads the store: its values are resolved for every command (reviewer R12 F2: the text
     * "${env:SR_PG_PASSWORD}" was sent as the password, "password authentication failed").
     */
    private static final String KIND_NEEDED_FOR = "which store to read depends on it";
    private static final String POSTGRES_NEEDED_FOR = "reading the fleet's PostgreSQL store needs it";

    private StoreBinder() {
    }

    static StoreSettings bind(JsonCursor given, BindContext context) {
        given.object(KEYS);
        JsonCursor kindValue = given.get("kind").requiringEnv(KIND_NEEDED_FOR);
        JsonCursor block = given.requiringEnv(POSTGRES_NEEDED_FOR);
        StoreSettings.Kind kind = kindValue.choice(StoreSettings.Kind.SQLITE);
        if (kind == StoreSettings.Kind.SQLITE) {
            for (String key : POSTGRES_ONLY) {
                JsonCursor value = block.get(key);
                if (value.isPresent()) {
                    throw value.fail("set while kind is \"sqlite\"", "kind \"postgres\", or no \"" + key + "\"");
                }
            }
            return StoreSettings.sqlite();
        }
        JsonCursor urlValue = block.get("url");
        String url = urlValue.requiredText(PostgresUrl.EXPECTED);
        String secret = PostgresUrl.secretProblem(url);
        if (secret != null) {
            // before its shape: a user:password@ is not of the form, and that error shows the URL
            throw urlValue.fail(secret);
        }
        String problem = PostgresUrl.problem(url);
        if (problem != null) {
            // the raw value (a URL taken from ${env:...} is shown as its placeholder), masked all the same
            throw urlValue.fail(urlValue.shown(PostgresUrl::masked) + " " + problem, PostgresUrl.EXPECTED);
        }
        JsonCursor userValue = block.get("user");
        String user = userValue.text(null);
        if (user != null && user.isBlank()) {
            throw userValue.fail("the user is empty", "a database user name");
        }
        String password = block.get("password").text(null);
        if (password != null && !password.isEmpty()) {
            // a secret even when written into the file: redacted from events, metrics and children
            context.secrets().add(password);
        }
        int poolSize = (int) block.get("poolSize").integer(StoreSettings.DEFAULT_POOL_SIZE, 1,
                StoreSettings.MAX_POOL_SIZE, Quantity.COUNT);
        return StoreSettings.postgres(url, user, password, poolSize);
    }
}

package io.smartrunner.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The whole validated configuration, immutable. Built only by {@link ConfigLoader}; nothing
 * downstream re-validates or reads raw JSON.
 *
 * @param source       the file it was loaded from (for messages)
 * @param alerts       webhook alerts [{@link AlertSettings#defaults()}: off]
 * @param store        where state is kept [{@link StoreSettings#sqlite()}]
 * @param secretValues values that came from {@code ${env:NAME}}; redacted from anything written
 * @param breaker      each pod's fleet breaker: from a file {@link BreakerSettings#defaults()}; built
 *                     in code without one (null) {@link BreakerSettings#OFF}
 * @param cluster      process fencing in cluster mode [{@link ClusterSettings#defaults()}]
 * @param argvAsWritten each argv (session commands, command steps) that had a {@code ${env:NAME}} in
 *                     it, as the file wrote it, by the argv it became: what runners compare of their
 *                     commands, whatever each machine's secrets are [none]
 */
public record RunnerConfig(
        Path source,
        RunnerSettings runner,
        SessionSettings session,
        RecoverySettings recovery,
        BrowserSettings browser,
        HttpSettings http,
        AlertSettings alerts,
        StoreSettings store,
        List<PodConfig> pods,
        Set<String> secretValues,
        BreakerSettings breaker,
        ClusterSettings cluster,
        java.util.Map<List<String>, List<String>> argvAsWritten) {

    public RunnerConfig {
        pods = List.copyOf(pods);
        secretValues = Set.copyOf(secretValues);
        breaker = breaker == null ? BreakerSettings.OFF : breaker;
        cluster = cluster == null ? ClusterSettings.defaults() : cluster;
        argvAsWritten = argvAsWritten == null ? java.util.Map.of() : java.util.Map.copyOf(argvAsWritten);
    }

    /** A configuration whose commands are known only as resolved (built in code). */
    public RunnerConfig(Path source, RunnerSettings runner, SessionSettings session, RecoverySettings recovery,
                        BrowserSettings browser, HttpSettings http, AlertSettings alerts, StoreSettings store,
                        List<PodConfig> pods, Set<String> secretValues, BreakerSettings breaker,
                        ClusterSettings cluster) {
        this(source, runner, session, recovery, browser, http, alerts, store, pods, secretValues, breaker, cluster,
                null);
    }

    /** The same configuration with one more value to mask wherever it would be written (the API token). */
    public RunnerConfig withSecret(String value) {
        Set<String> more = new java.util.HashSet<>(secretValues);
        more.add(value);
        return new RunnerConfig(source, runner, session, recovery, browser, http, alerts, store, pods, more, breaker,
                cluster, argvAsWritten);
    }

    /** The command as the file wrote it ({@code ${env:NAME}} unresolved), or {@code argv} itself when it had none. */
    public List<String> asWritten(List<String> argv) {
        return argvAsWritten.getOrDefault(argv, argv);
    }

    /** A configuration with the default {@code cluster} block. */
    public RunnerConfig(Path source, RunnerSettings runner, SessionSettings session, RecoverySettings recovery,
                        BrowserSettings browser, HttpSettings http, AlertSettings alerts, StoreSettings store,
                        List<PodConfig> pods, Set<String> secretValues, BreakerSettings breaker) {
        this(source, runner, session, recovery, browser, http, alerts, store, pods, secretValues, breaker, null);
    }

    /** A configuration with the default (SQLite) store and no breaker ({@link BreakerSettings#OFF}). */
    public RunnerConfig(Path source, RunnerSettings runner, SessionSettings session, RecoverySettings recovery,
                        BrowserSettings browser, HttpSettings http, AlertSettings alerts, List<PodConfig> pods,
                        Set<String> secretValues) {
        this(source, runner, session, recovery, browser, http, alerts, StoreSettings.sqlite(), pods, secretValues,
                null);
    }

    /** A configuration with the default (SQLite) store. */
    public RunnerConfig(Path source, RunnerSettings runner, SessionSettings session, RecoverySettings recovery,
                        BrowserSettings browser, HttpSettings http, AlertSettings alerts, List<PodConfig> pods,
                        Set<String> secretValues, BreakerSettings breaker) {
        this(source, runner, session, recovery, browser, http, alerts, StoreSettings.sqlite(), pods, secretValues,
                breaker);
    }

    /** A configuration without a breaker ({@link BreakerSettings#OFF}). */
    public RunnerConfig(Path source, RunnerSettings runner, SessionSettings session, RecoverySettings recovery,
                        BrowserSettings browser, HttpSettings http, AlertSettings alerts, StoreSettings store,
                        List<PodConfig> pods, Set<String> secretValues) {
        this(source, runner, session, recovery, browser, http, alerts, store, pods, secretValues, null);
    }

    /** A configuration without alerts. */
    public RunnerConfig(Path source, RunnerSettings runner, SessionSettings session, RecoverySettings recovery,
                        BrowserSettings browser, HttpSettings http, List<PodConfig> pods, Set<String> secretValues) {
        this(source, runner, session, recovery, browser, http, AlertSettings.defaults(), pods, secretValues);
    }

    /** Every profile of every pod, in file order. */
    public List<ProfileConfig> profiles() {
        return pods.stream().flatMap(p -> p.profiles().stream()).toList();
    }

    public Optional<ProfileConfig> profile(String id) {
        return profiles().stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /** The breaker of {@code pod}: its own override, else the runner's. */
    public BreakerSettings breakerOf(String pod) {
        return pod(pod).map(PodConfig::breaker).orElse(breaker);
    }

    public Optional<PodConfig> pod(String name) {
        return pods.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}

package io.smartrunner.cli;

import io.smartrunner.SmartRunnerException;
import io.smartrunner.alert.WebhookAlerts;
import io.smartrunner.config.RunnerConfig;
import io.smartrunner.engine.Supervisor;
import io.smartrunner.event.EventFanout;
import io.smartrunner.http.ApiToken;
import io.smartrunner.http.FleetControl;
import io.smartrunner.http.RunnerHttpServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import sun.misc.Signal;

/** {@code run}: supervise the configured fleet until SIGTERM or SIGINT. */
@Command(name = "run", description = "Run the supervisor on the configured fleet until SIGTERM/SIGINT.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        RunnerConfig cfg = config.load();
        try (RunnerHome home = RunnerHome.open(cfg);
             WebhookAlerts alerts = WebhookAlerts.start(cfg.alerts(), cfg.secretValues(), RunCommand::say)) {
            EventFanout fanout = new EventFanout(RunCommand::say);
            fanout.subscribe(alerts);
            Supervisor supervisor = new Supervisor(cfg, home.deps(cfg, fanout, RunCommand::say));
            ApiToken token = ApiToken.configuredOrGenerated(cfg.http().token(), cfg.runner().dataDir(),
                    file -> say("generated the API token into " + file + " (mode 0600); send it as 'Authorization: Bearer <token>'"));
            try (RunnerHttpServer http = RunnerHttpServer.start(cfg.http(), fleet(supervisor), token)) {
                return runWith(cfg, home, supervisor, http);
            }
        }
    }

    private static FleetControl fleet(Supervisor supervisor) {
        return new FleetControl() {
            @Override
            public java.util.concurrent.CompletableFuture<java.util.List<io.smartrunner.profile.ProfileState>> profiles() {
                return supervisor.profiles();
            }

            @Override
            public void pause(String profileId, java.time.Duration duration, String reason, String by) {
                supervisor.requestPause(profileId, duration, reason, by);
            }

            @Override
            public void unpause(String profileId, String by) {
                supervisor.requestUnpause(profileId, by);
            }
        };
    }

    private int runWith(RunnerConfig cfg, RunnerHome home, Supervisor supervisor, RunnerHttpServer http) {
        // Handled signals (not a shutdown hook): the runner stops its sessions, flushes and exits 0.
        Signal.handle(new Signal("TERM"), s -> supervisor.requestStop());
        Signal.handle(new Signal("INT"), s -> supervisor.requestStop());
        // SIGHUP: reload; a broken file is refused with its one-line error and the running config stays
        Signal.handle(new Signal("HUP"), s -> {
            try {
                supervisor.requestReload(config.load());
            } catch (SmartRunnerException e) {
                say("reload refused, the running configuration stays: " + e.getMessage());
            }
        });
        int profiles = cfg.profiles().size();
        if (profiles == 0) {
            say(config.file + ": no profiles configured ($.pods is empty); idling until stopped");
        }
        say("running " + profiles + " profile(s) in " + cfg.pods().size() + " pod(s); events: "
                + cfg.runner().eventLog() + "; state: " + RunnerHome.stateFile(cfg.runner())
                + "; session logs: " + home.logDir + "; launcher: " + home.launcher.getClass().getSimpleName()
                + "; http://" + cfg.http().bind() + ":" + http.port() + "/ (healthz, /api/profiles, demo site); pid "
                + ProcessHandle.current().pid());
        if (home.events.tornBytesMoved() > 0) {
            say(cfg.runner().eventLog() + ": moved a torn last line (" + home.events.tornBytesMoved()
                    + " bytes, from a crash mid-write) to " + cfg.runner().eventLog() + ".torn");
        }
        boolean clean = supervisor.run();
        say(clean ? "stopped" : "stopped, but not every event could be written");
        return clean ? 0 : 1;
    }

    static void say(String line) {
        System.err.println("smart-runner: " + line);
    }
}

package io.smartrunner;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;

/**
 * The package seams (issue #10, point 4), read off the compiled main classes. Layers, top down;
 * a layer may use any layer below it and its own, never one above:
 * <ol>
 *   <li>cli: the commands, which wire everything together</li>
 *   <li>fleet: cluster mode's view of the whole fleet, wired over the API and the engine (FleetMode,
 *       FleetView, ControlRelay)</li>
 *   <li>http: the API and dashboard</li>
 *   <li>engine: the supervisor loop</li>
 *   <li>services: recovery, browser, store, alert, metrics, report, health, systemd, breaker, cluster
 *       (membership, leases, process fence, the fleet event sink)</li>
 *   <li>core: profile, event, process, session, config, time (the pure rules, values and OS access)</li>
 *   <li>base: {@code io.smartrunner} itself (SmartRunnerException)</li>
 * </ol>
 * Within services, browser.cdp (the DevTools transport) is below browser (the providers) and
 * recovery (the browser steps). No package depends on itself through others (no cycles, within a
 * layer or between a package and its sub-package either), and nothing
 * outside {@code io.smartrunner.time} reads the wall clock: time comes from the injected TimeSource.
 * There are no exceptions today; one that cannot be removed at once goes into this class by name,
 * with its reason, never as a blanket ignore.
 */
@AnalyzeClasses(packages = "io.smartrunner", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String[] SERVICES = {"io.smartrunner.recovery..", "io.smartrunner.browser..",
        "io.smartrunner.store..", "io.smartrunner.alert..", "io.smartrunner.metrics..", "io.smartrunner.report..",
        "io.smartrunner.health..", "io.smartrunner.systemd..", "io.smartrunner.breaker..", "io.smartrunner.cluster.."};
    private static final String[] CORE = {"io.smartrunner.profile..", "io.smartrunner.event..",
        "io.smartrunner.process..", "io.smartrunner.session..", "io.smartrunner.config..", "io.smartrunner.time.."};

    @ArchTest
    static final ArchRule layersOnlyLookDown = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("cli").definedBy("io.smartrunner.cli..")
            .layer("fleet").definedBy("io.smartrunner.fleet..")
            .layer("http").definedBy("io.smartrunner.http..")
            .layer("engine").definedBy("io.smartrunner.engine..")
            .layer("services").definedBy(SERVICES)
            .layer("core").definedBy(CORE)
            .layer("base").definedBy("io.smartrunner")
            .whereLayer("cli").mayNotBeAccessedByAnyLayer()
            .whereLayer("fleet").mayOnlyBeAccessedByLayers("cli")
            .whereLayer("http").mayOnlyBeAccessedByLayers("cli", "fleet")
            .whereLayer("engine").mayOnlyBeAccessedByLayers("cli", "fleet", "http")
            .whereLayer("services").mayOnlyBeAccessedByLayers("cli", "fleet", "http", "engine")
            .whereLayer("core").mayOnlyBeAccessedByLayers("cli", "fleet", "http", "engine", "services")
            .whereLayer("base").mayOnlyBeAccessedByLayers("cli", "fleet", "http", "engine", "services", "core");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.smartrunner.(**)").should().beFreeOfCycles();

    /** The CDP transport (browser.cdp) is below the providers (browser) and the browser steps (recovery). */
    @ArchTest
    static final ArchRule cdpTransportKnowsNoProvider = noClasses()
            .that().resideInAPackage("io.smartrunner.browser.cdp..")
            .should().dependOnClassesThat().resideInAnyPackage("io.smartrunner.browser", "io.smartrunner.recovery..")
            .because("providers and recovery steps use the transport, not the other way round");

    /**
     * Issue #10, point 1: a profile's state changes in one place, TransitionApplier, which also
     * writes the change and carries out what it implies (recovery, session stop, browser close).
     * ProfileSlot itself only sets it once, in its constructor.
     */
    @ArchTest
    static final ArchRule onlyTheApplierSetsProfileState = noClasses()
            .that().doNotHaveFullyQualifiedName("io.smartrunner.engine.TransitionApplier")
            .and().doNotHaveFullyQualifiedName("io.smartrunner.engine.ProfileSlot")
            .should().setField("io.smartrunner.engine.ProfileSlot", "state")
            .because("every change of a profile's state goes through TransitionApplier, with its events and effects");

    /** java.time's now(), Clock.system*(), System.currentTimeMillis(), new Date(), Calendar.getInstance(). */
    private static final DescribedPredicate<JavaAccess<?>> WALL_CLOCK = DescribedPredicate.describe(
            "the wall clock (Instant.now(), System.currentTimeMillis(), new Date(), Clock.systemUTC()...)",
            access -> {
                String owner = access.getTargetOwner().getName();
                String name = access.getName();
                return owner.startsWith("java.time.") && name.equals("now")
                        || owner.equals("java.time.Clock") && name.startsWith("system")
                        || owner.equals("java.lang.System") && name.equals("currentTimeMillis")
                        || Set.of("java.util.Date", "java.util.GregorianCalendar").contains(owner)
                        && name.equals("<init>") && noParameters(access.getTarget())
                        || owner.equals("java.util.Calendar") && name.equals("getInstance");
            });

    private static boolean noParameters(AccessTarget target) {
        return target instanceof AccessTarget.CodeUnitAccessTarget t && t.getRawParameterTypes().isEmpty();
    }

    @ArchTest
    static final ArchRule wallClockOnlyInTime = noClasses().that().resideOutsideOfPackage("io.smartrunner.time..")
            .should().accessTargetWhere(WALL_CLOCK)
            .because("time comes from the injected TimeSource, so tests can drive it with a manual clock");
}

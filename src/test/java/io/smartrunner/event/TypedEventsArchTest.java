package io.smartrunner.event;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;

/**
 * Issue #10, point 3, kept: outside the event package, code matches on the event records and
 * never reads an event's wire words ({@code event()}, {@code type()}, {@code outcome()}) to
 * compare them, nor looks a param up by its wire key; those are for display and tests. What needs
 * the words (printing a line as the log has it) asks the codec, {@link EventKinds#encode}, where it
 * shows.
 */
@AnalyzeClasses(packages = "io.smartrunner", importOptions = ImportOption.DoNotIncludeTests.class)
class TypedEventsArchTest {
    private static final Set<String> WIRE_WORDS = Set.of("event", "type", "outcome");

    private static final DescribedPredicate<JavaMethodCall> WIRE_WORD_OF_AN_EVENT = DescribedPredicate.describe(
            "an event's wire word (event(), type(), outcome())",
            call -> call.getTarget().getOwner().isAssignableTo(EventRecord.class)
                    && WIRE_WORDS.contains(call.getTarget().getName())
                    && call.getTarget().getRawParameterTypes().isEmpty());

    @ArchTest
    static final ArchRule rulesMatchOnRecordsNotOnWords = noClasses()
            .that().resideOutsideOfPackage("io.smartrunner.event")
            .should().callMethodWhere(WIRE_WORD_OF_AN_EVENT)
            .because("only the codec knows the wire's words; rules, metrics, alerts and reports match on the type");

    private static final DescribedPredicate<JavaMethodCall> PARAM_BY_WIRE_KEY = DescribedPredicate.describe(
            "a param looked up by its wire key (Params.get/containsKey/getOrDefault)",
            call -> call.getTarget().getOwner().isEquivalentTo(Params.class)
                    && Set.of("get", "containsKey", "getOrDefault").contains(call.getTarget().getName()));

    @ArchTest
    static final ArchRule paramsAreReadThroughTypedKeys = noClasses()
            .that().resideOutsideOfPackage("io.smartrunner.event")
            .should().callMethodWhere(PARAM_BY_WIRE_KEY)
            .because("params keys are EventParams constants: read them with Params.value or the records' accessors");
}

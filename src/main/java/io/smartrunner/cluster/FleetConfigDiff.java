package io.smartrunner.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where two runners' configs disagree about what both run (docs/cluster.md, "Runners that
 * disagree"), in phrases naming both: a pod both list with another concurrency (whichever
 * profiles each lists in it: a pod's slots are the fleet's); a profile both list in another pod,
 * with another session command, or other runOn labels. A pod or a profile only one of them lists
 * is no disagreement: disjoint profile lists are a way to split a fleet.
 */
public final class FleetConfigDiff {
    /** Profile ids named per kind of difference; the rest are counted. */
    static final int IDS_SHOWN = 5;

    private FleetConfigDiff() {
    }

    /** The differences, each one phrase; empty when the two agree on everything both run. */
    public static List<String> between(FleetConfigShape a, String aName, FleetConfigShape b, String bName) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Integer> pod : a.pods().entrySet()) {
            Integer other = b.pods().get(pod.getKey());
            if (other != null && !other.equals(pod.getValue())) {
                // compared even when they list different profiles in it: its slots are the fleet's
                out.add("pod " + pod.getKey() + " has concurrency " + pod.getValue() + " on " + aName + ", " + other
                        + " on " + bName + " (its slots are the fleet's)");
            }
        }
        List<String> moved = new ArrayList<>();
        List<String> command = new ArrayList<>();
        List<String> runOn = new ArrayList<>();
        for (Map.Entry<String, FleetConfigShape.ProfileShape> p : a.profiles().entrySet()) {
            FleetConfigShape.ProfileShape here = p.getValue();
            FleetConfigShape.ProfileShape there = b.profiles().get(p.getKey());
            if (there == null) {
                continue;
            }
            if (!Objects.equals(here.pod(), there.pod())) {
                moved.add(p.getKey() + " (" + here.pod() + " on " + aName + ", " + there.pod() + " on " + bName + ")");
            }
            if (!Objects.equals(here.command(), there.command())) {
                command.add(p.getKey());
            }
            if (!here.runOn().equals(there.runOn())) {
                runOn.add(p.getKey() + " (" + here.runOn() + " on " + aName + ", " + there.runOn() + " on " + bName + ")");
            }
        }
        if (!moved.isEmpty()) {
            out.add(moved.size() + " profile(s) in another pod: " + ids(moved));
        }
        if (!command.isEmpty()) {
            out.add(command.size() + " profile(s) with another session command: " + ids(command));
        }
        if (!runOn.isEmpty()) {
            out.add(runOn.size() + " profile(s) with other runOn labels: " + ids(runOn));
        }
        return out;
    }

    private static String ids(List<String> ids) {
        return String.join(", ", ids.subList(0, Math.min(IDS_SHOWN, ids.size())))
                + (ids.size() > IDS_SHOWN ? " and " + (ids.size() - IDS_SHOWN) + " more" : "");
    }
}

package io.smartrunner.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tie-break among profiles that have never run (least recently run first has nothing else to
 * go by): the pods take turns, each in its own configuration order. In plain configuration order a
 * first pod of 100 profiles took every slot of a runner whose limit was below the pods' together,
 * and the pods after it started nothing until each of its profiles had run once (reviewer R21:
 * 20 s with sessions of 5 s, hours with sessions of minutes). Renumbered at each reload, as if
 * the configuration had always been the new one: a pod the reload adds catches up on the turns
 * it missed. Loop thread only.
 */
final class FleetOrder {
    private FleetOrder() {
    }

    /** Numbers {@code slots} (in configuration order) for the start queue: first of each pod, then second, … */
    static void interleavePods(Collection<ProfileSlot> slots) {
        Map<String, Integer> podIndex = new HashMap<>();
        Map<String, Integer> inPod = new HashMap<>();
        record Place(ProfileSlot slot, int inPod, int pod) {
        }
        List<Place> places = new ArrayList<>(slots.size());
        for (ProfileSlot slot : slots) {
            int pod = podIndex.computeIfAbsent(slot.pod(), p -> podIndex.size());
            places.add(new Place(slot, inPod.merge(slot.pod(), 1, Integer::sum) - 1, pod));
        }
        places.sort(Comparator.comparingInt(Place::inPod).thenComparingInt(Place::pod));
        for (int i = 0; i < places.size(); i++) {
            places.get(i).slot().order = i;
        }
    }
}

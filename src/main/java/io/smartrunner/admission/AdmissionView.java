package io.smartrunner.admission;

/** What admission control shows to other threads (HTTP, metrics, readiness). Thread-safe. */
public interface AdmissionView {
    /** True while new sessions (and new recovery episodes) are held back by host pressure. */
    boolean held();

    /** Sessions (one per profile and episode of pressure) whose start was held back, since the runner started. */
    long delayedTotal();

    /** One line for operators while starts are held (what is short, the reading, the limit, since when); else null. */
    String note();

    /** Nothing is ever held (no engine, or admission control off). */
    AdmissionView NONE = new AdmissionView() {
        @Override
        public boolean held() {
            return false;
        }

        @Override
        public long delayedTotal() {
            return 0;
        }

        @Override
        public String note() {
            return null;
        }
    };
}

package io.smartrunner.cluster;

/**
 * Between the leases and the control relay (cluster mode): a profile this runner takes over may
 * have controls queued for it, asked while its previous holder was frozen or dying (a pause, above
 * all). None of its sessions starts here before the relay has read the queued controls once since
 * the takeover and applied what it found, so a queued pause is in effect before the first session,
 * not after it. The relay tells when a read begins and when it is done.
 */
public interface QueuedControlReads {
    /** Without leases: every profile of the configuration is this runner's, nothing waits. */
    QueuedControlReads NONE = new QueuedControlReads() {
        @Override
        public void readBy(Runnable wake) {
        }

        @Override
        public long readBegins() {
            return 0;
        }

        @Override
        public void readDone(long ticket) {
        }
    };

    /** The relay exists; {@code wake} makes it read soon. Before this, no profile waits for a read. */
    void readBy(Runnable wake);

    /** A read begins (before the queued controls are listed): its ticket. */
    long readBegins();

    /** The read with this ticket applied every queued control it listed of the profiles held here. */
    void readDone(long ticket);
}

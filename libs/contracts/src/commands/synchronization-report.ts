/**
 * How long a caller of `sync.report` waits for the answer to a read-back sent in one message
 * (the agent, the manual CSV import). The shortest wait of any caller: `orders` answers a report
 * it cannot record yet (another replica records it) before this runs out, or nobody hears it.
 */
export const SYNCHRONIZATION_REPORT_TIMEOUT_MS = 60_000;

/** How long the agent waits for the answer to a read-back sent in pages: comparing 100,000 accounts takes longer. */
export const PAGED_SYNCHRONIZATION_REPORT_TIMEOUT_MS = 300_000;

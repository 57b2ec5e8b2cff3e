import type { PoolClient } from 'pg';
import type { RecordedEvent } from '@prov/event-store';

/**
 * A projection turns one stored event into read-model rows. It runs inside the projector's
 * transaction (the checkpoint is written in the same one) against a schema that is either
 * the live one or a shadow being rebuilt.
 */
export interface Projection {
  readonly name: string;
  /** Stream-name prefixes (categories with their dash) this projection reads. */
  readonly streamPrefixes: readonly string[];
  apply(client: PoolClient, schema: string, event: RecordedEvent): Promise<void>;
  /**
   * Applies a run of this projection's events, in log order, with the same result as applying
   * them one by one; lets a projection write a batch with a few statements instead of a few per event.
   */
  applyMany?(
    client: PoolClient,
    schema: string,
    events: readonly RecordedEvent[],
    options?: ApplyOptions,
  ): Promise<void>;
}

export interface ApplyOptions {
  /**
   * A bulk load into a schema that was empty when it began (the replay of a rebuild): a stream
   * whose first event in the batch has revision 0 has no row yet, so its rows may be appended
   * with COPY without being looked up. A wrong guess fails the batch (a duplicate key), and the
   * projector then applies it again without this option.
   */
  bulk?: boolean;
}

export function streamId(streamName: string, prefix: string): string {
  return streamName.slice(prefix.length);
}

import type { BatchCommandReply } from '@prov/contracts';
import { GroupCommit, type Outcome } from '@prov/gathering';
import { CommandError, CommandErrorCodes, isCommandErrorPayload } from '@prov/messaging';

export interface BatcherOptions {
  /** Items per batch at most. */
  maxItems: number;
  /** JSON bytes of the items per batch at most (a single larger item still goes, alone). */
  maxBytes: number;
  /** Batches sent and not yet answered at most; items that come meanwhile wait for the next one. */
  maxInFlight: number;
  /** The batch command's subject, named in the errors. */
  subject: string;
}

/**
 * Gathers items into batch commands without waiting for a batch to fill: an item goes out on
 * the next turn of the event loop (with whatever else came in that turn) while fewer than
 * `maxInFlight` batches are out, and otherwise waits, with every item that comes meanwhile, for
 * the next answer. Idle, that is one item per command at no added delay; busy, the items of a
 * round trip's time share one command (ADR 0054). The gathering is the event store's group
 * commit, an item weighing its JSON bytes; what is the batcher's own is reading a batch command's
 * reply. Each item is answered on its own: with its result, with its own error as a
 * `CommandError`, or with the batch's error when the batch as a whole failed (timeout, no NATS),
 * so each caller decides about trying again, as it would for a single command.
 */
export class Batcher<Item, Value> {
  private readonly gathering: GroupCommit<Item, Value>;

  constructor(
    private readonly send: (items: Item[]) => Promise<BatchCommandReply<Value>>,
    private readonly options: BatcherOptions,
  ) {
    this.gathering = new GroupCommit((items: Item[]) => this.sendBatch(items), {
      maxInFlight: options.maxInFlight,
      maxWeight: options.maxBytes,
      maxItems: options.maxItems,
    });
  }

  submit(item: Item): Promise<Value> {
    return this.gathering.submit(item, JSON.stringify(item).length);
  }

  private async sendBatch(items: Item[]): Promise<Outcome<Value>[]> {
    const results = (await this.send(items))?.results ?? [];
    return items.map((_, index): Outcome<Value> => {
      const result = results[index];
      if (result && 'value' in result) return { ok: true, value: result.value };
      if (result && 'error' in result && isCommandErrorPayload(result.error))
        return { ok: false, error: new CommandError(result.error, { subject: this.options.subject }) };
      return {
        ok: false,
        error: CommandError.of(
          CommandErrorCodes.RemoteError,
          500,
          `${this.options.subject} answered no result for item ${index} of ${items.length}`,
          { subject: this.options.subject },
        ),
      };
    });
  }
}

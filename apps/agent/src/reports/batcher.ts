import type { BatchCommandReply } from '@prov/contracts';
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

interface Waiting<Item, Value> {
  item: Item;
  bytes: number;
  resolve: (value: Value) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers items into batch commands without waiting for a batch to fill: an item goes out on
 * the next turn of the event loop (with whatever else came in that turn) while fewer than
 * `maxInFlight` batches are out, and otherwise waits, with every item that comes meanwhile, for
 * the next answer. Idle, that is one item per command at no added delay; busy, the items of a
 * round trip's time share one command (ADR 0054). Each item is answered on its own: with its
 * result, with its own error as a `CommandError`, or with the batch's error when the batch as a
 * whole failed (timeout, no NATS), so each caller decides about trying again, as it would for a
 * single command.
 */
export class Batcher<Item, Value> {
  private waiting: Waiting<Item, Value>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly send: (items: Item[]) => Promise<BatchCommandReply<Value>>,
    private readonly options: BatcherOptions,
  ) {}

  submit(item: Item): Promise<Value> {
    return new Promise<Value>((resolve, reject) => {
      this.waiting.push({ item, bytes: JSON.stringify(item).length, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // Items finished in the same turn (answers read from one socket chunk) go together.
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    });
  }

  private flush(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.take();
      this.inFlight++;
      void this.send(batch.map((w) => w.item))
        .then(
          (reply) => this.answer(batch, reply),
          (error: unknown) => batch.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          this.inFlight--;
          this.flush();
        });
    }
  }

  /** The oldest waiting items, within the item and byte bounds (at least one). */
  private take(): Waiting<Item, Value>[] {
    let count = 0;
    let bytes = 0;
    for (const waiting of this.waiting) {
      if (count === this.options.maxItems || (count > 0 && bytes + waiting.bytes > this.options.maxBytes))
        break;
      count++;
      bytes += waiting.bytes;
    }
    return this.waiting.splice(0, count);
  }

  private answer(batch: Waiting<Item, Value>[], reply: BatchCommandReply<Value>): void {
    const results = reply?.results ?? [];
    batch.forEach((waiting, index) => {
      const result = results[index];
      if (result && 'value' in result) waiting.resolve(result.value);
      else if (result && 'error' in result && isCommandErrorPayload(result.error))
        waiting.reject(new CommandError(result.error, { subject: this.options.subject }));
      else
        waiting.reject(
          CommandError.of(
            CommandErrorCodes.RemoteError,
            500,
            `${this.options.subject} answered no result for item ${index} of ${batch.length}`,
            { subject: this.options.subject },
          ),
        );
    });
  }
}

import type { BatchCommandReply } from '@prov/contracts';
import { copyWith } from '@prov/domain';
import { CommandExceptionFilter } from '@prov/messaging';
import { COMMAND_FILTER } from './bootstrap';

/**
 * What the service's command filter would have answered for an item's error: the batch's
 * items fail one by one with the code, status and message of the single command (an unexpected
 * error is a 500 with an incident id, logged, its text never in the answer).
 */
const itemErrors = new CommandExceptionFilter(COMMAND_FILTER);

/**
 * Carries out every item of a batch command at once, each as the single command would with
 * the batch's caller, and answers one result per item in order (ADR 0045: the gateway's bulk
 * calls to `requests`; ADR 0054: an agent's reports to `orders`). At once, because the appends
 * of concurrent items share commits (the event store's group commit): a batch costs about as
 * many round trips as its largest item, not as its item count. The sender bounds the items per
 * command.
 */
export async function eachItem<Item extends object, Value>(
  subject: string,
  batch: { items: readonly Item[]; actor: string; correlationId?: string },
  run: (command: Item & { actor: string; correlationId?: string }) => Promise<Value>,
): Promise<BatchCommandReply<Value>> {
  const { actor, correlationId } = batch;
  type Command = Item & { actor: string; correlationId?: string };
  const results = await Promise.all(
    batch.items.map((item) =>
      run(copyWith(item, { actor, correlationId }) as unknown as Command).then(
        (value) => ({ value }),
        (error: unknown) => ({ error: itemErrors.toPayload(error, subject) }),
      ),
    ),
  );
  return { results };
}

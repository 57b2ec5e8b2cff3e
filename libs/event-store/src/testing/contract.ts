/**
 * The event-store contract: one Jest suite that every adapter must pass, so that the in-memory
 * store used in unit tests, PostgreSQL and EventStoreDB cannot drift apart. An adapter's spec
 * file calls {@link describeEventStoreContract} with a factory for its store.
 */
import { appendingContract } from './contract/appending';
import { catchUpContract } from './contract/catch-up';
import { concurrentAppendsContract } from './contract/concurrent-appends';
import { deletionContract } from './contract/deletion';
import { globalLogContract } from './contract/global-log';
import { hashChainContract } from './contract/hash-chain';
import type { ContractContext, ContractFactory, ContractFixture } from './contract/helpers';
import { idempotencyContract } from './contract/idempotency';
import { readingContract } from './contract/reading';
import { severalStreamsContract } from './contract/several-streams';
import { subscriptionContract } from './contract/subscriptions';

export type { ContractFactory, ContractFixture } from './contract/helpers';

export interface ContractOptions {
  /**
   * Registers the suite as skipped, with the reason in its title (e.g. no server to test
   * against). The reason is also printed, so the skip is noticed rather than silently green.
   */
  skip?: string;
  /** The adapter has `appendToStreams` (all parts or none, ADR 0061): the suite then tests it. */
  appendsToSeveralStreams?: boolean;
}

export function describeEventStoreContract(
  adapterName: string,
  factory: ContractFactory,
  options: ContractOptions = {},
): void {
  if (options.skip !== undefined) {
    console.warn(`${adapterName} adapter contract skipped: ${options.skip}`);
    describe.skip(`${adapterName} adapter contract (skipped: ${options.skip})`, () => {
      it('is not run', () => undefined);
    });
    return;
  }

  describe(`${adapterName} adapter contract`, () => {
    let shared: ContractFixture | undefined;
    beforeAll(async () => {
      shared = await factory({ fresh: true });
    }, 60_000);
    afterAll(async () => {
      await shared?.dispose();
    }, 60_000);

    const ctx: ContractContext = {
      factory,
      fixture() {
        if (!shared) throw new Error('the shared fixture was not opened (beforeAll failed?)');
        return shared;
      },
    };

    appendingContract(ctx);
    concurrentAppendsContract(ctx);
    idempotencyContract(ctx);
    readingContract(ctx);
    deletionContract(ctx);
    globalLogContract(ctx);
    subscriptionContract(ctx);
    catchUpContract(ctx);
    hashChainContract(ctx);
    severalStreamsContract(ctx, options.appendsToSeveralStreams === true);
  });
}

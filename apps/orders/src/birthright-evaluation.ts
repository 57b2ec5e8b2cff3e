import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { CommandClient } from '@prov/messaging';
import { DATABASE_POOL } from '@prov/platform';
import { identityIdPages } from '@prov/read-models';
import { OrderGenerationReaction } from './order-generation.reaction';

/** Identities per settle-identities command: a page the requests service settles well within the timeout. */
const IDENTITIES_PER_COMMAND = 100;
const SETTLE_TIMEOUT_MS = 120_000;

/** What the requests service answers to settle-identities. */
interface SettleIdentitiesResult {
  settled: number;
  granted: string[];
  revoked: string[];
}

/**
 * The complete job's birthright-rule evaluation: every identity, a page at a time, is settled by
 * the requests service, which owns identities and their holdings, through the same step (and the
 * same pure decision, the domain's `birthrightChanges`) its lifecycle reaction and role-model
 * sweep use. What that granted or revoked gets its orders at once, so that the job's fulfil task
 * sends them in the same run.
 */
@Injectable()
export class BirthrightEvaluation {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    private readonly commands: CommandClient,
    private readonly generation: OrderGenerationReaction,
  ) {}

  async settleEveryIdentity(jobId: string, changed: (assignmentId: string) => void) {
    const counts = { identities: 0, ruleGranted: 0, ruleRevoked: 0 };
    const errors: string[] = [];
    for await (const identityIds of identityIdPages(this.pool, IDENTITIES_PER_COMMAND)) {
      let result: SettleIdentitiesResult;
      try {
        result = await this.commands.send<SettleIdentitiesResult>(
          'requests',
          'settle-identities',
          { actor: 'orders', correlationId: jobId, identityIds },
          { timeoutMs: SETTLE_TIMEOUT_MS },
        );
      } catch (error) {
        // One page failing leaves the others to be settled; the next run tries it again.
        errors.push(`identities ${identityIds[0]} to ${identityIds.at(-1)}: ${(error as Error).message}`);
        continue;
      }
      counts.identities += result.settled;
      counts.ruleGranted += result.granted.length;
      counts.ruleRevoked += result.revoked.length;
      for (const assignmentId of [...result.granted, ...result.revoked]) {
        await this.generation.catchUp(assignmentId);
        changed(assignmentId);
      }
    }
    return { counts, errors };
  }
}

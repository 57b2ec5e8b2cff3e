import { Injectable } from '@nestjs/common';
import { readHardeningSettings } from '@prov/config';
import { type Context, context } from '@opentelemetry/api';
import type { Response } from 'express';
import type { BatchCommandReply } from '@prov/contracts';
import { copyWith } from '@prov/domain';
import { CommandClient, CommandError, type CommandErrorPayload } from '@prov/messaging';
import { metricsRegistry } from '@prov/platform';
import { Histogram } from 'prom-client';
import type { Caller } from '../auth/api-token.guard';
import { type BatchResponse, itemError, runBatch } from './batch';
import { COALESCED_ROUNDS_IN_FLIGHT, commandsToSend, RoundPacing } from './coalescing';

/**
 * A `requests` command that creates something once (an identity's registration, an assignment's
 * request). Sent again for what exists already, it answers `created: false` with the existing
 * id, which the single call answers 200 and a batch counts as existing.
 */
export interface CreateCommand<Body extends object, Id extends string> {
  command: string;
  /** The field of the answer that holds the id. */
  idField: Id;
  /** The single call's body, which every batch item is validated as. */
  body: new () => Body;
}

type Created<Id extends string> = Record<Id, string> & { created: boolean };

/** What a batch command answered for one item: the single command's answer, or its error. */
type ItemReply<Id extends string> = BatchCommandReply<Created<Id>>['results'][number];

function itemValue<Id extends string>(result: ItemReply<Id> | undefined): Created<Id> {
  if (result && 'value' in result) return result.value;
  // A reply without this item's result breaks the batch contract: a 500 like any unexpected answer.
  throw new CommandError((result?.error ?? MISSING_RESULT) as CommandErrorPayload);
}

const MISSING_RESULT = {
  code: 'InternalError',
  status: 500,
  message: 'the command answered no result for the item',
};

/** How many single requests each command carried: how much the coalescing saves under the load there is. */
const requestsPerCommand = new Histogram({
  name: 'prov_gateway_requests_per_command',
  help: 'Single create requests (POST /api/assignments, /api/identities) carried by one command',
  labelNames: ['command'] as const,
  buckets: [1, 2, 4, 8, 16, 32, 64],
  registers: [metricsRegistry],
});

/** A single request waiting for its command, and how to answer its caller. */
interface Waiting {
  body: object;
  /** Its JSON size and its trace, for a request that waits (one sent at once needs neither). */
  bytes: number;
  trace?: Context;
  resolve: (value: never) => void;
  reject: (error: unknown) => void;
}

/**
 * One caller's single requests of one kind: its rounds of commands in flight, the requests on their
 * way (`carried`) and waiting, the pacing of its rounds, the timer of a paced round's start
 * (`hold`) and that of an idle lane's end (`expiry`).
 */
interface Lane {
  command: string;
  actor: string;
  roundsInFlight: number;
  carried: number;
  waiting: Waiting[];
  pacing: RoundPacing;
  hold?: NodeJS.Timeout;
  expiry?: NodeJS.Timeout;
}

/**
 * Sends the `requests` commands that create something. Single requests of one caller and kind
 * that arrive while that caller's commands are busy wait and go together as one
 * `<command>-batch` command (ADR 0053): one signature, one message, one validation and routing
 * in `requests` for all of them, each caller getting what the single command would have
 * answered. `commandsToSend` decides what goes when; a lone request goes at once, alone.
 */
@Injectable()
export class CreateCommands {
  private readonly lanes = new Map<string, Lane>();
  private readonly roundIntervalMs = readHardeningSettings().edgeRoundIntervalMs;

  constructor(private readonly commands: CommandClient) {}

  /** The single call: its route's status when created, 200 with the existing id otherwise. */
  async answer<Body extends object, Id extends string>(
    create: CreateCommand<Body, Id>,
    body: Body,
    caller: Caller,
    response: Response,
  ): Promise<Created<Id>> {
    const result = await this.send(create, body, caller);
    if (!result.created) response.status(200);
    return result;
  }

  /** Sends the command with the caller as its actor, together with the caller's others if they wait. */
  send<Body extends object, Id extends string>(
    create: CreateCommand<Body, Id>,
    body: Body,
    caller: Caller,
  ): Promise<Created<Id>> {
    const key = `${create.command}\n${caller.actor}`;
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = {
        command: create.command,
        actor: caller.actor,
        roundsInFlight: 0,
        carried: 0,
        waiting: [],
        pacing: new RoundPacing(this.roundIntervalMs),
      };
      this.lanes.set(key, lane);
    }
    const now = Date.now();
    lane.pacing.arrived(lane.carried + lane.waiting.length, now);
    // Only a request that waits goes with others: only then its size counts, and its trace is
    // kept so that the command runs in the trace of the first request it carries.
    const waits =
      lane.roundsInFlight >= COALESCED_ROUNDS_IN_FLIGHT ||
      lane.waiting.length > 0 ||
      lane.pacing.wait(now) > 0;
    const bytes = waits ? JSON.stringify(body).length : 0;
    const trace = waits ? context.active() : undefined;
    const answer = new Promise<Created<Id>>((resolve, reject) =>
      lane.waiting.push({ body, bytes, trace, resolve, reject }),
    );
    this.dispatch(key, lane);
    return answer;
  }

  /**
   * Sends the round `commandsToSend` says when the lane's pacing lets it start, or sets the timer
   * for that moment; the round's end lets the requests that waited go. An idle lane goes once its
   * pacing is forgotten.
   */
  private dispatch(key: string, lane: Lane): void {
    if (lane.hold) {
      if (!RoundPacing.full(lane.waiting.length)) return;
      // Full while it waited for its turn: it goes now (ADR 0093).
      clearTimeout(lane.hold);
      lane.hold = undefined;
    }
    if (lane.expiry) {
      clearTimeout(lane.expiry);
      lane.expiry = undefined;
    }
    const sizes = commandsToSend(
      lane.roundsInFlight,
      lane.waiting.map((w) => w.bytes),
    );
    const now = Date.now();
    if (sizes.length === 0) {
      if (lane.roundsInFlight === 0 && lane.waiting.length === 0) this.retire(key, lane, now);
      return;
    }
    const wait = lane.pacing.start(now, lane.waiting.length);
    if (wait > 0) {
      lane.hold = this.dispatchIn(key, lane, wait, 'hold');
      return;
    }
    lane.roundsInFlight++;
    const round = sizes.map((size) => {
      const group = lane.waiting.splice(0, size);
      lane.carried += size;
      requestsPerCommand.observe({ command: lane.command }, size);
      const carried = () => this.carryOut(lane, group);
      return group[0].trace ? context.with(group[0].trace, carried) : carried();
    });
    void Promise.allSettled(round).then(() => {
      lane.roundsInFlight--;
      lane.carried -= sizes.reduce((sum, size) => sum + size, 0);
      this.dispatch(key, lane);
    });
  }

  /** An idle lane: gone now, or when its pacing is forgotten unless a request comes first. */
  private retire(key: string, lane: Lane, now: number): void {
    const kept = lane.pacing.remembered(now);
    if (kept === 0) {
      this.lanes.delete(key);
      return;
    }
    // A lane waiting to be forgotten holds no request: it must not keep the process alive.
    lane.expiry = this.dispatchIn(key, lane, kept, 'expiry').unref();
  }

  /** The lane's `timer`, which clears itself and dispatches again in `ms`. */
  private dispatchIn(key: string, lane: Lane, ms: number, timer: 'hold' | 'expiry'): NodeJS.Timeout {
    return setTimeout(() => {
      lane[timer] = undefined;
      this.dispatch(key, lane);
    }, ms);
  }

  /** One request as the single command; several as one batch command, each answered with its own result. */
  private async carryOut(lane: Lane, group: Waiting[]): Promise<void> {
    try {
      if (group.length === 1) {
        const [only] = group;
        only.resolve(
          (await this.commands.send(
            'requests',
            lane.command,
            copyWith(only.body, { actor: lane.actor }),
          )) as never,
        );
        return;
      }
      const reply = await this.commands.send<BatchCommandReply<unknown>>(
        'requests',
        `${lane.command}-batch`,
        {
          items: group.map((w) => w.body),
          actor: lane.actor,
        },
      );
      group.forEach((waiting, i) => {
        try {
          waiting.resolve(itemValue(reply?.results?.[i] as ItemReply<string>) as never);
        } catch (error) {
          waiting.reject(error);
        }
      });
    } catch (error) {
      // The command failed as a whole (timeout, NATS unavailable): so did each of its requests.
      for (const waiting of group) waiting.reject(error);
    }
  }

  /**
   * The batch call: every item as the single call would send it, in `<command>-batch` commands
   * of up to MAX_BATCH_COMMAND_ITEMS items with the caller once (ADR 0045); one result per item.
   */
  batch<Body extends object, Id extends string>(
    create: CreateCommand<Body, Id>,
    items: unknown[],
    caller: Caller,
  ): Promise<BatchResponse> {
    return runBatch(items, create.body, async (values) => {
      const reply = await this.commands.send<BatchCommandReply<Created<Id>>>(
        'requests',
        `${create.command}-batch`,
        {
          items: values,
          actor: caller.actor,
        },
      );
      return reply.results.map((result) =>
        'value' in result
          ? { id: result.value[create.idField], created: result.value.created }
          : { error: itemError(new CommandError(result.error as CommandErrorPayload)) },
      );
    });
  }
}

import type { Response } from 'express';
import type { CommandClient } from '@prov/messaging';
import type { Caller } from '../auth/api-token.guard';
import { type BatchResponse, runBatch } from './batch';

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

/** Sends the command with the caller as its actor. */
export function sendCreate<Body extends object, Id extends string>(
  commands: CommandClient,
  create: CreateCommand<Body, Id>,
  body: Body,
  caller: Caller,
): Promise<Created<Id>> {
  return commands.send<Created<Id>>('requests', create.command, { ...body, actor: caller.actor });
}

/** The single call: its route's status when created, 200 with the existing id otherwise. */
export async function answerCreate<Body extends object, Id extends string>(
  commands: CommandClient,
  create: CreateCommand<Body, Id>,
  body: Body,
  caller: Caller,
  response: Response,
): Promise<Created<Id>> {
  const result = await sendCreate(commands, create, body, caller);
  if (!result.created) response.status(200);
  return result;
}

/** The batch call: every item sent as the single call would send it, one result per item. */
export function runCreateBatch<Body extends object, Id extends string>(
  commands: CommandClient,
  create: CreateCommand<Body, Id>,
  items: unknown[],
  caller: Caller,
): Promise<BatchResponse> {
  return runBatch(items, create.body, async (item) => {
    const result = await sendCreate(commands, create, item, caller);
    return { id: result[create.idField], created: result.created };
  });
}

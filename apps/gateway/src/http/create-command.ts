import type { Response } from 'express';
import type { BatchCommandReply } from '@prov/contracts';
import { CommandError, type CommandClient, type CommandErrorPayload } from '@prov/messaging';
import type { Caller } from '../auth/api-token.guard';
import { type BatchResponse, itemError, runBatch } from './batch';

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

/**
 * The batch call: every item as the single call would send it, in `<command>-batch` commands of
 * up to MAX_BATCH_COMMAND_ITEMS items with the caller once (ADR 0045); one result per item.
 */
export function runCreateBatch<Body extends object, Id extends string>(
  commands: CommandClient,
  create: CreateCommand<Body, Id>,
  items: unknown[],
  caller: Caller,
): Promise<BatchResponse> {
  return runBatch(items, create.body, async (values) => {
    const reply = await commands.send<BatchCommandReply<Created<Id>>>('requests', `${create.command}-batch`, {
      items: values,
      actor: caller.actor,
    });
    return reply.results.map((result) =>
      'value' in result
        ? { id: result.value[create.idField], created: result.value.created }
        : { error: itemError(new CommandError(result.error as CommandErrorPayload)) },
    );
  });
}

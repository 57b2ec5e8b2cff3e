import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { MAX_BATCH_COMMAND_ITEMS } from './batch.messages';
import { OrderReportBatchMessage } from './order-report.messages';

/** Every broken rule as `path: rule`, nested items included. */
async function problems(value: object): Promise<string[]> {
  const flat = (errors: ValidationError[], prefix = ''): string[] =>
    errors.flatMap((error) => [
      ...Object.keys(error.constraints ?? {}).map((rule) => `${prefix}${error.property}: ${rule}`),
      ...flat(error.children ?? [], `${prefix}${error.property}.`),
    ]);
  return flat(
    await validate(plainToInstance(OrderReportBatchMessage, value), {
      whitelist: true,
      forbidNonWhitelisted: true,
    }),
  );
}

const item = {
  assignmentId: '4a1f3c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
  orderId: 'o-1',
  attempt: 1,
  outcome: 'executed',
  connectorCall: { operation: 'create-or-converge', target: 'uid=ada', attributes: ['sn'], durationMs: 3 },
};

describe('OrderReportBatchMessage (prov.cmd.orders.report-batch)', () => {
  it('takes 1 to MAX_BATCH_COMMAND_ITEMS reports, each checked as the single report', async () => {
    expect(await problems({ actor: 'agent', items: [item] })).toEqual([]);
    expect(await problems({ items: [] })).toEqual(['items: arrayMinSize']);
    expect(await problems({ items: Array(MAX_BATCH_COMMAND_ITEMS + 1).fill(item) })).toEqual([
      'items: arrayMaxSize',
    ]);
    expect(await problems({ items: [item, { ...item, attempt: 0, outcome: 'errored' }] })).toEqual([
      'items.1.attempt: min',
      'items.1.error: maxLength',
      'items.1.error: minLength',
      'items.1.error: isString',
    ]);
  });

  it('carries the actor once, never per item', async () => {
    expect(await problems({ items: [{ ...item, actor: 'someone-else' }] })).toEqual([
      'items.0.actor: whitelistValidation',
    ]);
  });
});

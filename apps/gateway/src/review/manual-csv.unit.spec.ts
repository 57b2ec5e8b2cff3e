import type { OrderView } from '@prov/read-models';
import { parseCsv } from '@prov/contracts/csv';
import { describeProblems, exportManualOrders, validateImport } from './manual-csv';

function orderView(orderId: string, code = 2, state = 'Transmitted'): OrderView {
  return {
    orderId,
    assignmentId: `a-${orderId}`,
    identityId: 'chloe.dubois',
    entitlementId: 'building_badge',
    connectionId: 'badge_office',
    resourceTypeId: 'badge',
    fulfillment: 'manual',
    changeType: 'Added',
    changes: { accountKey: 'chloe.dubois', attributes: { holder: 'Chloé Dubois', department: 'HR, Paris' } },
    provisioningState: state,
    provisioningStateCode: code,
    attempt: 1,
    open: true,
    updatedAt: '2026-03-01T10:00:00.000Z',
  };
}

const orders = new Map([
  ['o-1', orderView('o-1')],
  ['o-2', orderView('o-2')],
  ['o-8', orderView('o-8', 8, 'Executed')],
]);
const find = async (id: string) => orders.get(id);

describe('exportManualOrders', () => {
  it('writes one line per order with the attributes as JSON, readable back', () => {
    const csv = exportManualOrders([orderView('o-1')]);
    const [header, line] = parseCsv(csv).records;
    expect(header.fields).toEqual([
      'orderId',
      'assignmentId',
      'identityId',
      'entitlementId',
      'connectionId',
      'changeType',
      'accountKey',
      'group',
      'attributes',
      'transmittedAt',
    ]);
    expect(line.fields).toEqual([
      'o-1',
      'a-o-1',
      'chloe.dubois',
      'building_badge',
      'badge_office',
      'Added',
      'chloe.dubois',
      '',
      '{"holder":"Chloé Dubois","department":"HR, Paris"}',
      '2026-03-01T10:00:00.000Z',
    ]);
  });
});

describe('validateImport', () => {
  it('accepts confirm and error lines, in any case, with optional comment', async () => {
    const result = await validateImport(
      'orderId,result,error,comment\no-1,Confirm,,done\no-2,error,"printer broken, again",\n',
      find,
    );
    expect(result).toEqual({
      ok: true,
      lines: [
        { line: 2, orderId: 'o-1', assignmentId: 'a-o-1', result: 'confirm', comment: 'done' },
        { line: 3, orderId: 'o-2', assignmentId: 'a-o-2', result: 'error', error: 'printer broken, again' },
      ],
    });
  });

  it('accepts the export itself with a result column added, ignoring the other columns', async () => {
    const exported = exportManualOrders([orderView('o-1')])
      .trimEnd()
      .split('\r\n');
    const csv = [`${exported[0]},result`, `${exported[1]},confirm`].join('\n');
    expect(await validateImport(csv, find)).toMatchObject({
      ok: true,
      lines: [{ orderId: 'o-1', result: 'confirm' }],
    });
  });

  it('reports every problem with its line, and applies nothing', async () => {
    const csv = [
      'orderId,result,error,comment',
      'o-1,done,,', // line 2
      'o-2,error,,', // line 3
      'o-404,confirm,,', // line 4
      'o-8,confirm,,', // line 5
      'o-1,confirm,,', // line 6: o-1 again
      'o-2,confirm', // line 7: too few fields
      ',confirm,,', // line 8
      'o-9,confirm,but an error,', // line 9
    ].join('\n');
    const result = await validateImport(csv, find);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      { line: 2, message: 'result must be confirm or error' },
      { line: 3, message: 'error is required when result is error' },
      { line: 4, message: 'order o-404 does not exist' },
      { line: 5, message: 'order o-8 is 8 Executed, not 2 Transmitted' },
      { line: 6, message: 'order o-1 is already on line 2' },
      { line: 7, message: 'has 2 fields, the header has 4' },
      { line: 8, message: 'orderId is required' },
      { line: 9, message: 'error must be empty when result is confirm' },
    ]);
    expect(describeProblems(!result.ok ? result.problems : [], 2)).toBe(
      'line 2: result must be confirm or error; line 3: error is required when result is error; and 6 more (see details)',
    );
  });

  it('needs a header naming orderId and result, and at least one line', async () => {
    expect(await validateImport('', find)).toEqual({
      ok: false,
      problems: [{ line: 1, message: 'the CSV is empty: expected a header orderId,result,error,comment' }],
    });
    expect(await validateImport('\uFEFFid,outcome\no-1,confirm\n', find)).toEqual({
      ok: false,
      problems: [
        { line: 1, message: 'the header must name the columns orderId and result (found: id, outcome)' },
      ],
    });
    expect(await validateImport('orderId,result\n', find)).toEqual({
      ok: false,
      problems: [{ line: 1, message: 'the CSV has a header but no order lines' }],
    });
  });

  it('reports an unclosed quote', async () => {
    const result = await validateImport('orderId,result,error\no-1,error,"unclosed\n', find);
    expect(result).toEqual({
      ok: false,
      problems: [{ line: 2, message: 'a quoted field is not closed (missing ")' }],
    });
  });
});

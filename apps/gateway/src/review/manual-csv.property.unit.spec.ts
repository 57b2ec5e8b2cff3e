import fc from 'fast-check';
import type { OrderView } from '@prov/read-models';
import { formatCsv, parseCsv } from '@prov/contracts/csv';

const FORMULA_START = /^[=+\-@\t\r\n]/;
import { validateImport } from './manual-csv';

const transmitted = (orderId: string, code = 2): OrderView =>
  ({
    orderId,
    assignmentId: `a-${orderId}`,
    provisioningStateCode: code,
    provisioningState: code === 2 ? 'Transmitted' : 'Executed',
    open: true,
  }) as OrderView;
const orders = new Map([
  ['o-1', transmitted('o-1')],
  ['o-2', transmitted('o-2')],
  ['o-8', transmitted('o-8', 8)],
]);
const find = async (id: string) => {
  if (id.includes('\u0000')) throw new Error('PostgreSQL would refuse this value');
  return orders.get(id);
};

/** Cells an operator's spreadsheet (or an attacker) might produce. */
const cell = fc.oneof(
  fc.constantFrom(
    'o-1',
    'o-2',
    'o-8',
    'o-404',
    'confirm',
    'error',
    'ERROR',
    'Confirm',
    '',
    ' ',
    'badge printed',
  ),
  fc.string({
    maxLength: 30,
    unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', '\u0000', 'é', '=', '+', '-', '@', '\t'),
  }),
);
const csvText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc
    .tuple(
      fc.shuffledSubarray(['orderId', 'result', 'error', 'comment', 'identityId', 'orderId'], {
        minLength: 0,
      }),
      fc.array(fc.array(cell, { minLength: 0, maxLength: 6 }), { maxLength: 8 }),
    )
    .map(([header, rows]) => formatCsv([header, ...rows])),
  fc
    .array(fc.array(cell, { maxLength: 5 }), { maxLength: 6 })
    .map((rows) => rows.map((r) => r.join(',')).join('\n')),
);

describe('CSV imports of generated files', () => {
  it('1,500 files: never throws, and either every line is applicable or nothing is', async () => {
    await fc.assert(
      fc.asyncProperty(csvText, async (text) => {
        const validation = await validateImport(text, find);
        if (!validation.ok) {
          expect(validation.problems.length).toBeGreaterThan(0);
          for (const problem of validation.problems) expect(problem.line).toBeGreaterThanOrEqual(1);
          return;
        }
        expect(validation.lines.length).toBeGreaterThan(0);
        const ids = validation.lines.map((line) => line.orderId);
        expect(new Set(ids).size).toBe(ids.length);
        for (const line of validation.lines) {
          expect(orders.get(line.orderId)?.provisioningStateCode).toBe(2);
          expect(['confirm', 'error']).toContain(line.result);
          expect(`${line.error ?? ''}${line.comment ?? ''}`).not.toContain('\u0000');
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('1,000 tables: what formatCsv writes, parseCsv reads back unchanged', () => {
    // Texts a spreadsheet would run as a formula are written with an apostrophe on purpose: left out.
    const field = fc
      .string({ maxLength: 20, unit: fc.constantFrom('a', ',', '"', '\n', '\r\n', ' ', 'é', '😀') })
      .filter((text) => !FORMULA_START.test(text));
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }),
        (rows) => {
          // A row of one empty field is an empty line, which CSV readers skip: not a table anyone writes.
          fc.pre(rows.every((row) => row.length > 1 || row[0] !== ''));
          const parsed = parseCsv(formatCsv(rows));
          expect(parsed.errors).toEqual([]);
          expect(parsed.records.map((record) => record.fields)).toEqual(rows);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

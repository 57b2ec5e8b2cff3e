import type { Pool } from 'pg';
import { LogGate } from './log-gate';

/** A pool whose lock-table read answers with the given verdicts (null: the id's lock was not seen). */
function poolAnswering(verdicts: Record<string, boolean | null>) {
  const asked: string[][] = [];
  const pool = {
    query: async (config: { values: [string[]] }) => {
      asked.push(config.values[0]);
      const rows = config.values[0]
        .filter((xid) => xid in verdicts)
        .map((xid) => ({ xid, appender: verdicts[xid] }));
      return { rows };
    },
  } as unknown as Pool;
  return { pool, asked };
}

describe('LogGate (what the page reads are told about running transactions)', () => {
  it('remembers only positive verdicts: an id whose lock was not seen stays in the gate', async () => {
    const { pool } = poolAnswering({ '100': false, '101': null, '102': true });
    const gate = new LogGate(pool);
    expect(await gate.settle({ gate_xmin: '100', gate_unknown: ['100', '101', '102'] })).toBe(true);
    expect(gate.parameters()).toEqual([['100'], ['102']]);
  });

  it('asks nothing when the gate did not stand on an id of unknown kind', async () => {
    const { pool, asked } = poolAnswering({});
    const gate = new LogGate(pool);
    expect(await gate.settle({ gate_xmin: '5', gate_unknown: null })).toBe(false);
    expect(asked).toEqual([]);
  });

  it('asks only about ids below the first known appender, and not again about known ones', async () => {
    const { pool, asked } = poolAnswering({ '10': true, '11': false, '9': false });
    const gate = new LogGate(pool);
    await gate.settle({ gate_xmin: '9', gate_unknown: ['10', '11'] });
    expect(asked).toEqual([['10', '11']]);
    await gate.settle({ gate_xmin: '9', gate_unknown: ['9', '10', '11', '12'] });
    expect(asked).toEqual([['10', '11'], ['9']]);
    expect(gate.parameters()).toEqual([['11', '9'], ['10']]);
  });

  it('forgets the verdicts on ids below the xmin of a later snapshot (they have ended)', async () => {
    const { pool } = poolAnswering({ '20': false, '21': true, '30': false });
    const gate = new LogGate(pool);
    await gate.settle({ gate_xmin: '20', gate_unknown: ['20'] });
    await gate.settle({ gate_xmin: '20', gate_unknown: ['21'] });
    expect(gate.parameters()).toEqual([['20'], ['21']]);
    await gate.settle({ gate_xmin: '22', gate_unknown: ['30'] });
    expect(gate.parameters()).toEqual([['30'], []]);
  });

  it('shares one lock-table read among readers that ask about the same ids at once', async () => {
    const { pool, asked } = poolAnswering({ '40': false });
    const gate = new LogGate(pool);
    await Promise.all([1, 2, 3].map(() => gate.settle({ gate_xmin: '40', gate_unknown: ['40'] })));
    expect(asked).toEqual([['40']]);
    expect(gate.classifications).toBe(1);
  });
});

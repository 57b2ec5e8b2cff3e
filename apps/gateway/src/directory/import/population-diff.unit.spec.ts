import fc from 'fast-check';
import type { IdentityRecord } from '@prov/read-models';
import { changesOf, diffPopulation, exceedsLeaverThreshold } from './population-diff';
import type { PopulationEntry } from './population-file';

function record(id: string, over: Partial<IdentityRecord> = {}): IdentityRecord {
  return {
    id,
    login: id,
    firstName: 'Ann',
    lastName: 'Lee',
    email: `${id}@example.test`,
    department: 'IT',
    attributes: {},
    active: true,
    registeredAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    revision: 0,
    ...over,
  };
}
function entry(id: string, line: number, over: Partial<PopulationEntry['identity']> = {}): PopulationEntry {
  return {
    line,
    id,
    identity: {
      login: id,
      firstName: 'Ann',
      lastName: 'Lee',
      email: `${id}@example.test`,
      department: 'IT',
      active: true,
      ...over,
    },
  };
}

/** What the identities are after applying a diff: the model of the real run. */
function apply(identities: IdentityRecord[], entries: PopulationEntry[]): IdentityRecord[] {
  const byId = new Map(identities.map((i) => [i.id, { ...i }]));
  const diff = diffPopulation(entries, identities);
  for (const change of changesOf(diff)) {
    if (change.kind === 'leaver') byId.get(change.identityId)!.active = false;
    else {
      const e = entries.find((x) => x.id === change.identityId)!;
      byId.set(change.identityId, {
        ...record(e.id),
        ...e.identity,
        department: e.identity.department,
        attributes: Object.fromEntries(
          (['externalId', 'employeeNumber', 'manager'] as const)
            .filter((k) => e.identity[k])
            .map((k) => [k, e.identity[k]!]),
        ),
      });
    }
  }
  return [...byId.values()];
}

describe('diffPopulation: the HR file against the identities', () => {
  it('joiners, movers, returning leavers, leavers and unchanged', () => {
    const identities = [
      record('same'),
      record('moves'),
      record('leaves'),
      record('returns', { active: false }),
      record('gone', { active: false }),
    ];
    const diff = diffPopulation(
      [
        entry('same', 2),
        entry('moves', 3, { department: 'Finance' }),
        entry('returns', 4),
        entry('new', 5, { employeeNumber: '7' }),
      ],
      identities,
    );
    expect(diff.unchanged).toBe(1);
    expect(diff.movers).toEqual([
      { kind: 'mover', line: 3, identityId: 'moves', login: 'moves', update: { department: 'Finance' } },
    ]);
    expect(diff.joiners).toEqual([
      { kind: 'joiner', line: 4, identityId: 'returns', login: 'returns', reactivate: true },
      {
        kind: 'joiner',
        line: 5,
        identityId: 'new',
        login: 'new',
        register: {
          id: 'new',
          login: 'new',
          firstName: 'Ann',
          lastName: 'Lee',
          email: 'new@example.test',
          department: 'IT',
          attributes: { employeeNumber: '7' },
        },
      },
    ]);
    // An identity already inactive is no leaver again.
    expect(diff.leavers).toEqual([{ kind: 'leaver', identityId: 'leaves', login: 'leaves' }]);
    expect(diff.activeBefore).toBe(3);
  });

  it('the leaver threshold: more than 10 % of the active identities refuses; none in an empty engine', () => {
    const identities = Array.from({ length: 20 }, (_, i) => record(`p${i}`));
    const keep = (n: number) => identities.slice(0, n).map((i, line) => entry(i.id, line + 2));
    expect(exceedsLeaverThreshold(diffPopulation(keep(18), identities))).toBe(false); // 2 of 20 = 10 %
    expect(exceedsLeaverThreshold(diffPopulation(keep(17), identities))).toBe(true); // 3 of 20
    expect(exceedsLeaverThreshold(diffPopulation(keep(17), identities), 0.5)).toBe(false);
    expect(exceedsLeaverThreshold(diffPopulation([entry('a', 2)], []))).toBe(false);
  });

  it('idempotent: importing the same file again over what it produced changes nothing', () => {
    const person = fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      department: fc.option(fc.constantFrom('IT', 'Finance'), { nil: undefined }),
      lastName: fc.constantFrom('Lee', 'Moss'),
      employeeNumber: fc.option(fc.constantFrom('1', '2'), { nil: undefined }),
      active: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(person, { selector: (p) => p.id }),
        fc.uniqueArray(person, { selector: (p) => p.id }),
        (before, file) => {
          const identities = before.map((p) =>
            record(p.id, {
              department: p.department,
              lastName: p.lastName,
              active: p.active,
              attributes: p.employeeNumber ? { employeeNumber: p.employeeNumber } : {},
            }),
          );
          const entries = file.map((p, i) =>
            entry(p.id, i + 2, {
              department: p.department,
              lastName: p.lastName,
              employeeNumber: p.employeeNumber,
            }),
          );
          const after = apply(identities, entries);
          const again = diffPopulation(entries, after);
          expect({ joiners: again.joiners, movers: again.movers, leavers: again.leavers }).toEqual({
            joiners: [],
            movers: [],
            leavers: [],
          });
          expect(again.unchanged).toBe(entries.length);
        },
      ),
    );
  });
});

import type { IdentityRecord } from '@prov/read-models';
import { identityChanges, type IdentityUpdate, registration } from '../identity-changes';
import type { PopulationEntry } from './population-file';

/** The share of today's active identities one file may make leavers unless the run is forced. */
export const DEFAULT_LEAVER_THRESHOLD = 0.1;

/** A person in the file the engine does not know (or knows as a leaver: they come back). */
export interface Joiner {
  kind: 'joiner';
  line: number;
  identityId: string;
  login: string;
  /** New identity: the register-identity body. */
  register?: ReturnType<typeof registration>;
  /** A returning leaver: the changes first (if any), then reactivation. */
  update?: IdentityUpdate;
  reactivate?: true;
}

export interface Mover {
  kind: 'mover';
  line: number;
  identityId: string;
  login: string;
  update: IdentityUpdate;
}

/** An active identity the file does not list any more. */
export interface Leaver {
  kind: 'leaver';
  identityId: string;
  login: string;
}

export type PopulationChange = Joiner | Mover | Leaver;

export interface PopulationDiff {
  joiners: Joiner[];
  movers: Mover[];
  leavers: Leaver[];
  unchanged: number;
  /** Active identities before the import: what the leaver share is measured against. */
  activeBefore: number;
}

/**
 * Joiners, movers and leavers that importing the file (the whole population) would cause. Pure:
 * the same file against the identities it produced gives no change at all, which is what makes
 * the import idempotent.
 */
export function diffPopulation(
  entries: readonly PopulationEntry[],
  identities: readonly IdentityRecord[],
): PopulationDiff {
  const known = new Map(identities.map((i) => [i.id, i]));
  const listed = new Set<string>();
  const diff: PopulationDiff = { joiners: [], movers: [], leavers: [], unchanged: 0, activeBefore: 0 };
  for (const { line, id, identity } of entries) {
    listed.add(id);
    const current = known.get(id);
    const base = { line, identityId: id, login: identity.login };
    if (!current) {
      diff.joiners.push({ kind: 'joiner', ...base, register: registration(identity, id) });
      continue;
    }
    const { update, activate } = identityChanges(current, identity);
    if (activate)
      diff.joiners.push({ kind: 'joiner', ...base, ...(update ? { update } : {}), reactivate: true });
    else if (update) diff.movers.push({ kind: 'mover', ...base, update });
    else diff.unchanged++;
  }
  for (const identity of identities) {
    if (!identity.active) continue;
    diff.activeBefore++;
    if (!listed.has(identity.id))
      diff.leavers.push({ kind: 'leaver', identityId: identity.id, login: identity.login });
  }
  return diff;
}

/**
 * Whether the file would make too many leavers at once (a truncated export, the wrong file):
 * more than `threshold` of the active identities. A first import into an empty engine has none.
 */
export function exceedsLeaverThreshold(diff: PopulationDiff, threshold = DEFAULT_LEAVER_THRESHOLD): boolean {
  return diff.leavers.length > 0 && diff.leavers.length > threshold * diff.activeBefore;
}

/** Every change in the order the import applies them: joiners, movers, then leavers. */
export function changesOf(diff: PopulationDiff): PopulationChange[] {
  return [...diff.joiners, ...diff.movers, ...diff.leavers];
}

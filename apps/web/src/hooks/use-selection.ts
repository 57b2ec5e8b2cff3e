import { useCallback, useMemo, useState } from 'react';

export interface Selection {
  selected: ReadonlySet<string>;
  isSelected(id: string): boolean;
  toggle(id: string): void;
  /** Selects all shown, or clears when all are selected already. */
  toggleAll(): void;
  clear(): void;
  allSelected: boolean;
  someSelected: boolean;
}

/** The set with `id` added, or removed when it was in it already. */
export function toggled(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  const next = new Set(set);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/** Row selection over a list that refreshes live: ids that left the list leave the selection. */
export function useSelection(ids: readonly string[]): Selection {
  const [chosen, setSelected] = useState<ReadonlySet<string>>(new Set());
  // Derived, not synchronised: what was chosen and is still in the list (a row that left is dropped).
  const selected = useMemo<ReadonlySet<string>>(() => {
    const kept = [...chosen].filter((id) => ids.includes(id));
    return kept.length === chosen.size ? chosen : new Set(kept);
  }, [chosen, ids]);

  const toggle = useCallback((id: string) => {
    setSelected((previous) => toggled(previous, id));
  }, []);

  const allSelected = ids.length > 0 && ids.every((id) => selected.has(id));
  const toggleAll = useCallback(
    () => setSelected(allSelected ? new Set() : new Set(ids)),
    [allSelected, ids],
  );
  const clear = useCallback(() => setSelected(new Set()), []);

  return useMemo(
    () => ({
      selected,
      isSelected: (id: string) => selected.has(id),
      toggle,
      toggleAll,
      clear,
      allSelected,
      someSelected: selected.size > 0 && !allSelected,
    }),
    [selected, toggle, toggleAll, clear, allSelected],
  );
}

export interface BatchOutcome {
  succeeded: string[];
  failed: Array<{ id: string; error: unknown }>;
}

/** Runs an action for each id, a few at a time; never stops at the first failure. */
export async function runBatch(
  ids: readonly string[],
  action: (id: string) => Promise<unknown>,
  concurrency = 4,
): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { succeeded: [], failed: [] };
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      try {
        await action(id);
        outcome.succeeded.push(id);
      } catch (error) {
        outcome.failed.push({ id, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  return outcome;
}

import { createTwoFilesPatch } from 'diff';
import { canonicalJson } from '../parse/parse-role-model';
import type { RoleModelDefinition } from '../types';

/** The sections of a role model whose items have ids, in the order the file lists them. */
export const DIFFED_SECTIONS = ['connections', 'resourceTypes', 'entitlements', 'rules'] as const;
export type DiffedSection = (typeof DIFFED_SECTIONS)[number];

/** One item that exists in both versions with different content: the fields that changed. */
export interface ChangedItem {
  id: string;
  /** Top-level field name → its value before and after (undefined when absent on that side). */
  fields: Record<string, { from: unknown; to: unknown }>;
}

export interface SectionDiff {
  added: string[];
  removed: string[];
  changed: ChangedItem[];
}

export interface RoleModelDiff {
  sections: Record<DiffedSection, SectionDiff>;
  /** True when no section differs (the same content hash, or two equal models). */
  same: boolean;
}

type Item = { id: string } & Record<string, unknown>;

function itemsOf(definition: RoleModelDefinition, section: DiffedSection): Item[] {
  return ((definition[section] ?? []) as unknown as Item[]).filter((item) => typeof item.id === 'string');
}

function changedFields(before: Item, after: Item): ChangedItem['fields'] {
  const fields: ChangedItem['fields'] = {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (canonicalJson(before[name]) !== canonicalJson(after[name])) {
      fields[name] = { from: before[name], to: after[name] };
    }
  }
  return fields;
}

function diffSection(from: Item[], to: Item[]): SectionDiff {
  const before = new Map(from.map((item) => [item.id, item]));
  const after = new Map(to.map((item) => [item.id, item]));
  const changed: ChangedItem[] = [];
  for (const [id, item] of after) {
    const previous = before.get(id);
    if (!previous) continue;
    const fields = changedFields(previous, item);
    if (Object.keys(fields).length > 0) changed.push({ id, fields });
  }
  return {
    added: [...after.keys()].filter((id) => !before.has(id)),
    removed: [...before.keys()].filter((id) => !after.has(id)),
    changed,
  };
}

/**
 * What changed from one validated role model to another, item by item (by id) in each section:
 * added, removed, and for changed items the top-level fields with both values. Compared on the
 * validated content, so layout, comments and spelled-out defaults are no change.
 */
export function diffRoleModels(from: RoleModelDefinition, to: RoleModelDefinition): RoleModelDiff {
  const sections = {} as Record<DiffedSection, SectionDiff>;
  for (const section of DIFFED_SECTIONS) {
    sections[section] = diffSection(itemsOf(from, section), itemsOf(to, section));
  }
  const same = DIFFED_SECTIONS.every(
    (s) => sections[s].added.length + sections[s].removed.length + sections[s].changed.length === 0,
  );
  return { sections, same };
}

/** A unified diff of the two files as they were deployed (comments and layout included). */
export function roleModelTextDiff(
  from: { label: string; text: string },
  to: { label: string; text: string },
): string {
  return createTwoFilesPatch(from.label, to.label, from.text, to.text, undefined, undefined, { context: 3 });
}

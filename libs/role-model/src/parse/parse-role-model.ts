import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { RoleModelValidationError, type RoleModelIssue } from '../errors';
import { RoleModel } from '../role-model';
import type { RoleModelDefinition } from '../types';
import { Checker, formatPath, type Path } from './checker';
import { readConnection, readEntitlement, readResourceType, readRule } from './sections';
import { checkGeneratedPasswords } from './write-only';

/**
 * Reading a role model file: YAML syntax, then every entry, then the references between
 * entries. All problems are collected and thrown together as one RoleModelValidationError, with
 * the line of each so an editor can jump to it.
 */

export const SUPPORTED_FORMAT_VERSION = 1;

function lineFinder(doc: Document, lines: LineCounter): (path: Path) => number | undefined {
  return (path) => {
    // The node itself, or its nearest existing parent (a missing key is reported on its mapping).
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

function asMapping(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/** Rejects a second entry with an id already used in the same list, pointing at the first one; returns the ids declared. */
function checkUnique(check: Checker, section: string, entries: Array<Record<string, unknown>>): Set<string> {
  const seen = new Map<string, number>();
  entries.forEach(({ id }, index) => {
    if (typeof id !== 'string') return;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, index);
    else
      check.problem(
        [section, index, 'id'],
        `duplicate id '${id}' (already used by ${formatPath([section, first])})`,
      );
  });
  return new Set(seen.keys());
}

function checkReferences(
  check: Checker,
  entries: Array<Record<string, unknown>>,
  section: string,
  key: 'connection' | 'resourceType' | 'entitlement',
  declared: Set<string>,
): void {
  const what = key === 'resourceType' ? 'resource type' : key;
  const known = declared.size === 0 ? `no ${what} is defined` : `known: ${[...declared].join(', ')}`;
  entries.forEach((entry, index) => {
    const target = entry[key];
    if (typeof target === 'string' && target.trim() !== '' && !declared.has(target)) {
      check.problem([section, index, key], `refers to unknown ${what} '${target}' (${known})`);
    }
  });
}

/** Problems in the order of the file, so that the report reads top to bottom like the file does. */
function byLine(issues: readonly RoleModelIssue[]): RoleModelIssue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** JSON with sorted keys, so that the hash depends on the content only, not on key order or layout. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 of the validated content with defaults applied: comments, layout and spelled-out defaults do not change it. */
export function roleModelHash(definition: RoleModelDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

/** Validates role model text; `fileName` is only used in messages. */
export function parseRoleModel(text: string, fileName: string): RoleModel {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new RoleModelValidationError(
      fileName,
      doc.errors.map((e) => ({
        file: fileName,
        path: '',
        rule: `YAML syntax: ${e.message.split('\n')[0]}`,
        line: lines.linePos(e.pos[0]).line,
      })),
    );
  }
  const check = new Checker(fileName, lineFinder(doc, lines));
  let content: unknown;
  try {
    content = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // An alias to no anchor, or aliases that expand beyond the limit (a "billion laughs" file).
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new RoleModelValidationError(fileName, [{ file: fileName, path: '', rule: `YAML: ${message}` }]);
  }
  const root = check.mapping(
    content,
    [],
    ['version', 'connections', 'resourceTypes', 'entitlements', 'rules'],
    ['version'],
  );
  if (!root) throw new RoleModelValidationError(fileName, check.issues);
  if (root.version !== undefined && root.version !== null && root.version !== SUPPORTED_FORMAT_VERSION) {
    check.problem(
      ['version'],
      `must be ${SUPPORTED_FORMAT_VERSION} (the only format this engine reads), got ${JSON.stringify(root.version)}`,
    );
  }

  const connectionItems = check.list(root.connections, ['connections']) ?? [];
  const resourceTypeItems = check.list(root.resourceTypes, ['resourceTypes']) ?? [];
  const entitlementItems = check.list(root.entitlements, ['entitlements']) ?? [];
  const connections = connectionItems.map((item, i) => readConnection(check, item, ['connections', i]));
  const resourceTypes = resourceTypeItems.map((item, i) =>
    readResourceType(check, item, ['resourceTypes', i]),
  );
  const entitlements = entitlementItems.map((item, i) => readEntitlement(check, item, ['entitlements', i]));
  const ruleItems = check.list(root.rules, ['rules']) ?? [];
  const rules = ruleItems.map((item, i) => readRule(check, item, ['rules', i]));

  // Ids and references are checked on the raw entries, so that a connection with some other
  // mistake still counts as declared and does not cause a second, misleading "unknown" report.
  const connectionIds = checkUnique(check, 'connections', connectionItems.map(asMapping));
  const resourceTypeIds = checkUnique(check, 'resourceTypes', resourceTypeItems.map(asMapping));
  const entitlementIds = checkUnique(check, 'entitlements', entitlementItems.map(asMapping));
  checkUnique(check, 'rules', ruleItems.map(asMapping));
  checkReferences(check, resourceTypeItems.map(asMapping), 'resourceTypes', 'connection', connectionIds);
  checkReferences(check, entitlementItems.map(asMapping), 'entitlements', 'resourceType', resourceTypeIds);
  checkReferences(check, ruleItems.map(asMapping), 'rules', 'entitlement', entitlementIds);
  checkGeneratedPasswords(check, resourceTypes, connections);

  if (check.issues.length > 0) throw new RoleModelValidationError(fileName, byLine(check.issues));
  const definition: RoleModelDefinition = {
    formatVersion: SUPPORTED_FORMAT_VERSION,
    connections: connections.filter(isDefined),
    resourceTypes: resourceTypes.filter(isDefined),
    entitlements: entitlements.filter(isDefined),
    ...(rules.length > 0 ? { rules: rules.filter(isDefined) } : {}),
  };
  return new RoleModel(definition, { source: fileName, hash: roleModelHash(definition), text });
}

/** Reads and validates a role model file (the `ROLE_MODEL` path of the services). */
export function loadRoleModel(filePath: string): RoleModel {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new RoleModelValidationError(filePath, [
      { file: filePath, path: '', rule: `cannot be read: ${reason}` },
    ]);
  }
  // Messages name the path as given, so that the administrator recognises the file.
  return parseRoleModel(text, filePath);
}

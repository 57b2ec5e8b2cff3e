import { describeProblems, type LineProblem, lineValues, readCsvUpload } from '../review/manual-csv';

/**
 * A manual connection read back by hand: operators export what the target holds (the badge
 * office's list of badges) and import it as a CSV, which is then treated like an agent's read:
 * executed orders it shows become 4 Verified, and what nobody assigned is non-conforming.
 *
 * Columns: `accountKey` (required), `group` (optional: a membership of that account), `disabled`
 * (optional: true/false), `attributes` (optional: a JSON object, as in the manual export); every
 * other column is an attribute of the account. An account with several groups takes one line per
 * group; its attributes must then agree from line to line. Pure: the controller sends the result.
 */

export const MAX_SYNCHRONIZATION_LINES = 5000;
const MAX_KEY = 512;
const RESERVED = new Set(['accountKey', 'group', 'disabled', 'attributes']);

export interface ReadAccount {
  accountKey: string;
  attributes: Record<string, string>;
  disabled?: boolean;
}

export interface ManualRead {
  accounts: ReadAccount[];
  memberships: Array<{ accountKey: string; group: string }>;
}

export type ManualReadValidation = { ok: true; read: ManualRead } | { ok: false; problems: LineProblem[] };

function jsonAttributes(text: string): Record<string, string> | string {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'attributes must be a JSON object, like {"holder":"Ann Lee"}';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'attributes must be a JSON object';
  const attributes: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    attributes[name] =
      v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return attributes;
}

/** Reads and checks every line; nothing is recorded unless every line is right. */
export function readManualSynchronization(text: string): ManualReadValidation {
  const upload = readCsvUpload(text, ['accountKey'], 'with accountKey');
  if (!upload.ok) return upload;
  const { headerLine, names, rows, problems } = upload;
  const duplicate = names.find((name, index) => name && names.indexOf(name) !== index);
  if (duplicate) problems.push({ line: headerLine, message: `the column ${duplicate} is named twice` });
  if (names.some((name) => !name))
    problems.push({ line: headerLine, message: 'every column of the header needs a name' });
  if (rows.length > MAX_SYNCHRONIZATION_LINES) {
    problems.push({
      line: headerLine,
      message: `at most ${MAX_SYNCHRONIZATION_LINES} lines per synchronization (found ${rows.length})`,
    });
  }
  if (problems.length > 0) return { ok: false, problems };

  const accounts = new Map<string, ReadAccount & { line: number }>();
  const memberships = new Map<string, { accountKey: string; group: string }>();
  for (const { line, fields } of rows) {
    const problem = (message: string) => problems.push({ line, message });
    const value = lineValues(upload, { line, fields });
    if (!value) continue;
    const accountKey = value('accountKey');
    const group = value('group');
    const disabledText = value('disabled').toLowerCase();
    const before = problems.length;
    if (!accountKey) problem('accountKey is required');
    if (accountKey.length > MAX_KEY) problem(`accountKey must be at most ${MAX_KEY} characters`);
    if (group.length > MAX_KEY) problem(`group must be at most ${MAX_KEY} characters`);
    if (disabledText && disabledText !== 'true' && disabledText !== 'false')
      problem('disabled must be true, false or empty');
    const fromJson = jsonAttributes(value('attributes'));
    if (typeof fromJson === 'string') problem(fromJson);
    if (problems.length > before) continue;
    const attributes: Record<string, string> = { ...(fromJson as Record<string, string>) };
    names.forEach((name, index) => {
      if (!RESERVED.has(name)) attributes[name] = fields[index].trim();
    });
    const account = {
      accountKey,
      attributes,
      ...(disabledText ? { disabled: disabledText === 'true' } : {}),
    };
    const seen = accounts.get(accountKey);
    if (!seen) accounts.set(accountKey, { ...account, line });
    else {
      const differs = Object.keys({ ...seen.attributes, ...attributes }).find(
        (name) => (seen.attributes[name] ?? '') !== (attributes[name] ?? ''),
      );
      if (differs) problem(`attribute ${differs} of ${accountKey} differs from line ${seen.line}`);
      if (seen.disabled !== account.disabled)
        problem(`disabled of ${accountKey} differs from line ${seen.line}`);
    }
    if (group) memberships.set(`${accountKey}\u0000${group}`, { accountKey, group });
  }
  if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
  return {
    ok: true,
    read: {
      accounts: [...accounts.values()].map(({ line: _line, ...account }) => account),
      memberships: [...memberships.values()],
    },
  };
}

export { describeProblems };

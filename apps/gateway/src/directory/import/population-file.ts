import { parseCsv } from '@prov/contracts/csv';
import type { SourceIdentity } from '../identity-changes';

/**
 * An HR file of the whole population: CSV with a header line, or JSON lines (one object per
 * line). Each line is one identity; its `id` is the identity's id (HR's key for the person).
 * Pure functions: text in, entries and per-line problems out.
 */

export const POPULATION_COLUMNS = [
  'id',
  'login',
  'firstName',
  'lastName',
  'email',
  'department',
  'externalId',
  'employeeNumber',
  'manager',
] as const;
type Column = (typeof POPULATION_COLUMNS)[number];
const REQUIRED: Column[] = ['id', 'login', 'firstName', 'lastName', 'email'];

export interface PopulationEntry {
  line: number;
  id: string;
  identity: SourceIdentity;
}

/** A problem of one line: which line (1-based, the CSV header is line 1), which field, what rule. */
export interface LineProblem {
  line: number;
  field: string;
  message: string;
}

export interface PopulationFile {
  entries: PopulationEntry[];
  problems: LineProblem[];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX: Record<Column, number> = {
  id: 100,
  login: 100,
  firstName: 200,
  lastName: 200,
  email: 320,
  department: 200,
  externalId: 200,
  employeeNumber: 200,
  manager: 100,
};

function check(
  line: number,
  row: Partial<Record<Column, string>>,
  problems: LineProblem[],
): PopulationEntry | undefined {
  const before = problems.length;
  const problem = (field: string, message: string) => problems.push({ line, field, message });
  for (const column of POPULATION_COLUMNS) {
    const value = row[column];
    if (value === undefined || value === '') {
      if (REQUIRED.includes(column)) problem(column, `${column} is required`);
    } else if (value.length > MAX[column])
      problem(column, `${column} must be at most ${MAX[column]} characters`);
  }
  if (row.id && !ID.test(row.id))
    problem('id', 'id must be letters, digits, _ . @ - (at most 100, starting with a letter or digit)');
  if (row.email && !EMAIL.test(row.email)) problem('email', 'email must be an e-mail address (name@domain)');
  if (problems.length > before) return undefined;
  const optional = (c: Column) => (row[c] ? row[c] : undefined);
  return {
    line,
    id: row.id!,
    identity: {
      login: row.login!,
      firstName: row.firstName!,
      lastName: row.lastName!,
      email: row.email!,
      department: optional('department'),
      externalId: optional('externalId'),
      employeeNumber: optional('employeeNumber'),
      manager: optional('manager'),
      active: true,
    },
  };
}

function fromCsv(
  text: string,
  problems: LineProblem[],
): Array<{ line: number; row: Partial<Record<Column, string>> }> {
  const parsed = parseCsv(text);
  for (const e of parsed.errors) problems.push({ line: e.line, field: 'line', message: e.message });
  const [header, ...records] = parsed.records;
  if (!header) return [];
  const columns = header.fields.map((f) => f.trim());
  columns.forEach((c) => {
    if (!(POPULATION_COLUMNS as readonly string[]).includes(c))
      problems.push({
        line: header.line,
        field: c,
        message: `unknown column '${c}'; the columns are ${POPULATION_COLUMNS.join(', ')}`,
      });
  });
  for (const c of REQUIRED)
    if (!columns.includes(c))
      problems.push({ line: header.line, field: c, message: `the header has no column ${c}` });
  return records.map((record) => {
    if (record.fields.length !== columns.length)
      problems.push({
        line: record.line,
        field: 'line',
        message: `${record.fields.length} fields where the header has ${columns.length}`,
      });
    const row: Partial<Record<Column, string>> = {};
    columns.forEach((c, i) => (row[c as Column] = record.fields[i]?.trim()));
    return { line: record.line, row };
  });
}

function fromJsonLines(
  text: string,
  problems: LineProblem[],
): Array<{ line: number; row: Partial<Record<Column, string>> }> {
  const rows: Array<{ line: number; row: Partial<Record<Column, string>> }> = [];
  text.split(/\r?\n/).forEach((source, index) => {
    const line = index + 1;
    if (source.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch {
      return void problems.push({ line, field: 'line', message: 'not a JSON object' });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return void problems.push({ line, field: 'line', message: 'not a JSON object' });
    const row: Partial<Record<Column, string>> = {};
    for (const [key, field] of Object.entries(value)) {
      if (!(POPULATION_COLUMNS as readonly string[]).includes(key))
        problems.push({
          line,
          field: key,
          message: `unknown field '${key}'; the fields are ${POPULATION_COLUMNS.join(', ')}`,
        });
      else if (field === null || field === undefined) continue;
      else if (typeof field !== 'string' && typeof field !== 'number')
        problems.push({ line, field: key, message: `${key} must be a string` });
      else row[key as Column] = String(field).trim();
    }
    rows.push({ line, row });
  });
  return rows;
}

/** The entries of the file, or the problems of every line; an id or login given twice is a problem of the later line. */
export function parsePopulation(text: string, format: 'csv' | 'jsonl'): PopulationFile {
  const problems: LineProblem[] = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows = format === 'csv' ? fromCsv(body, problems) : fromJsonLines(body, problems);
  const entries: PopulationEntry[] = [];
  const ids = new Map<string, number>();
  const logins = new Map<string, number>();
  for (const { line, row } of rows) {
    // Duplicates are found among every line, valid or not: a fixed line must not then collide.
    const login = row.login?.toLowerCase();
    const duplicate =
      row.id && ids.has(row.id)
        ? { field: 'id', message: `id ${row.id} is already on line ${ids.get(row.id)}` }
        : login && logins.has(login)
          ? { field: 'login', message: `login ${row.login} is already on line ${logins.get(login)}` }
          : undefined;
    if (duplicate) {
      problems.push({ line, ...duplicate });
      continue;
    }
    if (row.id) ids.set(row.id, line);
    if (login) logins.set(login, line);
    const entry = check(line, row, problems);
    if (entry) entries.push(entry);
  }
  problems.sort((a, b) => a.line - b.line);
  return { entries, problems };
}

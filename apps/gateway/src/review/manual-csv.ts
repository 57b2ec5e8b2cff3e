import type { OrderView } from '@prov/read-models';
import { ProvisioningState } from '@prov/domain';
import { type CsvRecord, formatManualOrders, MANUAL_ORDER_COLUMNS, parseCsv } from '@prov/contracts/csv';

/**
 * The manual queue as a spreadsheet: operators export the orders transmitted to them, do the
 * work, and import one line per order saying whether it was done (`confirm`) or not (`error`,
 * with the reason). Pure: the controller supplies the orders and sends the decisions.
 */

export const EXPORT_COLUMNS = MANUAL_ORDER_COLUMNS;

export const MAX_IMPORT_LINES = 5000;
const MAX_ERROR = 4000; // the review service's limits on an operator's error and comment
const MAX_COMMENT = 2000;

/** One line per transmitted order (the columns the console's download uses too). */
export function exportManualOrders(orders: readonly OrderView[]): string {
  return formatManualOrders(orders);
}

export type ImportResult = 'confirm' | 'error';

export interface ImportLine {
  line: number;
  orderId: string;
  assignmentId: string;
  result: ImportResult;
  error?: string;
  comment?: string;
}

export interface LineProblem {
  line: number;
  message: string;
}

export type ImportValidation = { ok: true; lines: ImportLine[] } | { ok: false; problems: LineProblem[] };

/**
 * Reads and checks every line before anything is applied: the header must name `orderId` and
 * `result` (`error` and `comment` are optional; other columns, such as the export's, are
 * ignored, so the export itself can be filled in and imported back). `findOrder` looks up the
 * current state of each order.
 */
export async function validateImport(
  text: string,
  findOrder: (orderId: string) => Promise<OrderView | undefined>,
): Promise<ImportValidation> {
  const upload = readCsvUpload(text, ['orderId', 'result'], 'orderId,result,error,comment');
  if (!upload.ok) return upload;
  const { headerLine, rows, problems } = upload;
  if (rows.length === 0 && problems.length === 0)
    problems.push({ line: headerLine, message: 'the CSV has a header but no order lines' });
  if (rows.length > MAX_IMPORT_LINES) {
    problems.push({
      line: headerLine,
      message: `at most ${MAX_IMPORT_LINES} order lines per import (found ${rows.length})`,
    });
    return { ok: false, problems };
  }

  const lines: ImportLine[] = [];
  const seen = new Map<string, number>();
  for (const { line, fields } of rows) {
    const problem = (message: string) => problems.push({ line, message });
    const value = lineValues(upload, { line, fields });
    if (!value) continue;
    const orderId = value('orderId');
    const result = value('result').toLowerCase();
    const error = value('error');
    const comment = value('comment');
    const before = problems.length;
    // PostgreSQL refuses NUL in text: caught here, the line gets a problem instead of the import a 500.
    const withNul = upload.names.filter((_, index) => fields[index].includes('\u0000'));
    if (withNul.length > 0) {
      problem(`${withNul.join(', ')} must not contain a NUL character`);
      continue;
    }
    if (!orderId) problem('orderId is required');
    if (result !== 'confirm' && result !== 'error') problem('result must be confirm or error');
    if (result === 'error' && !error) problem('error is required when result is error');
    if (result === 'confirm' && error) problem('error must be empty when result is confirm');
    if (error.length > MAX_ERROR) problem(`error must be at most ${MAX_ERROR} characters`);
    if (comment.length > MAX_COMMENT) problem(`comment must be at most ${MAX_COMMENT} characters`);
    if (orderId && seen.has(orderId)) problem(`order ${orderId} is already on line ${seen.get(orderId)}`);
    else if (orderId) seen.set(orderId, line);
    if (!orderId || problems.length > before) continue;
    const order = await findOrder(orderId);
    if (!order) {
      problem(`order ${orderId} does not exist`);
      continue;
    }
    if (order.provisioningStateCode !== ProvisioningState.Transmitted || !order.open) {
      problem(
        `order ${orderId} is ${order.provisioningStateCode} ${order.provisioningState}, not 2 Transmitted`,
      );
      continue;
    }
    lines.push({
      line,
      orderId,
      assignmentId: order.assignmentId,
      result: result as ImportResult,
      ...(error ? { error } : {}),
      ...(comment ? { comment } : {}),
    });
  }
  if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
  return { ok: true, lines };
}

/** An uploaded CSV read up to its lines: the header's column names and the problems so far. */
export interface CsvUpload {
  ok: true;
  headerLine: number;
  names: string[];
  rows: CsvRecord[];
  problems: LineProblem[];
}

/**
 * Parses an uploaded CSV whose header must name every `required` column (`expected` says what
 * the header should be, for an empty text). Without a header or a required column there is
 * nothing to read the lines by: the problems are then the answer.
 */
export function readCsvUpload(
  text: string,
  required: readonly string[],
  expected: string,
): CsvUpload | { ok: false; problems: LineProblem[] } {
  const { records, errors } = parseCsv(text);
  const problems: LineProblem[] = [...errors];
  const [header, ...rows] = records;
  if (!header)
    return {
      ok: false,
      problems: [...problems, { line: 1, message: `the CSV is empty: expected a header ${expected}` }],
    };
  const names = header.fields.map((f) => f.trim());
  const missing = required.filter((name) => !names.includes(name));
  if (missing.length > 0) {
    const columns = `column${missing.length > 1 ? 's' : ''} ${missing.join(' and ')}`;
    problems.push({
      line: header.line,
      message: `the header must name the ${columns} (found: ${names.join(', ')})`,
    });
    return { ok: false, problems };
  }
  return { ok: true, headerLine: header.line, names, rows, problems };
}

/**
 * A line's value by column name (trimmed; empty for a column the header lacks), or undefined
 * when the line has not the header's number of fields, which is then its problem.
 */
export function lineValues(
  upload: CsvUpload,
  { line, fields }: CsvRecord,
): ((name: string) => string) | undefined {
  const { names, problems } = upload;
  if (fields.length !== names.length) {
    problems.push({ line, message: `has ${fields.length} fields, the header has ${names.length}` });
    return undefined;
  }
  return (name) => (names.includes(name) ? fields[names.indexOf(name)].trim() : '');
}

/** `line 3: result must be confirm or error; line 5: ...`, for the 400's message. */
export function describeProblems(problems: readonly LineProblem[], max = 20): string {
  const shown = problems.slice(0, max).map((p) => `line ${p.line}: ${p.message}`);
  if (problems.length > max) shown.push(`and ${problems.length - max} more (see details)`);
  return shown.join('; ');
}

/**
 * CSV as operators' spreadsheets write it (RFC 4180): fields separated by commas, a field in
 * double quotes may hold commas, line breaks and doubled quotes (""), records end with CRLF or
 * LF, and a UTF-8 byte-order mark (what Excel puts first) is ignored. Pure functions, no I/O and
 * no dependency, so that the gateway and the console write CSV the same way.
 */

export interface CsvRecord {
  /** The physical line the record starts on (1-based, counting the header), for error messages. */
  line: number;
  fields: string[];
}

export interface CsvParseResult {
  records: CsvRecord[];
  /** Problems that make the text unreadable from some point on (an unclosed quote). */
  errors: Array<{ line: number; message: string }>;
}

/**
 * Splits the text into records. Blank lines are skipped (a trailing newline, an empty line an
 * editor left); a line of only commas is kept, so that its empty fields are reported.
 */
export function parseCsv(text: string): CsvParseResult {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  const errors: CsvParseResult['errors'] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false; // inside a quoted field
  let touched = false; // the current record has any content (so a blank line is not a record)

  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    if (touched) records.push({ line: recordLine, fields });
    fields = [];
    touched = false;
  };

  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (quoted) {
      if (c === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      // A quote opens a quoted field only at its start; elsewhere it is kept as written.
      if (field === '') quoted = true;
      else field += c;
      touched = true;
    } else if (c === ',') {
      endField();
      touched = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
      touched = true;
    }
  }
  if (quoted) errors.push({ line: recordLine, message: 'a quoted field is not closed (missing ")' });
  else endRecord();
  return { records, errors };
}

// Spreadsheets run a cell starting with one of these as a formula (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One field as text: quoted when it holds a comma, a quote, a line break or edge spaces. A text
 * that a spreadsheet would run as a formula is prefixed with an apostrophe (OWASP's advice); ids
 * and the JSON of attributes never start that way, so importing the file back is unaffected.
 */
export function formatCsvField(value: unknown, options: CsvFormatOptions = {}): string {
  let text =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  if (FORMULA_START.test(text) && typeof value === 'string') text = `'${text}`;
  return options.quoteAll || /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface CsvFormatOptions {
  /** Quote every field, not only those that need it (the console's downloads do, for spreadsheets that guess types). */
  quoteAll?: boolean;
}

/** Records joined with CRLF (RFC 4180), ending with one. */
export function formatCsv(
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
  options: CsvFormatOptions = {},
): string {
  return (
    rows.map((row) => row.map((value) => formatCsvField(value, options)).join(',')).join('\r\n') + '\r\n'
  );
}

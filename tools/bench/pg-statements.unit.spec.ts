import { statementLabel } from './pg-statements';

describe('statementLabel', () => {
  it('tells apart statements that begin alike by the tables and functions they name', () => {
    const append = (fn: string) =>
      `SELECT ordinal, error_code, error_message, error_detail, next_expected_revision::text
         FROM ${fn}($1::text[], $2::text[], $3)`;
    expect(statementLabel(append('es.append_units'))).toBe(
      'SELECT ordinal, error_code, error_messag … es.append_units',
    );
    expect(statementLabel(append('es.append_group'))).toBe(
      'SELECT ordinal, error_code, error_messag … es.append_group',
    );
  });

  it('names each table once, in the order the statement first names it', () => {
    const live = `WITH read0 AS (SELECT assignment_id FROM rm.assignments WHERE true FOR UPDATE),
      w0 AS (INSERT INTO rm.assignments SELECT 1), w1 AS (INSERT INTO rm.history SELECT 1),
      cp AS (INSERT INTO rm.checkpoints SELECT 1) SELECT 1`;
    expect(statementLabel(live)).toBe(
      'WITH read0 AS (SELECT assignment_id FROM … rm.assignments, rm.history, rm.checkpoints',
    );
  });
});

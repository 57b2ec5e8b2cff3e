import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { RoleModelValidationError } from '../errors';
import { parseRoleModel } from './parse-role-model';

const SAMPLE = readFileSync(
  join(__dirname, '..', '..', '..', '..', 'deploy', 'role-model', 'sample.yaml'),
  'utf8',
);
const SAMPLE_LINES = SAMPLE.split('\n');

/** The sample with a few lines dropped, duplicated, swapped or overwritten: the mistakes of hand edits. */
const editedSample = fc
  .array(
    fc.record({
      line: fc.nat({ max: SAMPLE_LINES.length - 1 }),
      edit: fc.constantFrom('drop', 'duplicate', 'swap', 'replace', 'indent'),
      text: fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.constantFrom(
          '  - id: hr_app',
          'accountRule: "(((',
          'retryPolicy: { maxAttempts: -1 }',
          'version: 2',
          '*alias',
          '&a [*a, *a]',
          'transmittedValidityPeriod: P1000000Y',
          'group: null',
          '\t',
          'connector: mainframe',
        ),
      ),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((edits) => {
    const lines = [...SAMPLE_LINES];
    for (const { line, edit, text } of edits) {
      const at = Math.min(line, lines.length - 1);
      if (edit === 'drop') lines.splice(at, 1);
      else if (edit === 'duplicate') lines.splice(at, 0, lines[at]);
      else if (edit === 'swap' && at + 1 < lines.length)
        [lines[at], lines[at + 1]] = [lines[at + 1], lines[at]];
      else if (edit === 'replace') lines[at] = text;
      else lines[at] = `  ${lines[at]}`;
    }
    return lines.join('\n');
  });

const generatedDocument = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 5 }).map((value) => stringify(value)),
  fc
    .record(
      {
        version: fc.oneof(fc.constant(1), fc.jsonValue({ maxDepth: 1 })),
        connections: fc.array(
          fc.dictionary(
            fc.constantFrom('id', 'name', 'connector', 'fulfillment', 'settings'),
            fc.jsonValue({ maxDepth: 2 }),
          ),
          { maxLength: 3 },
        ),
        resourceTypes: fc.array(
          fc.dictionary(
            fc.constantFrom('id', 'connection', 'accountRule', 'accountKey', 'attributes', 'retryPolicy'),
            fc.jsonValue({ maxDepth: 2 }),
          ),
          { maxLength: 3 },
        ),
        entitlements: fc.array(
          fc.dictionary(
            fc.constantFrom('id', 'name', 'resourceType', 'group'),
            fc.jsonValue({ maxDepth: 1 }),
          ),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: [] },
    )
    .map((value) => stringify(value)),
);

describe('role-model files an operator might write', () => {
  it('1,500 generated or hand-edited files: a model, or a validation error naming lines and rules, never anything else', () => {
    fc.assert(
      fc.property(fc.oneof(editedSample, generatedDocument), (text) => {
        try {
          const model = parseRoleModel(text, 'generated.yaml');
          expect(Array.isArray(model.entitlements())).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(RoleModelValidationError);
          const issues = (error as RoleModelValidationError).issues;
          expect(issues.length).toBeGreaterThan(0);
          for (const issue of issues) expect(issue.rule).toEqual(expect.any(String));
        }
      }),
      { numRuns: 1500 },
    );
  });
});

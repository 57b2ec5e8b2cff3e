import {
  calledFunctions,
  compileRuleExpression,
  expressionData,
  type CompiledExpression,
} from './expression';
import { HELPER_FUNCTIONS, RuleFailure } from './helpers';

function compiled(source: string): CompiledExpression {
  const result = compileRuleExpression(source);
  if (!result.ok) throw new Error(result.rule);
  return result.expression;
}

function value(source: string, identity: Record<string, unknown> = {}): unknown {
  const result = compiled(source).evaluate({ login: 'jdoe', ...identity });
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

describe('expressions', () => {
  it('know true, false and null, which filtrex has no literals for', () => {
    expect(value('true')).toBe(true);
    expect(value('not false')).toBe(true);
    expect(value('department == null')).toBe(true);
  });

  it('join texts with + and compare', () => {
    expect(value('firstName + " " + lastName', { firstName: 'Jane', lastName: 'Doe' })).toBe('Jane Doe');
    expect(value('department in ("IT", "HR")', { department: 'HR' })).toBe(true);
    expect(value('if department == "IT" then "it" else "other"', { department: 'HR' })).toBe('other');
    expect(value("'cost-center'", { 'cost-center': 'CC1' })).toBe('CC1');
  });

  it('offer null-safe text helpers', () => {
    expect(value('lower(login)', { login: 'JDoe' })).toBe('jdoe');
    expect(value('upper(department)')).toBeNull();
    expect(value('trim("  a ")')).toBe('a');
    expect(value('ascii("Zoë Ångström")')).toBe('Zoe Angstrom');
    expect(value('concat(firstName, ".", lastName, 1)', { firstName: 'a', lastName: null })).toBe('a.1');
    expect(value('substr("abcdef", 1, 3)')).toBe('bcd');
    expect(value('substr("abcdef", 2)')).toBe('cdef');
    expect(value('replace("a b c", " ", "")')).toBe('abc');
    expect(value('len("abc")')).toBe(3);
    expect(value('str(42)')).toBe('42');
    expect(value('coalesce(department, email, "none")')).toBe('none');
    expect(value('coalesce("", "x")')).toBe('');
  });

  it('return runtime errors as values, with filtrex errors said in role model words', () => {
    const missing = compiled('costCenter').evaluate({ login: 'x' });
    expect(missing).toMatchObject({ ok: false, reason: "the identity has no attribute 'costCenter'" });
    const failed = compiled('fail("not yet")').evaluate({ login: 'x' });
    expect(failed).toMatchObject({ ok: false, reason: 'not yet' });
    expect(failed.ok ? undefined : failed.error).toBeInstanceOf(RuleFailure);
    expect(compiled('substr(login, "1")').evaluate({ login: 'x' })).toMatchObject({
      ok: false,
      reason: 'substr() expects a whole number as start, got string',
    });
    expect(compiled('lower(tags)').evaluate({ login: 'x', tags: ['a'] })).toMatchObject({
      ok: false,
      reason: 'lower() expects a text, got a list',
    });
  });

  it('cannot reach outside the identity', () => {
    for (const source of ['constructor', "'__proto__'", 'toString']) {
      expect(compiled(source).evaluate({ login: 'x' })).toMatchObject({ ok: false });
    }
  });

  it('report syntax errors on one line, with where they are', () => {
    expect(compileRuleExpression('1 +* 2')).toEqual({
      ok: false,
      rule: "does not compile: Parse error at '* 2': expecting '-', 'not', 'if', '(', 'Number', 'Symbol', 'String', got '*'",
    });
    expect(compileRuleExpression('"abc')).toMatchObject({
      ok: false,
      rule: expect.stringMatching(/^does not compile: Lexical error/),
    });
    expect(compileRuleExpression('   ')).toEqual({ ok: false, rule: 'must not be empty' });
  });

  it('find the functions an expression calls, ignoring texts, keywords and quoted names', () => {
    expect(
      calledFunctions('lower(a) + concat ( "upper(x)", b) and x in ("a") or not(y) or round(z)'),
    ).toEqual(['lower', 'concat', 'round']);
    expect(calledFunctions("'odd name'(1) + android(2)")).toEqual(['odd name', 'android']);
    expect(compileRuleExpression('android(1)')).toMatchObject({
      ok: false,
      rule: expect.stringContaining("unknown function 'android'"),
    });
  });

  it('see the well-known attributes as null and undefined as null', () => {
    expect(expressionData({ login: 'x', extra: undefined })).toEqual({
      login: 'x',
      firstName: null,
      lastName: null,
      email: null,
      department: null,
      extra: null,
    });
  });

  it('helpers are plain functions usable outside filtrex', () => {
    expect(HELPER_FUNCTIONS.lower('ABC')).toBe('abc');
    expect(() => HELPER_FUNCTIONS.fail(null)).toThrow('fail() called');
  });
});

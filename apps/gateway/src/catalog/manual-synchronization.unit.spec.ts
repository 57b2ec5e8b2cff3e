import { readManualSynchronization } from './manual-synchronization';

describe('manual synchronization CSV', () => {
  it('reads accounts with their attribute columns and memberships', () => {
    const result = readManualSynchronization(
      'accountKey,group,holder,department\r\nann,,Ann Lee,IT\r\nbob,readers,Bob Roy,\r\nbob,writers,Bob Roy,\r\n',
    );
    expect(result).toEqual({
      ok: true,
      read: {
        accounts: [
          { accountKey: 'ann', attributes: { holder: 'Ann Lee', department: 'IT' } },
          { accountKey: 'bob', attributes: { holder: 'Bob Roy', department: '' } },
        ],
        memberships: [
          { accountKey: 'bob', group: 'readers' },
          { accountKey: 'bob', group: 'writers' },
        ],
      },
    });
  });

  it('takes the manual export’s attributes column (JSON) and a disabled flag', () => {
    const result = readManualSynchronization(
      'accountKey,attributes,disabled\nann,"{""holder"":""Ann Lee"",""n"":7}",true\n',
    );
    expect(result).toEqual({
      ok: true,
      read: {
        accounts: [{ accountKey: 'ann', attributes: { holder: 'Ann Lee', n: '7' }, disabled: true }],
        memberships: [],
      },
    });
  });

  it('a header alone says the target holds nothing', () => {
    expect(readManualSynchronization('accountKey,group\n')).toEqual({
      ok: true,
      read: { accounts: [], memberships: [] },
    });
  });

  it('checks every line and names each problem with its line', () => {
    const result = readManualSynchronization(
      [
        'accountKey,group,holder,disabled',
        ',,Nobody,', // 2: no key
        'ann,,Ann Lee,maybe', // 3: disabled
        'bob,,Bob,', // 4
        'bob,staff,Robert,', // 5: differs from line 4
        'carl,staff', // 6: too few fields
      ].join('\n'),
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        { line: 2, message: 'accountKey is required' },
        { line: 3, message: 'disabled must be true, false or empty' },
        { line: 5, message: 'attribute holder of bob differs from line 4' },
        { line: 6, message: 'has 2 fields, the header has 4' },
      ],
    });
  });

  it('refuses a header without accountKey, an empty file and bad JSON', () => {
    expect(readManualSynchronization('login,group\nann,\n')).toMatchObject({
      ok: false,
      problems: [{ line: 1, message: 'the header must name the column accountKey (found: login, group)' }],
    });
    expect(readManualSynchronization('')).toMatchObject({ ok: false, problems: [{ line: 1 }] });
    expect(readManualSynchronization('accountKey,attributes\nann,{oops}\n')).toMatchObject({
      ok: false,
      problems: [{ line: 2, message: 'attributes must be a JSON object, like {"holder":"Ann Lee"}' }],
    });
  });
});

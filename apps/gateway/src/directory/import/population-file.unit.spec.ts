import { parsePopulation } from './population-file';

const HEADER = 'id,login,firstName,lastName,email,department,employeeNumber';

describe('parsePopulation: the HR file', () => {
  it('reads CSV lines (quoted fields, a BOM, CRLF) into identities keyed by id', () => {
    const text = `\ufeff${HEADER}\r\ne-1,amartin,Alice,"Martin, Jr",alice@example.test,Finance,701\r\ne-2,bstone,Bob,Stone,bob@example.test,,\r\n`;
    expect(parsePopulation(text, 'csv')).toEqual({
      problems: [],
      entries: [
        {
          line: 2,
          id: 'e-1',
          identity: {
            login: 'amartin',
            firstName: 'Alice',
            lastName: 'Martin, Jr',
            email: 'alice@example.test',
            department: 'Finance',
            employeeNumber: '701',
            externalId: undefined,
            manager: undefined,
            active: true,
          },
        },
        {
          line: 3,
          id: 'e-2',
          identity: {
            login: 'bstone',
            firstName: 'Bob',
            lastName: 'Stone',
            email: 'bob@example.test',
            department: undefined,
            employeeNumber: undefined,
            externalId: undefined,
            manager: undefined,
            active: true,
          },
        },
      ],
    });
  });

  it('reads JSON lines the same way', () => {
    const text =
      '{"id":"e-1","login":"amartin","firstName":"Alice","lastName":"Martin","email":"alice@example.test","employeeNumber":701}\n\n';
    const { entries, problems } = parsePopulation(text, 'jsonl');
    expect(problems).toEqual([]);
    expect(entries[0]).toMatchObject({
      line: 1,
      id: 'e-1',
      identity: { login: 'amartin', employeeNumber: '701' },
    });
  });

  it('names the line and the field of every problem', () => {
    const text = [
      `${HEADER},shoeSize`,
      'e-1,amartin,Alice,Martin,not-an-address,IT,1,42',
      'e-2,,Bob,Stone,bob@example.test,IT,2,41',
      'e-1,other,Al,Ma,al@example.test,IT,3,40',
      'e-4,AMARTIN2,Cy,Do,cy@example.test,IT,4',
      ' bad id,x,Cy,Do,cy@example.test,IT,5,1',
    ].join('\n');
    const { problems } = parsePopulation(text, 'csv');
    expect(problems).toEqual([
      { line: 1, field: 'shoeSize', message: expect.stringContaining("unknown column 'shoeSize'") },
      { line: 2, field: 'email', message: 'email must be an e-mail address (name@domain)' },
      { line: 3, field: 'login', message: 'login is required' },
      { line: 4, field: 'id', message: 'id e-1 is already on line 2' },
      { line: 5, field: 'line', message: '7 fields where the header has 8' },
      { line: 6, field: 'id', message: expect.stringContaining('id must be letters') },
    ]);
  });

  it('a JSON line that is no object, or a field of the wrong type', () => {
    const { problems } = parsePopulation('[1]\n{"id":"e-1","login":["x"]}\nnot json', 'jsonl');
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [1, 'line'],
      [2, 'login'],
      [2, 'login'],
      [2, 'firstName'],
      [2, 'lastName'],
      [2, 'email'],
      [3, 'line'],
    ]);
  });
});

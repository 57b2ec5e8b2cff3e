import type { RecordedEvent } from '@prov/event-store';
import { AUDIT_CSV_COLUMNS, auditCsvLine, auditEntry, matchesAudit } from './audit-filter';

const event = (actor: string, occurredAt: string): RecordedEvent => ({
  streamName: 'assignment-1',
  revision: 0n,
  position: '12' as RecordedEvent['position'],
  id: 'e-1',
  type: 'AssignmentRequested',
  data: { comment: 'needs it, "urgently"' },
  metadata: { actor, occurredAt },
  createdAt: new Date('2030-01-01T10:00:05Z'),
});

describe('audit log criteria', () => {
  it('given an actor, only that actor’s events match, exactly', () => {
    expect(matchesAudit(event('rita', '2030-01-01T10:00:00Z'), { actor: 'rita' })).toBe(true);
    expect(matchesAudit(event('rita (r1)', '2030-01-01T10:00:00Z'), { actor: 'rita' })).toBe(false);
  });

  it('given a time window, from is inclusive and to exclusive, on when the event happened', () => {
    const e = event('rita', '2030-01-01T10:00:00.000Z');
    expect(matchesAudit(e, { from: '2030-01-01T10:00:00Z', to: '2030-01-01T10:00:01Z' })).toBe(true);
    expect(matchesAudit(e, { to: '2030-01-01T10:00:00Z' })).toBe(false);
    expect(matchesAudit(e, { from: '2030-01-01T10:00:00.001Z' })).toBe(false);
  });

  it('exports a CSV record with the data as quoted JSON', () => {
    const line = auditCsvLine(auditEntry(event('rita', '2030-01-01T10:00:00Z')));
    expect(AUDIT_CSV_COLUMNS[0]).toBe('position');
    expect(line).toBe(
      '12,2030-01-01T10:00:00.000Z,assignment-1,0,AssignmentRequested,rita,"{""comment"":""needs it, \\""urgently\\""""}","{""actor"":""rita"",""occurredAt"":""2030-01-01T10:00:00Z""}"\r\n',
    );
  });
});

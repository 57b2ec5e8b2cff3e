import { handleCommand } from '@prov/command-handling';
import { assignmentDecider, assignmentStreamName, identityDecider, identityStreamName } from '@prov/domain';
import { type EventStore, InMemoryEventStore } from '@prov/event-store';
import { EntitlementHoldings, type HoldRequest } from './entitlement-holdings';

const now = new Date('2030-01-01T08:00:00.000Z');
const metadata = { correlationId: 'c-1', actor: 'jane', occurredAt: now.toISOString() };
const request = (assignmentId?: string): HoldRequest => ({
  identityId: 'jdoe',
  entitlementId: 'ldap_staff',
  holder: 'request',
  assignmentId,
  actor: 'jane',
  now,
  metadata,
});

describe('EntitlementHoldings.hold', () => {
  let store: InMemoryEventStore;
  let trips: string[];
  let holdings: EntitlementHoldings;

  beforeEach(async () => {
    store = new InMemoryEventStore();
    await handleCommand(
      store,
      identityDecider,
      identityStreamName('jdoe'),
      {
        type: 'RegisterIdentity',
        identityId: 'jdoe',
        login: 'jdoe',
        firstName: 'J',
        lastName: 'Doe',
        email: 'j@example.test',
        now,
        actor: 'hr',
      },
      { metadata },
    );
    trips = [];
    const counting: EventStore = Object.create(store);
    counting.readStream = (stream, ...rest) => {
      trips.push(`read ${stream}`);
      return store.readStream(stream, ...rest);
    };
    counting.appendToStream = (stream, ...rest) => {
      trips.push(`append ${stream}`);
      return store.appendToStream(stream, ...rest);
    };
    counting.appendToStreams = (parts) => {
      trips.push(`append ${parts.map((part) => part.streamName).join(' + ')}`);
      return store.appendToStreams(parts);
    };
    holdings = new EntitlementHoldings(counting);
  });

  it('records a new request for an identity it does not know in two round trips: read the identity, then the holding at the revision read and the new assignment, together (ADR 0072)', async () => {
    const outcome = await holdings.hold(request('a-1'));
    expect(outcome).toEqual({ assignmentId: 'a-1', created: true });
    expect(trips).toEqual([
      `read ${identityStreamName('jdoe')}`,
      `append ${identityStreamName('jdoe')} + ${assignmentStreamName('a-1')}`,
    ]);
    expect((await store.readStream(assignmentStreamName('a-1'))).map((e) => e.type)).toEqual([
      'AssignmentRequested',
    ]);
  });

  it('answers a repeated request with the assignment it already has', async () => {
    await holdings.hold(request('a-1'));
    expect(await holdings.hold(request('a-2'))).toEqual({ assignmentId: 'a-1', created: false });
    expect((await store.readStream(assignmentStreamName('a-1'))).map((e) => e.type)).toEqual([
      'AssignmentRequested',
    ]);
  });

  it('does not request an assignment twice when the caller reuses an id whose stream exists', async () => {
    // a-1 exists already (requested, then its holding released): the guess of a new stream is wrong.
    await holdings.hold(request('a-1'));
    await handleCommand(
      store,
      identityDecider,
      identityStreamName('jdoe'),
      {
        type: 'ReleaseEntitlement',
        identityId: 'jdoe',
        entitlementId: 'ldap_staff',
        assignmentId: 'a-1',
        now,
        actor: 'x',
      },
      { metadata },
    );
    expect(await holdings.hold(request('a-1'))).toEqual({ assignmentId: 'a-1', created: false });
    expect((await store.readStream(assignmentStreamName('a-1'))).map((e) => e.type)).toEqual([
      'AssignmentRequested',
    ]);
  });

  describe('for an identity this process knows (ADR 0051)', () => {
    const heldEntitlements = async () =>
      (await store.readStream(identityStreamName('jdoe')))
        .filter((e) => e.type === 'EntitlementHeld')
        .map((e) => (e.data as { entitlementId: string; assignmentId: string }).assignmentId);

    beforeEach(async () => {
      await holdings.identity('jdoe');
      trips.length = 0;
    });

    it('records a new request in one round trip: the holding at the known revision and the new assignment, together (ADR 0061)', async () => {
      expect(await holdings.hold(request('a-1'))).toEqual({ assignmentId: 'a-1', created: true });
      expect(trips).toEqual([`append ${identityStreamName('jdoe')} + ${assignmentStreamName('a-1')}`]);
      expect(await heldEntitlements()).toEqual(['a-1']);
      expect((await store.readStream(assignmentStreamName('a-1'))).map((e) => e.type)).toEqual([
        'AssignmentRequested',
      ]);
    });

    it('records it in two round trips on a store that cannot append to two streams at once', async () => {
      const counting: EventStore = Object.create(store);
      counting.appendToStreams = undefined;
      counting.appendToStream = (stream, ...rest) => {
        trips.push(`append ${stream}`);
        return store.appendToStream(stream, ...rest);
      };
      const twoAppends = new EntitlementHoldings(counting);
      await twoAppends.identity('jdoe');
      expect(await twoAppends.hold(request('a-1'))).toEqual({ assignmentId: 'a-1', created: true });
      expect(trips).toEqual([
        `append ${identityStreamName('jdoe')}`,
        `append ${assignmentStreamName('a-1')}`,
      ]);
      expect(await heldEntitlements()).toEqual(['a-1']);
    });

    it('reads the identity and decides again when another writer moved it on meanwhile, the refused try writing nothing', async () => {
      await new EntitlementHoldings(store).hold({ ...request('b-1'), entitlementId: 'vpn' });
      expect(await holdings.hold(request('a-1'))).toEqual({ assignmentId: 'a-1', created: true });
      expect(trips).toEqual([
        `append ${identityStreamName('jdoe')} + ${assignmentStreamName('a-1')}`, // refused at the known revision
        `read ${identityStreamName('jdoe')}`,
        `append ${identityStreamName('jdoe')} + ${assignmentStreamName('a-1')}`, // at the revision read
      ]);
      expect(await heldEntitlements()).toEqual(['b-1', 'a-1']);
      expect((await store.readStream(assignmentStreamName('a-1'))).map((e) => e.type)).toEqual([
        'AssignmentRequested',
      ]);
    });

    it("falls back to the path that reads when the caller's assignment id is taken, holding nothing twice", async () => {
      await handleCommand(
        store,
        assignmentDecider,
        assignmentStreamName('a-1'),
        {
          type: 'RequestAssignment',
          assignmentId: 'a-1',
          identityId: 'other',
          entitlementId: 'vpn',
          now,
          actor: 'x',
        },
        { metadata },
      );
      trips.length = 0;
      expect(await holdings.hold(request('a-1'))).toEqual({ assignmentId: 'a-1', created: false });
      expect(trips[0]).toBe(`append ${identityStreamName('jdoe')} + ${assignmentStreamName('a-1')}`);
      expect(trips[1]).toBe(`read ${identityStreamName('jdoe')}`);
      expect(await heldEntitlements()).toEqual(['a-1']);
    });

    it('answers the assignment another writer gave the entitlement meanwhile, creating none', async () => {
      await new EntitlementHoldings(store).hold(request('b-1'));
      expect(await holdings.hold(request('a-1'))).toEqual({ assignmentId: 'b-1', created: false });
      expect(await heldEntitlements()).toEqual(['b-1']);
      await expect(store.readStream(assignmentStreamName('a-1'))).rejects.toThrow();
    });

    it('answers a repeated request as the first time it was repeated', async () => {
      await holdings.hold(request('a-1'));
      trips.length = 0;
      expect(await holdings.hold(request('a-2'))).toEqual({ assignmentId: 'a-1', created: false });
      expect(trips[0]).toBe(`read ${identityStreamName('jdoe')}`);
    });
  });
});

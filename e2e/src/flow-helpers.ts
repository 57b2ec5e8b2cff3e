import type { ApiClient, RunningSystem } from '@prov/testing';
import { waitFor } from '@prov/testing';

/** A spec's system and its flow, once its beforeAll has started them. */
export interface SystemUnderTest {
  system: RunningSystem;
  flow: Flow;
}

/** Small steps the end-to-end flows share: register, request, wait for a state. */
export class Flow {
  readonly requester: ApiClient;
  readonly reviewer: ApiClient;
  readonly operator: ApiClient;
  readonly admin: ApiClient;
  private counter = 0;

  constructor(readonly system: RunningSystem) {
    this.requester = system.client('requester');
    this.reviewer = system.client('reviewer');
    this.operator = system.client('operator');
    this.admin = system.client('admin');
  }

  /** A fresh identity per flow, so flows never see each other's orders. */
  async identity(prefix: string, extra: Record<string, unknown> = {}): Promise<string> {
    const id = `${prefix}.${++this.counter}.${Date.now().toString(36)}`;
    const response = await this.admin.post('/api/identities', {
      body: {
        id,
        login: id,
        firstName: 'Test',
        lastName: prefix,
        email: `${id}@example.test`,
        department: 'IT',
        ...extra,
      },
    });
    expect(response.status).toBe(201);
    return id;
  }

  async request(
    identityId: string,
    entitlementId: string,
    extra: Record<string, unknown> = {},
  ): Promise<string> {
    const response = await this.requester.post('/api/assignments', {
      body: { identityId, entitlementId, ...extra },
    });
    expect(response.status).toBe(202);
    return response.body.assignmentId as string;
  }

  async assignment(assignmentId: string) {
    return (await this.requester.get(`/api/assignments/${assignmentId}`)).body;
  }

  /** Waits until the assignment's current order is in the state (name) and returns the assignment. */
  async waitForState(assignmentId: string, state: string, timeoutMs = 20_000) {
    const response = await waitFor(() => this.requester.get(`/api/assignments/${assignmentId}`), {
      until: (r) => r.status === 200 && r.body.provisioningState === state,
      timeoutMs,
      description: `assignment ${assignmentId} to be ${state}`,
    });
    return response.body;
  }

  async history(
    assignmentId: string,
  ): Promise<Array<{ type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }>> {
    return (await this.requester.get(`/api/assignments/${assignmentId}/history`)).body;
  }

  async historyTypes(assignmentId: string): Promise<string[]> {
    return (await this.history(assignmentId)).map((event) => event.type);
  }

  /** Runs the complete job and waits until it has finished. */
  async completeJob(): Promise<Record<string, unknown>> {
    const started = await waitFor(() => this.operator.post('/api/jobs/complete'), {
      until: (r) => r.status === 202,
      description: 'the complete job to start',
      timeoutMs: 30_000,
    });
    const jobId = started.body.jobId as string;
    const done = await waitFor(() => this.operator.get(`/api/jobs/${jobId}`), {
      until: (r) => r.status === 200 && r.body.status !== 'Running',
      timeoutMs: 60_000,
      description: `job ${jobId} to finish`,
    });
    expect(done.body.status).toBe('Completed');
    return done.body;
  }
}

/**
 * A second start of the complete job is refused with the running job's id (409, `runningJobId`),
 * also when the lock's holder has not made its id known yet: a start on this replica whose lock
 * answer came in just after the refused one's, or another replica whose JobStarted has not reached
 * the read model. The e2e suite saw that race once, answered without the id.
 */
import { CompleteJobService, JobAlreadyRunningError } from './complete-job.service';

jest.mock('@prov/platform', () => ({
  ...jest.requireActual('@prov/platform'),
  // The lock is held elsewhere.
  tryAdvisoryLock: async () => undefined,
}));

interface Internals {
  currentJobId?: string;
  queries: { jobs(limit: number): Promise<{ jobId: string; status: string }[]> };
}

/** The service with only what a refused start touches: its own job id and the read model's jobs. */
function service(jobs: () => { jobId: string; status: string }[]) {
  const internals = Object.create(CompleteJobService.prototype) as Internals;
  internals.queries = { jobs: async () => jobs() };
  return { service: internals as unknown as CompleteJobService, internals };
}

async function refusal(start: Promise<unknown>): Promise<JobAlreadyRunningError> {
  const error = await start.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JobAlreadyRunningError);
  return error as JobAlreadyRunningError;
}

describe('CompleteJobService.start refused', () => {
  it('names the job this replica started a moment after the refusal', async () => {
    const { service: jobs, internals } = service(() => []);
    setTimeout(() => (internals.currentJobId = 'job-here'), 30);
    const error = await refusal(jobs.start('operator', 'api'));
    expect(error.runningJobId).toBe('job-here');
  });

  it("names another replica's job once its start reaches the read model", async () => {
    let shown: { jobId: string; status: string }[] = [{ jobId: 'job-old', status: 'Completed' }];
    const { service: jobs } = service(() => shown);
    setTimeout(() => (shown = [{ jobId: 'job-there', status: 'Running' }, ...shown]), 200);
    const error = await refusal(jobs.start('operator', 'api'));
    expect(error.runningJobId).toBe('job-there');
  });

  it('answers without an id after a bounded wait when none shows', async () => {
    const { service: jobs } = service(() => []);
    const started = Date.now();
    const error = await refusal(jobs.start('operator', 'api'));
    expect(error.runningJobId).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
  });
});

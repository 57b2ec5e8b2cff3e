import {
  type DriftFinding,
  ExpectedResources,
  findVerifiedDrift,
  type OrderChangesToApply,
  type OwnedDriftFinding,
  unexpectedFindings,
  type VerifiedResource,
} from '@prov/connectors';
import { ProvisioningState } from '@prov/domain';
import type { OrderView } from '@prov/read-models';
import type { ReadBackView } from './read-back-view';

/**
 * findDrift over a read-back that is never held whole (ADR 0063). The expected orders come a page
 * at a time: their keys are kept (what nothing else expects is unexpected), and the verified ones
 * of the page are compared with the read-back's resources of their accounts only. Then the
 * read-back is walked a slice at a time for what no key calls for. The findings are those
 * findDrift gives on the whole: unexpected first, then one per resource with every owner.
 */
export async function findDriftBySlices(
  readBack: ReadBackView,
  expectedPages: AsyncIterable<readonly OrderView[]>,
  verifiedNow: ReadonlySet<string>,
): Promise<DriftFinding[]> {
  const expected = new ExpectedResources();
  const owned = new Map<string, OwnedDriftFinding>();
  for await (const page of expectedPages) {
    const verified: VerifiedResource[] = [];
    for (const order of page) {
      const changes = order.changes as unknown as OrderChangesToApply;
      expected.add({ accountKey: changes.accountKey, group: changes.group });
      // Only what synchronization saw before can have drifted; orders on their way are not compared.
      if (order.provisioningStateCode === ProvisioningState.Verified && !verifiedNow.has(order.orderId))
        verified.push({ assignmentId: order.assignmentId, orderId: order.orderId, changes });
    }
    if (verified.length === 0) continue;
    const accountKeys = [...new Set(verified.map((order) => order.changes.accountKey))];
    const resources = await readBack.resourcesOf(accountKeys);
    for (const finding of findVerifiedDrift(resources, verified)) {
      // Two orders on one account may come in different pages: still one finding, both owners.
      const known = owned.get(resourceOf(finding));
      if (known) known.owners.push(...finding.owners);
      else owned.set(resourceOf(finding), finding);
    }
  }
  const unexpected: DriftFinding[] = [];
  for await (const slice of readBack.pages())
    unexpected.push(...unexpectedFindings(expected.nonConforming(slice)));
  return [...unexpected, ...owned.values()];
}

function resourceOf(finding: OwnedDriftFinding): string {
  const detail =
    finding.kind === 'membership' ? finding.group : finding.kind === 'attribute' ? finding.attribute : '';
  return `${finding.drift}\u0000${finding.kind}\u0000${finding.accountKey}\u0000${detail}`;
}

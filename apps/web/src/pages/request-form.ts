import { ApiError } from '../api/client';
import { localInputToIso } from '../format';

export type Mode = 'request' | 'revoke';

export interface RequestDraft {
  mode: Mode;
  identityId: string;
  entitlementId: string;
  assignmentId: string;
  startsAt: string;
  endsAt: string;
  comment: string;
}

export type FieldErrors = Partial<Record<keyof RequestDraft, string>>;

/** What the form can tell before asking the gateway: the required fields and readable dates. */
export function checkDraft(draft: RequestDraft): FieldErrors {
  const errors: FieldErrors = {};
  if (!draft.identityId.trim()) errors.identityId = 'Choose the identity.';
  if (draft.mode === 'request') {
    if (!draft.entitlementId) errors.entitlementId = 'Choose the entitlement to request.';
    if (draft.startsAt && !localInputToIso(draft.startsAt)) errors.startsAt = 'Enter a valid date and time.';
    if (draft.endsAt && !localInputToIso(draft.endsAt)) errors.endsAt = 'Enter a valid date and time.';
  } else if (!draft.assignmentId) {
    errors.assignmentId = 'Choose the assignment to revoke.';
  }
  if (draft.comment.length > 2000) errors.comment = 'Keep the comment under 2000 characters.';
  return errors;
}

/**
 * Places the gateway's answer at the fields it is about: validation details name the field;
 * an unknown identity or entitlement is a problem of that field too.
 */
export function fieldErrorsFrom(error: unknown): FieldErrors {
  if (!(error instanceof ApiError)) return {};
  const errors: FieldErrors = {};
  for (const problem of error.fields) {
    const field = problem.field.split('.')[0] as keyof RequestDraft;
    errors[field] ??= problem.message;
  }
  if (error.status === 404 && /IDENTITY/i.test(error.code))
    errors.identityId ??= 'No identity with this id is registered.';
  if (error.status === 404 && /ENTITLEMENT/i.test(error.code))
    errors.entitlementId ??= 'This entitlement is not in the role model in force.';
  if (error.status === 404 && /ASSIGNMENT/i.test(error.code))
    errors.assignmentId ??= 'This assignment does not exist.';
  return errors;
}

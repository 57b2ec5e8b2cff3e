/**
 * Turns the API's errors into sentences people understand: the message says what happened and
 * what to do, field problems name the field as the form labels it. Never raw JSON.
 */

export interface FieldProblem {
  field: string;
  message: string;
}

/** How the forms label the API's fields. */
export const FIELD_LABELS: Record<string, string> = {
  identityId: 'Identity',
  entitlementId: 'Entitlement',
  assignmentId: 'Assignment',
  startsAt: 'Start date',
  endsAt: 'End date',
  comment: 'Comment',
  error: 'What went wrong',
  until: 'Postpone until',
  search: 'Search',
  login: 'Login',
  firstName: 'First name',
  lastName: 'Last name',
  email: 'Email',
  department: 'Department',
  connectionId: 'Connection',
  provisioningState: 'Provisioning state',
  asOf: 'As of',
};

/** `ApproveProvisioningOrder` → `approve provisioning order`. */
function words(identifier: string): string {
  return identifier.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const first = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** Replaces field names inside a message by their labels (`endsAt must be after startsAt`). */
function withLabels(message: string): string {
  return message.replace(/\b[a-z]+[A-Z][A-Za-z]*\b/g, (name) => {
    const label = FIELD_LABELS[name];
    return label ? label.toLowerCase() : name;
  });
}

/** A field problem in plain words, by its validation rule where one is known. */
function fieldMessage(field: string, rule: string | undefined, message: string | undefined): string {
  const base = field.split('.').pop() ?? field;
  switch (rule) {
    case 'isIso8601':
    case 'isISO8601':
      return 'Enter a valid date and time.';
    case 'isEmail':
      return 'Enter a valid email address.';
    case 'isNotEmpty':
    case 'minLength':
    case 'isString':
      if (!message || /must be longer|should not be empty|must be a string/.test(message))
        return 'This field is required.';
      break;
    case 'whitelistValidation':
      return 'This field is not accepted here.';
  }
  const text = message ?? rule ?? 'is not valid';
  // "endsAt must be after startsAt" → "Must be after the start date."
  const withoutField = text.startsWith(base) ? text.slice(base.length) : text;
  return sentence(withLabels(withoutField.replace(/^\s*(must|should|is)\b/, '$1')));
}

/** Field problems from `details`: the gateway's `[{field, rule, message}]` or a domain error's `{field, rule}`. */
export function fieldProblemsOf(details: unknown): FieldProblem[] {
  const list = Array.isArray(details) ? details : details && typeof details === 'object' ? [details] : [];
  const problems: FieldProblem[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const { field, rule, message } = item as { field?: unknown; rule?: unknown; message?: unknown };
    if (typeof field !== 'string') continue;
    const text = fieldMessage(
      field,
      typeof rule === 'string' ? rule : undefined,
      typeof message === 'string' ? message : undefined,
    );
    if (!problems.some((p) => p.field === field && p.message === text))
      problems.push({ field, message: text });
  }
  return problems;
}

/** The API's own message, made readable: `cannot ApproveProvisioningOrder: ...` → `Cannot approve provisioning order: ...`. */
export function readable(apiMessage: string): string {
  return sentence(
    withLabels(apiMessage)
      .replace(/^invalid request: /, '')
      .replace(/\bcannot ([A-Z][A-Za-z]+)\b/g, (_m, command: string) => `cannot ${words(command)}`)
      .replace(/\binvalid ([A-Z][A-Za-z]+):/g, (_m, command: string) => `${words(command)}:`),
  );
}

/** One sentence (or two) for people, from the status, the code and the API's message. */
export function plainMessage(status: number, code: string, apiMessage: string, details?: unknown): string {
  switch (true) {
    case status === 0:
      return 'The console cannot reach the gateway. Check the network connection and try again.';
    case status === 401:
      return 'The token was not accepted. Sign in again with a valid token.';
    case status === 403:
      return `You are not allowed to do this. ${readable(apiMessage.replace(/^the role/, 'Your role'))}`;
    case status === 400 || status === 422: {
      const fields = fieldProblemsOf(details);
      if (fields.length) {
        const list = fields.map((f) => `${FIELD_LABELS[f.field] ?? f.field}: ${f.message}`).join(' ');
        return `Some fields need attention. ${list}`;
      }
      return `The request was not accepted. ${readable(apiMessage)}`;
    }
    case status === 404:
      return `Not found. ${readable(apiMessage)}`;
    case status === 409:
      return `This cannot be done now. ${readable(apiMessage)}`;
    case status === 504 || code === 'Timeout' || code === 'CommandTimeout':
      return 'The engine did not answer in time. Try again in a moment.';
    case status === 503:
      return `A service of the engine is not available right now. ${readable(apiMessage)} Try again in a moment.`;
    case status >= 500:
      return 'Something went wrong in the engine. Try again; if it keeps failing, the gateway log has the details.';
    default:
      return readable(apiMessage) || `The request failed (HTTP ${status}).`;
  }
}

/** A message for anything thrown: ApiErrors carry theirs, anything else gets a generic one. */
export function messageOf(error: unknown): string {
  if (error instanceof Error && error.name === 'ApiError') return error.message;
  if (error instanceof Error && error.name === 'AbortError') return 'The request was cancelled.';
  return 'Something unexpected went wrong in the console. Reload the page and try again.';
}

const ERROR_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The one error shape of the API: `{ statusCode, error, code, message, details? }`. */
export function errorBody(status: number, code: string, message: string, details?: unknown) {
  return {
    statusCode: status,
    error: ERROR_NAMES[status] ?? 'Error',
    code,
    message,
    ...(details !== undefined ? { details } : {}),
  };
}

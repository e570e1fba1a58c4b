/** Looker's error bodies: `{message, documentation_url}`; 422 adds `errors[]`. */

export const DOCUMENTATION_URL = 'https://cloud.google.com/looker/docs/r/api/support';

const MESSAGES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Requires authentication.',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  422: 'Validation Failed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export function errorBody(status: number, message?: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    message: message ?? MESSAGES[status] ?? `HTTP ${String(status)}`,
    documentation_url: DOCUMENTATION_URL,
  };
  if (status === 422) {
    body.errors = [
      { field: 'id', code: 'invalid', message: 'is invalid', documentation_url: DOCUMENTATION_URL },
    ];
  }
  return body;
}

/** What a load balancer in front of Looker sends for 502/503/504: HTML, not JSON. */
export function gatewayPage(status: number): string {
  const reason =
    status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Unavailable' : 'Gateway Timeout';
  return `<html><head><title>${String(status)} ${reason}</title></head><body><center><h1>${String(status)} ${reason}</h1></center><hr><center>nginx</center></body></html>\n`;
}

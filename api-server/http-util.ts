// JSON responses and the API's error body: {"error": {"message": "...", "fields": [...]}}.
import { ServerResponse } from 'http';

/** A client error raised while handling a request; becomes an error response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
  }
}

export function errorBody(
  message: string,
  fields?: string[],
): { error: { message: string; fields?: string[] } } {
  return { error: fields && fields.length > 0 ? { message, fields } : { message } };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendRaw(res, status, JSON.stringify(body), headers);
}

export function sendRaw(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

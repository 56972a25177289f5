// JSON responses and the API's error body: {"error": {"message": "...", "fields": [...]}}.
import { IncomingMessage, ServerResponse } from 'http';

/** Request bodies beyond this are refused (a write or a control request is a few hundred bytes). */
export const MAX_BODY_BYTES = 1 << 20;

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

/** A request's body as text; rejects (and stops reading) past MAX_BODY_BYTES. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'Request body too large'));
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// The local API server's control routes (API_SERVER_ALLOW_CONTROL=1), as the benchmark uses them:
// its serving cost, edits of entries, and its records to check loads against.
import type { ServerCost } from './results';

export function control(apiUrl: string) {
  const base = apiUrl.replace(/\/api$/, '');
  const call = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${base}/__control/${route}`, {
          method,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
        return (await res.json()) as T;
      } catch (e) {
        // A kept-alive connection the server closed just then; only reads are tried again.
        const err = e as Error & { cause?: Error };
        if (method !== 'GET' || attempt >= 3) {
          throw new Error(`control ${route}: ${err.message}${err.cause ? ` (${err.cause.message})` : ''}`, {
            cause: e,
          });
        }
      }
    }
  };
  return {
    stats: () => call<ServerCost>('GET', 'stats'),
    changeEntries: (count: number) => call<{ changed: number }>('POST', 'change-entries', { count }),
    records: (resource: string, offset: number, limit: number) =>
      call<{ total: number; records: { id: number }[] }>(
        'GET',
        `records?resource=${resource}&offset=${offset}&limit=${limit}`,
      ),
  };
}
export type Control = ReturnType<typeof control>;

export const delta = (a: ServerCost, b: ServerCost): ServerCost => ({
  requests: b.requests - a.requests,
  servingMs: b.servingMs - a.servingMs,
  cpuMs: b.cpuMs - a.cpuMs,
});

/** Records the server serves per resource. */
export async function servedCounts(api: Control, resources: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of resources) out[r] = (await api.records(r, 0, 0)).total;
  return out;
}

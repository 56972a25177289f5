// A stand-in for a production Temporal endpoint in front of the dev server: gRPC over TLS that
// demands a client certificate from its authority and, if given one, an API key as Temporal Cloud
// takes it (`authorization: Bearer <key>`). Each call is passed on, unchanged, to the dev server.
import * as http2 from 'http2';
import type { AddressInfo } from 'net';

export interface TlsProxy {
  address: string;
  /** Calls passed on, and calls refused for a missing or wrong API key. */
  counts: { passed: number; refusedKey: number };
  close(): Promise<void>;
}

export interface TlsProxyOptions {
  upstream: string;
  cert: Buffer;
  key: Buffer;
  /** Client certificates must chain to this authority. */
  clientCa: Buffer;
  apiKey?: string;
}

const { NGHTTP2_FLAG_END_STREAM, NGHTTP2_CANCEL } = http2.constants;
// Hop-by-hop for this proxy: the upstream connection is plaintext HTTP/2.
const DROPPED = new Set([':scheme', ':authority', 'authorization']);

export async function startTlsProxy(opts: TlsProxyOptions): Promise<TlsProxy> {
  const upstream = http2.connect(`http://${opts.upstream}`);
  upstream.on('error', () => undefined);
  const counts = { passed: 0, refusedKey: 0 };
  const server = http2.createSecureServer({
    cert: opts.cert,
    key: opts.key,
    ca: opts.clientCa,
    requestCert: true,
    rejectUnauthorized: true,
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    if (opts.apiKey !== undefined && headers.authorization !== `Bearer ${opts.apiKey}`) {
      counts.refusedKey++;
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': '16',
          'grpc-message': 'invalid API key',
        },
        { endStream: true },
      );
      return;
    }
    counts.passed++;
    const forward: http2.OutgoingHttpHeaders = { ':scheme': 'http', ':authority': opts.upstream };
    for (const [name, value] of Object.entries(headers)) if (!DROPPED.has(name)) forward[name] = value;
    const call = upstream.request(forward);
    call.on('error', () => stream.close(NGHTTP2_CANCEL));
    let trailers: http2.IncomingHttpHeaders = {};
    call.on('response', (h, flags) => {
      // A trailers-only answer (an error): headers that end the stream.
      if (flags & NGHTTP2_FLAG_END_STREAM) stream.respond(h, { endStream: true });
      else stream.respond(h, { waitForTrailers: true });
    });
    call.on('trailers', (t: http2.IncomingHttpHeaders) => {
      trailers = t;
    });
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    stream.on('close', () => {
      if (!call.closed) call.close(NGHTTP2_CANCEL);
    });
    stream.pipe(call);
    call.pipe(stream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: async () => {
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      upstream.close();
    },
  };
}

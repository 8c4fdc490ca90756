// One request/response pair as the emulator's single port serves it: HTTP/1.1 (node:http's
// objects) or HTTP/2 (node:http2's compatibility objects). A real kube-apiserver is a Go server,
// which offers `h2` before `http/1.1` in TLS ALPN and picks by its own preference, so every client
// that offers h2 (client-go, undici with allowH2) ends up on HTTP/2 there. Faults differ per
// protocol: on HTTP/2 one request is a stream that can be reset alone (RST_STREAM) and a
// connection can be told to go away (GOAWAY) while its open streams finish.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Http2ServerRequest, type Http2ServerResponse, constants as h2 } from 'node:http2';
import type { Socket } from 'node:net';

export type ApiRequest = IncomingMessage | Http2ServerRequest;
export type ApiResponse = ServerResponse | Http2ServerResponse;

/** The ALPN name of the protocol a request came over (`http/1.1` for plain HTTP too). */
export type HttpProtocol = 'h2' | 'http/1.1';

export function protocolOf(req: ApiRequest): HttpProtocol {
  return req.httpVersionMajor === 2 ? 'h2' : 'http/1.1';
}

function isHttp2(res: ApiResponse): res is Http2ServerResponse {
  return 'stream' in res;
}

/** writeHead on either protocol (their overloads do not unify). */
export function writeHead(
  res: ApiResponse,
  code: number,
  headers: Record<string, string | number>,
): void {
  if (isHttp2(res)) res.writeHead(code, headers);
  else res.writeHead(code, headers);
}

/** Writes a chunk of a streamed body on either protocol. */
export function writeChunk(res: ApiResponse, text: string): void {
  if (isHttp2(res)) res.write(text);
  else res.write(text);
}

/**
 * Headers of a streamed (watch) response. HTTP/2 forbids connection-specific headers such as
 * Transfer-Encoding (Node throws on them); DATA frames do the chunking there.
 */
export function streamingHeaders(
  res: ApiResponse,
  headers: Record<string, string>,
): Record<string, string> {
  return isHttp2(res) ? headers : { ...headers, 'Transfer-Encoding': 'chunked' };
}

/**
 * Sends the response head now and turns off Nagle, so the first event is not held back. On
 * HTTP/2 the compat response sent its HEADERS frame in writeHead, and the session's socket refuses
 * manipulation (ERR_HTTP2_NO_SOCKET_MANIPULATION): the server sets no-delay on every raw socket.
 */
export function flushStreamingHead(res: ApiResponse): void {
  if (isHttp2(res)) return;
  res.flushHeaders();
  res.socket?.setNoDelay(true);
}

/** How one request or watch is ended abnormally. */
export interface AbortHooks {
  /** Sends a TCP RST on the connection under `socket` (the raw socket under TLS). */
  readonly resetSocket: (socket: Socket) => void;
}

/**
 * Resets one request: RST_STREAM (INTERNAL_ERROR, what Go's server sends when a handler aborts)
 * on HTTP/2, where the connection and its other streams survive; on HTTP/1.1 a request has no
 * stream of its own, so the connection is reset.
 */
export function resetStream(req: ApiRequest, res: ApiResponse, hooks: AbortHooks): void {
  if (isHttp2(res)) {
    res.stream.close(h2.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  hooks.resetSocket(req.socket);
}

/** Resets the TCP connection under a response (every HTTP/2 stream on it included). */
export function resetConnection(res: ApiResponse, hooks: AbortHooks): void {
  const socket = isHttp2(res) ? res.stream.session?.socket : res.socket;
  if (socket) hooks.resetSocket(socket as Socket);
}

/**
 * Closes the connection under a response without ending the response: a FIN in the middle of a
 * chunked body (HTTP/1.1), or a transport closed under open streams (HTTP/2).
 */
export function closeConnection(res: ApiResponse): void {
  if (isHttp2(res)) res.stream.session?.destroy();
  else res.socket?.destroy();
}

/**
 * Asks the client to take its next requests elsewhere once this response is done, like the
 * apiserver's probabilistic GOAWAY filter: `Connection: close` on HTTP/1.1; on HTTP/2 a GOAWAY
 * (NO_ERROR) after the response, open streams on the connection finishing normally.
 */
export function goAwayAfter(res: ApiResponse): void {
  if (isHttp2(res)) {
    const session = res.stream.session;
    res.once('finish', () => {
      // close() sends GOAWAY (NO_ERROR, last stream processed) and lets open streams finish.
      if (session && !session.closed && !session.destroyed) session.close();
    });
    return;
  }
  res.setHeader('Connection', 'close');
}

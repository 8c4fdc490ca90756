import { request } from 'node:https';

export interface TlsIdentity {
  /** The CA to trust; without it the server's certificate is not verified (self-signed health ports). */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface HttpsAnswer {
  readonly status: number;
  readonly body: string;
}

/** One GET over TLS with a client certificate; rejects on a transport error or the timeout. */
export function httpsGet(url: string, tls: TlsIdentity, timeoutMs = 5000): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        ca: tls.ca,
        rejectUnauthorized: tls.ca !== undefined,
        cert: tls.cert,
        key: tls.key,
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

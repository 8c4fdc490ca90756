import { describe, expect, it } from 'vitest';
import { parseServerUri } from './server-address.js';
import { connectFailed } from './session-ending.js';

const server = parseServerUri('ssl://localhost:61617');
const coded = (message: string, code: string, cause?: Error) =>
  Object.assign(new Error(message, cause ? { cause } : undefined), { code });

describe('connectFailed', () => {
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'],
  ])('is TLS_FAILED for Node’s %s, found in the cause chain', (code, message) => {
    const wrapped = new Error('socket error', { cause: coded(message, code) });
    const error = connectFailed(server, wrapped);
    expect(error.code).toBe('TLS_FAILED');
    expect(error.message).toContain(code);
    expect((error.cause as { code: string }).code).toBe(code);
  });

  it('is CONNECTION_LOST for anything else', () => {
    expect(connectFailed(server, coded('connect ECONNREFUSED', 'ECONNREFUSED')).code).toBe(
      'CONNECTION_LOST',
    );
  });
});

// Token authentication and RBAC evaluation as the API handler applies them, and the tokens part's
// rotation and credential files.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmulatorTokens } from './emulator-tokens.js';
import { KubeEmulatorError } from './errors.js';
import { parseRequestInfo } from './request-info.js';
import { forbiddenReason, isAllowed, TokenRegistry } from './token-auth.js';

const req = (method: string, path: string) =>
  parseRequestInfo(method, new URL(path, 'https://emulator'));
const pods = '/api/v1/namespaces/default/pods';

describe('TokenRegistry.authenticate', () => {
  it('reads the bearer token of the Authorization header, scheme case-insensitive, trimmed', () => {
    const r = new TokenRegistry();
    r.set('s3cret', { user: 'alice' });
    expect(r.authenticate('Bearer s3cret')?.user).toBe('alice');
    expect(r.authenticate('bearer s3cret ')?.user).toBe('alice');
    expect(r.authenticate('Bearer other')).toBeUndefined();
    expect(r.authenticate('Basic czNjcmV0')).toBeUndefined();
    expect(r.authenticate(undefined)).toBeUndefined();
    r.delete('s3cret');
    expect(r.authenticate('Bearer s3cret')).toBeUndefined();
  });
});

describe('isAllowed (RBAC rules)', () => {
  const agent = {
    user: 'system:serviceaccount:default:activemq-ha',
    rules: [
      { verbs: ['get', 'list', 'watch'], resources: ['pods'] },
      { verbs: ['patch'], resources: ['pods'], resourceNames: ['amq-0'] },
      { verbs: ['*'], apiGroups: ['coordination.k8s.io'], resources: ['leases'] },
    ],
  };

  it('grants what a rule lists; no rules at all is cluster-admin', () => {
    expect(isAllowed(agent, req('GET', `${pods}/amq-1`))).toBe(true);
    expect(isAllowed(agent, req('GET', `${pods}?watch=true`))).toBe(true);
    expect(isAllowed(agent, req('DELETE', `${pods}/amq-1`))).toBe(false);
    expect(isAllowed({ user: 'admin' }, req('DELETE', `${pods}/amq-1`))).toBe(true);
  });

  it('treats a subresource as its own resource (pods/status is not pods)', () => {
    const statusWriter = { user: 'kubelet', rules: [{ verbs: ['patch'], resources: ['pods'] }] };
    expect(isAllowed(statusWriter, req('PATCH', `${pods}/amq-0`))).toBe(true);
    expect(isAllowed(statusWriter, req('PATCH', `${pods}/amq-0/status`))).toBe(false);
  });

  it('resourceNames restrict to those objects', () => {
    expect(isAllowed(agent, req('PATCH', `${pods}/amq-0`))).toBe(true);
    expect(isAllowed(agent, req('PATCH', `${pods}/amq-1`))).toBe(false);
  });

  it('matches the API group; non-resource paths are allowed', () => {
    const leases = '/apis/coordination.k8s.io/v1/namespaces/default/leases/amq';
    expect(isAllowed(agent, req('PUT', leases))).toBe(true);
    expect(isAllowed(agent, req('GET', '/apis/apps/v1/namespaces/default/leases/amq'))).toBe(false);
    expect(isAllowed(agent, req('GET', '/version'))).toBe(true);
  });

  it("words a denial as responsewriters' forbiddenMessage", () => {
    expect(forbiddenReason('u', req('PATCH', `${pods}/amq-0/status`))).toBe(
      'User "u" cannot patch resource "pods/status" in API group "" in the namespace "default"',
    );
    expect(forbiddenReason('u', req('GET', '/api/v1/nodes'))).toBe(
      'User "u" cannot list resource "nodes" in API group "" at the cluster scope',
    );
  });
});

describe('EmulatorTokens', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const tokens = (opts: { token?: string } = {}) => {
    dir = mkdtempSync(join(tmpdir(), 'emulator-tokens-'));
    const t = new EmulatorTokens(
      { dir, ...opts, rules: [{ verbs: ['get'], resources: ['pods'] }] },
      { url: () => 'https://127.0.0.1:6443', caCert: undefined, namespace: 'amq' },
    );
    t.writeCredentialFiles();
    return t;
  };

  it('writes the primary token as a projected token file (no newline) and a kubeconfig', () => {
    const t = tokens({ token: 'first' });
    expect(readFileSync(t.tokenFilePath, 'utf8')).toBe('first');
    const kubeconfig = readFileSync(t.kubeconfigPath, 'utf8');
    expect(kubeconfig).toContain('server: https://127.0.0.1:6443');
    expect(kubeconfig).toContain('token: first');
    expect(kubeconfig).toContain('namespace: amq');
    expect(t.kubeConfig().getCurrentUser()?.token).toBe('first');
  });

  it('rotation: the old token is refused, the new one keeps the identity, the files follow', () => {
    const t = tokens({ token: 'first' });
    const next = t.rotateToken('second');
    expect(next).toBe('second');
    expect(t.registry.authenticate('Bearer first')).toBeUndefined();
    expect(t.registry.authenticate('Bearer second')?.rules).toEqual([
      { verbs: ['get'], resources: ['pods'] },
    ]);
    expect(readFileSync(t.tokenFilePath, 'utf8')).toBe('second');
    expect(readFileSync(t.kubeconfigPath, 'utf8')).toContain('token: second');
  });

  it('extra tokens get their own identity; rules change per token; an unknown token is an error', () => {
    const t = tokens();
    t.addToken('kubelet', { user: 'system:node:node-0' });
    expect(t.registry.authenticate('Bearer kubelet')).toEqual({ user: 'system:node:node-0' });
    t.setRules(undefined);
    expect(t.registry.authenticate(`Bearer ${t.token}`)?.rules).toBeUndefined();
    t.removeToken('kubelet');
    expect(t.registry.authenticate('Bearer kubelet')).toBeUndefined();
    expect(() => t.setRules([], 'kubelet')).toThrow(KubeEmulatorError);
  });
});

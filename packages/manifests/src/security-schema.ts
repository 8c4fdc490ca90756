import { z } from 'zod';
import type { BrokerProtocol } from './broker/protocols.js';
import { usesTls } from './broker/protocols.js';
import { userPasswordKey } from './options.js';
import { dns1123Label } from './validation.js';

/** Username: also a key of jetty's realm file and an env-file value, so no separators. */
export const username = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"');

const group = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be a group name: letters, digits, ".", "_" or "-"');
const groups = z.array(group);

/** ActiveMQ destination names and wildcards (`.` separates, `*` one level, `>` the rest). */
const destination = z
  .string()
  .regex(
    /^[A-Za-z0-9_:-]+(\.([A-Za-z0-9_:-]+|\*|>))*$|^>$/,
    'must be a destination such as orders, orders.* or orders.>',
  );

const authorizationEntry = z
  .strictObject({
    queue: destination.optional(),
    topic: destination.optional(),
    read: groups.default([]),
    write: groups.default([]),
    admin: groups.default([]),
  })
  .refine((e) => (e.queue === undefined) !== (e.topic === undefined), {
    message: 'names exactly one of queue and topic',
  });

const secretKey = z
  .string()
  .regex(/^[-._a-zA-Z0-9]{1,253}$/, 'must be a Secret key: letters, digits, "-", "_" or "."');

export const tlsSchema = z.strictObject({
  secretName: dns1123Label.optional(),
  keystoreKey: secretKey.default('keystore.p12'),
  passwordSecret: z.strictObject({ name: dns1123Label, key: secretKey }).optional(),
  certManager: z
    .strictObject({
      issuerName: dns1123Label,
      issuerKind: z.enum(['Issuer', 'ClusterIssuer']).default('Issuer'),
      dnsNames: z
        .array(
          z
            .string()
            .regex(
              /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
              'must be a DNS name',
            ),
        )
        .default([]),
    })
    .optional(),
});

export const securitySchema = z
  .strictObject({
    brokerUserGroups: groups.min(1, 'needs at least one group').default(['users']),
    users: z
      .array(z.strictObject({ username, groups: groups.min(1, 'needs at least one group') }))
      .default([]),
    authorization: z.array(authorizationEntry).optional(),
  })
  .superRefine((s, ctx) => {
    const keys = new Map<string, string>();
    s.users.forEach((u, i) => {
      const key = userPasswordKey(u.username);
      const other = keys.get(key);
      if (other !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['users', i, 'username'],
          message: `collides with "${other}" (both keep their password in ${key})`,
        });
      keys.set(key, u.username);
    });
    // A group no user has is a typo that would silently refuse everyone.
    const known = new Set([...s.brokerUserGroups, ...s.users.flatMap((u) => u.groups)]);
    s.authorization?.forEach((e, i) => {
      for (const op of ['read', 'write', 'admin'] as const) {
        e[op].forEach((g, j) => {
          if (!known.has(g))
            ctx.addIssue({
              code: 'custom',
              path: ['authorization', i, op, j],
              message: `group "${g}" has no user (groups: ${[...known].join(', ')})`,
            });
        });
      }
    });
  });

/** TLS options without a TLS protocol would be silently unused: say what turns TLS on. */
export function tlsProblem(
  protocols: readonly BrokerProtocol[],
  tlsGiven: boolean,
): string | undefined {
  if (tlsGiven && !usesTls(protocols))
    return 'is set but no TLS protocol is listed: add openwire-tls (ssl://, 61617) or stomp-tls (stomp+ssl://, 61612) to protocols';
  return undefined;
}

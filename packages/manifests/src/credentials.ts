import { randomBytes } from 'node:crypto';
import { CREDENTIAL_KEYS } from './objects/broker-container.js';
import { userPasswordKey } from './options.js';

/** File names of the overlay that hold passwords: written owner-only and git-ignored. */
export const CREDENTIAL_FILES = ['credentials.env', CREDENTIAL_KEYS.consoleRealm] as const;

/** A random password: 24 bytes from the OS CSPRNG, base64url (32 characters, no separators). */
export function generatePassword(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** The env file kustomize's secretGenerator turns into the broker's login variables. */
export function renderCredentialsEnv(
  username: string,
  password: string,
  userPasswords: Readonly<Record<string, string>> = {},
): string {
  const more = Object.entries(userPasswords).map(([u, p]) => `${userPasswordKey(u)}=${p}\n`);
  return `${CREDENTIAL_KEYS.brokerUsername}=${username}\n${CREDENTIAL_KEYS.brokerPassword}=${password}\n${more.join('')}`;
}

/** The `security.users` passwords an env file holds, by the keys `userPasswordKey` names. */
export function parseUserPasswords(
  text: string,
  usernames: readonly string[],
): Record<string, string> {
  const found: Record<string, string> = {};
  for (const user of usernames) {
    const value = new RegExp(`^${userPasswordKey(user)}=(.+)$`, 'm').exec(text)?.[1];
    if (value) found[user] = value;
  }
  return found;
}

/** Jetty's realm file: `user: password, role`; the console admits the `admin` role only. */
export function renderJettyRealm(username: string, password: string): string {
  return `${username}: ${password}, admin\n`;
}

/** The username and password of an env file `renderCredentialsEnv` wrote; undefined if malformed. */
export function parseCredentialsEnv(
  text: string,
): { username: string; password: string } | undefined {
  const value = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1];
  const username = value(CREDENTIAL_KEYS.brokerUsername);
  const password = value(CREDENTIAL_KEYS.brokerPassword);
  return username && password ? { username, password } : undefined;
}

/** The user and password of a realm file `renderJettyRealm` wrote; undefined if malformed. */
export function parseJettyRealm(text: string): { username: string; password: string } | undefined {
  const match = /^([^:\s]+): ([^,\s]+), admin$/m.exec(text);
  return match ? { username: match[1] as string, password: match[2] as string } : undefined;
}

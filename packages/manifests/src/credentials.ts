import { randomBytes } from 'node:crypto';
import { CREDENTIAL_KEYS } from './objects/broker-container.js';

/** File names of the overlay that hold passwords: written owner-only and git-ignored. */
export const CREDENTIAL_FILES = ['credentials.env', CREDENTIAL_KEYS.consoleRealm] as const;

/** A random password: 24 bytes from the OS CSPRNG, base64url (32 characters, no separators). */
export function generatePassword(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** The env file kustomize's secretGenerator turns into the broker's login variables. */
export function renderCredentialsEnv(username: string, password: string): string {
  return `${CREDENTIAL_KEYS.brokerUsername}=${username}\n${CREDENTIAL_KEYS.brokerPassword}=${password}\n`;
}

/** Jetty's realm file: `user: password, role`; the console admits the `admin` role only. */
export function renderJettyRealm(username: string, password: string): string {
  return `${username}: ${password}, admin\n`;
}

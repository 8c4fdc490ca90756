import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The bundle the container runs; tests run exactly this file (`pnpm build` makes it). */
export const AGENT_ENTRYPOINT = fileURLToPath(new URL('../dist/agent.js', import.meta.url));

export function requireAgentBundle(): string {
  if (!existsSync(AGENT_ENTRYPOINT)) {
    throw new Error(`${AGENT_ENTRYPOINT} is missing: run \`pnpm build\` first (npm test does)`);
  }
  return AGENT_ENTRYPOINT;
}

// `prepack` of every published package: npm ships a package's own LICENSE but nothing from the
// repository root, so the root's LICENSE and NOTICE are copied in just before packing (the copies
// are git-ignored, so there is one LICENSE in the repository).
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
for (const name of ['LICENSE', 'NOTICE']) copyFileSync(`${root}${name}`, name);

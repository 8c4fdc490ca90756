// Read from package.json at build time (tsup inlines it), so `--version`, the image tag and the
// metrics never drift from the published version.
import pkg from '../package.json' with { type: 'json' };

export const AGENT_VERSION: string = pkg.version;

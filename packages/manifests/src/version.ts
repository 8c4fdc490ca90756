// Read from package.json at build time (tsup inlines it). The release flow versions every published
// package together (.changeset/config.json `fixed`), so this is also the agent image's tag.
import pkg from '../package.json' with { type: 'json' };

export const MANIFESTS_VERSION: string = pkg.version;

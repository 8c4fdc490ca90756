import type { Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * For the image bundle only: client-node without what the agent never calls. The agent and core
 * call `KubeConfig` (kubeconfig loading, TLS options, auth plugins, proxy agents) and nothing
 * else of `@kubernetes/client-node`, but its index loads every generated API group with the
 * model serializer, and `KubeConfig`'s module imports the generated configuration and undici for
 * `makeApiClient`/`applyToFetchOptions`. Loaded, those are about 60 MiB of RSS (measured: the
 * bundle's load-time RSS 103 → 61 MiB; see docs/benchmarks.md "Agent memory").
 *
 * - `@kubernetes/client-node` resolves to its `dist/config.js` (KubeConfig and its helpers). An
 *   import of any other name fails the build ("No matching export"), so nothing is dropped quietly.
 * - That module's `./gen/index.js` and client-node's `undici` become stubs that throw when used,
 *   naming the method that is not in the bundle.
 */
export function slimClientNode(): Plugin {
  const owner = /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]/;
  return {
    name: 'slim-client-node',
    setup(build) {
      build.onResolve({ filter: /^@kubernetes\/client-node$/ }, (args) =>
        build.resolve('@kubernetes/client-node/dist/config.js', {
          kind: args.kind,
          resolveDir: args.resolveDir,
        }),
      );
      build.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) =>
        /[\\/]client-node[\\/]dist[\\/]config\.js$/.test(args.importer)
          ? { path: 'generated-api', namespace: 'slim-client-node' }
          : undefined,
      );
      build.onResolve({ filter: /^undici$/ }, (args) =>
        owner.test(args.importer) ? { path: 'undici', namespace: 'slim-client-node' } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'slim-client-node' }, (args) => ({
        loader: 'js',
        contents:
          args.path === 'undici'
            ? stub(
                ['Agent', 'ProxyAgent'],
                ['fetch'],
                'undici (KubeConfig.applyToFetchOptions, Watch)',
              )
            : stub(
                ['ServerConfiguration'],
                ['createConfiguration'],
                "client-node's generated API clients (KubeConfig.makeApiClient)",
              ),
      }));
    },
  };
}

function stub(classes: readonly string[], functions: readonly string[], what: string): string {
  const fail = `throw new Error(${JSON.stringify(`not in the activemq-ha agent bundle: ${what}`)});`;
  return [
    ...classes.map((c) => `export class ${c} { constructor() { ${fail} } }`),
    ...functions.map((f) => `export function ${f}() { ${fail} }`),
  ].join('\n');
}

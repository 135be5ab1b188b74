import { defineConfig, type Options } from 'tsup';

// The CLI reaches the library only through its public entry, so the built `cli.js` imports the
// sibling `index.js` instead of bundling a second copy of every module.
const publicEntryAsSibling: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'public-entry-as-sibling',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/index\.js$/ }, () => ({
      path: './index.js',
      external: true,
    }));
  },
};

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    // Both configs build in parallel into dist/, so this clean must spare the CLI's files.
    clean: ['!cli.js', '!cli.js.map'],
    sourcemap: true,
    target: 'node20',
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    esbuildPlugins: [publicEntryAsSibling],
  },
]);

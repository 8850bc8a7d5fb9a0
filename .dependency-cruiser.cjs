// Layers, enforced (npm run lint): each folder may import only from the ones
// below it. From the bottom: shared/ (the contract and model; neither Node nor
// DOM), electron/tunnels (the engine over ssh2), electron/sshconfig (reading
// ssh_config), electron/profiles (saved profiles and secrets), electron/api
// (the dispatcher and services), electron/serve (serving the renderer safely:
// CSP, headers, files), electron/desktop (tray, notifications, quit and
// background policies), electron/web (the browser mode's server),
// electron/cli (the `burrow` command), electron/app (the only place that
// imports Electron). The renderer sees only shared/. See docs/architecture.md.
const LAYERS = ['tunnels', 'sshconfig', 'profiles', 'api', 'serve', 'desktop', 'web', 'cli', 'app'];
const above = (layer) => LAYERS.slice(LAYERS.indexOf(layer) + 1);

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Import cycles hide which layer owns what.', from: {}, to: { circular: true } },
    {
      name: 'electron-only-in-app',
      severity: 'error',
      comment: "Only electron/app imports 'electron' (the binary cannot run on build machines); everything below runs under plain Node.",
      from: { pathNot: '^electron/app/' },
      to: { path: '^node_modules/(electron|electron-store)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'shared-is-pure',
      severity: 'error',
      comment: 'shared/ is read by the renderer and the main process: no Node, no DOM, no app code.',
      from: { path: '^shared/' },
      to: { pathNot: ['^shared/', '^node_modules/zod/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'renderer-sees-only-shared',
      severity: 'error',
      comment: 'The renderer is sandboxed: it talks to the main process over the contract only.',
      from: { path: '^renderer/' },
      to: { path: ['^electron/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'renderer-no-node',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    ...LAYERS.map((layer) => ({
      name: `layer-${layer}`,
      severity: 'error',
      comment: `electron/${layer} must not import from a layer above it (${above(layer).join(', ') || 'none'}).`,
      from: { path: `^electron/${layer}/` },
      to: { path: `^electron/(${above(layer).join('|') || '$^'})/`, dependencyTypesNot: ['type-only'] },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};

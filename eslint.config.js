import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layering (README "Architecture", docs/architecture.md): each folder of src/ may import only
// the folders listed for it; nothing imports cli/ or app/; only kube/ imports
// @kubernetes/client-node; providers/* import only src/api and src/dns's model, routing and
// provider interface. scripts/import-graph.ts prints the folder edges and any file cycle.
const LAYERS = {
  api: [],
  observability: [],
  runtime: ['observability'],
  kube: ['api', 'observability', 'runtime'],
  config: ['api', 'kube', 'observability', 'runtime'],
  clusters: ['api', 'config', 'kube', 'observability', 'runtime'],
  propagation: ['api', 'clusters', 'config', 'kube', 'observability', 'runtime'],
  dns: ['api', 'clusters', 'config', 'kube', 'observability', 'runtime'],
  dnsserver: ['api', 'dns', 'kube', 'observability', 'runtime'],
  kubefedctl: ['api', 'clusters', 'config', 'dns', 'kube', 'observability', 'propagation', 'runtime'],
  sandbox: ['api', 'observability', 'runtime'],
  app: ['api', 'clusters', 'config', 'dns', 'dnsserver', 'kube', 'kubefedctl', 'observability', 'propagation', 'runtime', 'sandbox'],
  cli: ['api', 'app', 'clusters', 'config', 'dns', 'dnsserver', 'kube', 'kubefedctl', 'observability', 'propagation', 'runtime', 'sandbox'],
};
// Folders inside a layer, each allowed only the listed siblings ('.' is the layer's own root
// files, shared by its folders): propagation's jobs (docs/architecture.md).
const SUBLAYERS = {
  propagation: {
    '.': [],
    policy: ['.'],
    sync: ['.', 'policy'],
    scheduling: ['.', 'policy'],
    types: ['.', 'policy', 'sync'],
    plain: ['.', 'policy', 'sync'],
  },
};
const CLIENT_NODE = { group: ['@kubernetes/client-node', '@kubernetes/client-node/*'], message: 'only src/kube uses @kubernetes/client-node (README: Architecture)' };
const PROVIDER_MODEL = 'api/|dns/(endpoint|routing|naming|continents)\\.js$|dns/publish/provider\\.js$';

function layerPatterns(layer, allowed) {
  const forbidden = Object.keys(LAYERS).filter((f) => f !== layer && !allowed.includes(f));
  const patterns = forbidden.map((f) => ({
    regex: `^(\\.\\./)+${f}(/|$)`,
    message: `src/${layer} may import only ${allowed.length > 0 ? allowed.map((a) => `src/${a}`).join(', ') : 'nothing else in src'} (layering: docs/architecture.md)`,
  }));
  if (layer !== 'kube') patterns.push(CLIENT_NODE);
  return patterns;
}

// A later config object replaces an earlier one's options for the same rule, so a folder's
// rule repeats its layer's patterns and adds the siblings it may not import.
function sublayerRules(layer, folders) {
  const names = Object.keys(folders).filter((f) => f !== '.');
  return Object.entries(folders).map(([folder, allowed]) => {
    const forbidden = names.filter((f) => f !== folder && !allowed.includes(f));
    const prefix = folder === '.' ? '\\./' : '\\.\\./';
    const patterns = forbidden.map((f) => ({
      regex: `^${prefix}${f}(/|$)`,
      message: folder === '.'
        ? `src/${layer}/*.ts are shared by its folders and import none of them (layering: docs/architecture.md)`
        : `src/${layer}/${folder} may import only ${allowed.map((a) => (a === '.' ? `src/${layer}/*.ts` : `src/${layer}/${a}`)).join(', ')} of its layer (layering: docs/architecture.md)`,
    }));
    return { files: [folder === '.' ? `src/${layer}/*.ts` : `src/${layer}/${folder}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns: [...layerPatterns(layer, LAYERS[layer]), ...patterns] }] } };
  });
}

function layerRules() {
  return [
    ...Object.entries(LAYERS).map(([layer, allowed]) => ({ files: [`src/${layer}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns: layerPatterns(layer, allowed) }] } })),
    ...Object.entries(SUBLAYERS).flatMap(([layer, folders]) => sublayerRules(layer, folders)),
  ];
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'charts/**', 'crds/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  ...layerRules(),
  {
    files: ['providers/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        CLIENT_NODE,
        { regex: `^(\\.\\./)+src/(?!${PROVIDER_MODEL})`, message: 'providers/* import only src/api and src/dns/{endpoint,routing,naming,continents}.ts and src/dns/publish/provider.ts (docs/architecture.md)' },
      ] }],
    },
  },
);

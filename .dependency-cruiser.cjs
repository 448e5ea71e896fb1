// Import boundaries of src/ (docs/ARCHITECTURE.md, "Layers and their rules"), checked in CI by
// `npm run lint:deps`. Type-only imports count: a type cycle is still a cycle of concepts.
/** Layers a layer may not import, as `from` → forbidden `to` path patterns. */
const layer = (name, comment, from, to) => ({ name, comment, severity: 'error', from: { path: from }, to: { path: to } });

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only ones included: split the shared part into its own module.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    layer('engine-is-generic', 'The engine knows nothing of Metis: it imports only itself.', '^src/engine/', '^src/(?!engine/)'),
    layer('errors-is-a-leaf', 'The error catalogue imports nothing else of src/.', '^src/errors/', '^src/(?!errors/)'),
    layer('model-is-vocabulary', 'The shared vocabulary imports only the error catalogue.', '^src/model/', '^src/(?!model/|errors/)'),
    layer('edm-is-primitive', 'EDM/XML primitives import only the error catalogue and the model.', '^src/edm/', '^src/(?!edm/|errors/|model/)'),
    layer(
      'steps-are-plain-functions',
      'Steps get their I/O injected: no engine, pipeline, store, CLI or API.',
      '^src/steps/',
      '^src/(engine|pipeline|store|cli|api|ui)/',
    ),
    layer('store-is-below-the-domain', 'The store holds SQL only: it imports neither the pipeline nor the steps.', '^src/store/', '^src/(pipeline|steps|cli|api|ui)/'),
    layer('pipeline-is-below-the-edges', 'The pipeline is driven by the CLI and the API, never the reverse.', '^src/pipeline/', '^src/(cli|api|ui)/'),
    layer('kafka-client-only-in-engine', 'Only the engine talks to Kafka.', '^src/(?!engine/)', '@confluentinc/kafka-javascript'),
    layer('database-only-in-store', 'Only the store imports pg and PGlite.', '^src/(?!store/)', '(^|/)node_modules/(pg|pg-[^/]+|@electric-sql/pglite)/'),
    layer('fastify-only-in-api', 'Only the HTTP API imports Fastify.', '^src/(?!api/)', '(^|/)node_modules/(fastify|@fastify/[^/]+)/'),
    layer('saxes-only-as-test-oracle', 'One production XML parser (edm/); saxes is the test oracle.', '^src/(?!steps/harvest/oai/)', '(^|/)node_modules/saxes/'),
    layer('no-tests-in-src', 'Production code never imports tests or benchmarks.', '^src/', '^(test|bench)/'),
    {
      ...layer('no-dev-dependencies-in-src', 'What dist/ runs must install with npm ci --omit=dev.', '^src/', '(^|/)node_modules/(tsx|typescript|eslint|prettier|dependency-cruiser)/'),
      // The thread entries of the step pool and the media threads for runs from source (tests, benchmarks)
      // register tsx; tsc does not emit .mjs files, so they never reach dist/, where the pools start the
      // compiled step-worker.js and media-thread.js.
      from: { path: '^src/', pathNot: '^src/(pipeline/step-worker-entry|steps/media/media-thread-entry)[.]mjs$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    builtInModules: { add: [] },
  },
};

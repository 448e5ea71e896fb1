import { openPglite } from '../../src/store/db.ts';
import { publishedScenarios } from './published-scenarios.ts';

publishedScenarios('PGlite', async () => {
  const db = await openPglite();
  return { db, close: () => db.close() };
});

import { createTestDatabase } from '../support/pg.ts';
import { publishedScenarios } from '../index/published-scenarios.ts';

publishedScenarios('PostgreSQL', async () => {
  const t = await createTestDatabase('metis_published');
  return { db: t.db, close: () => t.drop() };
});

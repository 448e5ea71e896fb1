/**
 * The README's settings table is the one `renderSettingsTable()` makes from the declarations, so the
 * documentation cannot drift from what the command accepts. `UPDATE_README=1` rewrites it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSettingsTable } from '../../src/cli/config/help.ts';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const START =
  '<!-- settings:start (made from src/cli/config/settings.ts; UPDATE_README=1 node --import tsx --test test/cli/readme-settings.test.ts) -->';
const END = '<!-- settings:end -->';

test("the README's settings table matches the settings declarations", () => {
  const text = readFileSync(README, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  assert.ok(from >= 0 && to > from, `README.md has no settings section between ${START} and ${END}`);
  const expected = `${START}\n${renderSettingsTable()}\n${END}`;
  const actual = text.slice(from, to + END.length);
  if (actual !== expected && process.env.UPDATE_README === '1') {
    writeFileSync(README, text.slice(0, from) + expected + text.slice(to + END.length));
    return;
  }
  assert.equal(actual, expected, 'README settings table is stale: run with UPDATE_README=1');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientCredentialsToken } from '../../src/steps/enrich/oauth-token.ts';

test('client-credentials tokens: one request for concurrent callers, renewed when about to expire', async () => {
  const seen: Array<{ auth?: string; body: string }> = [];
  let expiresIn = 3600;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ auth: req.headers.authorization, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: `tok-${seen.length}`, token_type: 'Bearer', expires_in: expiresIn }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
    const token = clientCredentialsToken({
      tokenUrl,
      clientId: 'metis',
      clientSecret: 's3cret',
      grantParams: { scope: 'entities' },
    });
    assert.deepEqual(await Promise.all([token(), token(), token()]), ['tok-1', 'tok-1', 'tok-1']);
    assert.equal(await token(), 'tok-1');
    assert.equal(seen.length, 1);
    assert.equal(seen[0].auth, `Basic ${Buffer.from('metis:s3cret').toString('base64')}`);
    assert.equal(new URLSearchParams(seen[0].body).get('grant_type'), 'client_credentials');
    assert.equal(new URLSearchParams(seen[0].body).get('scope'), 'entities');

    expiresIn = 10; // shorter than the renewal margin: every call renews
    const shortLived = clientCredentialsToken({ tokenUrl, clientId: 'metis', clientSecret: 's3cret' });
    assert.equal(await shortLived(), 'tok-2');
    assert.equal(await shortLived(), 'tok-3');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

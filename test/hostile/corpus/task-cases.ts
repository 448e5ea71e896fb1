/**
 * The hostile corpus, task families (issue #12, deliver item 8): hostile OAI-PMH servers and hostile
 * archives, one task each, with the outcome the task must reach. Every server is a real HTTP server on
 * 127.0.0.1 built by the case; every archive is generated in code.
 */
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import {
  getRecord,
  listPage,
  oaiError,
  pageIdentifiers,
  sendXml,
  startHostileServer,
  type HostileHandler,
} from '../support/oai-hostile-server.ts';
import { edmRecord, rawZip } from '../support/archive-zips.ts';
import { buildZip } from '../../support/zip-writer.ts';

export interface TaskExpect {
  state: 'completed' | 'failed';
  reason?: RegExp;
  /** Harvest counts the task must report (only the ones given are checked). */
  harvest?: { success?: number; warn?: number; fail?: number };
}

export type TaskSource = { type: 'oai'; url: string; metadataPrefix: string } | { type: 'archive'; url: string };

export interface StartedCase {
  source: TaskSource;
  /** Requests the case's server saw that it must never see (e.g. a redirect target). */
  forbiddenHits(): number;
  close(): Promise<void>;
}

export interface TaskCase {
  id: string;
  family: 'oai' | 'archive';
  what: string;
  start(): Promise<StartedCase>;
  expect: TaskExpect;
}

const META = 'edm';

/** An OAI server from a handler; GetRecord answers the identifier asked unless the handler says otherwise. */
function oai(handler: HostileHandler): () => Promise<StartedCase> {
  return async () => {
    const s = await startHostileServer(handler);
    return {
      source: { type: 'oai', url: s.url, metadataPrefix: META },
      forbiddenHits: () => s.requests.filter((r) => r.path !== '/oai').length,
      close: () => s.close(),
    };
  };
}

/** One ListIdentifiers page of `n` identifiers, then records as asked: the usual happy server. */
function pages(
  n: number,
  record: (id: string, res: ServerResponse) => void = (id, res) => sendXml(res, getRecord(id)),
): HostileHandler {
  return (req, res) => {
    if (req.verb === 'GetRecord') return record(req.params.get('identifier') ?? '', res);
    sendXml(res, listPage(pageIdentifiers(1, n)));
  };
}

function trickle(res: ServerResponse, body: string, everyMs: number): void {
  res.writeHead(200, { 'content-type': 'text/xml' });
  let i = 0;
  const t = setInterval(() => {
    if (res.destroyed || i >= body.length) {
      clearInterval(t);
      res.end();
      return;
    }
    res.write(body[i++]);
  }, everyMs);
  res.on('close', () => clearInterval(t));
}

const deep = (depth: number) =>
  '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<a>'.repeat(depth) +
  '</a>'.repeat(depth) +
  '</rdf:RDF>';

const OAI_CASES: Array<Omit<TaskCase, 'id' | 'family'>> = [
  {
    what: 'resumption tokens cycling A→B→A',
    start: oai((req, res) => {
      if (req.verb === 'GetRecord') return sendXml(res, getRecord(req.params.get('identifier') ?? ''));
      const t = req.params.get('resumptionToken');
      sendXml(res, listPage(pageIdentifiers(req.seq, 1), t === 'A' ? 'B' : 'A'));
    }),
    expect: { state: 'failed', reason: /same resumption token twice/ },
  },
  {
    what: 'a fresh resumption token on every page, forever',
    start: oai((req, res) => {
      if (req.verb === 'GetRecord') return sendXml(res, getRecord(req.params.get('identifier') ?? ''));
      sendXml(res, listPage([], `t-${req.seq}`));
    }),
    expect: { state: 'failed', reason: /limit of 30 pages/ },
  },
  {
    what: 'a 4 MB resumption token',
    start: oai((_req, res) => sendXml(res, listPage(pageIdentifiers(1, 1), 'T'.repeat(4 * 1024 * 1024)))),
    expect: { state: 'failed', reason: /Resumption token of \d+ bytes is longer than the limit/ },
  },
  {
    what: 'a listing body trickled one byte every 500 ms',
    start: oai((_req, res) => trickle(res, listPage(pageIdentifiers(1, 2)), 500)),
    expect: { state: 'failed', reason: /no complete response within/ },
  },
  {
    what: 'gzip-encoded responses',
    start: oai((req, res) => {
      const body =
        req.verb === 'GetRecord' ? getRecord(req.params.get('identifier') ?? '') : listPage(pageIdentifiers(1, 3));
      sendXml(res, gzipSync(body), { 'content-encoding': 'gzip' });
    }),
    expect: { state: 'completed', harvest: { success: 3, fail: 0 } },
  },
  {
    what: 'a 503 asking to come back in 100,000 s (Retry-After capped)',
    start: oai((req, res) => {
      if (req.seq === 1) {
        res.writeHead(503, { 'retry-after': '100000' }).end();
        return;
      }
      pages(2)(req, res, undefined as never);
    }),
    expect: { state: 'completed', harvest: { success: 2 } },
  },
  {
    what: 'HTTP 500 on every request',
    start: oai((_req, res) => void res.writeHead(500).end('boom')),
    expect: { state: 'failed', reason: /500/ },
  },
  {
    what: 'a redirect loop',
    start: oai(
      (req, res) =>
        void res.writeHead(301, { location: `/oai?verb=${req.verb}&metadataPrefix=${META}&hop=${req.seq}` }).end(),
    ),
    expect: { state: 'failed', reason: /More than 5 redirects/ },
  },
  {
    what: 'a redirect to the cloud metadata address (169.254.169.254)',
    start: oai((_req, res) => void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end()),
    expect: { state: 'failed', reason: /Redirect to 169\.254\.169\.254 refused by the address policy/ },
  },
  {
    what: 'an HTML page instead of OAI-PMH',
    start: oai(
      (_req, res) =>
        void res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><html><body>Maintenance</body></html>'),
    ),
    expect: { state: 'failed', reason: /Response is not well-formed XML/ },
  },
  {
    what: 'an OAI-PMH badArgument error',
    start: oai((_req, res) => sendXml(res, oaiError('badArgument', 'the set does not exist'))),
    expect: { state: 'failed', reason: /the set does not exist/ },
  },
  {
    what: 'noRecordsMatch (an empty set)',
    start: oai((_req, res) => sendXml(res, oaiError('noRecordsMatch', 'nothing here'))),
    expect: { state: 'failed', reason: /^Harvest found no records$/ },
  },
  {
    what: 'GetRecord answering another identifier',
    start: oai(pages(3, (id, res) => sendXml(res, getRecord(id.endsWith('-0') ? `${id}-other` : id)))),
    expect: { state: 'completed', harvest: { success: 2, warn: 1 } },
  },
  {
    what: 'one GetRecord answer that is not well-formed',
    start: oai(
      pages(3, (id, res) =>
        id.endsWith('-1') ? sendXml(res, getRecord(id).slice(0, 200)) : sendXml(res, getRecord(id)),
      ),
    ),
    expect: { state: 'completed', harvest: { success: 2, fail: 1 } },
  },
  {
    what: 'one GetRecord answered 404',
    start: oai(
      pages(3, (id, res) => (id.endsWith('-2') ? void res.writeHead(404).end() : sendXml(res, getRecord(id)))),
    ),
    expect: { state: 'completed', harvest: { success: 2, fail: 1 } },
  },
  {
    what: 'one record whose metadata nests 20,000 levels',
    start: oai(pages(3, (id, res) => sendXml(res, id.endsWith('-0') ? getRecord(id, deep(20_000)) : getRecord(id)))),
    expect: { state: 'completed', harvest: { success: 2, fail: 1 } },
  },
  {
    what: 'one GetRecord body trickled past the request deadline',
    start: oai(
      pages(3, (id, res) => (id.endsWith('-1') ? trickle(res, getRecord(id), 500) : sendXml(res, getRecord(id)))),
    ),
    expect: { state: 'completed', harvest: { success: 2, fail: 1 } },
  },
  {
    what: 'a listing response that is invalid UTF-8',
    start: oai((_req, res) =>
      sendXml(
        res,
        Buffer.concat([
          Buffer.from(listPage(pageIdentifiers(1, 1)).slice(0, 150)),
          Buffer.from([0xff, 0xfe, 0xc0]),
          Buffer.from('</OAI-PMH>'),
        ]),
      ),
    ),
    expect: { state: 'failed', reason: /Invalid UTF-8 byte at byte offset 150/ },
  },
  {
    what: 'a listing cut off mid-document',
    start: oai((_req, res) => sendXml(res, listPage(pageIdentifiers(1, 5)).slice(0, 300))),
    expect: { state: 'failed', reason: /Response is not well-formed XML/ },
  },
  {
    what: 'a 1 MB identifier in the listing',
    start: oai((req, res) => {
      if (req.verb === 'GetRecord') return sendXml(res, getRecord(req.params.get('identifier') ?? ''));
      sendXml(res, listPage(['oai:x:' + 'i'.repeat(1024 * 1024), 'oai:x:ok']));
    }),
    expect: { state: 'completed', harvest: { success: 1, fail: 1 } },
  },
];

/** Serves `body` at /<name>; any other path is counted as forbidden and answered 404. */
async function serve(name: string, body: Buffer, type = 'application/zip'): Promise<StartedCase & { url: string }> {
  let forbidden = 0;
  const server: Server = createServer((req, res) => {
    if (req.url !== `/${name}`) {
      forbidden++;
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': type, 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/${name}`;
  return {
    url,
    source: { type: 'archive', url },
    forbiddenHits: () => forbidden,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** An archive URL whose server answers with a redirect to `target`. */
function redirecting(target: string): () => Promise<StartedCase> {
  return async () => {
    const server = createServer((_req, res) => void res.writeHead(302, { location: target }).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      source: { type: 'archive', url: `http://127.0.0.1:${port}/dataset.zip` },
      forbiddenHits: () => 0,
      close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
    };
  };
}

const rec = (n: string) => Buffer.from(edmRecord(`http://corpus.example.org/archive/${n}`));
const archive = (name: string, make: () => Promise<Buffer> | Buffer, type?: string) => async () =>
  serve(name, await make(), type);

async function tarGz(
  entries: Array<{ name: string; data?: Buffer; type?: 'symlink' | 'link'; linkname?: string }>,
): Promise<Buffer> {
  const p = tarPack();
  for (const e of entries) {
    if (e.type) p.entry({ name: e.name, type: e.type, linkname: e.linkname });
    else p.entry({ name: e.name }, e.data ?? Buffer.alloc(0));
  }
  p.finalize();
  const out: Buffer[] = [];
  for await (const c of p) out.push(c as Buffer);
  return gzipSync(Buffer.concat(out));
}

/** A stored (not deflated) zip whose entry `name` has one byte changed after its CRC was written. */
function corrupted(): Buffer {
  const zip = rawZip([
    { name: 'a.xml', data: rec('a'), method: 'store' },
    { name: 'b.xml', data: rec('corrupt-b'), method: 'store' },
    { name: 'c.xml', data: rec('c'), method: 'store' },
  ]);
  const at = zip.indexOf('corrupt-b');
  zip[at] = 'C'.charCodeAt(0);
  return zip;
}

const ARCHIVE_CASES: Array<Omit<TaskCase, 'id' | 'family'>> = [
  {
    what: 'entries named ../../evil.xml and /etc/evil.xml (zip slip)',
    start: archive('slip.zip', () =>
      buildZip([
        { name: 'ok.xml', data: rec('ok') },
        { name: '../../evil.xml', data: rec('evil') },
        { name: '/etc/evil.xml', data: rec('abs') },
      ]),
    ),
    expect: { state: 'failed', reason: /outside of the target dir/ },
  },
  {
    what: 'a backslash path traversal (..\\..\\evil.xml)',
    start: archive('slip2.zip', () =>
      buildZip([
        { name: 'ok.xml', data: rec('ok2') },
        { name: '..\\..\\evil.xml', data: rec('evil2') },
      ]),
    ),
    expect: { state: 'failed', reason: /outside of the target dir/ },
  },
  {
    what: 'an encrypted entry',
    start: archive('enc.zip', () =>
      rawZip([
        { name: 'a.xml', data: rec('enc-a') },
        { name: 'secret.xml', data: rec('enc-s'), encrypted: true },
      ]),
    ),
    expect: { state: 'failed', reason: /Encrypted archives are not supported \(secret\.xml/ },
  },
  {
    what: '1,000 central-directory entries overlapping one local entry',
    start: archive('overlap.zip', () => rawZip([{ name: 'one.xml', data: rec('one'), aliases: 1000 }])),
    expect: { state: 'failed', reason: /overlap/i },
  },
  {
    what: 'an entry declaring 300 MiB (over the record limit)',
    start: archive('big.zip', () =>
      rawZip([
        { name: 'a.xml', data: rec('big-a') },
        { name: 'huge.xml', data: rec('big-h'), declaredSize: 300 * 1024 * 1024 },
      ]),
    ),
    expect: { state: 'completed', harvest: { success: 1, fail: 1 } },
  },
  {
    what: 'an entry whose CRC does not match',
    start: archive('crc.zip', corrupted),
    expect: { state: 'completed', harvest: { success: 2, fail: 1 } },
  },
  {
    what: 'an HTML page served as the archive',
    start: archive('page.zip', () => Buffer.from('<!doctype html><html><body>Login</body></html>'), 'text/html'),
    expect: { state: 'failed', reason: /compressed file type is invalid/ },
  },
  {
    what: 'a zip cut in half',
    start: archive('half.zip', async () => {
      const z = await buildZip([
        { name: 'a.xml', data: rec('h-a') },
        { name: 'b.xml', data: rec('h-b') },
      ]);
      return z.subarray(0, Math.floor(z.length / 2));
    }),
    expect: { state: 'failed', reason: /Error extracting archive half\.zip/ },
  },
  {
    what: 'a zip with no entries',
    start: archive('empty.zip', () => rawZip([])),
    expect: { state: 'failed', reason: /^Harvest found no records$/ },
  },
  {
    what: 'an archive URL answering 404',
    start: async () => {
      const s = await serve('real.zip', Buffer.alloc(0));
      return {
        ...s,
        source: { type: 'archive', url: s.url.replace('real.zip', 'missing.zip') },
        forbiddenHits: () => 0,
      };
    },
    expect: { state: 'failed', reason: /404/ },
  },
  {
    what: 'an archive download redirected to the cloud metadata address',
    start: redirecting('http://169.254.169.254/latest/dataset.zip'),
    expect: { state: 'failed', reason: /Redirect to 169\.254\.169\.254 refused by the address policy/ },
  },
  {
    what: 'an archive download redirected to a private address',
    start: redirecting('http://10.1.2.3/dataset.zip'),
    expect: { state: 'failed', reason: /Redirect to 10\.1\.2\.3 refused by the address policy/ },
  },
  {
    what: 'a tar.gz with a symlink to /etc/passwd and a hard link',
    start: archive(
      'links.tar.gz',
      () =>
        tarGz([
          { name: 'a.xml', data: rec('tar-a') },
          { name: 'passwd.xml', type: 'symlink', linkname: '/etc/passwd' },
          { name: 'hard.xml', type: 'link', linkname: 'a.xml' },
        ]),
      'application/gzip',
    ),
    expect: { state: 'completed', harvest: { success: 1 } },
  },
  {
    what: 'a zip inside a zip',
    start: archive('outer.zip', async () =>
      buildZip([
        { name: 'inner.zip', data: await buildZip([{ name: 'in.xml', data: rec('nested') }]) },
        { name: 'top.xml', data: rec('top') },
      ]),
    ),
    expect: { state: 'completed', harvest: { success: 2 } },
  },
  {
    what: '200 empty entries',
    start: archive('empties.zip', () =>
      buildZip(Array.from({ length: 200 }, (_, i) => ({ name: `e${i}.xml`, data: Buffer.alloc(0) }))),
    ),
    expect: { state: 'completed', harvest: { success: 0, fail: 200 } },
  },
  {
    what: 'a 300 MB gzip bomb of zeros (tar.gz)',
    start: archive('bomb.tar.gz', () => gzipSync(Buffer.alloc(300 * 1024 * 1024)), 'application/gzip'),
    expect: { state: 'failed', reason: /compression ratio above/ },
  },
  {
    what: 'macOS resource-fork entries (__MACOSX/._a.xml) beside a record',
    start: archive('mac.zip', () =>
      buildZip([
        { name: 'a.xml', data: rec('mac-a') },
        { name: '__MACOSX/._a.xml', data: Buffer.from([0, 5, 22, 7, 0, 2, 0, 0]) },
      ]),
    ),
    expect: { state: 'completed', harvest: { success: 1 } },
  },
];

export function taskCases(): TaskCase[] {
  const number = (family: 'oai' | 'archive', list: Array<Omit<TaskCase, 'id' | 'family'>>) =>
    list.map((c, i) => ({ ...c, family, id: `${family}-${String(i + 1).padStart(2, '0')}` }));
  return [...number('oai', OAI_CASES), ...number('archive', ARCHIVE_CASES)];
}

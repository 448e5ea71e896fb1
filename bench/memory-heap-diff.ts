/**
 * `npm run bench memory-heap-diff -- <earlier.heapsnapshot> <later.heapsnapshot> [--top=30]`
 * (issue #13 target 3)
 *
 * What grew in a V8 heap between two snapshots (e.g. the ones `npm run bench memory-worker --
 * --sample-every=10000 --gc --heap-snapshots=DIR` writes at 10,000, 20,000… records). Printed:
 * - both heaps' totals (nodes, self sizes);
 * - the groups whose self size grew most: objects by constructor name, arrays and hidden/system
 *   objects by their name, strings by kind; count and MB in each snapshot and the difference;
 * - the largest single objects of the later snapshot (a Map's or array's backing store is one
 *   object) with up to three levels of what holds them (edge name ← holder), which names the
 *   structure that keeps growing.
 * Self sizes only (no dominator tree): a group that grows is where the bytes are, its holder is
 * in the second list. Big snapshots need memory: NODE_OPTIONS=--max-old-space-size=4096.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Heap {
  file: string;
  s: Snapshot;
  nf: number;
  ef: number;
  type: (i: number) => string;
  name: (i: number) => string;
  size: (i: number) => number;
  /** Index in `edges` of node i's first edge. */
  firstEdge: Uint32Array;
  edgeCount: (i: number) => number;
  count: number;
}

function load(file: string): Heap {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const m = s.snapshot.meta;
  const nf = m.node_fields.length;
  const ef = m.edge_fields.length;
  const [T, N, S, E] = ['type', 'name', 'self_size', 'edge_count'].map((f) => m.node_fields.indexOf(f)) as [number, number, number, number];
  const types = m.node_types[0];
  const count = s.nodes.length / nf;
  const firstEdge = new Uint32Array(count + 1);
  for (let i = 0, e = 0; i < count; i++) {
    firstEdge[i] = e;
    e += s.nodes[i * nf + E]! * ef;
    firstEdge[i + 1] = e;
  }
  return {
    file,
    s,
    nf,
    ef,
    count,
    firstEdge,
    type: (i) => types[s.nodes[i * nf + T]!]!,
    name: (i) => s.strings[s.nodes[i * nf + N]!]!,
    size: (i) => s.nodes[i * nf + S]!,
    edgeCount: (i) => s.nodes[i * nf + E]!,
  };
}

/** The group a node counts in. */
function group(h: Heap, i: number): string {
  const t = h.type(i);
  switch (t) {
    case 'object':
      return h.name(i);
    case 'string':
    case 'concatenated string':
    case 'sliced string':
      return `(${t})`;
    case 'closure':
      return '(closure)';
    case 'code':
      return '(code)';
    case 'number':
      return '(heap number)';
    default:
      return `(${t}) ${h.name(i).slice(0, 60)}`;
  }
}

function groups(h: Heap): Map<string, { n: number; bytes: number }> {
  const g = new Map<string, { n: number; bytes: number }>();
  for (let i = 0; i < h.count; i++) {
    const k = group(h, i);
    const x = g.get(k);
    if (x) {
      x.n++;
      x.bytes += h.size(i);
    } else g.set(k, { n: 1, bytes: h.size(i) });
  }
  return g;
}

const MB = 1024 * 1024;
const mb = (b: number) => (b / MB).toFixed(2);

/** Holders of each target node: [holder node, edge name], strong edges only. */
function holders(h: Heap, targets: Set<number>): Map<number, Array<[number, string]>> {
  const m = h.s.snapshot.meta;
  const ET = m.edge_fields.indexOf('type');
  const EN = m.edge_fields.indexOf('name_or_index');
  const TO = m.edge_fields.indexOf('to_node');
  const etypes = m.edge_types[0];
  const out = new Map<number, Array<[number, string]>>();
  for (let i = 0; i < h.count; i++) {
    for (let e = h.firstEdge[i]!; e < h.firstEdge[i + 1]!; e += h.ef) {
      const to = h.s.edges[e + TO]! / h.nf;
      if (!targets.has(to)) continue;
      const et = etypes[h.s.edges[e + ET]!]!;
      if (et === 'weak') continue;
      const nameOrIndex = h.s.edges[e + EN]!;
      const label = et === 'element' || et === 'hidden' ? `[${nameOrIndex}]` : h.s.strings[nameOrIndex]!;
      const list = out.get(to) ?? [];
      if (list.length < 3) list.push([i, `${et === 'internal' ? 'internal ' : ''}${label}`]);
      out.set(to, list);
    }
  }
  return out;
}

export default async function main(args: string[]): Promise<void> {
  const files = args.filter((a) => !a.startsWith('--'));
  const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 30);
  if (files.length !== 2) throw new Error('usage: npm run bench memory-heap-diff -- <earlier.heapsnapshot> <later.heapsnapshot>');
  const a = load(files[0]!);
  const ga = groups(a);
  const totalA = [...ga.values()].reduce((x, y) => x + y.bytes, 0);
  a.s = undefined as unknown as Snapshot;
  const b = load(files[1]!);
  const gb = groups(b);
  const totalB = [...gb.values()].reduce((x, y) => x + y.bytes, 0);
  console.log(`earlier: ${files[0]}: ${a.count} nodes, ${mb(totalA)} MB`);
  console.log(`later:   ${files[1]}: ${b.count} nodes, ${mb(totalB)} MB (${totalB >= totalA ? '+' : ''}${mb(totalB - totalA)} MB)`);
  const diff = [...new Set([...ga.keys(), ...gb.keys()])].map((k) => {
    const x = ga.get(k) ?? { n: 0, bytes: 0 };
    const y = gb.get(k) ?? { n: 0, bytes: 0 };
    return { k, x, y, d: y.bytes - x.bytes };
  });
  diff.sort((p, q) => q.d - p.d);
  console.log(`\ngrew most (self sizes):\n| group | count earlier | count later | MB earlier | MB later | Δ MB |\n|---|---:|---:|---:|---:|---:|`);
  for (const r of diff.slice(0, top)) console.log(`| ${r.k.replaceAll('|', '/')} | ${r.x.n} | ${r.y.n} | ${mb(r.x.bytes)} | ${mb(r.y.bytes)} | ${mb(r.d)} |`);
  console.log(`\nshrank most:`);
  for (const r of diff.slice(-5).reverse()) console.log(`| ${r.k.replaceAll('|', '/')} | ${r.x.n} | ${r.y.n} | ${mb(r.x.bytes)} | ${mb(r.y.bytes)} | ${mb(r.d)} |`);

  // The largest single objects of the later heap and who holds them (three levels).
  const order = Array.from({ length: b.count }, (_, i) => i)
    .sort((p, q) => b.size(q) - b.size(p))
    .slice(0, Math.min(20, top));
  let level = new Set(order);
  const chains = new Map<number, string[]>(order.map((i) => [i, []]));
  const via = new Map<number, number[]>(order.map((i) => [i, [i]]));
  for (let depth = 0; depth < 3; depth++) {
    const hs = holders(b, level);
    const next = new Set<number>();
    for (const root of order) {
      const tips = via.get(root)!;
      const newTips: number[] = [];
      const parts: string[] = [];
      for (const t of tips) {
        for (const [holder, edge] of hs.get(t) ?? []) {
          parts.push(`${edge} ← ${group(b, holder)}`);
          newTips.push(holder);
          next.add(holder);
        }
      }
      chains.get(root)!.push(parts.slice(0, 3).join(' | ') || '–');
      via.set(root, newTips.slice(0, 3));
    }
    level = next;
  }
  console.log(`\nlargest objects of the later heap and what holds them (edge ← holder, three levels):`);
  for (const i of order) console.log(`- ${mb(b.size(i))} MB ${group(b, i)}: ${chains.get(i)!.join('  ⟸  ')}`);
}

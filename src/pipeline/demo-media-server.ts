/**
 * A media server on 127.0.0.1 for the demo dataset (`demo-dataset.ts` links `<base>/<i>/main.<ext>`
 * and `<base>/<i>/thumb.jpg`): images are generated with sharp (a coloured gradient per record, 16
 * variants kept in memory), PDFs are a one-page document; audio and video answer 404, so the demo
 * also shows how a missing resource becomes a record warning.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export interface DemoMediaServer {
  /** Base URL for `DemoDatasetOptions.mediaBaseUrl`. */
  url: string;
  server: Server;
  /** Requests served so far, by path kind. */
  counts: { image: number; pdf: number; missing: number };
  close(): Promise<void>;
}

const VARIANTS = 16;

function pdfBytes(title: string): Buffer {
  const text = title.replace(/[()\\]/g, '');
  const stream = `BT /F1 24 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

export async function startDemoMediaServer(opts: { port?: number; width?: number; height?: number } = {}): Promise<DemoMediaServer> {
  const images = new Map<number, Promise<Buffer>>();
  const image = (variant: number): Promise<Buffer> => {
    let p = images.get(variant);
    if (!p) {
      const hue = (variant * 360) / VARIANTS;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${opts.width ?? 1200}" height="${opts.height ?? 900}"><defs><linearGradient id="g"><stop offset="0" stop-color="hsl(${hue},70%,45%)"/><stop offset="1" stop-color="hsl(${(hue + 120) % 360},60%,80%)"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="50%" cy="50%" r="30%" fill="hsl(${(hue + 240) % 360},50%,30%)"/></svg>`;
      p = sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
      images.set(variant, p);
    }
    return p;
  };
  const counts = { image: 0, pdf: 0, missing: 0 };
  const server = createServer((req, res) => {
    const m = /^\/(\d+)\/(main|thumb)\.(\w+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    const index = m ? Number(m[1]) : -1;
    const ext = m?.[3];
    if (m && ext === 'jpg') {
      counts.image++;
      image(index % VARIANTS).then(
        (bytes) => {
          res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': bytes.length });
          res.end(req.method === 'HEAD' ? undefined : bytes);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
      return;
    }
    if (m && ext === 'pdf') {
      counts.pdf++;
      const bytes = pdfBytes(`Demo document ${index}`);
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': bytes.length });
      res.end(req.method === 'HEAD' ? undefined : bytes);
      return;
    }
    counts.missing++;
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/`,
    server,
    counts,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

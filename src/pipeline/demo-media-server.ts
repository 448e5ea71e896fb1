/**
 * A media server on 127.0.0.1 for the demo dataset (`demo-dataset.ts` links `<base>/<i>/main.<ext>`,
 * `<base>/<i>/thumb.jpg` and, as the landing page, `<base>/details/<i>`): images are generated with
 * sharp (a coloured gradient per record, 16 variants kept in memory), PDFs are a one-page document,
 * MP3s a second of silence (MPEG-1 Layer III frames), MP4s a two-frame Motion-JPEG video, landing
 * pages a small HTML page. Each is built here from its format's rules, so the demo's media all
 * resolve and are real files of their type; any other path answers 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export interface DemoMediaServer {
  /** Base URL for `DemoDatasetOptions.mediaBaseUrl`. */
  url: string;
  server: Server;
  /** Requests served so far, by path kind. */
  counts: { image: number; pdf: number; audio: number; video: number; page: number; missing: number };
  /**
   * Fault injection (the fault suite): from now on every answer waits `delayMs`, and with `status`
   * every request is answered with that status instead (e.g. 500). `{}` is the normal behaviour.
   */
  behave(b: DemoMediaBehaviour): void;
  /** Requests answered under `behave` (delayed or with the injected status) so far. */
  faulted: { delayed: number; status: number };
  close(): Promise<void>;
}

export interface DemoMediaBehaviour {
  delayMs?: number;
  status?: number;
}

const VARIANTS = 16;

/** One second of silence: MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, stereo, no CRC; 417 bytes each, zero side info). */
export function silentMp3(seconds = 1): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x00]);
  return Buffer.concat(Array.from({ length: Math.ceil((seconds * 44_100) / 1152) }, () => frame));
}

const u32 = (...values: number[]): Buffer => {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
};
const u16 = (...values: number[]): Buffer => {
  const b = Buffer.alloc(2 * values.length);
  values.forEach((v, i) => b.writeUInt16BE(v & 0xffff, 2 * i));
  return b;
};
/** An ISO base media box: size, type, body. */
const box = (type: string, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([u32(body.length + 8), Buffer.from(type, 'latin1'), body]);
};
const fullBox = (type: string, version: number, flags: number, ...parts: Buffer[]): Buffer =>
  box(type, u32((version << 24) | flags), ...parts);
const UNITY_MATRIX = u32(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000);

/**
 * An MP4 (ISO/IEC 14496-12) with one Motion-JPEG video track: `frames` copies of `jpeg`, one per
 * second. The smallest layout players and ffprobe read: ftyp, moov (mvhd, trak: tkhd, mdia: mdhd,
 * hdlr, minf: vmhd, dinf, stbl with a `jpeg` sample entry), mdat.
 */
export function motionJpegMp4(jpeg: Buffer, width: number, height: number, frames = 2): Buffer {
  const timescale = 1000;
  const duration = frames * timescale;
  const ftyp = box('ftyp', Buffer.from('isom'), u32(0x200), Buffer.from('isomiso2mp41'));
  // VisualSampleEntry: reserved, data reference 1, pre-defined, size, 72 dpi, one frame per sample, depth 24.
  const sampleEntry = box('jpeg', Buffer.alloc(6), u16(1, 0, 0), u32(0, 0, 0), u16(width, height), u32(0x480000, 0x480000, 0), u16(1), Buffer.alloc(32), u16(0x18, 0xffff));
  const moov = (chunkOffset: number): Buffer => {
    const stbl = box(
      'stbl',
      fullBox('stsd', 0, 0, u32(1), sampleEntry),
      fullBox('stts', 0, 0, u32(1, frames, timescale)),
      fullBox('stsc', 0, 0, u32(1, 1, frames, 1)),
      fullBox('stsz', 0, 0, u32(0, frames), ...Array.from({ length: frames }, () => u32(jpeg.length))),
      fullBox('stco', 0, 0, u32(1, chunkOffset)),
    );
    const minf = box('minf', fullBox('vmhd', 0, 1, u16(0, 0, 0, 0)), box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1))), stbl);
    const mdia = box(
      'mdia',
      fullBox('mdhd', 0, 0, u32(0, 0, timescale, duration), u16(0x55c4, 0)),
      fullBox('hdlr', 0, 0, u32(0), Buffer.from('vide'), u32(0, 0, 0), Buffer.from('Demo\0')),
      minf,
    );
    const tkhd = fullBox('tkhd', 0, 3, u32(0, 0, 1, 0, duration, 0, 0), u16(0, 0, 0, 0), UNITY_MATRIX, u32(width << 16, height << 16));
    const mvhd = fullBox('mvhd', 0, 0, u32(0, 0, timescale, duration, 0x10000), u16(0x100, 0), u32(0, 0), UNITY_MATRIX, u32(0, 0, 0, 0, 0, 0, 2));
    return box('moov', mvhd, box('trak', tkhd, mdia));
  };
  // The chunk offset points past ftyp, moov and mdat's header; moov's size does not depend on it.
  const offset = ftyp.length + moov(0).length + 8;
  return Buffer.concat([ftyp, moov(offset), box('mdat', ...Array.from({ length: frames }, () => jpeg))]);
}

function landingPage(index: number): Buffer {
  return Buffer.from(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo object ${index}</title></head><body><h1>Demo object ${index}</h1><p>The landing page of a record of the Metis Streams demo dataset.</p></body></html>\n`,
  );
}

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
  const counts = { image: 0, pdf: 0, audio: 0, video: 0, page: 0, missing: 0 };
  const audio = silentMp3();
  const video = sharp({ create: { width: 640, height: 480, channels: 3, background: '#3d5a80' } })
    .jpeg({ quality: 80 })
    .toBuffer()
    .then((frame) => motionJpegMp4(frame, 640, 480));
  const send = (req: IncomingMessage, res: ServerResponse, type: string, bytes: Buffer) => {
    res.writeHead(200, { 'content-type': type, 'content-length': bytes.length });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  };
  let behaviour: DemoMediaBehaviour = {};
  const faulted = { delayed: 0, status: 0 };
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const page = /^\/details\/(\d+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (page) {
      counts.page++;
      send(req, res, 'text/html; charset=utf-8', landingPage(Number(page[1])));
      return;
    }
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
    if (m && ext === 'mp3') {
      counts.audio++;
      send(req, res, 'audio/mpeg', audio);
      return;
    }
    if (m && ext === 'mp4') {
      counts.video++;
      video.then(
        (bytes) => send(req, res, 'video/mp4', bytes),
        () => {
          res.writeHead(500);
          res.end();
        },
      );
      return;
    }
    counts.missing++;
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  };
  const server = createServer((req, res) => {
    const { delayMs = 0, status } = behaviour;
    const answer = () => {
      if (status === undefined) return serve(req, res);
      faulted.status++;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(`injected ${status}`);
    };
    if (delayMs <= 0) return answer();
    faulted.delayed++;
    setTimeout(answer, delayMs);
  });
  // Idle connections stay open for a minute: a server closing one just as the fetcher reuses it
  // (Node's 5 s default, against the client's 4 s, with timers late on a loaded machine) resets a
  // request now and then, which the media step reports as a NETWORK warning.
  server.keepAliveTimeout = 60_000;
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
    faulted,
    behave: (b) => {
      behaviour = { ...b };
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

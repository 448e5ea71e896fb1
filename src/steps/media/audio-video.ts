/**
 * Audio and video metadata (Metis `AudioVideoProcessor`): ffprobe's JSON for files and streams,
 * and DASH manifests (MPD) parsed directly.
 */
import { z } from 'zod';
import { childElements, getAttr, parseXml, type XmlElement } from '../../edm/xml.ts';
import { spawnTool, type ToolRunner } from './spawn-tool.ts';
import { errors } from '../../errors/index.ts';

export interface AudioVideoFacts {
  kind: 'audio' | 'video';
  /** Milliseconds, rounded. */
  duration?: number;
  bitRate?: number;
  codecName?: string;
  fileByteSize?: number;
  width?: number;
  height?: number;
  frameRate?: number;
  channels?: number;
  sampleRate?: number;
  sampleSize?: number;
}

const num = z
  .union([z.number(), z.string()])
  .transform((v) => Number(v))
  .optional();

const ffprobeSchema = z.object({
  streams: z
    .array(
      z
        .object({
          codec_type: z.string().optional(),
          codec_name: z.string().optional(),
          width: num,
          height: num,
          avg_frame_rate: z.string().optional(),
          bit_rate: num,
          duration: num,
          channels: num,
          sample_rate: num,
          bits_per_sample: num,
        })
        .passthrough(),
    )
    .default([]),
  format: z.object({ duration: num, bit_rate: num, size: num }).passthrough().default({}),
});

// Single-file container demuxers only: playlist formats (HLS, DASH, concat, …) would make ffprobe
// open further URLs itself, around the host policy.
const DEMUXERS =
  'mov,mp4,mp3,ogg,matroska,webm,wav,flac,aac,avi,asf,mpegts,mpeg,flv,aiff,amr,au,caf,w64,wv,ape,mxf,dv,rm,m4v,mpegvideo,h264,hevc,ac3,eac3,dts,truehd';

/**
 * Runs `ffprobe -show_format -show_streams` on an http URL (the loopback relay). Only plain
 * http/tcp and single-file container formats are allowed.
 */
export async function probeAudioVideo(
  input: string,
  timeoutMs = 60_000,
  signal?: AbortSignal,
  /** Where ffprobe is started (`spawn-tool.ts`, e.g. the media threads); default: this thread. */
  runner?: ToolRunner,
): Promise<AudioVideoFacts> {
  const out = await spawnTool(
    'ffprobe',
    [
      '-v',
      'quiet',
      '-protocol_whitelist',
      'http,tcp',
      '-format_whitelist',
      DEMUXERS,
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      '-hide_banner',
      input,
    ],
    { timeoutMs, signal, runner },
  );
  return factsFromFfprobe(JSON.parse(out.toString('utf8')));
}

/** Maps ffprobe JSON: the first video stream wins, else the first audio stream; values fall back to the format's. */
export function factsFromFfprobe(json: unknown): AudioVideoFacts {
  const { streams, format } = ffprobeSchema.parse(json);
  const video = streams.find((s) => s.codec_type === 'video');
  const stream = video ?? streams.find((s) => s.codec_type === 'audio');
  if (!stream) throw errors.MEDIA_UNSUPPORTED({ detail: 'No media streams' });
  const pick = (a: number | undefined, b: number | undefined) =>
    a !== undefined && Number.isFinite(a) ? a : b !== undefined && Number.isFinite(b) ? b : undefined;
  const seconds = pick(stream.duration, format.duration);
  const common = {
    duration: seconds === undefined ? undefined : Math.round(seconds * 1000),
    bitRate: pick(stream.bit_rate, format.bit_rate),
    codecName: stream.codec_name,
    fileByteSize: pick(format.size, undefined),
  };
  if (video) {
    return {
      kind: 'video',
      ...common,
      width: stream.width,
      height: stream.height,
      frameRate: ratio(stream.avg_frame_rate),
    };
  }
  return {
    kind: 'audio',
    ...common,
    channels: stream.channels,
    sampleRate: stream.sample_rate,
    sampleSize: stream.bits_per_sample,
  };
}

/** `25/1` → 25, `30000/1001` → 29.97…; undefined for `0/0` or garbage. */
function ratio(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const [n, d] = value.split('/').map(Number);
  const r = d === undefined ? n : n / d;
  return Number.isFinite(r) && r > 0 ? r : undefined;
}

/**
 * DASH manifest: the first Period, its first video AdaptationSet, the Representation with the
 * largest width × height (attributes may sit on the AdaptationSet). Duration from
 * `mediaPresentationDuration`.
 */
export function factsFromDashManifest(bytes: Buffer): AudioVideoFacts {
  const { root } = parseXml(bytes);
  if (root.local !== 'MPD') throw errors.MEDIA_UNSUPPORTED({ detail: 'Not a DASH manifest' });
  const period = childElements(root).find((c) => c.local === 'Period');
  if (!period) throw errors.MEDIA_UNSUPPORTED({ detail: 'DASH manifest has no Period' });
  const attr = (el: XmlElement, name: string) => getAttr(el, '', name);
  const sets = childElements(period).filter((c) => c.local === 'AdaptationSet');
  const videoSet = sets.find((s) => (attr(s, 'mimeType') ?? attr(s, 'contentType') ?? '').startsWith('video'));
  if (!videoSet) throw errors.MEDIA_UNSUPPORTED({ detail: 'DASH manifest has no video AdaptationSet' });
  const reps = childElements(videoSet).filter((c) => c.local === 'Representation');
  const inherited = (rep: XmlElement | undefined, name: string) => (rep && attr(rep, name)) ?? attr(videoSet, name);
  const area = (rep: XmlElement) => Number(inherited(rep, 'width') ?? 0) * Number(inherited(rep, 'height') ?? 0);
  const best = reps.reduce<XmlElement | undefined>((a, r) => (!a || area(r) > area(a) ? r : a), undefined);
  const n = (v: string | undefined) => (v !== undefined && Number.isFinite(Number(v)) ? Number(v) : undefined);
  const duration = isoDurationSeconds(attr(root, 'mediaPresentationDuration'));
  return {
    kind: 'video',
    duration: duration === undefined ? undefined : Math.round(duration * 1000),
    bitRate: n(inherited(best, 'bandwidth')),
    codecName: inherited(best, 'codecs'),
    width: n(inherited(best, 'width')),
    height: n(inherited(best, 'height')),
    frameRate: ratio(inherited(best, 'frameRate')),
  };
}

/** `PT1M41.2S` → 101.2 (days, hours, minutes, seconds). */
export function isoDurationSeconds(value: string | undefined): number | undefined {
  const m =
    value &&
    /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value.trim());
  if (!m) return undefined;
  const [, d, h, min, s] = m.map((x) => (x === undefined ? 0 : Number(x)));
  return d * 86400 + h * 3600 + min * 60 + s;
}

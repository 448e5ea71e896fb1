/**
 * Embeddable media (`EmbeddableMedia`): an `edm:isShownBy` URL on one of the known player/viewer
 * sites. Each pattern is anchored at the start and implicitly ends in `.*`; `*` is a wildcard.
 */

const URL_PATTERNS = [
  'http://sounds.bl.uk/embed/',
  'http://eusounds.ait.co.at/player/',
  'http://www.dismarc.org/player/',
  'http://api.picturepipe.net/api/html/widgets/public/playout_cloudfront?token=',
  'https://api.picturepipe.net/api/html/widgets/public/playout_cloudfront?token=',
  'http://archives.crem-cnrs.fr/archives/items/',
  'http://www.ccma.cat/tv3/alacarta/programa/titol/video/',
  'http://www.ina.fr/*/video/',
  'http://www.ina.fr/video/',
  'http://www.theeuropeanlibrary.org/tel4/newspapers/issue/fullscreen/',
  'http://www.euscreen.eu/item.html',
  'https://www.euscreen.eu/item.html*',
  'https://sketchfab.com/3d-models',
  'https://sketchfab.com/models/',
  'https://skfb.ly/',
  'http://soundcloud.com/',
  'https://soundcloud.com/',
  'http://player.vimeo.com/video/',
  'https://player.vimeo.com/video/',
  'http://vimeo.com/',
  'https://vimeo.com/',
  'https://*.youtube.com/v/',
  'https://*.youtube.com/watch',
  'https://youtu.be/',
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The URL list as anchored regular expressions (dot-all, like Java's `Pattern.matches` over `.*`). */
export const EMBEDDABLE_MEDIA_PATTERNS: readonly RegExp[] = URL_PATTERNS.map(
  (p) => new RegExp(`^${p.split('*').map(escape).join('.*')}`, 's'),
);

/** Whether a URL is on the embeddable-media list. */
export function isEmbeddableMediaUrl(url: string): boolean {
  return EMBEDDABLE_MEDIA_PATTERNS.some((re) => re.test(url));
}

/** oEmbed pseudo MIME types written by media processing also make a record "embeddable". */
export function isOembedMimeType(mime: string | null): boolean {
  return !!mime && (mime.startsWith('application/xml+oembed') || mime.startsWith('application/json+oembed'));
}

/**
 * The media mixes of the pipeline benchmarks (`bench pipeline --media=…`, `bench media-parts`):
 *   - `without`: the plan has no media step;
 *   - `with`: the demo dataset as it is — an edm:object JPEG and an isShownBy that is a JPEG, a PDF,
 *     an MP3 or an MP4 (¼ each);
 *   - `images`: every record's edm:object and isShownBy are JPEGs from the demo media server
 *     (`<i>/thumb.jpg` and `<i>/main.jpg`, two downloads and two image analyses per record) and its
 *     edm:type is IMAGE — issue #13 target 6, "images from the local media server".
 */
import { demoRepositoryRecord, type RepositoryRecord } from '../src/steps/harvest/oai/demo-server.ts';
import type { DemoDatasetOptions } from '../src/steps/harvest/oai/demo-dataset.ts';

export type MediaMix = 'without' | 'with' | 'images';

export const MEDIA_MIXES: readonly MediaMix[] = ['without', 'with', 'images'];

/** A demo record's XML with every medium an image: isShownBy (and its WebResource) `main.jpg`, edm:type IMAGE. */
export function imagesOnly(xml: string): string {
  return xml.replace(/(\/\d+\/main)\.(?:pdf|mp3|mp4)"/g, '$1.jpg"').replace(/<edm:type>(?:TEXT|SOUND|VIDEO)<\/edm:type>/, '<edm:type>IMAGE</edm:type>');
}

/** The OAI repository's records for a mix (undefined: the demo dataset as it is). */
export function recordsOf(mix: MediaMix, dataset: DemoDatasetOptions): ((index: number) => RepositoryRecord) | undefined {
  if (mix !== 'images') return undefined;
  return (index) => {
    const demo = demoRepositoryRecord(index, dataset);
    return {
      identifier: demo.identifier,
      datestamp: demo.datestamp,
      setSpecs: demo.setSpecs,
      deleted: demo.deleted,
      // Built on demand, as the demo's: listing pages need only the header fields.
      get metadata() {
        return imagesOnly(demo.metadata);
      },
    };
  };
}

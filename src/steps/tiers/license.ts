/**
 * Rights statement → licence category (corelib `RightReusabilityCategorizer`, used by
 * `LicenseType`) and the content-tier cap each category imposes.
 *
 * Prefix match on the rights URI. corelib's exact handling of http/https and `www.` is not in the
 * public snapshot, so both schemes and an optional `www.` are accepted.
 */

export type LicenseType = 'OPEN' | 'RESTRICTED' | 'CLOSED';

const OPEN_PATHS = [
  'creativecommons.org/publicdomain/mark/',
  'creativecommons.org/publicdomain/zero/1.0/',
  'creativecommons.org/licenses/by/',
  'creativecommons.org/licenses/by-sa/',
];

const RESTRICTED_PATHS = [
  'creativecommons.org/licenses/by-nc/',
  'creativecommons.org/licenses/by-nc-sa/',
  'creativecommons.org/licenses/by-nc-nd/',
  'creativecommons.org/licenses/by-nd/',
  'europeana.eu/rights/out-of-copyright-non-commercial/',
  'rightsstatements.org/vocab/InC-EDU/',
  'rightsstatements.org/vocab/NoC-NC/',
  'rightsstatements.org/vocab/NoC-OKLR/',
];

function pathOf(uri: string): string {
  return uri
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/^www\./i, '');
}

/** Categorizes a rights URI; any non-blank URI that is neither open nor restricted is CLOSED. */
export function licenseTypeOf(rightsUri: string): LicenseType {
  const path = pathOf(rightsUri);
  if (OPEN_PATHS.some((p) => path.startsWith(p))) return 'OPEN';
  if (RESTRICTED_PATHS.some((p) => path.startsWith(p))) return 'RESTRICTED';
  return 'CLOSED';
}

/** The highest content tier a licence allows (`LicenseType.getMediaTier`). */
export function licenseCap(license: LicenseType): 2 | 3 | 4 {
  return license === 'OPEN' ? 4 : license === 'RESTRICTED' ? 3 : 2;
}

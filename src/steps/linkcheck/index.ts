/** Link checking (metis-steps.md §10): public entry points. */
export { createLinkChecker, checkWithSafeFetcher, linksToCheck, type LinkChecker, type LinkCheckInput, type LinkCheckOptions, type LinkCheckData, type LinkResult } from './link-checker.ts';

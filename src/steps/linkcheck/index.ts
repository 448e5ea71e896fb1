/** Link checking (metis-steps.md §10): public entry points. */
export { createLinkChecker, linksToCheck, type LinkChecker, type LinkCheckInput, type LinkCheckOptions, type LinkCheckData, type LinkResult } from './link-checker.ts';

/** Section numbers of a doc (headings, and numbered items under a top section). */
export function docSections(text: string): Set<string>;
/** `file:line cites doc §N` for every cited section docs/ does not have. */
export function danglingCitations(root: string): string[];

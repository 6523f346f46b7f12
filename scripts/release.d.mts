export declare function versionMismatches(root: string, expected?: string): string[];
export declare function setVersion(root: string, version: string): void;
export declare function changelogEntry(changelog: string, version: string): string | undefined;

export declare const BUNDLES: Array<{ dir: string; script: string; command: string }>;
export declare function staleBundles(committed?: string): Promise<string[]>;

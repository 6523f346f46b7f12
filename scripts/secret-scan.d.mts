export declare const TEST_SECRET_MARKER: string;
export declare const TEST_OUTPUT_ROOT_ENV: string;
export interface SecretHit { line: number; text: string }
export declare function findTestSecrets(text: string): SecretHit[];
export declare function scanFolder(dir: string): { files: number; hits: Array<SecretHit & { file: string }> };

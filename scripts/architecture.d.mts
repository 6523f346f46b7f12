export interface SourceFile { pkg: string; path: string; text: string }
export declare function sourceFiles(root: string): SourceFile[];
export declare function importCycles(root: string, files?: SourceFile[]): string[];
export declare function impureCoreLines(root: string, files?: SourceFile[]): string[];
export declare function frontEndImports(root: string, files?: SourceFile[]): string[];

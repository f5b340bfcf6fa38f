// Types for scripts/readme-examples.mjs (used by test/readme.test.ts and test/platform/readme-browser.test.ts).
export declare const REPO: string;
export declare const README: string;
export declare const CLI: string;

export interface Step {
  command: string;
  expected: string[];
}
export interface Check {
  line: number;
  fileLine: number;
  code: string;
  gap: string;
  approximate: boolean;
  value: string;
  remark: string;
}
export interface Script {
  block: { info: string; start: number; end: number };
  code: string[];
  commonjs: boolean;
  checks: Check[];
}

export declare function normalizeLine(line: string): string;
export declare function fencedBlocks(lines: string[]): { info: string; start: number; end: number }[];
export declare function sessionOf(lines: string[], required?: boolean): { block: { info: string; start: number; end: number } | null; steps: Step[] };
export declare function scriptsOf(lines: string[]): Script[];
export declare function pageScriptsOf(lines: string[]): Script[];
export declare function matches(expected: string[], actual: string[]): boolean;
export declare function elide(actual: string[]): string[];
export declare function updatedOutput(expected: string[], actual: string[]): string[];
export declare function agrees(check: Pick<Check, 'approximate' | 'value'>, text: string): boolean;
export declare function updatedValue(check: Pick<Check, 'approximate' | 'value' | 'line'>, text: string): string;
export declare function checkReadme(text: string, options?: { requireSession?: boolean }): { problems: string[]; updated: string };
export declare const DOCS: string;
export declare function docPages(): string[];

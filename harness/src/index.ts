/** @xaa/harness — reliability and security harnesses against a running playground. */
export * from './harnesses.ts';
export * from './report.ts';
export { type Stack, type StackOptions, startStack } from './stack.ts';

export * from './flow-event.ts';
export * from './token-view.ts';
export * from './traceparent.ts';

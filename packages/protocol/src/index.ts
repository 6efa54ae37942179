export * from './constants.ts';
export * from './errors.ts';
export * from './events/index.ts';
export * from './id-jag/index.ts';
export * from './jwt.ts';
export * from './metadata/authorization-server.ts';
export * from './metadata/protected-resource.ts';
export * from './scope.ts';

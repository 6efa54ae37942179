/** The parts `xaa start --only` can start (one container per app in docker-compose). */
export const PLAYGROUND_PARTS = ['idp', 'servers', 'client', 'console'] as const;
export type PlaygroundPart = (typeof PLAYGROUND_PARTS)[number];

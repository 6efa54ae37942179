export { type CpuSnapshot, cpuSeconds, cpuSnapshot, type NamedThread, type ThreadCpu, threadCpuBetween } from './cpu.ts';
export { freeBasePort, PORT_OFFSETS, portFree, portTaken } from './ports.ts';
export {
  type Closable,
  type JsonAnswer,
  type PartStarter,
  readJson,
  type Stack,
  type StackBase,
  type StackContext,
  type StackOptions,
  startStack,
} from './stack.ts';

/**
 * Public API of the mm concurrency simulator.
 */
export { simulate, simulateAll, clearSimulationCache, simulationCacheStats, DEFAULT_MAX_STATES, DEFAULT_MAX_MS } from './simulate.ts';
export type { SimResult, SimOptions } from './simulate.ts';
export { parseScenario } from './scenario.ts';
export type { Scenario, ThreadSpec, Instr, OpInstr, CtlInstr, Ref, Cond, CondTest, PteInit, PageInit } from './scenario.ts';
export { GROUND_TRUTH } from './ground-truth/index.ts';
export type { GroundTruth } from './ground-truth/index.ts';
export { buildAdversary } from './adversaries/index.ts';
export type { AdversaryBind } from './adversaries/index.ts';
export { renderTable } from './render-table.ts';
export { renderMermaid } from './render-mermaid.ts';
export { toPromela } from './promela.ts';
export { archModel } from './arch.ts';
export type { ArchModel } from './arch.ts';

export { SeededRandom } from './random.js';
export {
  buildServiceDay,
  busTerminalId,
  gateTerminalId,
  shopTerminalId,
  terminalsOf,
  type CityModel,
  type ScenarioOptions,
  type SimEvent,
  type SimEventKind,
} from './scenario.js';
export {
  cityModelFromFareSet,
  terminalSpecs,
  type CityModelOptions,
  type TerminalKind,
  type TerminalSpec,
} from './city.js';
export {
  issueSimulatedCards,
  simulatedCardNumber,
  simulatorMasterKeys,
  type CardProfile,
  type IssueCardsOptions,
  type SimulatedCard,
} from './sim-cards.js';
export {
  seededMacKey,
  type EnrolmentTokens,
  type SimGatewayOption,
  type TerminalKeyMode,
} from './sim-gateway.js';
export type {
  ClonedCardSummary,
  LostCardSummary,
  ReceiptCounts,
  SimulationSummary,
  TerminalSummary,
} from './sim-summary.js';
export { simulateDay, type SimulationResult } from './simulate-day.js';
export type { ClockTime, SimProgress, SimulateDayOptions } from './simulate.types.js';

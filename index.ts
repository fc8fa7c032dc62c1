// protocheck's package root: what a model file imports to declare a protocol, and the
// programmatic API (check, simulate, replay, conform, and assert-style variants that throw a
// readable report). The driver contract is the 'protocheck/driver' subpath.

export { defineModel, protocol, range, wellTyped } from './checker/model.js'
export type { Actions, Emit, EmitInitial, Model, ParamSpec, ParamSpecs, Params, Picks, Predicate, Protocol } from './checker/model.js'
export { bagOf, bool, enumOf, int, mapOf, NIL, nodeId, nodeIdOrNil, record, seqOf, setOf, union } from './checker/schema.js'
export type {
  BagDraft, BagType, BagView, BoolType, Draft, EnumType, Fields, IntType, KeyType, MapDraft, MapType, MapView, NodeIdType,
  RecordType, SeqDraft, SeqType, SeqView, SetDraft, SetType, SetView, Type, UnionType, Value, Variants, View,
} from './checker/schema.js'

export { check, assertSafe, CheckFailure, type CheckOptions, type CheckOutcome } from './api/check.js'
export { simulate, type SimulateOptions, type SimulateOutcome } from './api/simulate.js'
export { replay, conform, assertConforms, type ReplaySource, type ConformSettings, type ConformOutcome } from './api/replay.js'
export { loadModel, loadDriver, type DriverSource } from './api/load.js'
export { DriverError } from './conformance/driver.js'
export type { ProcessDriverOptions } from './conformance/process-driver.js'
export { validate, type ValidateSettings, type ValidateReport, type ValidateOutcome } from './api/validate.js'
export type { CheckReport } from './checker/report.js'
export type { Instance } from './checker/instance.js'
export type { Strategy } from './checker/check.js'
export type { Progress, SearchOptions, Verdict } from './checker/search.js'
export type { SimulationProgress, SimulationResult } from './checker/simulate.js'
export type { ConformResult } from './conformance/conform.js'
export type { Divergence } from './conformance/divergence.js'
export type { ReplayResult } from './conformance/replay.js'
export type { EventLog, EventLogHeader, LoggedEvent } from './conformance/event-log.js'
export type { Unexplained } from './conformance/validate.js'
export type { ItfTrace } from './traces/itf.js'
export type { DriverLocation } from './checker/model.js'
export { InputError, ModelError } from './checker/errors.js'
export { checkLinearizable } from './linearizability/check.js'
export type { LinearizabilityFailure, LinearizabilityOptions, LinearizabilityReport } from './linearizability/check.js'
export { parseHistory, readHistoryFile } from './linearizability/history.js'
export type { History, HistoryEvent, Key, Operation, OperationName, Scalar, Status } from './linearizability/history.js'
export type { ModelName } from './linearizability/models.js'

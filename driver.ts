// The 'protocheck/driver' subpath: what a driver module needs to replay traces and run
// conformance against an implementation (see docs/guide.md, "Replaying on your code").

export { NotEnabledError, type Driver, type DriverFactory } from './conformance/driver.js'
export { refuse, isRefused, type Transition, type Taken, type Refused, type Send } from './conformance/transition.js'
export { SentMessages } from './conformance/sent-messages.js'
export { canonicalJson } from './checker/canonical-json.js'
/** What a driver's observe() gives for a node id that is Nil (nodeIdOrNil). */
export { NIL } from './checker/schema.js'

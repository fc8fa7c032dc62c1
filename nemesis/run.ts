// One nemesis run of any system: a fresh cluster, concurrent clients recording a history while
// the fault schedule plays, every fault undone, then the verdicts: is the history
// linearizable (the system's model), and what does the system's final check find (writes
// acknowledged and lost, a stale token accepted)?

import { checkLinearizable, type LinearizabilityReport } from '../linearizability/check.js'
import type { HistoryEvent } from '../linearizability/history.js'
import { HistoryRecorder, sleep } from './client.js'
import { describeFault, probeSchedule, random, randomSchedule, type ScheduledFault } from './schedule.js'
import type { NemesisCluster, NemesisSystem } from './system.js'

export interface RunOptions {
  readonly seed: number
  readonly run: number
  /** 'random', or one of the system's probes. */
  readonly schedule: string
  /** Ms of client load. */
  readonly durationMs: number
  readonly bug?: string
  readonly noReadIndex?: boolean
}

export interface RunResult {
  readonly run: number
  readonly faults: string[]
  readonly history: HistoryEvent[]
  readonly operations: number
  readonly linearizable: LinearizabilityReport['result']
  readonly report: LinearizabilityReport
  /** What the final check found, one line each (empty: nothing). */
  readonly problems: string[]
  /** What the final check saw that is no failure, one line each. */
  readonly notes: string[]
  /** Why the run could not be carried out (a node that would not start or restart on a
   * loaded machine): the run proves nothing either way. */
  readonly incomplete: string | null
  /** Linearizable, nothing found, and carried out. */
  readonly ok: boolean
  /** A history that cannot be ordered, or a problem found, is a violation whether or not
   * the run was carried out to its end. */
  readonly violation: boolean
  readonly seconds: number
}

export async function nemesisRun(system: NemesisSystem, options: RunOptions): Promise<RunResult> {
  const began = Date.now()
  // Separate streams, so that the schedule does not depend on how many operations ran.
  const faultRandom = random(options.seed, options.run)
  const clientRandom = random(options.seed, options.run + 0.5)
  const schedule = options.schedule === 'random' ? randomSchedule(system.faults, options.durationMs, faultRandom) : probeSchedule(options.schedule)
  const history = new HistoryRecorder()
  const faults: string[] = []
  const problems: string[] = []
  const notes: string[] = []
  let incomplete: string | null = null
  let cluster: NemesisCluster | undefined
  try {
    cluster = await system.start({ bug: options.bug, noReadIndex: options.noReadIndex })
    if (!(await cluster.ready())) incomplete = 'the cluster did not start serving within its time'
    else {
      const start = Date.now()
      const clients = cluster.runClients(history, start + options.durationMs, clientRandom)
      const nemesis = (async () => {
        for (const step of schedule) {
          await sleep(Math.max(0, start + step.at - Date.now()))
          faults.push(await play(cluster!, step, history, faultRandom))
        }
      })()
      // The clients finish even if a fault could not be played; then that is reported.
      const failed = (await Promise.allSettled([clients, nemesis])).find((s): s is PromiseRejectedResult => s.status === 'rejected')
      if (failed) throw failed.reason
      problems.push(...(await cluster.finalCheck()))
      notes.push(...(cluster.notes ?? []))
    }
  } catch (e) {
    incomplete = (e as Error).message
  } finally {
    await cluster?.stop()
  }
  const report = checkLinearizable(history.events, { model: system.model, timeLimitSeconds: 30 })
  return {
    run: options.run,
    faults,
    history: history.events,
    operations: report.operations,
    linearizable: report.result,
    report,
    problems,
    notes,
    incomplete,
    ok: report.result === 'linearizable' && problems.length === 0 && incomplete === null,
    violation: report.result === 'not-linearizable' || problems.length > 0,
    seconds: (Date.now() - began) / 1000,
  }
}

/** Inflict one fault, wait while it lasts, undo it; returns what was done. */
async function play(cluster: NemesisCluster, step: ScheduledFault, history: HistoryRecorder, next: () => number): Promise<string> {
  const fault = step.fault
  if (fault.kind === 'probe') return `${fault.name} probe: ${await cluster.probe!(fault.name, history)}`
  const node = await cluster.resolve(fault.target, next)
  await cluster.inflict(fault.kind, node, next)
  try {
    await sleep(step.lasts)
  } finally {
    await cluster.undo(fault.kind, node)
  }
  return `${describeFault(fault)} (${cluster.nodeNames[node]}) at ${step.at} ms for ${step.lasts} ms`
}

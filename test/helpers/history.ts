// Jepsen-style histories written compactly in tests: one string per event, in the order they
// happened, e.g. `0 invoke write x 1`, `0 ok write x 1`, `1 ok read x null`, `2 invoke cas x [1,2]`.

import type { HistoryEvent } from '../../linearizability/history.js'

export function events(...lines: string[]): HistoryEvent[] {
  return lines.map((line, index) => {
    const [process, type, f, key, ...rest] = line.trim().split(/\s+/)
    const value = rest.length === 0 ? null : JSON.parse(rest.join(' '))
    return { process: Number(process), type, f, key: key === '-' ? null : key, value, time: index * 10 } as HistoryEvent
  })
}

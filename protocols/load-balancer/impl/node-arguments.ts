// Command-line arguments of the load balancer's node processes. A bad one is one line on
// stderr and exit 2, before the node listens (the launcher reports it).

import { argument } from '../../../runtime/node-process.js'
import type { LoadBalancerBug } from './messages.js'

const BUGS = ['dispatch-to-marked-down', 'unclaimed-key', 'rr-cursor-one-step', 'conn-leak-on-timeout']

export function usage(message: string): never {
  process.stderr.write(`load-balancer node: ${message}\n`)
  process.exit(2)
}

export function numberArgument(name: string, fallback?: number): number {
  const raw = argument(name)
  if (raw === undefined && fallback !== undefined) return fallback
  const value = Number(raw)
  if (raw === undefined || !Number.isInteger(value) || value < 0) usage(`--${name} needs a non-negative integer, got '${raw}'`)
  return value
}

export function portsArgument(name: string): number[] {
  const raw = argument(name) ?? ''
  const ports = raw.split(',').filter((p) => p !== '').map(Number)
  if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) usage(`--${name} needs comma-separated port numbers, got '${raw}'`)
  return ports
}

export function bugArgument(): LoadBalancerBug {
  const raw = argument('bug')
  if (raw === undefined) return undefined
  if (!BUGS.includes(raw)) usage(`--bug must be one of ${BUGS.join(', ')}, got '${raw}'`)
  return raw as LoadBalancerBug
}

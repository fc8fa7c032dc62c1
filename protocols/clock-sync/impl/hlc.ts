// Hybrid logical clocks (Kulkarni, Demirbas, Madappa, Avva, Leone: "Logical Physical Clocks",
// OPODIS 2014, Figure 5): l is the highest physical time heard of, c counts events at that l.
// `pt` is the node's physical clock when the event happens.

export interface Hlc {
  readonly l: number
  readonly c: number
}

/** A send or local event. */
export function hlcOnSend(h: Hlc, pt: number): Hlc {
  const l = Math.max(h.l, pt)
  return { l, c: l === h.l ? h.c + 1 : 0 }
}

/** The receive of a message stamped `m`. With `ignoreMessage` (the bug hlc-no-max) the
 * message's timestamp is left out of the max, as if the receive were a local event. */
export function hlcOnReceive(h: Hlc, m: Hlc, pt: number, ignoreMessage = false): Hlc {
  if (ignoreMessage) return hlcOnSend(h, pt)
  const l = Math.max(h.l, m.l, pt)
  if (l === h.l && l === m.l) return { l, c: Math.max(h.c, m.c) + 1 }
  if (l === h.l) return { l, c: h.c + 1 }
  if (l === m.l) return { l, c: m.c + 1 }
  return { l, c: 0 }
}

/** HLC order: l first, then c. */
export const hlcBefore = (a: Hlc, b: Hlc) => a.l < b.l || (a.l === b.l && a.c < b.c)

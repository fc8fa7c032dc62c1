// Distinct-state counts every exhaustive strategy must reach on the shipped models: TLC's
// figures for TwoPhase.tla and TCommit.tla (docs/design.md). [model, rm, distinct states]
export const tlcDistinctCounts: readonly (readonly [string, number, number])[] = [
  ['two-phase-commit', 3, 288],
  ['two-phase-commit', 4, 1568],
  ['two-phase-commit', 5, 8832],
  ['transaction-commit', 3, 34],
  ['transaction-commit', 5, 274],
]

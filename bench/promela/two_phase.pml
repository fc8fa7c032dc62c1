/*
 * Promela model of TLA+ TwoPhase.tla (tlaplus/Examples,
 * specifications/transaction_commit/TwoPhase.tla) for benchmarking Spin
 * against protocheck / TLC on the same state space.
 *
 * One process; every TLA+ action instance (per rm) is one guarded d_step
 * alternative of a single do-loop, so every reachable Spin state has the
 * process at the loop head and Spin's "states, stored" equals TLC's
 * distinct-state count (no offset).
 *
 * State (bit-packed globals, bit i = RM i):
 *   rmState[i]  : working   = bit i clear in rmPrep, rmCommit, rmAbort
 *                 prepared  = bit i set in rmPrep
 *                 committed = bit i set in rmCommit
 *                 aborted   = bit i set in rmAbort
 *   tmState     : 0 = init, 1 = committed, 2 = aborted
 *   tmPrepared  : bitmask of RMs
 *   msgs        : msgPrepared (bitmask of [type |-> "Prepared", rm |-> i]),
 *                 msgCommit, msgAbort  ([type |-> "Commit"/"Abort"])
 *
 * RM count: spin -DRM=N (1..10).  Invariant TCConsistent is asserted after
 * every transition (i.e. in every successor state; initial state trivially OK).
 */
#ifndef RM
#define RM 3
#endif
#define ALL ((1 << RM) - 1)

unsigned rmPrep      : RM;
unsigned rmCommit    : RM;
unsigned rmAbort     : RM;
unsigned tmState     : 2;
unsigned tmPrepared  : RM;
unsigned msgPrepared : RM;
bit msgCommit;
bit msgAbort;

/* TCConsistent == \A r1, r2 \in RM : ~(rmState[r1] = "aborted" /\ rmState[r2] = "committed") */
#define TCConsistent  (rmCommit == 0 || rmAbort == 0)
#define CHECK         assert(TCConsistent)
#define WORKING(b)    (((rmPrep | rmCommit | rmAbort) & (b)) == 0)

#define RMACTS(i) \
  :: d_step { /* TMRcvPrepared(i) */ \
       tmState == 0 && (msgPrepared & (1 << i)) != 0 -> \
       tmPrepared = tmPrepared | (1 << i); CHECK } \
  :: d_step { /* RMPrepare(i) */ \
       WORKING(1 << i) -> \
       rmPrep = rmPrep | (1 << i); msgPrepared = msgPrepared | (1 << i); CHECK } \
  :: d_step { /* RMChooseToAbort(i) */ \
       WORKING(1 << i) -> \
       rmAbort = rmAbort | (1 << i); CHECK } \
  :: d_step { /* RMRcvCommitMsg(i) */ \
       msgCommit -> \
       rmPrep = rmPrep & ~(1 << i); rmAbort = rmAbort & ~(1 << i); \
       rmCommit = rmCommit | (1 << i); CHECK } \
  :: d_step { /* RMRcvAbortMsg(i) */ \
       msgAbort -> \
       rmPrep = rmPrep & ~(1 << i); rmCommit = rmCommit & ~(1 << i); \
       rmAbort = rmAbort | (1 << i); CHECK }

active proctype TwoPhase()
{
  do
  :: d_step { /* TMCommit */
       tmState == 0 && tmPrepared == ALL ->
       tmState = 1; msgCommit = 1; CHECK }
  :: d_step { /* TMAbort */
       tmState == 0 ->
       tmState = 2; msgAbort = 1; CHECK }
  RMACTS(0)
#if RM > 1
  RMACTS(1)
#endif
#if RM > 2
  RMACTS(2)
#endif
#if RM > 3
  RMACTS(3)
#endif
#if RM > 4
  RMACTS(4)
#endif
#if RM > 5
  RMACTS(5)
#endif
#if RM > 6
  RMACTS(6)
#endif
#if RM > 7
  RMACTS(7)
#endif
#if RM > 8
  RMACTS(8)
#endif
#if RM > 9
  RMACTS(9)
#endif
  od
}

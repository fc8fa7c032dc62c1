// A sharded key/value store: a shard controller publishes numbered configurations (which
// replica group serves each shard), replica groups learn them in order and hand shards off
// to each other. No public TLA+ spec fits closely: MongoDB's src/mongo/tla_plus/MoveRange
// models routers, timestamps and reads during a range migration, not writes, and no spec in
// tlaplus/Examples models configuration-numbered shard migration. The model follows the classic
// sharded key/value design of MIT 6.824's lab 4 (shardctrler + shardkv; also the design of
// Bigtable/Spanner-style directory moves), in its push form:
//
//   design                                        here
//   shard controller's list of configurations    configs[c][shard] = the group serving the shard
//     Config{Num, Shards}; config 0 assigns       in configuration c (Nil: unassigned); latest =
//     nothing                                       the newest configuration's number
//   Move(shard, gid) makes a new configuration    Reconfigure(shard, group)
//   a group polls Query(num+1) and installs       Learn(group): only the next configuration, and
//     configurations strictly in order, only      only once no shard it waits for is missing
//     when it has every shard of the current one
//   a shard lost in the new configuration: stop   Learn: status none, its data leaves in a push
//     serving it, send its data to the new          {shard, config, to, data}
//     owner, tagged with the configuration
//   a shard gained from another group: wait for   Learn: status waiting; Receive(group, shard,
//     its data for that configuration; a shard    config) installs the push whose config equals
//     new to the system is served at once           the group's: status serving
//   client Put(key) to the group serving the      Put(group, shard): accepted only while serving;
//     key's shard (ErrWrongGroup otherwise)         the write's id joins the shard's data and the
//                                                   client's acknowledged writes
//
// One key per shard and Append semantics (a shard's data is the set of write ids applied to it),
// so that a lost write is visible. The ghost `acked` is what clients were told: the writes
// acknowledged to them, per shard. Messages (pushes) are not lost or duplicated; a push waits
// in the network until its receiver has reached its configuration.
//
// Properties:
//   OneServerPerConfig      in each configuration at most one group serves a shard
//   AcknowledgedWritesKept  every serving copy of a shard, and every copy of it in flight,
//                           holds every write acknowledged for that shard (none lost across a
//                           migration)
// Bounds are TLC-style state constraints (`within`): at most maxConfig configurations, at most
// maxWrites writes.
//
// A TLA+ transcription of this model (same variables, with the group record split into
// groupConfig/status/data; same actions, invariants and CONSTRAINT; not shipped) checked by
// TLC 2.20 reaches the same counts: 2,233 distinct / 10,217 generated states (depth 14) at the
// defaults, and 36,703 / 268,261 (depth 17) for specs/sharded-kv.json (3 groups).

import { defineModel, protocol, range, wellTyped } from '../../checker/model.js'
import { enumOf, int, mapOf, NIL, nodeId, nodeIdOrNil, record, setOf } from '../../checker/schema.js'

export const shardedKvBugs = {
  'serve-before-data': 'a group serves a shard it gains as soon as it learns the configuration, before the previous owner\'s data has arrived',
  'keep-serving-after-handoff': 'a group that hands a shard off sends its data but keeps serving the shard, accepting writes the new owner never sees',
  'reconfigure-in-place': 'once a first configuration exists, the controller changes its newest configuration in place instead of publishing it under a new number, so groups that learned the old one and groups that learn the new one disagree under one number',
} as const

export default defineModel({
  name: 'sharded-kv',
  summary: 'Sharded key/value store: a controller\'s numbered configurations, replica groups migrating shards by pushing their data',
  params: {
    groups: { description: 'number of replica groups', default: 2, minimum: 1, maximum: 4 },
    shards: { description: 'number of shards (one key each)', default: 2, minimum: 1, maximum: 3 },
    maxConfig: { description: 'configurations published explored (state constraint)', default: 3, minimum: 1, maximum: 6 },
    maxWrites: { description: 'client writes explored (state constraint)', default: 2, minimum: 0, maximum: 4 },
  },
  bugs: shardedKvBugs,
  build({ groups, shards, maxConfig, maxWrites }, bug) {
    const Group = nodeId('group', groups)
    const Shard = nodeId('shard', shards)
    const gs = range(groups)
    const ss = range(shards)
    // One past each bound: a successor outside `within` must still be representable.
    const Config = int(0, maxConfig + 1)
    const WriteId = int(1, maxWrites + 1)
    const Data = setOf(WriteId)

    const state = record({
      configs: mapOf(Config, mapOf(Shard, nodeIdOrNil('group', groups))),
      latest: Config,
      group: mapOf(Group, record({
        config: Config,
        shards: mapOf(Shard, record({ status: enumOf('none', 'waiting', 'serving'), data: Data })),
      })),
      // At most one handoff of a shard per configuration.
      pushes: setOf(record({ shard: Shard, config: Config, to: Group, data: Data }), shards * (maxConfig + 1)),
      writes: int(0, maxWrites + 1),
      acked: mapOf(Shard, Data),
    })

    return protocol({
      state,
      actions: {
        Reconfigure: { shard: Shard, group: Group },
        Learn: { group: Group },
        Receive: { group: Group, shard: Shard, config: Config },
        Put: { group: Group, shard: Shard },
      },

      // Configuration 0 assigns nothing; every group has learned it and holds nothing.
      init(emit) {
        emit(() => {})
      },

      next(s, emit) {
        const latest = s.latest
        // The controller moves one shard to another group in a new configuration.
        for (const sh of ss) {
          const owner = s.configs.get(latest).get(sh)
          for (const g of gs) {
            if (g === owner) continue
            emit('Reconfigure', { shard: sh, group: g }, (d) => {
              const c = bug === 'reconfigure-in-place' && latest > 0 ? latest : latest + 1
              d.latest = c
              for (const x of ss) d.configs.get(c).set(x, x === sh ? g : s.configs.get(latest).get(x))
            })
          }
        }
        for (const g of gs) {
          const me = s.group.get(g)
          const c = me.config
          // Learn the next configuration, once every shard of this one has arrived.
          if (c < latest && me.shards.every((x) => x.status !== 'waiting')) {
            emit('Learn', { group: g }, (d) => {
              const mine = d.group.get(g)
              mine.config = c + 1
              for (const sh of ss) {
                const before = s.configs.get(c).get(sh)
                const after = s.configs.get(c + 1).get(sh)
                const shard = mine.shards.get(sh)
                if (before === g && after !== g) {
                  // Hand off: the data leaves with the configuration's number.
                  d.pushes.add({ shard: sh, config: c + 1, to: after, data: me.shards.get(sh).data.toArray() })
                  if (bug !== 'keep-serving-after-handoff') {
                    shard.status = 'none'
                    shard.data.clear()
                  }
                } else if (before !== g && after === g) {
                  // A shard new to the system starts empty; one from another group waits for its data.
                  shard.status = before === NIL || bug === 'serve-before-data' ? 'serving' : 'waiting'
                }
              }
            })
          }
          // A push is installed by the group it is for once that group is in its configuration.
          for (const p of s.pushes) {
            if (p.to !== g || p.config !== c || me.shards.get(p.shard).status !== 'waiting') continue
            emit('Receive', { group: g, shard: p.shard, config: p.config }, (d) => {
              d.pushes.delete(p)
              d.group.get(g).shards.set(p.shard, { status: 'serving', data: p.data })
            })
          }
          // A client's write, accepted by the group serving its shard.
          for (const sh of ss) {
            if (me.shards.get(sh).status !== 'serving') continue
            const w = s.writes + 1
            emit('Put', { group: g, shard: sh }, (d) => {
              d.writes = w
              d.group.get(g).shards.get(sh).data.add(w)
              d.acked.get(sh).add(w)
            })
          }
        }
      },

      always: {
        TypeOK: wellTyped,
        OneServerPerConfig: (s) => ss.every((sh) => gs.every((a) => gs.every((b) =>
          a >= b || s.group.get(a).config !== s.group.get(b).config
          || s.group.get(a).shards.get(sh).status !== 'serving' || s.group.get(b).shards.get(sh).status !== 'serving'))),
        AcknowledgedWritesKept: (s) => ss.every((sh) => {
          const acked = s.acked.get(sh)
          return gs.every((g) => {
            const copy = s.group.get(g).shards.get(sh)
            return copy.status !== 'serving' || acked.subsetOf(copy.data)
          }) && s.pushes.every((p) => p.shard !== sh || acked.every((w) => p.data.includes(w)))
        }),
      },
      sometimes: {
        // A group serves a shard it received from another group, with writes made before the move.
        MigratedDataServed: (s) => gs.some((g) => {
          const c = s.group.get(g).config
          return c > 0 && ss.some((sh) => {
            const before = s.configs.get(c - 1).get(sh)
            const copy = s.group.get(g).shards.get(sh)
            return before !== NIL && before !== g && copy.status === 'serving' && copy.data.size > 0
          })
        }),
        // The old owner still serves in its configuration while the new one waits in the next.
        OldOwnerServesWhileNewWaits: (s) => ss.some((sh) => gs.some((a) => gs.some((b) =>
          s.group.get(a).shards.get(sh).status === 'serving' && s.group.get(b).shards.get(sh).status === 'waiting'
          && s.group.get(a).config < s.group.get(b).config))),
        // A shard travelled away and back to a group.
        ShardReturned: (s) => ss.some((sh) => range(s.latest + 1).some((c) => c >= 2
          && s.configs.get(c).get(sh) !== NIL && s.configs.get(c).get(sh) === s.configs.get(c - 2).get(sh)
          && s.configs.get(c - 1).get(sh) !== s.configs.get(c).get(sh)
          && s.group.get(s.configs.get(c).get(sh)).config >= c && s.group.get(s.configs.get(c).get(sh)).shards.get(sh).status === 'serving')),
      },
      within: (s) => s.latest <= maxConfig && s.writes <= maxWrites,
      // Groups are interchangeable, and so are shards.
      symmetric: ['group', 'shard'],
    })
  },
})

// The thread pool's side in the kernels (the host's side: src/engine/wasm/pool.ts). Only the
// threaded build (asconfig.json "threads": shared, imported memory and atomics) compiles the code
// inside `if (ASC_FEATURE_THREADS)`; in the single-threaded build every split finds nothing to split
// and runs the serial kernel, so the two builds compute with the same code.
//
// Layers: this file sits above the serial kernels (blas, activations, optimizers, gather, scan,
// dropout: none of them imports it) and below the callers that decide to split (dense, network,
// fused, train, and the exports in index.ts). It holds the entries that may split: the products
// gemm_nt, gemm_nn and gemm_tn, split_activate, split_backprop_activation, split_apply_mask,
// split_optimizer, split_gather and first_non_finite. test/import-graph.test.ts keeps that order.
//
// Determinism: work is split into tiles of OUTPUT — column or row blocks of C for a product, row
// ranges for an activation, element ranges for the optimizer update — and each tile runs the serial
// kernel on its part. Every output element is therefore computed by one thread, as the same
// sequential sum in the same order as without threads (blas.ts's contract holds for any sub-block of
// C), and no value is ever reduced across threads. The one cross-tile combination is the optimizer's
// largest |Δθ|, a max, which is exact and independent of order. So results are the same bits for any
// number of threads, and equal to the single-threaded build's.
//
// Protocol, in the pool block (POOL_BYTES at the address the host gives pool_attach/pool_serve):
//  - the calling thread (the coordinator) writes the task's arguments, closes CLAIM, writes the kind
//    and the tile count, resets DONE, opens CLAIM = tag << 8 | 0 (tag: the generation's low 24 bits)
//    and then publishes GEN = generation, and wakes sleeping workers;
//  - every thread, the coordinator included, claims tiles by compare-and-swap on CLAIM (the tag in
//    its high bits, and the closing, make a stale claim fail) and adds 1 to DONE per finished tile;
//  - the coordinator returns once DONE reaches the tile count. It spins on the last tiles for about
//    as long as one of its own tiles took, then sleeps on DONE where its thread may block (not on a
//    browser's main thread, which may only spin), so that it does not take the core of the very
//    worker it waits for; the worker that finishes the last tile wakes it (awaitTiles). Workers spin
//    a while between tasks, then sleep on GEN. Sleeping is the host's Atomics.wait (pool_sleep).
// Tiles are claimed, not assigned, and there are more of them than threads (PRODUCT_TILES and
// ELEMENT_TILES per thread): whoever runs takes the next one, a worker that is late (descheduled by
// a busy machine, or not serving this model yet) takes none and holds up little, and the
// coordinator claims every tile no worker has started. Whoever computes a tile, its bits are the
// same. Where the pool does not pay (measured by a probe: usePool), the tasks run serially for a
// while, with the same bits.
//
// One pool serves every model of a process (src/engine/wasm/pool.ts): a worker holds an instance
// per model and serves one block at a time, the active model's, inside pool_serve, which it leaves
// when the host sets RELEASE (another model became active, or the worker has mail) or STOP (the
// model is gone). WORKERS counts the workers inside pool_serve on this block; the tiles of a task
// are cut for them (available), and it may change at any time without harm: a worker that leaves
// finishes its tile first, one that arrives claims what is left.
// Memory ordering. WebAssembly's atomics are sequentially consistent: all of them, on every thread,
// fall in one total order that each thread's program order respects, and an atomic load that reads
// an atomic store synchronizes with it (release/acquire), as does an RMW reading an earlier RMW in
// CLAIM's chain. Plain accesses are ordered only through those edges: a plain store BEFORE an atomic
// store is visible to a thread that atomically reads that store's value (or a later one in the
// chain) and then reads plainly; a plain store AFTER an atomic store may become visible before it
// (on a weakly ordered CPU such as ARM64). Field by field:
//  - the arguments (i32 and f64 slots) are written plainly before CLAIM opens, and a worker reads them
//    only after its compare-and-swap on CLAIM succeeded, i.e. read the open store or a later claim in
//    its chain: ordered. KIND likewise (written while CLAIM is closed, read after the claim).
//  - TILES is read BEFORE the claim, with a ticket that may be stale (a worker still in the last
//    task). With a plain store, a stale reader could see the new count before the closing of CLAIM,
//    find its old ticket's tile below it, win the compare-and-swap on the still-open old CLAIM, and
//    run a tile of a half-written task. So TILES is an atomic store after the closing, and an atomic
//    load: a load that sees the new count comes after the closing in the total order, so the
//    compare-and-swap that follows it sees the closing (or later) and fails.
//  - the WHOLE region (a pack task's output, a product's shared operand) is written by the pack
//    tiles before their add to DONE and read by the product's tiles after their claim: ordered through
//    the coordinator, which saw DONE reach the tile count and only then opened the product's claims.
//  - the arguments are overwritten only after DONE reached the last task's tile count, and every
//    tile's reads come before its atomic add to DONE: no tile still reads them. PARTIAL (the tiles'
//    results) is written plainly before that add and read by the coordinator after it saw DONE.
//  - SCRATCH and SCRATCH_STRIDE are written (plainly) by the host on the coordinator's thread before
//    the call, so before the open store; MIN_VOLUME, MIN_ELEMENTS, WORKERS_ONLY, CAN_BLOCK, the
//    tiles per thread and COORDINATOR_SPINS are read by the coordinator only; THREADS and
//    WORKER_SPINS are written before the block's model joins the pool (the worker reads them after
//    its instance was made, which the host's message orders). GEN, CLAIM, TILES, DONE, STOP,
//    RELEASE, WORKERS, SLEEPING, WAITING, WORKER_TILES and FAILED are only accessed atomically, by
//    the host too.
//  - WAITING: the coordinator stores 1, loads DONE, and sleeps while DONE equals what it loaded (the
//    comparison and the sleep are one step against notify); a worker adds to DONE, then loads
//    WAITING and notifies when it finished the last tile. Either the add comes before the
//    coordinator's load (it sees the count and does not sleep), or after it, and then after the
//    store of WAITING, which the worker therefore sees. The sleep also ends after 1 ms, as a guard.
//
// No deadlock. The coordinator never waits for a tile nobody holds: it claims every tile left
// itself (in the WORKERS_ONLY test mode: as soon as no worker is on the block), so it waits only for
// tiles that running workers hold,
// and a tile never waits for anything (a tile never starts a task: see inTile; a nested split runs
// serially). A worker that fails sets FAILED (its JavaScript catches the exception) and wakes DONE's
// sleeper, and the waiting coordinator traps instead of waiting. A worker never misses a task by sleeping through it:
//  - the coordinator stores GEN, then loads SLEEPING, and notifies if it is above 0; a worker adds 1
//    to SLEEPING, then waits on GEN while GEN == seen (Atomics.wait compares and sleeps as one step
//    against notify). In the total order either the worker's add comes before the coordinator's
//    load (the coordinator notifies after its GEN store: the worker's wait either reads the new GEN
//    and returns at once, or already sleeps and is woken), or after it (then the GEN store came
//    before the worker's wait, which reads the new GEN and returns at once).
//  - release and stop (src/engine/wasm/pool.ts release()): the host stores RELEASE or STOP, adds 1
//    to GEN, and notifies every waiter unconditionally. A worker adds to SLEEPING, checks RELEASE and
//    STOP, and only then waits on GEN: by the same argument a sleeper wakes or never sleeps, and
//    seeing GEN moved it sees the flag (stored before) and leaves (the moved GEN opens no task: CLAIM
//    still holds the last task's tag). A spinning worker checks them on every spin. The host releases
//    or stops only between calls, on the coordinator's thread, so no task is running then.
//  - GEN is a whole i32 and a worker compares it for equality only, so its wrap (2^32 tasks) is
//    harmless. CLAIM holds GEN's low 24 bits: tasks 2^24 apart share a tag. A worker compares a ticket
//    against its task's tag and either claims with it at once or reloads it; a ticket taken in one
//    task can meet a task with the same tag only if the worker stalls between loading CLAIM and its
//    compare-and-swap (a few instructions) while 2^24 (16.7 million) tasks run, each of them a
//    publication, tiles and a wait of microseconds at the least. Even then it
//    wins only if CLAIM holds that very value again, and its claim is then an ordinary claim of the
//    current task (the kind and arguments are read after the claim) unless that task has exactly as
//    many tiles as the ticket's tile index (all claimed): that one interleaving would run a tile
//    past the end. It is not guarded against (a wider tag would need a 64-bit CLAIM).
import { gemm_packed, gemm_serial, pack_whole, packs, wholePackedBytes } from './blas';
import { activate, backprop_activation } from './activations';
import { optimizer_pass } from './optimizers';
import { gather_rows } from './gather';
import { first_non_finite_serial } from './scan';
import { apply_mask } from './dropout';

// i32 slots of the pool block. The ones the host touches are mirrored in src/layout/abi.ts P
// (test/pool-layout.test.ts compares the two).
const P_GEN: i32 = 0;
const P_CLAIM: i32 = 1;
const P_TILES: i32 = 2;
const P_DONE: i32 = 3;
const P_STOP: i32 = 4; // 1: every worker leaves pool_serve (the block's model is gone)
const P_WORKERS: i32 = 5; // workers inside pool_serve on this block
const P_SLEEPING: i32 = 6;
const P_KIND: i32 = 7;
const P_THREADS: i32 = 8; // scratch slots: threads the host configured (coordinator = index 0)
const P_SCRATCH: i32 = 9;
const P_SCRATCH_STRIDE: i32 = 10;
const P_MIN_VOLUME: i32 = 11; // products of fewer multiply-adds stay on one thread
const P_MIN_ELEMENTS: i32 = 12; // element-wise passes over fewer values stay on one thread
const P_WORKER_TILES: i32 = 13; // tiles the workers have run (a count the host reads)
const P_WORKERS_ONLY: i32 = 14; // 1: the coordinator takes no tile while workers are there (a testing mode)
const P_FAILED: i32 = 15; // 1: a worker failed (its JavaScript caught an exception); the pool is not used again
const P_RELEASE: i32 = 16; // 1: workers leave pool_serve after their tile (the shared pool serves another model)
const P_WAITING: i32 = 17; // 1: the coordinator sleeps on DONE (the worker finishing the last tile wakes it)
const P_CAN_BLOCK: i32 = 18; // 1: the coordinator's thread may block (Atomics.wait); 0 on a browser's main thread
const P_PRODUCT_TILES: i32 = 19; // tiles per thread of a product
const P_ELEMENT_TILES: i32 = 20; // tiles per thread of an element-wise pass
const P_COORDINATOR_SPINS: i32 = 21; // spins of the coordinator on DONE before it looks at the clock (then it spins on for a tile's time, and sleeps when it may)
const P_WORKER_SPINS: i32 = 22; // spins of an idle worker on GEN before it sleeps
const P_CALLS: i32 = 23; // the host's kernel calls on this block, counted (a probe measures across one return to the host, not more)
const P_WHOLE: i32 = 24; // the region where a product's shared operand is packed whole, once per task (plan.whole)
const P_WHOLE_BYTES: i32 = 25; // its bytes (a product whose shared operand needs more packs it per tile)
const PF_CALL_START: i32 = 13; // f64 (bytes 104..111): when the host's current kernel call began (pool_now's clock)
const PF_CALL_END: i32 = 14; // f64 (bytes 112..119): when its last call ended
const P_ARGS: i32 = 32; // i32 arguments: slots 32..47 (bytes 128..191)
const I32_ARGS: i32 = 16;
const PF_ARGS: i32 = 24; // f64 arguments: f64 slots 24..32 (bytes 192..263)
const F64_ARGS: i32 = 9;
const PF_PARTIAL: i32 = 33; // f64 per tile: f64 slots 33.. (bytes 264..; the optimizer's largest |Δθ| of the tile)
/** Bytes of the pool block (src/layout/abi.ts POOL_BYTES). */
export const POOL_BYTES: i32 = 1024;
/** Most tiles of one task (PF_PARTIAL's room). */
const MAX_TILES: i32 = 64;
// CLAIM = (generation & TAG_MASK) << TILE_BITS | next tile; CLOSED while a task is being written
const TILE_BITS: i32 = 8;
const TILE_MASK: i32 = 0xff;
const TAG_MASK: i32 = 0xffffff;
const CLOSED: i32 = 0xff;

const KIND_GEMM: i32 = 1;
const KIND_ACTIVATE: i32 = 2;
const KIND_BACKPROP: i32 = 3;
const KIND_OPTIMIZER: i32 = 4;
const KIND_GATHER: i32 = 5;
const KIND_SCAN: i32 = 6;
const KIND_MASK: i32 = 7;
const KIND_PACK: i32 = 8;

/** The pool block of this instance's model; 0: no pool (everything runs on the calling thread). */
let pool: usize = 0;
/**
 * True while this thread runs a tile (globals are per instance, and each thread has its own
 * instance, so this is per thread). A split asked for inside a tile runs serially instead (the same
 * bits): a nested task would overwrite the running task's CLAIM, tile count and arguments, so the
 * rest of its tiles would never run and its coordinator would wait for them forever. No tile kernel
 * splits today; this keeps it so. A trap inside a tile leaves it set on the coordinator's thread,
 * which then splits nothing (the same bits, on one thread) until the next pool_attach.
 */
let inTile = false;

// Whether the pool pays, measured: a probe runs tasks the way the last probe decided (on the pool,
// or on the calling thread alone), at least WINDOW of them and WINDOW_MS, then tasks the other way,
// and compares their wall time, each task's from its start to the next one's start (so the serial
// work between tasks counts too: a spinning worker slows that down on a busy machine). While the
// pool is in use, it stays so if it was faster at all; while the calling thread computes alone, it
// goes back to the pool when that was PAYS times faster (a window is short: a moment of a busy
// machine can favour either side). The second window runs at most as many tasks as the first, and
// ends as soon as its time alone decides (the rule cannot turn with more tasks): on a quiet machine
// the window alone stops once it took longer than the pool's, and on a busy one the window on the
// pool once PAYS times its time reached the time alone, so a probe costs little either way. The
// pool loses where its workers are descheduled, or busy elsewhere, or other processes want the cores
// and the threads only take turns with them. Alone, the tasks run on the calling thread (the same
// bits), and the workers run out their spins, sleep and give the cores back. The decision holds for
// `periodMs`, which doubles, up to MAX_PERIOD_MS, while probes keep deciding the same way, and starts
// again from FIRST_PERIOD_MS when one decides otherwise: a quiet machine pays for a short window
// alone every 4 s, and a machine that becomes busy (or quiet) is noticed soon. A gap that spans a
// return to the host counts only its time inside the two kernel calls (the host counts its calls in
// CALLS and writes when each began and ended, CALL_START and CALL_END), not the caller's own work in
// between; one that spans more calls is not counted. So a model whose calls hold a single pass that
// splits each (a small batch through one large layer) is measured too. A model's first probe comes
// FIRST_PROBE_MS after its first task, on the pool until then. The WORKERS_ONLY test mode never
// probes. Coordinator-side state: globals of the calling thread's instance.
const WINDOW: i32 = 16;
const WINDOW_MS: f64 = 25;
const FIRST_PERIOD_MS: f64 = 500;
const MAX_PERIOD_MS: f64 = 4000;
const PAYS: f64 = 1.25;
const PROBE_POOL: i32 = 0; // the probe's tasks on the pool
const PROBE_ALONE: i32 = 1; // the probe's tasks on the calling thread alone
const DECIDED: i32 = 2; // tasks as the last probe decided (onPool), until pool_now() reaches `until`
/** The first probe waits this long after the model's first task: fresh code is slow (baseline-compiled), a fresh worker's most. */
const FIRST_PROBE_MS: f64 = 300;
let phase = DECIDED;
let onPool = true;
let until = -1.0; // -1: the model has not run a task yet
let periodMs = FIRST_PERIOD_MS;
/** The probe's counted gaps and their milliseconds, on the pool and alone. */
let poolGaps = 0;
let poolMs = 0.0;
let aloneGaps = 0;
let aloneMs = 0.0;
/** The last task's start (pool_now), the host's call it fell in, and its probe phase (-1: none). */
let lastStart = 0.0;
let lastCall = 0;
let lastPhase = -1;

/**
 * Counts the gap since the last task's start to that task's probe phase: all of it inside one host
 * call; across a return to the host, the parts inside the two calls; across more calls, nothing.
 */
function countGap(now: f64, call: i32): void {
  let gap = -1.0;
  if (call == lastCall) gap = now - lastStart;
  else if (call == lastCall + 1) gap = (getf(PF_CALL_END) - lastStart) + (now - getf(PF_CALL_START));
  if (gap >= 0) {
    if (lastPhase == PROBE_POOL) {
      poolGaps++;
      poolMs += gap;
    } else if (lastPhase == PROBE_ALONE) {
      aloneGaps++;
      aloneMs += gap;
    }
  }
  lastStart = now;
  lastCall = call;
}

/** Whether a task that could split runs on the pool (true) or on the calling thread alone. */
function usePool(): bool {
  if (geti(P_WORKERS_ONLY) != 0) return true;
  const now = pool_now();
  if (until < 0) until = now + FIRST_PROBE_MS;
  countGap(now, geti(P_CALLS));
  // the first window is the way things are (onPool); the second the other way
  const first = onPool ? PROBE_POOL : PROBE_ALONE;
  if (phase == first) {
    const gaps = onPool ? poolGaps : aloneGaps;
    const ms = onPool ? poolMs : aloneMs;
    if (gaps >= WINDOW && ms >= WINDOW_MS) phase = onPool ? PROBE_ALONE : PROBE_POOL;
  } else if (phase != DECIDED) {
    const done = onPool ? aloneGaps >= poolGaps : poolGaps >= aloneGaps;
    // already decided: the pool was faster than this time alone, or PAYS × this time on the pool is
    // no faster than alone (more tasks only add time to the second window)
    const decided = onPool ? aloneMs > poolMs : poolMs * PAYS >= aloneMs;
    if (done || decided) decide(now);
  }
  if (phase == DECIDED && now >= until) {
    phase = first;
    poolGaps = aloneGaps = 0;
    poolMs = aloneMs = 0;
  }
  if (phase == DECIDED) {
    lastPhase = -1;
    return onPool;
  }
  lastPhase = phase;
  return phase == PROBE_POOL;
}

/** Ends a probe: the pool or the calling thread alone for the next `periodMs` (the rule above). */
function decide(now: f64): void {
  // the second window ran as many tasks as the first, or fewer and is decided already: the
  // comparison of the totals is the rule's either way
  const pays = onPool ? poolMs < aloneMs : poolMs * PAYS < aloneMs;
  periodMs = pays == onPool ? min(periodMs * 2, MAX_PERIOD_MS) : FIRST_PERIOD_MS;
  onPool = pays;
  until = now + periodMs;
  phase = DECIDED;
}

/** The host attaches the pool block after laying out a plan (0 detaches). */
export function pool_attach(block: usize): void {
  pool = block;
  if (ASC_FEATURE_THREADS) {
    inTile = false;
    lastPhase = -1; // a new plan: the gap to its first task is not measured (the probe's decision stands)
  }
}

@inline function islot(i: i32): usize {
  return pool + (<usize>i << 2);
}
@inline function geti(i: i32): i32 {
  return load<i32>(islot(i));
}
@inline function seti(i: i32, v: i32): void {
  store<i32>(islot(i), v);
}
@inline function getf(i: i32): f64 {
  return load<f64>(pool + (<usize>i << 3));
}
@inline function setf(i: i32, v: f64): void {
  store<f64>(pool + (<usize>i << 3), v);
}
@inline function arg(i: i32): i32 {
  return geti(P_ARGS + i);
}
@inline function setArg(i: i32, v: i32): void {
  seti(P_ARGS + i, v);
}

/** Threads that can take tiles now: the coordinator and the workers that have started. */
function available(): i32 {
  if (ASC_FEATURE_THREADS) {
    if (pool == 0 || atomic.load<i32>(islot(P_FAILED)) != 0) return 1;
    return min(geti(P_THREADS), 1 + atomic.load<i32>(islot(P_WORKERS)));
  }
  return 1;
}

/**
 * The tile length for cutting `extent` into `perThread` tiles per available thread (at most
 * MAX_TILES), each a multiple of `unit`; 0 when there is no pool, this thread runs a tile (inTile),
 * `volume` is below `minimum`, or fewer than two tiles would result (the caller then runs its
 * serial kernel).
 */
function splitLength(volume: i64, minimum: i32, extent: i32, unit: i32, perThreadSlot: i32): i32 {
  if (ASC_FEATURE_THREADS) {
    if (pool == 0 || inTile || volume < <i64>geti(minimum)) return 0;
    const threads = available();
    if (threads < 2 || !usePool()) return 0;
    return tileLength(volume, minimum, extent, unit, perThreadSlot, threads);
  }
  return 0;
}

/** splitLength's cut, once the split is decided (`threads` ≥ 2 take part); 0: fewer than two tiles. */
function tileLength(volume: i64, minimum: i32, extent: i32, unit: i32, perThreadSlot: i32, threads: i32): i32 {
  if (volume < <i64>geti(minimum)) return 0;
  // more tiles than threads, but none smaller than half the smallest split (a product of exactly
  // the minimum goes in two): a tile of a few microseconds costs more to hand out than it saves
  const most = <i32>min(<i64>MAX_TILES, (volume << 1) / max(<i64>1, <i64>geti(minimum)));
  const parts = max(2, min(threads * max(1, geti(perThreadSlot)), most));
  const per = (extent + parts - 1) / parts;
  const length = ((per + unit - 1) / unit) * unit;
  return length < extent ? length : 0;
}

/** Tiles of `length` covering `extent`. */
@inline function tilesOf(extent: i32, length: i32): i32 {
  return (extent + length - 1) / length;
}

// ---------------------------------------------------------------------------------------------
// The coordinator.

function runTask(kind: i32, tiles: i32): void {
  if (ASC_FEATURE_THREADS) {
    const gen = atomic.load<i32>(islot(P_GEN)) + 1;
    const tag = (gen & TAG_MASK) << TILE_BITS;
    // The caller has written the arguments; meanwhile no claim could succeed (every tile of the last
    // task was claimed: CLAIM's tile = TILES). Before TILES changes, close the claims: a worker still
    // holding a ticket of the last task fails its compare-and-swap from here on. Then the kind and
    // the tile count (atomic: a worker reads it before it claims, maybe with a stale ticket, see
    // "Memory ordering" above), then the claims open (tile 0), then GEN.
    atomic.store<i32>(islot(P_CLAIM), tag | CLOSED);
    seti(P_KIND, kind);
    atomic.store<i32>(islot(P_TILES), tiles);
    atomic.store<i32>(islot(P_DONE), 0);
    atomic.store<i32>(islot(P_CLAIM), tag);
    atomic.store<i32>(islot(P_GEN), gen);
    if (atomic.load<i32>(islot(P_SLEEPING)) > 0) atomic.notify(islot(P_GEN), 0x7fffffff);
    const began = pool_now();
    const mine = geti(P_WORKERS_ONLY) == 0 ? work(gen, 0) : 0;
    // the calling thread's own tiles tell how long a tile takes (0: it ran none)
    const tileMs = mine > 0 ? (pool_now() - began) / <f64>mine : 0.0;
    awaitTiles(gen, tiles, min(tileMs, MAX_SPIN_MS));
  }
}

/**
 * Waits until DONE reaches `tiles`: the last tiles are running on workers. It spins COORDINATOR_SPINS
 * times and on for as long as one tile takes (`tileMs`, the calling thread's own tiles of this task,
 * at most MAX_SPIN_MS): a worker that is running finishes its tile within that. Then, where its
 * thread may block, it sleeps on DONE, so that it does not take the core from the very worker it
 * waits for (on a machine busy with other processes a worker whose tile takes longer than that is
 * descheduled); the worker that finishes the last tile wakes it. Tiles
 * nobody holds are never waited for: with no worker left on the block (they were released, or the
 * WORKERS_ONLY test mode found none) the coordinator claims them itself. A worker that failed will
 * never finish its tile: the call traps, and the host turns that into an EngineError and puts the
 * model back.
 */
function awaitTiles(gen: i32, tiles: i32, tileMs: f64): void {
  if (ASC_FEATURE_THREADS) {
    const patience = geti(P_COORDINATOR_SPINS);
    const canBlock = geti(P_CAN_BLOCK) != 0;
    const spinUntil = canBlock && tileMs > 0 ? pool_now() + tileMs : 0.0;
    let spins = 0;
    let slept = false;
    while (true) {
      const done = atomic.load<i32>(islot(P_DONE));
      if (done >= tiles) break;
      if (atomic.load<i32>(islot(P_FAILED)) != 0) unreachable();
      if (atomic.load<i32>(islot(P_WORKERS)) == 0) work(gen, 0);
      if (canBlock && ++spins > patience) {
        spins = 0;
        if (pool_now() < spinUntil) continue; // a tile's time has not passed: spin on
        // DONE is compared again inside the wait (and WAITING is set before it is loaded): a tile
        // finished after the load above ends the wait at once, one finished later sees WAITING and wakes it
        atomic.store<i32>(islot(P_WAITING), 1);
        slept = true;
        if (atomic.load<i32>(islot(P_DONE)) == done) pool_sleep(islot(P_DONE), done, 1);
      }
    }
    if (slept) atomic.store<i32>(islot(P_WAITING), 0);
  }
}

/**
 * Sleeps while the i32 at byte `at` holds `value`, at most `timeoutMs` (-1: until woken): the host's
 * Atomics.wait (src/engine/wasm/loader.ts, and the pool worker's program), not WebAssembly's
 * memory.atomic.wait32. Node 20's V8 runs a function in its baseline compiler until it has been
 * called often enough, and never replaces a running call, so a worker's pool_serve runs baseline code
 * for its whole life; there, a local kept across a memory.atomic.wait32 inside a loop came back as 0
 * (it was the worker's spin budget: after its first sleep, a worker slept after every task and paid
 * a wake-up each time). A call out of the module saves the caller's values like any call, and
 * Binaryen cannot inline it (a function of the module doing the wait would be). test/pool-wait.test.ts
 * keeps the build free of memory.atomic.wait32.
 */
@external("env", "pool_sleep")
declare function pool_sleep(at: usize, value: i32, timeoutMs: f64): void;

/** The host's clock in milliseconds (performance.now()): how long the calling thread spins before it sleeps, and the probe's windows (usePool). */
@external("env", "pool_now")
declare function pool_now(): f64;
/** The longest the calling thread spins on workers' tiles before it sleeps. */
const MAX_SPIN_MS: f64 = 2;

/** Claims and runs tiles of generation `gen` until none is left; `index` picks the scratch slot. Returns how many it ran. */
function work(gen: i32, index: i32): i32 {
  let ran = 0;
  if (ASC_FEATURE_THREADS) {
    const tag = (gen & TAG_MASK) << TILE_BITS;
    while (true) {
      const ticket = atomic.load<i32>(islot(P_CLAIM));
      if ((ticket & ~TILE_MASK) != tag) break;
      const tile = ticket & TILE_MASK;
      const tiles = atomic.load<i32>(islot(P_TILES));
      if (tile >= tiles) break; // CLOSED (255) is above every tile count
      if (atomic.cmpxchg<i32>(islot(P_CLAIM), ticket, ticket + 1) != ticket) continue;
      inTile = true;
      runTile(geti(P_KIND), tile, index);
      inTile = false;
      ran++;
      if (index > 0) {
        atomic.add<i32>(islot(P_WORKER_TILES), 1);
        // the last tile wakes a coordinator that sleeps on DONE (WAITING is read after the add)
        if (atomic.add<i32>(islot(P_DONE), 1) + 1 == tiles && atomic.load<i32>(islot(P_WAITING)) != 0) atomic.notify(islot(P_DONE), 1);
      } else {
        atomic.add<i32>(islot(P_DONE), 1);
      }
    }
  }
  return ran;
}

function runTile(kind: i32, tile: i32, index: i32): void {
  const scratch = <usize>geti(P_SCRATCH) + <usize>index * <usize>geti(P_SCRATCH_STRIDE);
  if (kind == KIND_GEMM) gemmTile(tile, scratch);
  else if (kind == KIND_ACTIVATE || kind == KIND_BACKPROP) activationTile(kind, tile);
  else if (kind == KIND_OPTIMIZER) optimizerTile(tile);
  else if (kind == KIND_GATHER) gatherTile(tile);
  else if (kind == KIND_SCAN) scanTile(tile);
  else if (kind == KIND_MASK) maskTile(tile);
  else if (kind == KIND_PACK) packTile(tile);
}

// ---------------------------------------------------------------------------------------------
// Products: C (m × n) cut into column blocks (n ≥ m) or row blocks; each block is the serial product
// of its part (blas.ts: the bits of an element do not depend on the block it falls in). The larger
// dimension is cut, so the operand every tile reads whole is the smaller one: A for column blocks, B
// for row blocks. It is packed once (blas.ts pack_whole; a task of its own, in panel ranges, when
// large enough) into the plan's WHOLE region before the product's tiles start, and they read its
// panels from there instead of each packing all of it again (W4's forward product: X, 64 × 784, was
// packed by each of 8 tiles). Packing is a copy, so the bits are the same; a product whose operand
// does not fit the region packs it per tile, as before.

// GEMM arguments
const G_M = 0, G_N = 1, G_K = 2, G_A = 3, G_AROW = 4, G_ACOL = 5, G_B = 6, G_BROW = 7, G_BCOL = 8;
const G_C = 9, G_LDC = 10, G_ACC = 11, G_BY_COLUMNS = 12, G_TILE = 13, G_WHOLE = 14;

/** Runs the product on the pool if it is large enough and threads are there; false: the caller runs it. */
function split_gemm(
  m: i32, n: i32, k: i32,
  a: usize, aRowStep: usize, aColStep: usize,
  b: usize, bRowStep: usize, bColStep: usize,
  c: usize, ldc: i32, accumulate: i32,
): bool {
  const byColumns = n >= m;
  const extent = byColumns ? n : m;
  if (extent < 8) return false;
  const length = splitLength(<i64>m * <i64>n * <i64>k, P_MIN_VOLUME, extent, 4, P_PRODUCT_TILES);
  if (length == 0) return false;
  // first: packing the shared operand may be a task of its own, with arguments in the same slots
  const whole = packShared(byColumns, m, n, k, a, aRowStep, aColStep, b, bRowStep, bColStep);
  setArg(G_M, m); setArg(G_N, n); setArg(G_K, k);
  setArg(G_A, <i32>a); setArg(G_AROW, <i32>aRowStep); setArg(G_ACOL, <i32>aColStep);
  setArg(G_B, <i32>b); setArg(G_BROW, <i32>bRowStep); setArg(G_BCOL, <i32>bColStep);
  setArg(G_C, <i32>c); setArg(G_LDC, ldc); setArg(G_ACC, accumulate);
  setArg(G_BY_COLUMNS, byColumns ? 1 : 0); setArg(G_TILE, length);
  setArg(G_WHOLE, <i32>whole);
  runTask(KIND_GEMM, tilesOf(extent, length));
  return true;
}

/**
 * Packs the operand every tile reads whole (A for column blocks, B for row blocks) into the WHOLE
 * region; returns its address, or 0 when the tiles pack it themselves (the product takes the direct
 * or thin loops, which do not pack, or the operand does not fit).
 */
function packShared(
  byColumns: bool, m: i32, n: i32, k: i32,
  a: usize, aRowStep: usize, aColStep: usize,
  b: usize, bRowStep: usize, bColStep: usize,
): usize {
  const whole = <usize><u32>geti(P_WHOLE);
  const lanes = byColumns ? m : n;
  if (whole == 0 || !packs(m, n, k, bColStep) || wholePackedBytes(lanes, k) > <usize><u32>geti(P_WHOLE_BYTES)) return 0;
  if (byColumns) packWhole(m, k, a, aRowStep, aColStep, whole);
  else packWhole(n, k, b, bColStep, bRowStep, whole);
  return whole;
}

const K_LANES = 0, K_K = 1, K_SRC = 2, K_LANE_STEP = 3, K_P_STEP = 4, K_WHOLE = 5, K_TILE = 6;

/** pack_whole of every panel: on the pool, in panel ranges, when large enough (a copy: any split gives the same bytes). */
function packWhole(lanes: i32, k: i32, src: usize, laneStep: usize, pStep: usize, whole: usize): void {
  const panels = (lanes + 3) >> 2;
  const length = tileLength(<i64>lanes * <i64>k, P_MIN_ELEMENTS, panels, 1, P_ELEMENT_TILES, available());
  if (length == 0) {
    pack_whole(lanes, k, src, laneStep, pStep, whole, 0, panels);
    return;
  }
  setArg(K_LANES, lanes); setArg(K_K, k); setArg(K_SRC, <i32>src); setArg(K_LANE_STEP, <i32>laneStep);
  setArg(K_P_STEP, <i32>pStep); setArg(K_WHOLE, <i32>whole); setArg(K_TILE, length);
  runTask(KIND_PACK, tilesOf(panels, length));
}

function packTile(tile: i32): void {
  const lanes = arg(K_LANES), length = arg(K_TILE);
  const first = tile * length;
  const panels = (lanes + 3) >> 2;
  pack_whole(lanes, arg(K_K), <usize><u32>arg(K_SRC), <usize><u32>arg(K_LANE_STEP), <usize><u32>arg(K_P_STEP), <usize><u32>arg(K_WHOLE), first, min(length, panels - first));
}

function gemmTile(tile: i32, scratch: usize): void {
  const m = arg(G_M), n = arg(G_N), k = arg(G_K);
  const a = <usize><u32>arg(G_A), aRow = <usize><u32>arg(G_AROW), aCol = <usize><u32>arg(G_ACOL);
  const b = <usize><u32>arg(G_B), bRow = <usize><u32>arg(G_BROW), bCol = <usize><u32>arg(G_BCOL);
  const c = <usize><u32>arg(G_C), ldc = arg(G_LDC), acc = arg(G_ACC), length = arg(G_TILE);
  const whole = <usize><u32>arg(G_WHOLE);
  const from = tile * length;
  if (arg(G_BY_COLUMNS) != 0) {
    const w = min(length, n - from);
    gemm_packed(m, w, k, a, aRow, aCol, b + <usize>from * bCol, bRow, bCol, c + (<usize>from << 3), ldc, acc, scratch, whole, 0);
  } else {
    const h = min(length, m - from);
    gemm_packed(h, n, k, a + <usize>from * aRow, aRow, aCol, b, bRow, bCol, c + <usize>from * (<usize>ldc << 3), ldc, acc, scratch, 0, whole);
  }
}

/**
 * The products' entry: large products run on the thread pool (blocks of C, each the serial product
 * of its part, so the same bits), the others as one serial product (blas.ts) on the calling thread.
 */
function gemm(
  m: i32, n: i32, k: i32,
  a: usize, aRowStep: usize, aColStep: usize,
  b: usize, bRowStep: usize, bColStep: usize,
  c: usize, ldc: i32, accumulate: i32, scratch: usize,
): void {
  if (split_gemm(m, n, k, a, aRowStep, aColStep, b, bRowStep, bColStep, c, ldc, accumulate)) return;
  gemm_serial(m, n, k, a, aRowStep, aColStep, b, bRowStep, bColStep, c, ldc, accumulate, scratch);
}

// The products of the host and of dense.ts (blas.ts's conventions: leading dimensions in elements).

/** C[m×n] (+)= A[m×k] · B[n×k]ᵀ — the forward pass, Z = X · Wᵀ. */
export function gemm_nt(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32, scratch: usize): void {
  gemm(m, n, k, a, <usize>lda << 3, 8, b, 8, <usize>ldb << 3, c, ldc, accumulate, scratch);
}

/** C[m×n] (+)= A[m×k] · B[k×n] — the input gradient, dX = Δ · W. */
export function gemm_nn(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32, scratch: usize): void {
  gemm(m, n, k, a, <usize>lda << 3, 8, b, <usize>ldb << 3, 8, c, ldc, accumulate, scratch);
}

/** C[m×n] (+)= A[k×m]ᵀ · B[k×n] — the weight gradient, dW = Δᵀ · X. */
export function gemm_tn(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32, scratch: usize): void {
  gemm(m, n, k, a, 8, <usize>lda << 3, b, <usize>ldb << 3, 8, c, ldc, accumulate, scratch);
}

// ---------------------------------------------------------------------------------------------
// Activations: row ranges (softmax needs whole rows; the others do not care).

const V_ACT = 0, V_ROWS = 1, V_N = 2, V_Z = 3, V_A = 4, V_D = 5, V_TILE = 6;
const VF_SLOPE = PF_ARGS;

function splitRows(kind: i32, act: i32, slope: f64, rows: i32, n: i32, z: usize, a: usize, d: usize): bool {
  const length = splitLength(<i64>rows * <i64>n, P_MIN_ELEMENTS, rows, 1, P_ELEMENT_TILES);
  if (length == 0) return false;
  setArg(V_ACT, act); setArg(V_ROWS, rows); setArg(V_N, n);
  setArg(V_Z, <i32>z); setArg(V_A, <i32>a); setArg(V_D, <i32>d); setArg(V_TILE, length);
  setf(VF_SLOPE, slope);
  runTask(kind, tilesOf(rows, length));
  return true;
}

/** a = f(z), on the pool when large enough (same bits). */
export function split_activate(act: i32, slope: f64, rows: i32, n: i32, z: usize, a: usize): void {
  if (!splitRows(KIND_ACTIVATE, act, slope, rows, n, z, a, 0)) activate(act, slope, rows, n, z, a);
}

/** d ← d ⊙ f'(z) (or the softmax Jacobian product), on the pool when large enough (same bits). */
export function split_backprop_activation(act: i32, slope: f64, rows: i32, n: i32, z: usize, a: usize, d: usize): void {
  if (!splitRows(KIND_BACKPROP, act, slope, rows, n, z, a, d)) backprop_activation(act, slope, rows, n, z, a, d);
}

function activationTile(kind: i32, tile: i32): void {
  const rows = arg(V_ROWS), n = arg(V_N), length = arg(V_TILE);
  const from = tile * length;
  const h = min(length, rows - from);
  const shift = <usize>from * (<usize>n << 3);
  const z = <usize><u32>arg(V_Z) + shift, a = <usize><u32>arg(V_A) + shift;
  if (kind == KIND_ACTIVATE) activate(arg(V_ACT), getf(VF_SLOPE), h, n, z, a);
  else backprop_activation(arg(V_ACT), getf(VF_SLOPE), h, n, z, a, <usize><u32>arg(V_D) + shift);
}

// ---------------------------------------------------------------------------------------------
// Dropout masks' application: element ranges (each value is multiplied by its own factor; the masks
// themselves are drawn serially on the calling thread before, dropout.ts).

const M_N = 0, M_X = 1, M_MASK = 2, M_TILE = 3;

/** x ← x · factor over n values (dropout.ts apply_mask), on the pool when large enough (same bits). */
export function split_apply_mask(n: i32, x: usize, mask: usize): void {
  const length = splitLength(<i64>n, P_MIN_ELEMENTS, n, 1, P_ELEMENT_TILES);
  if (length == 0) {
    apply_mask(n, x, mask);
    return;
  }
  setArg(M_N, n); setArg(M_X, <i32>x); setArg(M_MASK, <i32>mask); setArg(M_TILE, length);
  runTask(KIND_MASK, tilesOf(n, length));
}

function maskTile(tile: i32): void {
  const length = arg(M_TILE);
  const from = tile * length;
  const shift = <usize>from << 3;
  apply_mask(min(length, arg(M_N) - from), <usize><u32>arg(M_X) + shift, <usize><u32>arg(M_MASK) + shift);
}

// ---------------------------------------------------------------------------------------------
// The optimizer update: element ranges (multiples of 2, so the SIMD pairs are the serial ones);
// the largest |Δθ| is the max of the tiles' (exact in any order; NaN wins, as in the serial max).

const O_ID = 0, O_N = 1, O_PARAMS = 2, O_GRADS = 3, O_MASK = 4, O_M = 5, O_V = 6, O_NESTEROV = 7, O_TILE = 8;
const OF_LR = PF_ARGS, OF_DECAY = PF_ARGS + 1, OF_MU = PF_ARGS + 2, OF_BETA1 = PF_ARGS + 3, OF_BETA2 = PF_ARGS + 4;
const OF_EPSILON = PF_ARGS + 5, OF_C1 = PF_ARGS + 6, OF_C2 = PF_ARGS + 7, OF_L1 = PF_ARGS + 8;
/**
 * One pass of optimizer `id` (optimizers.ts optimizer_pass: OPT_* or OPT_SGD_ALL) over n parameters,
 * on the pool when large enough; returns the largest |Δθ|.
 */
export function split_optimizer(
  id: i32, n: i32, params: usize, grads: usize, mask: usize, m: usize, v: usize, nesterov: i32,
  lr: f64, decay: f64, mu: f64, beta1: f64, beta2: f64, epsilon: f64, c1: f64, c2: f64, l1: f64,
): f64 {
  const length = splitLength(<i64>n, P_MIN_ELEMENTS, n, 2, P_ELEMENT_TILES);
  if (length == 0) return optimizer_pass(id, n, params, grads, mask, m, v, nesterov, lr, decay, mu, beta1, beta2, epsilon, c1, c2, l1);
  const tiles = tilesOf(n, length);
  setArg(O_ID, id); setArg(O_N, n); setArg(O_PARAMS, <i32>params); setArg(O_GRADS, <i32>grads);
  setArg(O_MASK, <i32>mask); setArg(O_M, <i32>m); setArg(O_V, <i32>v); setArg(O_NESTEROV, nesterov); setArg(O_TILE, length);
  setf(OF_LR, lr); setf(OF_DECAY, decay); setf(OF_MU, mu); setf(OF_BETA1, beta1); setf(OF_BETA2, beta2);
  setf(OF_EPSILON, epsilon); setf(OF_C1, c1); setf(OF_C2, c2); setf(OF_L1, l1);
  runTask(KIND_OPTIMIZER, tiles);
  let top = 0.0;
  for (let t = 0; t < tiles; t++) top = Math.max(top, getf(PF_PARTIAL + t));
  return top;
}

function optimizerTile(tile: i32): void {
  const n = arg(O_N), length = arg(O_TILE);
  const from = tile * length;
  const shift = <usize>from << 3;
  setf(PF_PARTIAL + tile, optimizer_pass(
    arg(O_ID), min(length, n - from),
    <usize><u32>arg(O_PARAMS) + shift, <usize><u32>arg(O_GRADS) + shift, <usize><u32>arg(O_MASK) + shift,
    <usize><u32>arg(O_M) + shift, <usize><u32>arg(O_V) + shift, arg(O_NESTEROV),
    getf(OF_LR), getf(OF_DECAY), getf(OF_MU), getf(OF_BETA1), getf(OF_BETA2), getf(OF_EPSILON), getf(OF_C1), getf(OF_C2), getf(OF_L1),
  ));
}

// ---------------------------------------------------------------------------------------------
// Gathering a shuffled batch: row ranges (copies; no arithmetic).

const R_SRC = 0, R_DST = 1, R_PERM = 2, R_FROM = 3, R_ROWS = 4, R_WIDTH = 5, R_TILE = 6;

/** Copies rows perm[from…from+rows) of width `width` from src to dst, on the pool when large enough. */
export function split_gather(src: usize, dst: usize, perm: usize, from: i32, rows: i32, width: i32): void {
  const length = splitLength(<i64>rows * <i64>width, P_MIN_ELEMENTS, rows, 1, P_ELEMENT_TILES);
  if (length == 0) {
    gather_rows(src, dst, perm, from, rows, width);
    return;
  }
  setArg(R_SRC, <i32>src); setArg(R_DST, <i32>dst); setArg(R_PERM, <i32>perm);
  setArg(R_FROM, from); setArg(R_ROWS, rows); setArg(R_WIDTH, width); setArg(R_TILE, length);
  runTask(KIND_GATHER, tilesOf(rows, length));
}

function gatherTile(tile: i32): void {
  const length = arg(R_TILE), width = arg(R_WIDTH);
  const first = tile * length;
  const h = min(length, arg(R_ROWS) - first);
  const dst = <usize><u32>arg(R_DST) + <usize>first * (<usize>width << 3);
  gather_rows(<usize><u32>arg(R_SRC), dst, <usize><u32>arg(R_PERM), arg(R_FROM) + first, h, width);
}

// ---------------------------------------------------------------------------------------------
// The finiteness check of data rows: element ranges; the first index found is the least of the
// tiles' first indices (each tile reports its own first, or -1), so any split finds the same one.

const S_AT = 0, S_N = 1, S_TILE = 2;

/** Index of the first of the n f64 at `at` that is not finite, or -1 (on the pool when large enough). */
export function first_non_finite(at: usize, n: i32): i32 {
  const length = splitLength(<i64>n, P_MIN_ELEMENTS, n, 2, P_ELEMENT_TILES);
  if (length == 0) return first_non_finite_serial(at, n);
  const tiles = tilesOf(n, length);
  setArg(S_AT, <i32>at); setArg(S_N, n); setArg(S_TILE, length);
  runTask(KIND_SCAN, tiles);
  for (let t = 0; t < tiles; t++) {
    const found = <i32>getf(PF_PARTIAL + t);
    if (found >= 0) return found;
  }
  return -1;
}

function scanTile(tile: i32): void {
  const length = arg(S_TILE);
  const from = tile * length;
  const count = min(length, arg(S_N) - from);
  const found = first_non_finite_serial(<usize><u32>arg(S_AT) + (<usize>from << 3), count);
  setf(PF_PARTIAL + tile, found < 0 ? -1.0 : <f64>(from + found));
}

// ---------------------------------------------------------------------------------------------
// A worker.

/**
 * A worker serves this block (src/engine/wasm/pool.ts's worker program calls it whenever the block's
 * model is the one the shared pool serves): it takes tiles of every task the coordinator publishes,
 * spinning WORKER_SPINS between tasks and then sleeping on GEN, until the host sets STOP (the model
 * is gone) or RELEASE (the pool serves another model, or the worker has mail). `index` (1 … threads
 * − 1) picks its scratch slot; a worker whose index has no slot on this block returns at once.
 */
export function pool_serve(block: usize, index: i32): void {
  if (ASC_FEATURE_THREADS) {
    pool = block;
    if (index >= geti(P_THREADS)) return;
    atomic.add<i32>(islot(P_WORKERS), 1);
    // a task may have been published before the worker was counted: it first looks at the current
    // generation as if new (a finished task has no tile left to claim)
    let seen = atomic.load<i32>(islot(P_GEN)) - 1;
    const patience = geti(P_WORKER_SPINS);
    while (true) {
      let gen = atomic.load<i32>(islot(P_GEN));
      let spins = 0;
      while (gen == seen && !leaving()) {
        if (++spins > patience) {
          atomic.add<i32>(islot(P_SLEEPING), 1);
          if (!leaving()) pool_sleep(islot(P_GEN), seen, -1);
          atomic.sub<i32>(islot(P_SLEEPING), 1);
          spins = 0;
        }
        gen = atomic.load<i32>(islot(P_GEN));
      }
      if (leaving()) break;
      seen = gen;
      work(gen, index);
    }
    atomic.sub<i32>(islot(P_WORKERS), 1);
  }
}

/** STOP or RELEASE: the host wants the workers off this block (it wakes the sleeping ones after setting it). */
@inline function leaving(): bool {
  return (atomic.load<i32>(islot(P_STOP)) | atomic.load<i32>(islot(P_RELEASE))) != 0;
}

// ---------------------------------------------------------------------------------------------
// The block's layout, checked at compile time: each condition folds to a constant, and ERROR (an
// AssemblyScript builtin) fails the build when a taken branch contains it; nothing is emitted.

// control slots below the arguments; the i32 arguments end where the f64 arguments begin
if ((P_WHOLE_BYTES + 1) * 4 > PF_CALL_START * 8) ERROR('pool.ts: the control slots overlap the call times');
if ((PF_CALL_END + 1) * 8 > P_ARGS * 4) ERROR('pool.ts: the call times overlap the i32 arguments');
if ((P_ARGS + I32_ARGS) * 4 > PF_ARGS * 8) ERROR('pool.ts: the i32 arguments overlap the f64 arguments');
// every task's arguments within their slots
if (max(max(max(G_WHOLE, V_TILE), max(M_TILE, K_TILE)), max(max(O_TILE, R_TILE), S_TILE)) >= I32_ARGS) ERROR('pool.ts: a task has more i32 arguments than I32_ARGS');
if (max(VF_SLOPE, OF_L1) >= PF_ARGS + F64_ARGS) ERROR('pool.ts: a task has more f64 arguments than F64_ARGS');
// the f64 arguments end where the partials begin; a partial per tile fits in the block
if (PF_ARGS + F64_ARGS > PF_PARTIAL) ERROR('pool.ts: the f64 arguments overlap the partials');
if ((PF_PARTIAL + MAX_TILES) * 8 > POOL_BYTES) ERROR('pool.ts: MAX_TILES partials do not fit in POOL_BYTES');
// CLAIM: a tile index below CLOSED, which is the whole tile field; the tag is the rest of the i32
if (TILE_MASK != (1 << TILE_BITS) - 1 || CLOSED != TILE_MASK) ERROR('pool.ts: CLOSED must fill the tile field');
if (MAX_TILES >= CLOSED) ERROR('pool.ts: MAX_TILES must stay below CLOSED');
if (TAG_MASK != <i32>(<u32>0xffffffff >> TILE_BITS)) ERROR('pool.ts: the tag must fill the rest of CLAIM');

/**
 * Figure (b): adaptation in a shifted domain. The expert pilot flies a domain-B clip in lock-step (the flight
 * does not depend on the network, so one simulation serves both runs); every `sampleEvery`-th window is
 *   - scored with the *frozen* pretrained weights (ν error against the truth, and the loss);
 *   - scored with the *online* weights as they are now, before the window is trained on (prequential: the
 *     online figures are never measured on a window the weights have already learned from);
 * and every `offerEvery`-th window (default: the same ones) is offered to the online Trainer (forward, loss,
 * one update every `windowsPerUpdate` windows), exactly as the in-flight learner would train on it, after any
 * scoring of it. Windows that straddle a respawn are not offered.
 * Figures are pooled per `binSeconds` of flight. The reduction compares the last bin with the first, for
 * both runs (the frozen run's change is the scene's doing; the online run's beyond it is learning's), and
 * the online run with the frozen one bin by bin. The flight's scenes change (the frozen model's error moves
 * by ±50 % between bins on its own), so the learning curve that is free of that confound is measured on a
 * fixed set: a different domain-B world (held out, flown before the flight), scored with the pretrained
 * weights and with a snapshot of the online weights at the end of every bin. Its last point against its
 * first is "how much did 60 s of online learning lower the ν error", on the same windows.
 */
import { outputToNuScale } from '../../contracts/networkOutput.js';
import type { WeightsManifest } from '../../contracts/networkWeights.js';
import type { SensorGeometry } from '../../contracts/sensorGeometry.js';
import type { ContrastMaximizationLoss } from '../loss/index.js';
import { collectClipSamples } from '../pretrain/clipSamples.js';
import { createLearningSetup, newLoss, type LossSettings, type TrainerSettings } from '../pretrain/learningSetup.js';
import { flyClip, type ClipCamera, type ClipOptions, type ClipSpec } from '../pretrain/simClips.js';
import type { TrainingSample } from '../trainingSample.js';
import type { GuardCounters } from '../learnerGuards.js';
import { SampleExpander } from '../pretrain/compactSample.js';
import { ReplayMixer, type ReplaySettings } from './replayReservoir.js';
import { pearson } from './correlation.js';
import { scoreHeldOut, type HeldOutReport } from './heldOut.js';
import { NuErrorAccumulator, type NuErrorReport } from './nuError.js';
import { SearchTeacher, type SearchTeacherOptions, type SearchTeacherReport } from './searchTeacher.js';
import { TruthTeacher } from './truthTeacher.js';

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export interface AdaptationOptions {
  readonly spec: ClipSpec;
  readonly heldOut?: ClipSpec;
  readonly clip: Omit<ClipOptions, 'truthEvery'>;
  /** Score every n-th window (ν error against the truth, both runs). */
  readonly sampleEvery: number;
  /**
   * Offer every n-th window to the online trainer (default: the scored ones). The in-flight learner trains on
   * as many windows as it keeps up with; 2 at 200 Hz with one window per update is 100 updates/s.
   */
  readonly offerEvery?: number;
  readonly binSeconds: number;
  readonly loss: LossSettings;
  readonly trainer: TrainerSettings;
  /**
   * What the online trainer learns from: 'loss' (the self-supervised contrast loss, as in flight; default) or
   * 'truth' (the simulator's ν, truthTeacher.ts: the ceiling of what this network, rate and schedule reach with a
   * perfect signal; the spike guard is off for it), or 'search' (the contrast loss plus pseudo-labels from a local
   * contrast search, searchTeacher.ts; round 9's trial, with the labels scored against the truth). Truth is then
   * rendered for every offered window as well.
   */
  readonly teacher?: 'loss' | 'truth' | 'search';
  /** Settings of the 'search' teacher (default DEFAULT_SEARCH_TEACHER). */
  readonly search?: SearchTeacherOptions;
  /** Experience replay for the online trainer (replayReservoir.ts); absent = off. */
  readonly replay?: ReplaySettings;
  readonly modelDir: string;
  readonly manifest: WeightsManifest;
  readonly pretrained: Float32Array;
  /** Called after each bin (progress). */
  readonly onBin?: (bin: AdaptationBin, totalBins: number) => void;
}

export interface RunFigures {
  readonly nu: NuErrorReport;
  /** Mean loss (focus + λ·smoothness) of the windows with these weights. */
  readonly loss: number;
}

export interface AdaptationBin {
  readonly startS: number;
  readonly endS: number;
  readonly windows: number;
  readonly online: RunFigures;
  readonly frozen: RunFigures;
  /** Online updates applied by the end of the bin. */
  readonly updates: number;
}

/**
 * A relative change of the ν MAE, (to − from) / from, over each pixel set of nuError.ts: all usable pixels,
 * those with events in the input, those without (NaN where a set is empty).
 */
export interface PixelSetChange {
  readonly all: number;
  readonly events: number;
  readonly noEvents: number;
}

/** ν MAE over all usable pixels with each window's map scaled to the truth's mean (nuError.ts `levelMatched`), 1/s. */
export interface LevelMatchedMae {
  readonly online: number;
  readonly frozen: number;
}

export interface AdaptationReport {
  readonly flight: ClipSpec;
  /** What the online trainer learned from (AdaptationOptions.teacher). */
  readonly teacher: 'loss' | 'truth' | 'search';
  /** With the 'search' teacher: its labels against the truth, by prominence band; else null. */
  readonly searchLabels: SearchTeacherReport | null;
  readonly bins: readonly AdaptationBin[];
  /**
   * Relative change of the ν MAE (all usable pixels, and pixels with events) from the start — the pretrained
   * weights on the first bin, i.e. the frozen run's first bin (the online run's first bin already includes
   * its first updates) — to the last bin, for both runs.
   */
  readonly change: {
    readonly online: PixelSetChange;
    readonly frozen: PixelSetChange;
  };
  /** (online − frozen) / frozen ν MAE in the last bin. */
  readonly lastBinOnlineVsFrozen: PixelSetChange;
  /**
   * Level against structure: the ν MAE left over the whole flight and over its last 10 s when an oracle sets each
   * window's overall level to the truth's mean (the raw MAE minus this is about what a perfect per-window gain could remove).
   */
  readonly levelMatched: { readonly whole: LevelMatchedMae; readonly last10s: LevelMatchedMae };
  /** The same over the flight's last 10 s (bins pooled by pixels): less noisy than one 5 s bin. */
  readonly last10sOnlineVsFrozen: PixelSetChange;
  /** Whole flight, pooled. */
  readonly total: { readonly online: RunFigures; readonly frozen: RunFigures };
  readonly updates: number;
  /** Offered windows that were replays (0 without replay). */
  readonly windowsReplayed: number;
  readonly windowsOffered: number;
  readonly windowsSparse: number;
  readonly guards: GuardCounters;
  /** The frozen weights were bit-identical after the flight. */
  readonly frozenUnchanged: boolean;
  /** The online weights differ from the pretrained ones after the flight. */
  readonly onlineChanged: boolean;
  /** Per bin, online − frozen of the loss against online − frozen of the ν MAE: does a lower loss mean a lower error? */
  readonly lossVsErrorPearson: number;
  readonly heldOut: HeldOutReport | null;
  /**
   * The held-out domain-B set scored with the weights as they were at 0 s (pretrained) and at the end of
   * every bin; empty without a held-out clip.
   */
  readonly heldOutCurve: ReadonlyArray<{ readonly atS: number; readonly updates: number; readonly loss: number; readonly nu: NuErrorReport }>;
  /** Held-out ν MAE after the flight relative to the pretrained weights' (NaN without a held-out clip). */
  readonly heldOutChange: PixelSetChange;
  readonly camera: ClipCamera;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

const rel = (to: number, from: number): number => (from > 0 ? (to - from) / from : NaN);

/** The relative change of every pixel set's ν MAE from `from` to `to`. */
function changeOf(to: NuErrorReport, from: NuErrorReport): PixelSetChange {
  return {
    all: rel(to.all.maePerS, from.all.maePerS),
    events: rel(to.events.maePerS, from.events.maePerS),
    noEvents: rel(to.noEvents.maePerS, from.noEvents.maePerS),
  };
}

/** A ν MAE pooled over several bins, each bin's MAE weighted by its pixels (NaN without pixels). */
function pooledMae(bins: readonly AdaptationBin[], pick: (b: AdaptationBin) => { readonly pixels: number; readonly maePerS: number }): number {
  let px = 0;
  let sum = 0;
  for (const b of bins) {
    const f = pick(b);
    if (f.pixels > 0) {
      px += f.pixels;
      sum += f.maePerS * f.pixels;
    }
  }
  return px > 0 ? sum / px : NaN;
}

/** The level-matched ν MAE over several bins, pooled by pixels. */
function pooledLevelMatched(bins: readonly AdaptationBin[]): LevelMatchedMae {
  return { online: pooledMae(bins, (b) => b.online.nu.levelMatched), frozen: pooledMae(bins, (b) => b.frozen.nu.levelMatched) };
}

/** (online − frozen) / frozen ν MAE over several bins, pooled by pixels. */
function pooledOnlineVsFrozen(bins: readonly AdaptationBin[]): PixelSetChange {
  const change = (set: 'all' | 'events' | 'noEvents') => rel(pooledMae(bins, (b) => b.online.nu[set]), pooledMae(bins, (b) => b.frozen.nu[set]));
  return { all: change('all'), events: change('events'), noEvents: change('noEvents') };
}

export async function runAdaptation(o: AdaptationOptions): Promise<AdaptationReport> {
  const frozen = Float32Array.from(o.pretrained);
  const frozenCopy = Float32Array.from(o.pretrained);
  let camera: ClipCamera | undefined;
  let setup: Awaited<ReturnType<typeof createLearningSetup>> | undefined;
  let scoreLoss: ReturnType<typeof newLoss> | undefined;
  let grad = new Float32Array(0);
  let mixer: ReplayMixer | undefined;
  const totalBins = Math.ceil(o.spec.seconds / o.binSeconds);
  const bins: AdaptationBin[] = [];
  const offerEvery = o.offerEvery ?? o.sampleEvery;
  if (!(Number.isInteger(offerEvery) && offerEvery >= 1)) throw new RangeError(`offerEvery must be an integer ≥ 1, got ${offerEvery}`);
  const teacher = o.teacher === 'truth' ? new TruthTeacher() : undefined;
  // A replayed window would be taught the truth of the window it replaced.
  if (teacher && o.replay) throw new RangeError('adaptation: the truth teacher cannot be combined with experience replay');
  // A replayed window's labels would be scored against the truth of the window it replaced.
  if (o.teacher === 'search' && o.replay) throw new RangeError('adaptation: the search teacher cannot be combined with experience replay');
  let search: SearchTeacher | undefined; // built with the learner (it needs the camera)
  // The scored and (with the truth or search teacher) the offered windows need the truth: every gcd-th window has it.
  const truthEvery = teacher || o.teacher === 'search' ? gcd(o.sampleEvery, offerEvery) : o.sampleEvery;
  const snapshots: Array<{ atS: number; updates: number; data: Float32Array }> = [{ atS: 0, updates: 0, data: frozenCopy }];
  // The held-out set is flown first: its samples do not depend on the flight, and the snapshots are scored on it afterwards.
  const heldOutClip = o.heldOut ? await collectClipSamples({ spec: o.heldOut, options: o.clip, sampleEvery: o.sampleEvery, keepTruth: true }) : undefined;
  const fresh = () => ({ online: new NuErrorAccumulator(), frozen: new NuErrorAccumulator(), onlineLoss: 0, frozenLoss: 0, n: 0 });
  let cur = fresh();
  let binIndex = 0;
  const totalOnline = new NuErrorAccumulator();
  const totalFrozen = new NuErrorAccumulator();
  let totalOnlineLoss = 0;
  let totalFrozenLoss = 0;
  let totalN = 0;
  const closeBin = () => {
    const online = { nu: cur.online.report(), loss: cur.n > 0 ? cur.onlineLoss / cur.n : NaN };
    const fr = { nu: cur.frozen.report(), loss: cur.n > 0 ? cur.frozenLoss / cur.n : NaN };
    const bin: AdaptationBin = {
      startS: binIndex * o.binSeconds,
      endS: Math.min(o.spec.seconds, (binIndex + 1) * o.binSeconds),
      windows: cur.n,
      online,
      frozen: fr,
      updates: setup!.trainer.updateCount,
    };
    bins.push(bin);
    if (heldOutClip) snapshots.push({ atS: bin.endS, updates: bin.updates, data: Float32Array.from(setup!.trainer.inferenceWeights) });
    o.onBin?.(bin, totalBins);
    totalOnline.merge(cur.online);
    totalFrozen.merge(cur.frozen);
    totalOnlineLoss += cur.onlineLoss;
    totalFrozenLoss += cur.frozenLoss;
    totalN += cur.n;
    cur = fresh();
    binIndex++;
  };

  let cameraReady: (() => void) | undefined;
  const ready = new Promise<void>((r) => (cameraReady = r));
  let onStartError: unknown;
  await flyClip(
    o.spec,
    { ...o.clip, truthEvery },
    async (w) => {
      await ready;
      if (onStartError) throw onStartError;
      if (!setup || !scoreLoss) throw new Error('adaptation: learner not set up');
      const scored = w.step % o.sampleEvery === 0 && w.truth !== undefined;
      const offered = w.step % offerEvery === 0 && !w.afterCut && (!teacher || w.truth !== undefined);
      if (!scored && !offered) return;
      while (w.clipTimeS > (binIndex + 1) * o.binSeconds + 1e-9 && binIndex < totalBins - 1) closeBin();
      const sample: TrainingSample = {
        ...w.motion,
        windowIndex: w.window.index,
        tStartUs: w.lossWindow.tStartUs,
        tEndUs: w.lossWindow.tEndUs,
        windowEventCount: w.lossWindow.eventCount,
        mapping: w.window.input.mapping,
        input: w.window.input.data,
        events: w.lossWindow.learnerEvents,
        enqueuedTUs: 0,
      };
      if (scored) {
        const truth = w.truth!;
        // Frozen.
        // Both runs turn the output into ν the same way (the weights' speed scaling, if any).
        const scale = outputToNuScale(sample.axialSpeedMS, o.manifest.speedScaling);
        const nuFrozen = await setup.forward.run(sample.input, frozen, scale);
        cur.frozen.add(nuFrozen, truth.invTtcPerS, truth.depthM, sample.input);
        cur.frozenLoss += scoreLoss.evaluate({ ...sample, invTtcPerS: nuFrozen }, grad).loss;
        // Online, before learning from this window.
        const nuOnline = await setup.forward.run(sample.input, setup.trainer.inferenceWeights, scale);
        cur.online.add(nuOnline, truth.invTtcPerS, truth.depthM, sample.input);
        cur.onlineLoss += scoreLoss.evaluate({ ...sample, invTtcPerS: nuOnline }, grad).loss;
        cur.n++;
      }
      if (offered) {
        if (teacher) teacher.setTruth(w.truth!);
        search?.setTruth(w.truth);
        await setup.trainer.offer(mixer ? mixer.next(sample) : sample);
      }
    },
    {
      onStart: (c) => {
        camera = c;
        createLearningSetup({
          modelDir: o.modelDir,
          manifest: o.manifest,
          weights: o.pretrained,
          sensor: c.sensor,
          intrinsics: c.intrinsics,
          maxEvents: o.clip.learnerCap,
          loss: o.loss,
          trainer: o.trainer,
          origin: o.manifest.origin,
          ...(teacher ? { windowLoss: teacher, guards: { spikeFactor: Infinity } } : {}),
          ...(o.teacher === 'search'
            ? {
                windowLoss: (contrast: ContrastMaximizationLoss, network: SensorGeometry) =>
                  (search = new SearchTeacher(contrast, network, o.search)),
              }
            : {}),
        })
          .then((s) => {
            setup = s;
            grad = new Float32Array(s.forward.sizes.output);
            if (o.replay) mixer = new ReplayMixer(o.replay, new SampleExpander(s.forward.sizes.input, o.clip.learnerCap));
            scoreLoss = newLoss({ sensor: c.sensor, intrinsics: c.intrinsics, maxEvents: o.clip.learnerCap, loss: o.loss }, s.forward.geometry);
          })
          .catch((e: unknown) => (onStartError = e))
          .finally(() => cameraReady!());
      },
    },
  );
  await ready;
  if (onStartError) throw onStartError;
  if (!setup || !camera) throw new Error('adaptation: the flight produced no window');
  try {
    while (bins.length < totalBins) closeBin();
    const online = Float32Array.from(setup.trainer.inferenceWeights);
    const status = setup.trainer.status();
    let heldOut: HeldOutReport | null = null;
    const heldOutCurve: Array<AdaptationReport['heldOutCurve'][number]> = [];
    let heldOutChange: PixelSetChange = { all: NaN, events: NaN, noEvents: NaN };
    if (heldOutClip) {
      heldOut = await scoreHeldOut(setup.forward, scoreLoss!, [heldOutClip], [
        { name: 'online (after the flight)', data: online, speedScaling: o.manifest.speedScaling },
        { name: 'frozen (pretrained)', data: frozen, speedScaling: o.manifest.speedScaling },
      ], o.clip.learnerCap);
      const curve = await scoreHeldOut(setup.forward, scoreLoss!, [heldOutClip], snapshots.map((x) => ({ name: `${x.atS} s`, data: x.data, speedScaling: o.manifest.speedScaling })), o.clip.learnerCap);
      snapshots.forEach((x, i) => heldOutCurve.push({ atS: x.atS, updates: x.updates, loss: curve.scores[i]!.loss, nu: curve.scores[i]!.nu }));
      heldOutChange = changeOf(heldOutCurve.at(-1)!.nu, heldOutCurve[0]!.nu);
    }
    const first = bins[0]!;
    const last = bins.at(-1)!;
    const last10s = bins.slice(-Math.max(1, Math.round(10 / o.binSeconds)));
    return {
      flight: o.spec,
      teacher: o.teacher ?? 'loss',
      searchLabels: search ? search.report() : null,
      bins,
      change: {
        online: changeOf(last.online.nu, first.frozen.nu),
        frozen: changeOf(last.frozen.nu, first.frozen.nu),
      },
      last10sOnlineVsFrozen: pooledOnlineVsFrozen(last10s),
      lastBinOnlineVsFrozen: changeOf(last.online.nu, last.frozen.nu),
      levelMatched: { whole: pooledLevelMatched(bins), last10s: pooledLevelMatched(last10s) },
      total: {
        online: { nu: totalOnline.report(), loss: totalN > 0 ? totalOnlineLoss / totalN : NaN },
        frozen: { nu: totalFrozen.report(), loss: totalN > 0 ? totalFrozenLoss / totalN : NaN },
      },
      updates: status.updates,
      windowsReplayed: mixer?.replays ?? 0,
      windowsOffered: status.windowsOffered,
      windowsSparse: status.windowsSparse,
      guards: status.guards,
      frozenUnchanged: sameBits(frozen, frozenCopy),
      onlineChanged: !sameBits(online, frozenCopy),
      lossVsErrorPearson: pearson(
        bins.map((b) => b.online.loss - b.frozen.loss),
        bins.map((b) => b.online.nu.all.maePerS - b.frozen.nu.all.maePerS),
      ),
      heldOut,
      heldOutCurve,
      heldOutChange,
      camera,
    };
  } finally {
    await setup.release();
  }
}

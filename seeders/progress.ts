import { Presets, SingleBar } from 'cli-progress';

/** One line of the summary: a phase and how long it took. */
export interface PhaseTiming {
  name: string;
  seconds: number;
}

/**
 * Progress of the bulk seeder, one bar per phase on stderr (drawn only on a terminal), and
 * the time each phase took for the summary.
 */
export class Progress {
  readonly timings: PhaseTiming[] = [];
  private readonly bar = new SingleBar(
    {
      format: '{phase} [{bar}] {percentage}% | {value}/{total} | {duration}s',
      stream: process.stderr,
      hideCursor: null,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  private readonly startedAt = Date.now();
  private phaseStartedAt = 0;
  private phaseName = '';
  private done = 0;

  /** Starts a phase of `total` steps (ends the previous one). */
  start(name: string, total: number): void {
    this.end();
    this.phaseName = name;
    this.phaseStartedAt = Date.now();
    this.done = 0;
    this.bar.start(Math.max(total, 1), 0, { phase: name.padEnd(9) });
  }

  /** Counts `steps` more steps of the current phase. */
  advance(steps: number): void {
    this.done += steps;
    this.bar.update(this.done);
  }

  /** Ends the current phase, if any, and records its time. */
  end(): void {
    if (!this.phaseName) return;
    this.bar.stop();
    this.timings.push({ name: this.phaseName, seconds: seconds(Date.now() - this.phaseStartedAt) });
    this.phaseName = '';
  }

  /** Seconds since the progress began. */
  elapsed(): number {
    return seconds(Date.now() - this.startedAt);
  }
}

const seconds = (ms: number): number => Math.round(ms / 100) / 10;

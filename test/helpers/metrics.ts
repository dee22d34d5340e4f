import { config } from '../../config';

/** The header a Prometheus scrape of `GET /metrics` sends: the suite's METRICS_TOKEN. */
export const metricsAuth = (): { Authorization: string } => ({
  Authorization: `Bearer ${config.metricsToken ?? ''}`,
});

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/;

/**
 * The value of one series in a Prometheus exposition (`GET /metrics`): the first sample named
 * `name` that carries every label in `labels` (others may be present too). 0 when the series
 * is not there yet, as a counter that has not counted anything reads.
 */
export function metricSample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  for (const line of text.split('\n')) {
    const match = SAMPLE_LINE.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]),
    );
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) {
      return Number(match[3]);
    }
  }
  return 0;
}

// pino JSON logging. One root logger per process, children per component and per
// reconcile. Secrets are redacted by path so a careless `log.info({ cluster })` cannot
// leak a bearer token or CA bundle.
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Field names whose values never reach a log line, at any of the first three levels. */
export const SECRET_KEYS: readonly string[] = [
  'token',
  'bearerToken',
  'caBundle',
  'caData',
  'certData',
  'keyData',
  'password',
  'secret',
  'clientSecret',
  'credentials',
  'authorization',
  'Authorization',
  'apiKey',
  'secretAccessKey',
  'tsigSecret',
  'privateKey',
];

const CENSOR = '[REDACTED]';

function redactPaths(keys: readonly string[]): string[] {
  const paths: string[] = [];
  for (const key of keys) {
    paths.push(key, `*.${key}`, `*.*.${key}`);
  }
  // Kubernetes Secret payloads, whatever they are nested in.
  paths.push('data', '*.data', 'stringData', '*.stringData', 'headers.authorization', '*.headers.authorization');
  return paths;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Extra field names to redact besides SECRET_KEYS. */
  redactKeys?: readonly string[];
  /** Base fields on every line, e.g. `{ replica: podName }`. */
  base?: Record<string, unknown>;
  /** Where lines go; default stdout. Tests pass a stream to capture output. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const keys = [...SECRET_KEYS, ...(options.redactKeys ?? [])];
  const config = {
    level: options.level ?? 'info',
    base: options.base ?? {},
    redact: { paths: redactPaths(keys), censor: CENSOR },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** Child logger for one component: every line carries `component`. */
export function componentLogger(root: Logger, component: string, fields: Record<string, unknown> = {}): Logger {
  return root.child({ component, ...fields });
}

/** A logger that drops everything; default for library code when none is passed. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Deep copy of `value` with secret-looking fields replaced, for printing whole
 * configuration objects at startup (pino's path redaction only covers known depths).
 */
export function redactDeep<T>(value: T, extraKeys: readonly string[] = []): T {
  const keys = new Set([...SECRET_KEYS, ...extraKeys].map((k) => k.toLowerCase()));
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(v)) {
        out[k] = keys.has(k.toLowerCase()) && child !== undefined && child !== '' ? CENSOR : walk(child);
      }
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

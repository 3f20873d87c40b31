/**
 * A tiny declarative schema for environment variables. Each variable knows how to parse itself,
 * its default and a one-line description, so validation, the typed config and `.env.example`
 * come from one place and cannot drift apart.
 */

export interface VarSpec<T> {
  /** Turns the raw string (undefined when unset or empty) into a value, or throws a reason. */
  parse(raw: string | undefined): T;
  /** The default as it should appear in `.env.example` ('' when the variable is unset by default). */
  readonly shown: string;
  readonly doc: string;
}

export type VarsOf<V> = { [K in keyof V]: V[K] extends VarSpec<infer T> ? T : never };

export interface Section<
  N extends string = string,
  V = Record<string, VarSpec<unknown>>,
  C = unknown,
> {
  readonly name: N;
  readonly title: string;
  readonly vars: V;
  readonly build: (vars: VarsOf<V>) => C;
}

/** Any section, for code that walks all of them without caring about their types. */
export interface AnySection {
  readonly name: string;
  readonly title: string;
  readonly vars: Readonly<Record<string, VarSpec<unknown>>>;
  readonly build: (vars: never) => unknown;
}

export function defineSection<N extends string, V extends Record<string, VarSpec<unknown>>, C>(
  name: N,
  title: string,
  vars: V,
  build: (vars: VarsOf<V>) => C,
): Section<N, V, C> {
  return { name, title, vars, build };
}

class InvalidValue extends Error {}

function spec<T>(doc: string, shown: string, parse: (raw: string | undefined) => T): VarSpec<T> {
  return { doc, shown, parse };
}

function present(raw: string | undefined): raw is string {
  return raw !== undefined && raw.trim() !== '';
}

export const env = {
  string(doc: string, fallback: string): VarSpec<string> {
    return spec(doc, fallback, (raw) => (present(raw) ? raw.trim() : fallback));
  },

  optionalString(doc: string): VarSpec<string | undefined> {
    return spec(doc, '', (raw) => (present(raw) ? raw.trim() : undefined));
  },

  int(doc: string, fallback: number, range: { min?: number; max?: number } = {}): VarSpec<number> {
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
    return spec(doc, String(fallback), (raw) => {
      if (!present(raw)) return fallback;
      const value = Number(raw.trim());
      if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
        throw new InvalidValue(`must be an integer, got "${raw}"`);
      }
      if (value < min || value > max) {
        throw new InvalidValue(`must be between ${min} and ${max}, got ${value}`);
      }
      return value;
    });
  },

  number(
    doc: string,
    fallback: number,
    range: { min?: number; max?: number } = {},
  ): VarSpec<number> {
    const { min = -Infinity, max = Infinity } = range;
    return spec(doc, String(fallback), (raw) => {
      if (!present(raw)) return fallback;
      const value = Number(raw.trim());
      if (!Number.isFinite(value)) throw new InvalidValue(`must be a number, got "${raw}"`);
      if (value < min || value > max) {
        throw new InvalidValue(`must be between ${min} and ${max}, got ${value}`);
      }
      return value;
    });
  },

  bool(doc: string, fallback: boolean): VarSpec<boolean> {
    return spec(doc, String(fallback), (raw) => {
      if (!present(raw)) return fallback;
      const value = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(value)) return true;
      if (['false', '0', 'no', 'off'].includes(value)) return false;
      throw new InvalidValue(`must be true or false, got "${raw}"`);
    });
  },

  oneOf<const T extends string>(doc: string, choices: readonly T[], fallback: T): VarSpec<T> {
    return spec(doc, fallback, (raw) => {
      if (!present(raw)) return fallback;
      const value = raw.trim() as T;
      if (!choices.includes(value)) {
        throw new InvalidValue(`must be one of ${choices.join(', ')}, got "${raw}"`);
      }
      return value;
    });
  },

  url(doc: string, fallback: string, protocols: readonly string[]): VarSpec<string> {
    return spec(doc, fallback, (raw) => parseUrl(present(raw) ? raw.trim() : fallback, protocols));
  },

  optionalUrl(doc: string, protocols: readonly string[]): VarSpec<string | undefined> {
    return spec(doc, '', (raw) => (present(raw) ? parseUrl(raw.trim(), protocols) : undefined));
  },

  /** A secret that, when set, must be long enough to resist guessing; never echoed in errors. */
  optionalSecret(doc: string, minLength: number): VarSpec<string | undefined> {
    return spec(doc, '', (raw) => {
      if (!present(raw)) return undefined;
      if (raw.trim().length < minLength)
        throw new InvalidValue(`must be at least ${minLength} characters long`);
      return raw.trim();
    });
  },

  /**
   * A variable with its own reader: `parse` gets the trimmed value (or `shown` when unset) and
   * throws `invalid(reason)` for a bad one.
   */
  custom<T>(doc: string, shown: string, parse: (value: string) => T): VarSpec<T> {
    return spec(doc, shown, (raw) => parse(present(raw) ? raw.trim() : shown));
  },

  list(doc: string, fallback: readonly string[]): VarSpec<string[]> {
    return spec(doc, fallback.join(','), (raw) =>
      present(raw)
        ? raw
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean)
        : [...fallback],
    );
  },
};

function parseUrl(value: string, protocols: readonly string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    // The value is not echoed: a mistyped URL may still hold a password.
    throw new InvalidValue('must be a valid URL');
  }
  if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new InvalidValue(`must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return value;
}

/** Hides the password part of a URL-like string before it reaches a message or a log. */
export function redact(value: string): string {
  return value.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}

/** The error a custom reader or a section's build throws for a bad value (reported by name). */
export function invalid(reason: string): Error {
  return new InvalidValue(reason);
}

export function isInvalidValue(error: unknown): error is Error {
  return error instanceof InvalidValue;
}

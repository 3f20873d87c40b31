import type Handlebars from 'handlebars';

/** The few helpers templates need; anything more belongs in the page's view model. */
export function registerViewHelpers(hbs: typeof Handlebars): void {
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hbs.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hbs.registerHelper('not', (value: unknown) => !value);
  hbs.registerHelper('gt', (a: number, b: number) => a > b);

  /** Thousands separators: 18000 -> 18,000. */
  hbs.registerHelper('number', (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) ? value.toLocaleString('en-US') : '—',
  );

  hbs.registerHelper('percent', (done: unknown, total: unknown) => {
    const d = Number(done);
    const t = Number(total);
    return t > 0 ? Math.min(100, Math.round((d / t) * 100)) : 0;
  });

  hbs.registerHelper('datetime', (value: unknown) => {
    const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
    return date && !Number.isNaN(date.getTime())
      ? date.toISOString().replace('T', ' ').slice(0, 19) + ' UTC'
      : '—';
  });

  hbs.registerHelper('ago', (value: unknown) => {
    const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
    if (!date || Number.isNaN(date.getTime())) return '—';
    const seconds = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000));
    if (seconds < 60) return `${seconds}s ago`;
    if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
    if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
    return `${Math.round(seconds / 86400)} d ago`;
  });

  /**
   * JSON for a <script type="application/json"> block: `<` is escaped so user text can never close
   * the script element.
   */
  hbs.registerHelper(
    'json',
    (value: unknown) => new hbs.SafeString(JSON.stringify(value ?? null).replace(/</g, '\\u003c')),
  );
}

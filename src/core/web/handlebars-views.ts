import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { registerViewHelpers } from './view-helpers.js';

type Template = Handlebars.TemplateDelegate;

/**
 * Server-rendered pages (STYLE.md 18): templates in views/<module>/, one shared layout and
 * partials, compiled strict so a missing variable fails in tests, not in front of a user.
 */
export class HandlebarsViews {
  private readonly hbs = Handlebars.create();
  private readonly cache = new Map<string, Template>();

  constructor(
    private readonly viewsDir: string,
    private readonly cacheTemplates: boolean,
  ) {
    registerViewHelpers(this.hbs);
    this.loadPartials();
  }

  /** Renders `views/<name>.hbs` inside `views/layouts/<layout>.hbs` (layout: false for none). */
  render(name: string, context: Record<string, unknown>): string {
    const body = this.template(name)(context);
    const layout = context.layout === undefined ? 'main' : context.layout;
    if (layout === false) return body;
    return this.template(`layouts/${String(layout)}`)({ ...context, body });
  }

  /** An Express view engine: `app.engine('hbs', views.expressEngine())`. */
  expressEngine() {
    return (
      path: string,
      options: object,
      callback: (error: Error | null, html?: string) => void,
    ): void => {
      try {
        const name = relative(this.viewsDir, path).replace(/\.hbs$/, '');
        callback(null, this.render(name, options as Record<string, unknown>));
      } catch (error) {
        callback(error as Error);
      }
    };
  }

  private template(name: string): Template {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const source = readFileSync(join(this.viewsDir, `${name}.hbs`), 'utf8');
    const compiled = this.hbs.compile(source, { strict: true, preventIndent: true });
    if (this.cacheTemplates) this.cache.set(name, compiled);
    return compiled;
  }

  private loadPartials(): void {
    const dir = join(this.viewsDir, 'partials');
    if (!existsSync(dir)) return;
    for (const file of readdirSync(dir)) {
      if (extname(file) !== '.hbs') continue;
      this.hbs.registerPartial(basename(file, '.hbs'), readFileSync(join(dir, file), 'utf8'));
    }
  }
}

import { Injectable } from '@nestjs/common';

export interface NavItem {
  label: string;
  href: string;
  /** Lower comes first. */
  order: number;
}

export interface RecentWorkItem {
  module: string;
  title: string;
  status: string;
  href: string;
  updatedAt: Date;
  /** e.g. "412 / 500 rows" */
  detail?: string;
}

/** Lists the most recent work of one module for the dashboard (owner-scoped by the caller). */
export type RecentWorkSource = (limit: number, ownerId: string | null) => Promise<RecentWorkItem[]>;

/** Where modules announce their pages (navigation) and their work (dashboard). */
@Injectable()
export class WebRegistry {
  private readonly nav: NavItem[] = [];
  private readonly sources = new Map<string, RecentWorkSource>();

  addNav(item: NavItem): void {
    if (!this.nav.some((existing) => existing.href === item.href)) this.nav.push(item);
    this.nav.sort((a, b) => a.order - b.order);
  }

  navigation(): readonly NavItem[] {
    return this.nav;
  }

  addRecentWork(module: string, source: RecentWorkSource): void {
    this.sources.set(module, source);
  }

  async recentWork(limit: number, ownerId: string | null): Promise<RecentWorkItem[]> {
    const lists = await Promise.all(
      [...this.sources.values()].map((source) => source(limit, ownerId).catch(() => [])),
    );
    return lists
      .flat()
      .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())
      .slice(0, limit);
  }
}
